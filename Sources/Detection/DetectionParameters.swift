// The per-request knobs of DiffusionDet inference.

/// What one detection request asks for. Unset values come from the model's `config.json` `defaults` and
/// `diffusion.ensemble_includes_final_step` (see `DiffusionDetector.parameters(...)`).
public struct DetectionParameters: Sendable, Equatable {
    /// DDIM sampling steps S (the head runs S times; the backbone once).
    public var steps: Int
    /// Number of noisy boxes N; may differ from the number used in training (Chen et al. 2023, §4.2).
    public var proposals: Int
    /// Detections scoring at or below this are dropped (detectron2 demo: `scores > threshold`).
    public var scoreThreshold: Double
    /// Seed of the box noise (`torch.manual_seed` semantics).
    public var seed: UInt64
    /// Whether the last step's detections join the ensemble (nil: the model's configured choice).
    public var includeFinalStep: Bool?

    public init(steps: Int, proposals: Int, scoreThreshold: Double, seed: UInt64 = 0, includeFinalStep: Bool? = nil) {
        self.steps = steps
        self.proposals = proposals
        self.scoreThreshold = scoreThreshold
        self.seed = seed
        self.includeFinalStep = includeFinalStep
    }

    /// The configuration's defaults with `seed`.
    public init(defaults configuration: DiffusionDetConfiguration, seed: UInt64 = 0) {
        self.init(steps: configuration.defaults.steps, proposals: configuration.defaults.proposals,
                  scoreThreshold: configuration.defaults.scoreThreshold, seed: seed,
                  includeFinalStep: configuration.diffusion.ensembleIncludesFinalStep)
    }

    /// Largest accepted `proposals` (attention is O(N²) per stage; the official models use 500).
    public static let maximumProposals = 5000

    /// Throws `invalidParameter` naming the first value the detector cannot run.
    public func validate(timesteps: Int) throws(DetectionError) {
        guard steps >= 1 && steps <= timesteps else {
            throw .invalidParameter(parameter: "steps", reason: "must be in 1…\(timesteps), got \(steps)")
        }
        guard proposals >= 1 && proposals <= Self.maximumProposals else {
            throw .invalidParameter(parameter: "proposals",
                                    reason: "must be in 1…\(Self.maximumProposals), got \(proposals)")
        }
        guard scoreThreshold >= 0 && scoreThreshold <= 1 else {
            throw .invalidParameter(parameter: "scoreThreshold", reason: "must be in 0…1, got \(scoreThreshold)")
        }
    }
}
