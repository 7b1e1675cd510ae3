// One story request: the captions, optional given frames (continuation), sampler settings and seed.

import Tensor

/// What to generate. Frames `0..<givenFrames.count` are supplied (AR-LDM's continuation task gives frame 0);
/// the remaining captions' frames are generated in order (visualization when no frame is given).
public struct StoryParameters: Sendable {
    /// One caption per story frame (1…`max_frames`).
    public var captions: [String]
    /// Frames supplied by the caller, each (1, C, H, W) in 0…1 at the model's frame size.
    public var givenFrames: [Tensor]
    /// DDIM steps per generated frame.
    public var steps: Int
    /// Classifier-free guidance scale w: ε = ε_u + w·(ε_c − ε_u).
    public var guidanceScale: Float
    /// Seed of the one `TorchGenerator` that draws each generated frame's initial noise, in frame order.
    public var seed: UInt64

    public init(captions: [String], givenFrames: [Tensor] = [], steps: Int, guidanceScale: Float, seed: UInt64) {
        self.captions = captions
        self.givenFrames = givenFrames
        self.steps = steps
        self.guidanceScale = guidanceScale
        self.seed = seed
    }

    /// Throws ``StoryError/invalidParameter(parameter:reason:)`` naming the first parameter out of range.
    public func validate(maxFrames: Int, frameShape: [Int]) throws {
        guard (1...maxFrames).contains(captions.count) else {
            throw StoryError.invalidParameter(parameter: "captions", reason: "needs 1…\(maxFrames) captions, got \(captions.count)")
        }
        guard givenFrames.count < captions.count else {
            throw StoryError.invalidParameter(parameter: "givenFrames",
                                              reason: "\(givenFrames.count) given frames leave nothing to generate")
        }
        if let bad = givenFrames.firstIndex(where: { $0.shape != frameShape }) {
            throw StoryError.invalidParameter(parameter: "givenFrames",
                                              reason: "frame \(bad) is \(givenFrames[bad].shape), expected \(frameShape)")
        }
        guard (1...1000).contains(steps) else {
            throw StoryError.invalidParameter(parameter: "steps", reason: "must lie in 1…1000, got \(steps)")
        }
        guard guidanceScale.isFinite, guidanceScale >= 0 else {
            throw StoryError.invalidParameter(parameter: "guidanceScale", reason: "must be finite and ≥ 0")
        }
    }
}
