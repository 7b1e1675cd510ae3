// Follows detectron2 `FPN` (detectron2/modeling/backbone/fpn.py) over `build_resnet_fpn_backbone`:
// keys `bottom_up.*`, `fpn_lateral{2..5}.{weight,bias}` (1×1) and `fpn_output{2..5}.{weight,bias}` (3×3).

import Layers
import Tensor
import Weights

/// The backbone of DiffusionDet: ResNet plus a feature pyramid (Lin et al. 2017) with sum fusion and no
/// norm. Top-down: `p5 = output5(lateral5(c5))`; for k = 4…2 the running sum `s_k = lateral_k(c_k) +
/// nearest×2(s_{k+1})` gives `p_k = output_k(s_k)`. The max-pooled P6 is not used by the head and not built.
public struct FeaturePyramidNetwork: Sendable {
    /// `bottom_up`.
    public let bottomUp: ResNet
    /// `fpn_lateral2…5`.
    let lateral: [Conv2d]
    /// `fpn_output2…5`.
    let output: [Conv2d]
    /// Channels of every pyramid level.
    public let outChannels: Int

    /// Loads the backbone under `scope` (`backbone` in a DiffusionDet checkpoint).
    public init(_ scope: ParameterScope, configuration: DiffusionDetConfiguration) throws(WeightsError) {
        bottomUp = try ResNet(scope.scoped("bottom_up"), configuration: configuration.backbone)
        let channels = configuration.fpn.outChannels
        var lateral: [Conv2d] = [], output: [Conv2d] = []
        for (index, inChannels) in bottomUp.stageOutChannels.enumerated() {
            lateral.append(try Conv2d(scope.scoped("fpn_lateral\(index + 2)"), inChannels: inChannels,
                                      outChannels: channels, kernelSize: 1))
            output.append(try Conv2d(scope.scoped("fpn_output\(index + 2)"), inChannels: channels,
                                     outChannels: channels, kernelSize: 3, padding: 1))
        }
        self.lateral = lateral
        self.output = output
        outChannels = channels
    }

    /// (N, 3, H, W) normalised images, H and W multiples of 32 → [p2, p3, p4, p5], each (N, C, H/s, W/s).
    func callAsFunction(_ images: Tensor, mask: PaddingMask?) throws(TensorError) -> [Tensor] {
        let bottom = try bottomUp(images, mask: mask)
        var results = [Tensor](repeating: Tensor.zeros([0]), count: bottom.count)
        var previous = Tensor.zeros([0])
        for level in stride(from: bottom.count - 1, through: 0, by: -1) {
            var lateralFeatures = try lateral[level](bottom[level])
            mask?.apply(to: &lateralFeatures)
            if level < bottom.count - 1 {
                try lateralFeatures.add(try previous.upsampleNearest(scaleFactor: (2, 2)))
            }
            previous = lateralFeatures
            var pyramidLevel = try output[level](previous)
            mask?.apply(to: &pyramidLevel)
            results[level] = pyramidLevel
        }
        return results
    }
}
