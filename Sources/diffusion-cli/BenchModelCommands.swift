// `diffusion-cli bench unet|vae|text`: one model call timed at one thread count, with its GFLOPS and peak memory.
// Tools/bench/torch_sd.py is the diffusers/transformers peer; Tools/bench/compare_sd.py runs both.

import ArgumentParser
import Diffusion
import Foundation
import Tensor
import Text

/// The measurement options shared by the model benchmarks (`bench unet|vae|text|story`), and the one
/// measure-and-report step they all run.
struct BenchRunOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for BLAS and parallel loops (one count per process, so peaks are per count).")
    var threads: Int = 1

    @Option(name: [.customLong("rounds"), .customLong("repeats")],
            help: "Timed calls after the warm-up (the median and the minimum are reported).")
    var rounds: Int = 3

    @Option(name: .long, help: "Untimed warm-up calls (the first one also counts the GEMM FLOPs).")
    var warmup: Int = 1

    @Option(name: .customLong("buffer-pool-mib"), help: "Bound on free buffers parked in the tensor buffer pool, in MiB (default: the library's, 768, as the service's).")
    var bufferPoolMiB: Int?

    @Flag(name: .long, help: "Print one JSON object instead of a summary line.")
    var json = false

    func validate() throws {
        guard threads > 0, rounds > 0, warmup >= 0 else {
            throw ValidationError("--threads and --rounds/--repeats must be positive, --warmup not negative")
        }
    }

    /// Applies the process-wide settings, loads and times the call `prepare` returns
    /// (``ModelBenchmark/measure(component:model:threads:warmup:rounds:prepare:)``) and prints the result.
    func measureAndReport(component: String, model: String, prepare: () throws -> ModelBenchmarkCall) throws {
        if let bufferPoolMiB { BufferPool.shared.setMaximumBytes(max(0, bufferPoolMiB) << 20) }
        var result = try ModelBenchmark.measure(component: component, model: model, threads: threads, warmup: warmup,
                                                rounds: rounds, prepare: prepare)
        result.bufferPoolMiB = bufferPoolMiB
        print(json ? result.jsonLine() : result.summary())
    }
}

/// The options of the single-model benchmarks (`bench unet|vae|text`).
struct ModelBenchOptions: ParsableArguments {
    @Option(name: .long, help: "Diffusers pipeline folder holding unet/, vae/ and text_encoder/.")
    var model: String = "Models/shapesworld-t2i"

    @Option(name: .long, help: "Batch size (default: 2 for unet and text, classifier-free guidance; 1 for vae).")
    var batch: Int?

    @OptionGroup var run: BenchRunOptions

    var folder: URL { URL(fileURLWithPath: model, isDirectory: true) }
    var modelName: String { folder.standardizedFileURL.lastPathComponent }

    func measureAndReport(component: String, prepare: () throws -> ModelBenchmarkCall) throws {
        try run.measureAndReport(component: component, model: modelName, prepare: prepare)
    }
}

/// `bench unet`: one UNet evaluation on (B, 4, h, w) latents with a (B, 77, D) context.
struct BenchUNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unet", abstract: "Time one UNet2DConditionModel call (default: batch 2 at the model's sample size).")

    @OptionGroup var options: ModelBenchOptions

    @Option(name: .long, help: "Latent height and width (default: the UNet's sample_size; 64 for SD 1.5).")
    var latentSize: Int?

    @Option(name: .long, help: "Context tokens.")
    var contextLength: Int = 77

    func run() throws {
        let batch = options.batch ?? 2
        try options.measureAndReport(component: "unet") {
            let unet = try UNet2DConditionModel(directory: options.folder.appendingPathComponent("unet"))
            let configuration = unet.configuration
            let size = latentSize ?? configuration.sampleSize?.height ?? 64
            let contextWidth = configuration.blocks.first?.crossAttentionDim ?? 768
            let sample = benchTensor([batch, configuration.inChannels, size, size], seed: 11)
            let context = benchTensor([batch, contextLength, contextWidth], seed: 12)
            return ModelBenchmarkCall(
                shape: "b\(batch) \(configuration.inChannels)×\(size)², context \(contextLength)×\(contextWidth)"
            ) { _ = try unet(sample, timestep: 500, encoderHiddenStates: context) }
        }
    }
}

/// `bench vae`: one AutoencoderKL decode of (B, 4, h, w) latents.
struct BenchVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae", abstract: "Time one AutoencoderKL decode (default: batch 1 at the VAE's sample size).")

    @OptionGroup var options: ModelBenchOptions

    @Option(name: .long, help: "Latent height and width (default: the VAE's sample_size / its factor; 64 for SD 1.5).")
    var latentSize: Int?

    func run() throws {
        let batch = options.batch ?? 1
        try options.measureAndReport(component: "vae-decode") {
            let vae = try AutoencoderKL(directory: options.folder.appendingPathComponent("vae"))
            let configuration = vae.configuration
            let factor = configuration.downsamplingFactor
            let size = latentSize ?? configuration.sampleSize / factor
            let latents = benchTensor([batch, configuration.latentChannels, size, size], seed: 13)
            return ModelBenchmarkCall(
                shape: "b\(batch) \(configuration.latentChannels)×\(size)² → \(configuration.outChannels)×\(size * factor)²"
            ) { _ = try vae.decode(latents) }
        }
    }
}

/// `bench text`: one CLIPTextModel forward (last hidden state and pooled output) on B rows of 77 tokens.
struct BenchTextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text", abstract: "Time one CLIPTextModel forward (default: batch 2 × 77 tokens).")

    @OptionGroup var options: ModelBenchOptions

    @Option(name: .long, help: "Tokens per row (default: max_position_embeddings, 77).")
    var length: Int?

    func run() throws {
        let batch = options.batch ?? 2
        try options.measureAndReport(component: "text") {
            let text = try CLIPTextModel(directory: options.folder.appendingPathComponent("text_encoder"))
            let configuration = text.configuration
            let tokens = length ?? configuration.maxPositionEmbeddings
            let ids = Self.tokenIDs(batch: batch, length: tokens, vocabularySize: configuration.vocabSize)
            return ModelBenchmarkCall(
                shape: "b\(batch) × \(tokens) tokens, width \(configuration.hiddenSize), \(configuration.numHiddenLayers) layers"
            ) { _ = try text(inputIDs: ids) }
        }
    }

    /// Fixed token ids (Tools/bench/torch_sd.py uses the same formula): row r, position i → (1000 + 37·i + 101·r) mod V.
    static func tokenIDs(batch: Int, length: Int, vocabularySize: Int) -> [[Int]] {
        (0..<batch).map { row in (0..<length).map { (1000 + 37 * $0 + 101 * row) % vocabularySize } }
    }
}
