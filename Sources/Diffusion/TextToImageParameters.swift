// The request of diffusers' `StableDiffusionPipeline.__call__` (src/diffusers/pipelines/stable_diffusion/
// pipeline_stable_diffusion.py @ v0.35.2) as a value type, shared by text-to-image, image-to-image and inpainting.

/// What to generate: prompt, size, sampler and seed. A plain value, so callers (HTTP, CLI, tests) can build,
/// compare and log requests without touching the engine.
public struct TextToImageParameters: Sendable, Equatable {
    /// The accepted number of denoising steps.
    public static let stepRange = 1...150
    /// The accepted number of images per prompt.
    public static let imageCountRange = 1...4

    public var prompt: String
    /// "" means no negative prompt (diffusers then conditions the unconditional branch on ""). Ignored when
    /// guidance is off (`guidanceScale` ≤ 1), as in diffusers.
    public var negativePrompt: String = ""
    /// Output width in pixels, a positive multiple of the pipeline's `vaeScaleFactor`.
    public var width: Int
    /// Output height in pixels, a positive multiple of the pipeline's `vaeScaleFactor`.
    public var height: Int
    /// Denoising steps, in `stepRange` (for image-to-image, before `strength` shortens the schedule).
    public var steps: Int
    /// Classifier-free guidance scale; ≤ 1 disables the unconditional branch, as in diffusers.
    public var guidanceScale: Float
    /// Seed of the single `torch.Generator` that draws all noise of the request.
    public var seed: UInt64
    /// The sampler, built from the pipeline's `scheduler/scheduler_config.json` like diffusers' `from_config`.
    public var scheduler: SchedulerKind
    /// Images per prompt, in `imageCountRange`.
    public var imageCount: Int

    public init(prompt: String, negativePrompt: String = "", width: Int, height: Int, steps: Int,
                guidanceScale: Float, seed: UInt64, scheduler: SchedulerKind, imageCount: Int = 1) {
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.width = width
        self.height = height
        self.steps = steps
        self.guidanceScale = guidanceScale
        self.seed = seed
        self.scheduler = scheduler
        self.imageCount = imageCount
    }

    /// Whether the unconditional branch runs (diffusers' `do_classifier_free_guidance`: `guidance_scale > 1`).
    public var usesClassifierFreeGuidance: Bool { guidanceScale > 1 }

    /// Throws `PipelineError.invalidParameter` naming the first parameter out of range.
    public func validate(vaeScaleFactor: Int) throws(PipelineError) {
        for (name, value) in [("width", width), ("height", height)] {
            guard value > 0, value % vaeScaleFactor == 0 else {
                throw .invalidParameter(parameter: name,
                                        reason: "\(value) is not a positive multiple of \(vaeScaleFactor)")
            }
        }
        guard Self.stepRange.contains(steps) else {
            throw .invalidParameter(parameter: "steps", reason: "\(steps) is outside \(Self.stepRange)")
        }
        guard Self.imageCountRange.contains(imageCount) else {
            throw .invalidParameter(parameter: "imageCount", reason: "\(imageCount) is outside \(Self.imageCountRange)")
        }
        guard guidanceScale.isFinite else {
            throw .invalidParameter(parameter: "guidanceScale", reason: "\(guidanceScale) is not finite")
        }
    }
}
