// Follows DiffusionDet `RCNNHead` (diffusiondet/head.py @1efb36d): keys `self_attn`, `norm1..3`,
// `inst_interact`, `linear1`, `linear2`, `block_time_mlp.1`, `cls_module.{3k,3k+1}`, `reg_module.{3k,3k+1}`,
// `class_logits`, `bboxes_delta`. Dropout is 0 at inference and has no parameters.

import Layers
import Tensor
import Weights

/// One refinement stage of the DiffusionDet head (Chen et al. 2023, §3.2; Sparse R-CNN's dynamic head):
/// RoI features → self-attention across proposals → dynamic instance interaction → FFN; the result is
/// modulated by the time embedding (`x·(scale + 1) + shift`) and feeds the class and box branches.
struct RCNNHead: Sendable {
    let hiddenDim: Int
    let selfAttention: MultiheadAttention
    let norm1: LayerNorm
    let instanceInteraction: DynamicConv
    let norm2: LayerNorm
    let linear1: Linear
    let linear2: Linear
    let norm3: LayerNorm
    /// `block_time_mlp.1`: 4d → 2d (SiLU before it).
    let blockTimeMLP: Linear
    /// `cls_module`: (Linear without bias, LayerNorm) pairs, each followed by ReLU.
    let classBranch: [(Linear, LayerNorm)]
    /// `reg_module`: likewise.
    let regressionBranch: [(Linear, LayerNorm)]
    let classLogits: Linear
    let boxDeltas: Linear
    let decoder = BoxDeltaDecoder()

    init(_ scope: ParameterScope, configuration: DiffusionDetConfiguration) throws(WeightsError) {
        let head = configuration.head
        let d = head.hiddenDim
        hiddenDim = d
        selfAttention = try MultiheadAttention(scope.scoped("self_attn"), embedDim: d, heads: head.numHeads)
        norm1 = try LayerNorm(scope.scoped("norm1"), dimension: d)
        instanceInteraction = try DynamicConv(scope.scoped("inst_interact"), hiddenDim: d, dynamicDim: head.dimDynamic,
                                              poolerResolution: head.poolerResolution)
        norm2 = try LayerNorm(scope.scoped("norm2"), dimension: d)
        linear1 = try Linear(scope.scoped("linear1"), inFeatures: d, outFeatures: head.dimFeedforward)
        linear2 = try Linear(scope.scoped("linear2"), inFeatures: head.dimFeedforward, outFeatures: d)
        norm3 = try LayerNorm(scope.scoped("norm3"), dimension: d)
        blockTimeMLP = try Linear(scope.scoped("block_time_mlp").scoped(1), inFeatures: 4 * d, outFeatures: 2 * d)
        func branch(_ name: String, count: Int) throws(WeightsError) -> [(Linear, LayerNorm)] {
            var layers: [(Linear, LayerNorm)] = []
            for index in 0..<count {
                let module = scope.scoped(name)
                layers.append((try Linear(module.scoped(3 * index), inFeatures: d, outFeatures: d, bias: false),
                               try LayerNorm(module.scoped(3 * index + 1), dimension: d)))
            }
            return layers
        }
        classBranch = try branch("cls_module", count: head.numCls)
        regressionBranch = try branch("reg_module", count: head.numReg)
        classLogits = try Linear(scope.scoped("class_logits"), inFeatures: d, outFeatures: configuration.classCount)
        boxDeltas = try Linear(scope.scoped("bboxes_delta"), inFeatures: d, outFeatures: 4)
    }

    /// What one stage hands on.
    struct Output {
        /// (N, K) class logits.
        var logits: Tensor
        /// N decoded xyxy rows.
        var boxes: [Float]
        /// (N, d) un-modulated object features, the next stage's proposal features.
        var features: Tensor
    }

    /// - Parameters:
    ///   - boxes: N xyxy rows in input pixels.
    ///   - proposalFeatures: (N, d), or nil at the first stage (then the mean RoI feature).
    ///   - time: (1, 4d) time features of the head call.
    ///   - levels: FPN level per box when already assigned (see `MultiLevelRoIPooler`).
    func callAsFunction(_ pyramid: FeaturePyramid, boxes: [Float], levels: [Int]? = nil, proposalFeatures: Tensor?,
                        time: Tensor, pooler: MultiLevelRoIPooler) throws(TensorError) -> Output {
        let count = boxes.count / 4, d = hiddenDim
        let roi = pooler(pyramid, boxes: boxes, levels: levels)  // (N, R², d)
        let proposals: Tensor
        if let proposalFeatures { proposals = proposalFeatures } else { proposals = Self.meanOverCells(roi) }
        var x = try norm1(try proposals + (try selfAttention(proposals)))
        x = try norm2(try x + (try instanceInteraction(x, roiFeatures: roi)))
        var hidden = try linear1(x)
        hidden.applyReLU()
        let objectFeatures = try norm3(try x + (try linear2(hidden)))

        let scaleShift = try blockTimeMLP(time.silu()).scalars  // (2d): scale then shift
        var modulated = objectFeatures
        modulated.withUnsafeMutableBufferPointer { values in
            for row in 0..<count {
                for column in 0..<d {
                    values[row * d + column] = values[row * d + column] * (scaleShift[column] + 1) + scaleShift[d + column]
                }
            }
        }
        var classFeatures = modulated
        for (linear, norm) in classBranch {
            classFeatures = try norm(try linear(classFeatures))
            classFeatures.applyReLU()
        }
        var regressionFeatures = modulated
        for (linear, norm) in regressionBranch {
            regressionFeatures = try norm(try linear(regressionFeatures))
            regressionFeatures.applyReLU()
        }
        let logits = try classLogits(classFeatures)
        let deltas = try boxDeltas(regressionFeatures).contiguous()
        let decoded = decoder.decode(deltas.basePointer, boxes: boxes)
        withExtendedLifetime(deltas) {}
        return Output(logits: logits, boxes: decoded, features: objectFeatures)
    }

    /// (N, R², d) → (N, d): the mean over the RoI cells (`roi_features.view(N, nr, d, -1).mean(-1)`).
    static func meanOverCells(_ roi: Tensor) -> Tensor {
        let count = roi.shape[0], cells = roi.shape[1], d = roi.shape[2]
        var result = Tensor.zeros([count, d])
        let source = roi.contiguous()
        result.withUnsafeMutableBufferPointer { values in
            source.withUnsafeBufferPointer { input in
                for box in 0..<count {
                    for cell in 0..<cells {
                        for channel in 0..<d { values[box * d + channel] += input[(box * cells + cell) * d + channel] }
                    }
                    for channel in 0..<d { values[box * d + channel] /= Float(cells) }
                }
            }
        }
        return result
    }
}
