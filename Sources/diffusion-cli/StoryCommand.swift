import ArgumentParser
import Foundation
import ImageIO
import Story
import Tensor

/// `diffusion-cli story`: the server's AR-LDM story pipeline, offline; writes one PNG per frame.
struct StoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "story",
        abstract: "AR-LDM story generation with a story folder; writes frame-N.png per frame into --out.")

    @Option(name: .long, help: "Story folder (story_config.json, history_encoder/, unet/, vae/, text_encoder/, tokenizer/, scheduler/).")
    var model: String

    @Option(name: .long, help: "One caption per frame, in order (repeat the option).")
    var caption: [String]

    @Option(name: .long, help: "Frame 0 as a PNG/JPEG at the model's frame size (continuation); omit to generate every frame.")
    var firstFrame: String?

    @Option(name: .long, help: "Seed of the frames' initial noise (torch.Generator-compatible).")
    var seed: UInt64 = 0

    @Option(name: .long, help: "DDIM steps per frame (default: the model's).")
    var steps: Int?

    @Option(name: .long, help: "Classifier-free guidance scale (default: the model's).")
    var guidance: Float?

    @Option(name: .long, help: "Output folder.")
    var out: String = "story"

    @Option(name: .long, help: "Threads for BLAS and parallel loops (default: all cores).")
    var threads: Int?

    func run() throws {
        if let threads { ComputeThreads.setCount(threads) }
        let pipeline = try StoryPipeline(directory: URL(fileURLWithPath: model))
        let size = pipeline.frameSize
        var given: [Tensor] = []
        if let firstFrame {
            let image = try ImageDecoder.decode(Data(contentsOf: URL(fileURLWithPath: firstFrame)))
            guard image.width == size, image.height == size else {
                throw ValidationError("--first-frame is \(image.width)×\(image.height); the model's frames are \(size)×\(size)")
            }
            given = [Tensor(shape: [1, 3, size, size], values: image.floatPlanes(range: .unit))]
        }
        let parameters = StoryParameters(captions: caption, givenFrames: given,
                                         steps: steps ?? pipeline.configuration.numInferenceSteps,
                                         guidanceScale: guidance ?? pipeline.configuration.guidanceScale, seed: seed)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let started = Date()
        _ = try pipeline.generate(parameters, checkpoint: { progress in
            FileHandle.standardError.write(Data("\rframe \(progress.frame) step \(progress.step + 1)/\(progress.steps)".utf8))
        }, onFrame: { frame in
            let values = Array(frame.image.contiguous().scalars)
            guard let image = Image(floatPlanes: values, width: size, height: size, range: .unit) else {
                throw ValidationError("the pipeline returned a frame of the wrong size")
            }
            let url = URL(fileURLWithPath: out).appendingPathComponent("frame-\(frame.index).png")
            try Data(try PNGEncoder.encode(image)).write(to: url)
            print(url.path)
        })
        FileHandle.standardError.write(Data(String(format: "\rdone in %.2f s\n", Date().timeIntervalSince(started)).utf8))
    }
}
