import ArgumentParser
import Diffusion
import Foundation
import ImageIO
import Tensor

/// `diffusion-cli generate`: the server's text-to-image pipeline, offline, writing PNGs.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Text-to-image with a diffusers pipeline folder; writes one PNG per image.")

    @Option(name: .long, help: "Diffusers pipeline folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/).")
    var model: String

    @Option(name: .long, help: "The prompt.")
    var prompt: String

    @Option(name: .long, help: "The negative prompt.")
    var negativePrompt: String = ""

    @Option(name: .long, help: "Seed of the initial noise (torch.Generator-compatible).")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Denoising steps.")
    var steps: Int = 25

    @Option(name: .long, help: "Classifier-free guidance scale.")
    var guidance: Float = 7.5

    @Option(name: .long, help: "Scheduler: \(SchedulerKind.allCases.map(\.shortName).joined(separator: ", ")).")
    var scheduler: String = "ddim"

    @Option(name: .long, help: "Size as WIDTHxHEIGHT (default: the model's native size).")
    var size: String?

    @Option(name: .long, help: "Images to generate from the one seed.")
    var count: Int = 1

    @Option(name: .long, help: "Output PNG; with --count > 1, -1, -2, … are inserted before the extension.")
    var out: String = "image.png"

    @Option(name: .long, help: "Threads for BLAS and parallel loops (default: all cores).")
    var threads: Int?

    func run() throws {
        if let threads { ComputeThreads.setCount(threads) }
        guard let kind = SchedulerKind(name: scheduler) else {
            throw ValidationError("unknown scheduler '\(scheduler)'")
        }
        let pipeline = try StableDiffusionPipeline(directory: URL(fileURLWithPath: model))
        var (width, height) = pipeline.defaultSize
        if let size {
            let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2 else { throw ValidationError("--size must be WIDTHxHEIGHT") }
            (width, height) = (parts[0], parts[1])
        }
        let parameters = TextToImageParameters(prompt: prompt, negativePrompt: negativePrompt, width: width, height: height,
                                               steps: steps, guidanceScale: guidance, seed: seed, scheduler: kind, imageCount: count)
        let started = Date()
        let images = try pipeline.generate(parameters) { step, total in
            FileHandle.standardError.write(Data("\rstep \(step)/\(total)".utf8))
        }
        FileHandle.standardError.write(Data(String(format: "\rdone in %.2f s\n", Date().timeIntervalSince(started)).utf8))
        let values = images.contiguous().scalars
        let planeCount = 3 * width * height
        for index in 0..<count {
            let planes = Array(values[(index * planeCount)..<((index + 1) * planeCount)])
            guard let image = Image(floatPlanes: planes, width: width, height: height, range: .unit) else {
                throw ValidationError("the pipeline returned an image of the wrong size")
            }
            let url = URL(fileURLWithPath: Self.path(out, index: index, count: count))
            try Data(try PNGEncoder.encode(image)).write(to: url)
            print(url.path)
        }
    }

    static func path(_ out: String, index: Int, count: Int) -> String {
        guard count > 1 else { return out }
        let url = URL(fileURLWithPath: out)
        let stem = url.deletingPathExtension().path
        return "\(stem)-\(index + 1).\(url.pathExtension.isEmpty ? "png" : url.pathExtension)"
    }
}
