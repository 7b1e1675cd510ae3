import Diffusion
import Foundation
import HTTP

/// The body of `POST /v1/images/generations`: OpenAI's image API fields (`prompt`, `n`,
/// `size`, `response_format`) plus the diffusion controls (`negative_prompt`, `steps`,
/// `guidance_scale`, `scheduler`, `seed`, `model`) and the job options.
struct ImageGenerationRequest: Decodable {
    var prompt: String
    var negativePrompt: String?
    var n: Int?
    var size: String?
    var responseFormat: String?
    var steps: Int?
    var guidanceScale: Double?
    var scheduler: String?
    var seed: UInt64?
    var model: String?

    enum CodingKeys: String, CodingKey {
        case prompt, n, size, steps, scheduler, seed, model
        case negativePrompt = "negative_prompt"
        case responseFormat = "response_format"
        case guidanceScale = "guidance_scale"
    }

    static let stepRange = 1...150
    static let guidanceRange = 0.0...30.0
    static let imageCountRange = 1...4
    static let defaultSteps = 25
    static let defaultGuidance = 7.5
    /// The largest width or height any model is asked for, in pixels; a model's own
    /// maximum is 4× its native size below that (a 64-px model stops at 256).
    static let maxSide = 1024

    static func maximumSide(nativeSize: (width: Int, height: Int)) -> Int {
        min(maxSide, 4 * max(nativeSize.width, nativeSize.height))
    }

    /// Validates every field against `model` and returns the pipeline parameters.
    func parameters(for model: TextToImageModel) throws(RequestBodyError) -> TextToImageParameters {
        guard !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalidField("prompt", reason: "must not be empty")
        }
        if let format = responseFormat, format != "b64_json" {
            throw .invalidField("response_format", reason: "only 'b64_json' is supported")
        }
        let count = n ?? 1
        try FieldCheck.require(count, in: Self.imageCountRange, field: "n")
        let steps = self.steps ?? Self.defaultSteps
        try FieldCheck.require(steps, in: Self.stepRange, field: "steps")
        let guidance = guidanceScale ?? Self.defaultGuidance
        try FieldCheck.require(guidance, in: Self.guidanceRange, field: "guidance_scale")
        let scheduler: SchedulerKind
        if let name = self.scheduler {
            guard let kind = SchedulerKind(name: name) else {
                throw .invalidField("scheduler", reason: "must be one of \(SchedulerKind.allCases.map(\.shortName).joined(separator: ", "))")
            }
            scheduler = kind
        } else {
            scheduler = .ddim
        }
        let (width, height) = try dimensions(multipleOf: model.pipeline.vaeScaleFactor, default: model.pipeline.defaultSize)
        return TextToImageParameters(
            prompt: prompt, negativePrompt: negativePrompt ?? "", width: width, height: height, steps: steps,
            guidanceScale: Float(guidance), seed: seed ?? UInt64.random(in: 0...UInt64(UInt32.max)),
            scheduler: scheduler, imageCount: count)
    }

    /// `size` as "WxH": each side a multiple of the VAE factor, at most `maxSide`.
    private func dimensions(multipleOf factor: Int, default defaultSize: (width: Int, height: Int)) throws(RequestBodyError) -> (Int, Int) {
        guard let size else { return defaultSize }
        let parts = size.lowercased().split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]) else {
            throw .invalidField("size", reason: "must be 'WIDTHxHEIGHT', e.g. '64x64'")
        }
        let unit = max(8, factor)
        let largest = Self.maximumSide(nativeSize: defaultSize)
        for side in [width, height] where side < unit || side > largest || side % unit != 0 {
            throw .invalidField("size", reason: "each side must be a multiple of \(unit) in \(unit)...\(largest), got \(size)")
        }
        return (width, height)
    }
}

/// The 200 body: OpenAI's shape plus the seed per image, the model and timings.
struct ImageGenerationResponse: Encodable {
    struct Datum: Encodable {
        var b64JSON: String
        var seed: UInt64
        var index: Int

        enum CodingKeys: String, CodingKey {
            case seed, index
            case b64JSON = "b64_json"
        }
    }

    struct Timings: Encodable {
        var totalMilliseconds: Double
        var denoiseMilliseconds: Double
        var stepsPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case totalMilliseconds = "total_ms"
            case denoiseMilliseconds = "denoise_ms"
            case stepsPerSecond = "steps_per_second"
        }
    }

    var created: Int
    var data: [Datum]
    var model: String
    var timings: Timings
    var warnings: [String]?
}
