// Follows DiffusionDet `DynamicHead` (diffusiondet/head.py @1efb36d): keys `time_mlp.*` and
// `head_series.{s}.*`; the box pooler has no parameters.

import Tensor
import Weights

/// The DiffusionDet detection decoder (Chen et al. 2023, §3.2): `num_stages` independent `RCNNHead`s that
/// each refine the boxes of the previous one, all conditioned on the same timestep embedding.
public struct DynamicHead: Sendable {
    let timeMLP: TimeEmbeddingMLP
    let stages: [RCNNHead]
    let pooler: MultiLevelRoIPooler

    /// The outputs of one stage for one image.
    public struct StageOutput: Sendable {
        /// (N, K) class logits.
        public var logits: Tensor
        /// N rows of (x1, y1, x2, y2) in input pixels, flattened.
        public var boxes: [Float]
    }

    /// Loads the head under `scope` (`head` in a DiffusionDet checkpoint).
    public init(_ scope: ParameterScope, configuration: DiffusionDetConfiguration) throws(WeightsError) {
        timeMLP = try TimeEmbeddingMLP(scope.scoped("time_mlp"), dimension: configuration.head.hiddenDim)
        var stages: [RCNNHead] = []
        let series = scope.scoped("head_series")
        for index in 0..<configuration.head.numStages {
            stages.append(try RCNNHead(series.scoped(index), configuration: configuration))
        }
        self.stages = stages
        pooler = MultiLevelRoIPooler(resolution: configuration.head.poolerResolution,
                                     samplingRatio: configuration.head.samplingRatio)
    }

    /// Runs every stage on `boxes` (N xyxy rows in input pixels) at integer `timestep`; returns one output
    /// per stage (the last one is the prediction). `checkpoint` runs before every stage and may throw to stop.
    /// `levels` overrides the FPN levels of the first stage's boxes (assigned from the float64 sampler state,
    /// as detectron2 does with float64 boxes); later stages assign levels from their float32 boxes.
    public func callAsFunction(_ pyramid: FeaturePyramid, boxes: [Float], levels: [Int]? = nil, timestep: Int,
                               checkpoint: () throws -> Void = {}) throws -> [StageOutput] {
        let time = try tensorOp { () throws(TensorError) in try timeMLP(timestep: timestep) }
        var outputs: [StageOutput] = []
        var current = boxes
        var features: Tensor?
        var currentLevels = levels
        for stage in stages {
            try checkpoint()
            let output = try tensorOp { () throws(TensorError) in
                try stage(pyramid, boxes: current, levels: currentLevels, proposalFeatures: features, time: time,
                          pooler: pooler)
            }
            currentLevels = nil
            outputs.append(StageOutput(logits: output.logits, boxes: output.boxes))
            current = output.boxes
            features = output.features
        }
        return outputs
    }
}
