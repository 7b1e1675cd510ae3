import Foundation
import HTTP

/// The body of `POST /v1/story`: the captions of the frames, the task (AR-LDM's story
/// visualization, or continuation from a given first frame), sampler settings and the job
/// options. Checked against the model before queueing; each violation names its field.
struct StoryRequest: Decodable {
    enum Mode: String, Decodable {
        case visualization, continuation
    }

    var captions: [String]
    var mode: Mode?
    var firstFrame: String?
    var seed: UInt64?
    var steps: Int?
    var guidanceScale: Double?
    var scheduler: String?
    var size: String?
    var model: String?

    enum CodingKeys: String, CodingKey {
        case captions, mode, seed, steps, scheduler, size, model
        case firstFrame = "first_frame"
        case guidanceScale = "guidance_scale"
    }

    static let stepRange = 1...150
    static let guidanceRange = 0.0...30.0
    static let maxSeed: UInt64 = 9_007_199_254_740_991

    /// The validated request for `model`, with defaults filled in (a random seed if none).
    /// `maxCaptions` is the service's own cap (`story.max_captions`).
    func validated(for model: StoryModel, maxCaptions: Int) throws(RequestBodyError) -> ValidatedStoryRequest {
        let limit = min(maxCaptions, model.maxFrames)
        guard (1...limit).contains(captions.count) else {
            throw .invalidField("captions", reason: "needs 1…\(limit) captions, got \(captions.count)")
        }
        for (index, caption) in captions.enumerated() {
            guard !caption.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw .invalidField("captions[\(index)]", reason: "must not be empty")
            }
            let tokens = model.tokenCount(caption)
            guard tokens <= model.maxCaptionTokens else {
                throw .invalidField("captions[\(index)]", reason: "has \(tokens) tokens; the model reads at most \(model.maxCaptionTokens)")
            }
        }
        let mode = self.mode ?? (firstFrame == nil ? .visualization : .continuation)
        var firstFrameBytes: [UInt8]?
        switch mode {
        case .visualization:
            guard firstFrame == nil else { throw .invalidField("first_frame", reason: "is only used with mode 'continuation'") }
        case .continuation:
            guard let firstFrame else { throw .invalidField("first_frame", reason: "is required with mode 'continuation'") }
            guard captions.count >= 2 else { throw .invalidField("captions", reason: "continuation needs at least 2 captions (frame 0 is given)") }
            guard let data = Data(base64Encoded: firstFrame, options: .ignoreUnknownCharacters) else {
                throw .invalidField("first_frame", reason: "is not valid base64")
            }
            firstFrameBytes = [UInt8](data)
        }
        let steps = self.steps ?? model.pipeline.configuration.numInferenceSteps
        try FieldCheck.require(steps, in: Self.stepRange, field: "steps")
        let guidance = guidanceScale ?? Double(model.pipeline.configuration.guidanceScale)
        try FieldCheck.require(guidance, in: Self.guidanceRange, field: "guidance_scale")
        if let scheduler, scheduler.lowercased() != "ddim" {
            throw .invalidField("scheduler", reason: "story models sample with 'ddim' only (AR-LDM's sampler)")
        }
        if let size {
            let native = "\(model.frameSize)x\(model.frameSize)"
            guard size.lowercased() == native else {
                throw .invalidField("size", reason: "this model generates \(native) frames only")
            }
        }
        if let seed { try FieldCheck.require(seed, in: 0...Self.maxSeed, field: "seed") }
        return ValidatedStoryRequest(captions: captions, mode: mode, firstFrame: firstFrameBytes, steps: steps,
                                     guidanceScale: Float(guidance), seed: seed ?? UInt64.random(in: 0...Self.maxSeed))
    }
}

/// A story request after validation: every value set and in range.
struct ValidatedStoryRequest: Sendable {
    var captions: [String]
    var mode: StoryRequest.Mode
    /// The encoded first frame (continuation), decoded on the request thread by the route.
    var firstFrame: [UInt8]?
    var steps: Int
    var guidanceScale: Float
    var seed: UInt64
}
