import Foundation
import Tensor
import Weights
@testable import Diffusion

/// The committed tiny diffusers pipeline `Tests/Fixtures/sd-pipeline/tiny` and the reference images
/// `expected.safetensors` (written by `Tools/reference/make_sd_pipeline_fixtures.py` with diffusers 0.35.2,
/// torch 2.13, transformers 4.57.6).
enum SDPipelineFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sd-pipeline", isDirectory: true)

    static let folder = directory.appendingPathComponent("tiny", isDirectory: true)

    static let prompt = "a photo of a cat"
    static let prompt2 = "an astronaut riding a horse on mars"
    static let negative = "blurry, low quality"

    /// One reference run (the script's `CASES`, same names and values).
    struct Case: Sendable, CustomStringConvertible {
        enum Task: Sendable { case textToImage, imageToImage(strength: Float), inpaint }
        let name: String
        let task: Task
        let parameters: TextToImageParameters
        var description: String { name }
    }

    static func parameters(_ scheduler: SchedulerKind, _ prompt: String, _ negative: String, _ guidance: Float,
                           seed: UInt64, images: Int = 1) -> TextToImageParameters {
        TextToImageParameters(prompt: prompt, negativePrompt: negative, width: 32, height: 32, steps: 20,
                              guidanceScale: guidance, seed: seed, scheduler: scheduler, imageCount: images)
    }

    static let cases: [Case] = [
        Case(name: "t2i_ddim_cfg", task: .textToImage, parameters: parameters(.ddim, prompt, "", 7.5, seed: 0)),
        Case(name: "t2i_euler_a_cfg_negative", task: .textToImage,
             parameters: parameters(.eulerAncestralDiscrete, prompt, negative, 7.5, seed: 1)),
        Case(name: "t2i_dpmpp_2m_cfg", task: .textToImage,
             parameters: parameters(.dpmSolverMultistep, prompt, "", 7.5, seed: 0)),
        Case(name: "t2i_dpmpp_2m_cfg_prompt2", task: .textToImage,
             parameters: parameters(.dpmSolverMultistep, prompt2, "", 7.5, seed: 0)),
        Case(name: "t2i_ddim_no_cfg", task: .textToImage, parameters: parameters(.ddim, prompt2, "", 1.0, seed: 3)),
        Case(name: "t2i_euler_a_batch2", task: .textToImage,
             parameters: parameters(.eulerAncestralDiscrete, prompt2, negative, 7.5, seed: 4, images: 2)),
        Case(name: "i2i_euler_a_strength06", task: .imageToImage(strength: 0.6),
             parameters: parameters(.eulerAncestralDiscrete, prompt, negative, 7.5, seed: 5)),
        Case(name: "inpaint_ddim", task: .inpaint, parameters: parameters(.ddim, prompt2, "", 7.5, seed: 6)),
    ]

    private static let loaded = Result { try StableDiffusionPipeline(directory: folder) }

    /// The pipeline, loaded once per test process.
    static func pipeline() throws -> StableDiffusionPipeline { try loaded.get() }

    /// `name` from `expected.safetensors` (`<case>.image`, `inputs.image`, `inputs.mask`).
    static func tensor(_ name: String) throws -> Tensor {
        let file = try SafetensorsFile(path: directory.appendingPathComponent("expected.safetensors").path)
        let stored = try file.tensor(named: name)
        return Tensor(shape: stored.shape, values: try stored.floats())
    }

    /// Runs `fixture` through `pipeline`.
    static func run(_ fixture: Case, _ pipeline: StableDiffusionPipeline,
                    progress: (Int, Int) throws -> Void = { _, _ in }) throws -> Tensor {
        switch fixture.task {
        case .textToImage:
            return try pipeline.generate(fixture.parameters, progress: progress)
        case .imageToImage(let strength):
            return try pipeline.imageToImage(fixture.parameters, image: try tensor("inputs.image"), strength: strength,
                                             progress: progress)
        case .inpaint:
            return try pipeline.inpaint(fixture.parameters, image: try tensor("inputs.image"),
                                        mask: try tensor("inputs.mask"), progress: progress)
        }
    }
}
