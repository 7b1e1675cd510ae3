// Follows detectron2 `ResNet` as `build_resnet_backbone` builds it (detectron2/modeling/backbone/resnet.py):
// keys `stem.*` and `res{2..5}.{i}.*`; FREEZE_AT and FrozenBN only matter for training.

import Tensor
import Weights

/// The ResNet feature extractor (He et al. 2016) returning res2…res5 (strides 4, 8, 16, 32).
///
/// Stage channels follow detectron2: res2 has `res2_out_channels` and every later stage doubles them
/// (and the bottleneck width); the first block of res3…res5 has stride 2.
public struct ResNet: Sendable {
    let stem: BasicStem
    /// res2…res5, each a list of blocks.
    let stages: [[ResNetBlock]]
    /// Output channels of res2…res5.
    public let stageOutChannels: [Int]

    /// Loads the backbone under `scope` (`backbone.bottom_up` in a DiffusionDet checkpoint).
    public init(_ scope: ParameterScope, configuration: DiffusionDetConfiguration.Backbone) throws(WeightsError) {
        stem = try BasicStem(scope.scoped("stem"), outChannels: configuration.stemOutChannels)
        var inChannels = configuration.stemOutChannels
        var outChannels = configuration.res2OutChannels
        var bottleneckChannels = configuration.numGroups * configuration.widthPerGroup
        var stages: [[ResNetBlock]] = []
        for (index, blockCount) in configuration.blocksPerStage.enumerated() {
            let stageScope = scope.scoped("res\(index + 2)")
            var blocks: [ResNetBlock] = []
            for blockIndex in 0..<blockCount {
                let stride = index > 0 && blockIndex == 0 ? 2 : 1
                let blockScope = stageScope.scoped(blockIndex)
                if configuration.usesBottleneck {
                    blocks.append(.bottleneck(try BottleneckBlock(
                        blockScope, inChannels: inChannels, outChannels: outChannels,
                        bottleneckChannels: bottleneckChannels, stride: stride, groups: configuration.numGroups,
                        strideIn1x1: configuration.strideIn1x1)))
                } else {
                    blocks.append(.basic(try BasicBlock(blockScope, inChannels: inChannels, outChannels: outChannels,
                                                        stride: stride)))
                }
                inChannels = outChannels
            }
            stages.append(blocks)
            outChannels *= 2
            bottleneckChannels *= 2
        }
        self.stages = stages
        stageOutChannels = configuration.stageOutChannels
    }

    /// (N, 3, H, W) with H, W multiples of 32 → [res2, res3, res4, res5].
    func callAsFunction(_ x: Tensor, mask: PaddingMask?) throws(TensorError) -> [Tensor] {
        var y = try stem(x, mask: mask)
        var outputs: [Tensor] = []
        for stage in stages {
            for block in stage { y = try block(y, mask: mask) }
            outputs.append(y)
        }
        return outputs
    }
}
