// `diffusion-cli bench story`: seconds per AR-LDM visualization story (and per frame) for one story folder at one
// thread count, with peak memory. Tools/bench/torch_story.py measures the PyTorch reference sampler the same way
// and Tools/bench/compare_story.py runs both, alternating, in fresh processes.

import ArgumentParser
import Foundation
import Story

/// `bench story`: `StoryPipeline.generate` (what the service's story task runs) on F fixed ShapesWorld captions,
/// every frame generated (no given frame), timed per story by ``ModelBenchmark``.
struct BenchStoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "story",
        abstract: "Time one AR-LDM story of --frames frames (median and minimum over runs after warm-up) and report peak RSS.")

    /// The captions of a story, in order (Tools/bench/torch_story.py `CAPTIONS` is the same list): ShapesWorld's
    /// phrasing, cycled when a story is longer.
    static let captions = [
        "Lulu is a red circle.",
        "Lulu moves to the right.",
        "It jumps.",
        "It shrinks.",
        "Lulu moves down.",
        "It grows bigger.",
        "Lulu moves to the left.",
        "It moves up.",
    ]

    @Option(name: .long, help: "Story folder (story_config.json, history_encoder/, unet/, vae/, text_encoder/, tokenizer/, scheduler/).")
    var model: String

    @Option(name: .long, help: "Frames per story (one caption each; at most the model's max_frames).")
    var frames: Int = 5

    @Option(name: .long, help: "DDIM steps per frame (default: the folder's num_inference_steps).")
    var steps: Int?

    @Option(name: .long, help: "Classifier-free guidance scale (default: the folder's guidance_scale).")
    var guidance: Float?

    @Option(name: .long, help: "Seed of the frames' initial noise.")
    var seed: UInt64 = 0

    @OptionGroup var options: BenchRunOptions

    /// `frames` captions from ``captions``, cycled.
    static func captions(frames: Int) -> [String] {
        (0..<frames).map { captions[$0 % captions.count] }
    }

    func validate() throws {
        guard frames > 0 else { throw ValidationError("--frames must be positive") }
        if let steps, steps <= 0 { throw ValidationError("--steps must be positive") }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: model, isDirectory: true)
        try options.measureAndReport(component: "story", model: folder.standardizedFileURL.lastPathComponent) {
            let pipeline = try StoryPipeline(directory: folder)
            let stepCount = steps ?? pipeline.configuration.numInferenceSteps
            let scale = guidance ?? pipeline.configuration.guidanceScale
            let parameters = StoryParameters(captions: Self.captions(frames: frames), steps: stepCount,
                                             guidanceScale: scale, seed: seed)
            try parameters.validate(maxFrames: pipeline.configuration.maxFrames, frameShape: pipeline.frameShape)
            let size = pipeline.frameSize
            return ModelBenchmarkCall(
                shape: "\(frames) frames × \(stepCount) steps, guidance \(Self.formatted(scale)), \(size)² frames",
                frames: frames, details: ["steps": Double(stepCount), "guidance": Double(scale)]
            ) { _ = try pipeline.generate(parameters) }
        }
    }

    /// `5` for 5.0, `7.5` for 7.5 (Python's `{:g}`, so both sides print the same shape).
    static func formatted(_ value: Float) -> String {
        value == value.rounded() && abs(value) < 1e6 ? String(Int(value)) : String(value)
    }
}
