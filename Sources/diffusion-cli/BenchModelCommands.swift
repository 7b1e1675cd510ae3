// `diffusion-cli bench unet|vae|text`: one model call timed at one thread count, with its GFLOPS and peak memory.
// Tools/bench/torch_sd.py is the diffusers/transformers peer; Tools/bench/compare_sd.py runs both.

import ArgumentParser
import Diffusion
import Foundation
import Tensor
import Text

/// The options shared by the model benchmarks.
struct ModelBenchOptions: ParsableArguments {
    @Option(name: .long, help: "Diffusers pipeline folder holding unet/, vae/ and text_encoder/.")
    var model: String = "Models/shapesworld-t2i"

    @Option(name: .long, help: "Threads for BLAS and parallel loops (one count per process, so peaks are per count).")
    var threads: Int = 1

    @Option(name: .long, help: "Timed calls after the warm-up call (the median is reported).")
    var rounds: Int = 3

    @Option(name: .long, help: "Batch size (default: 2 for unet and text, classifier-free guidance; 1 for vae).")
    var batch: Int?

    @Option(name: .customLong("buffer-pool-mib"), help: "Bound on free buffers parked in the tensor buffer pool, in MiB (default: the library's, 4096).")
    var bufferPoolMiB: Int?

    @Flag(name: .long, help: "Print one JSON object instead of a summary line.")
    var json = false

    /// Applies the process-wide settings; call before loading.
    func apply() {
        if let bufferPoolMiB { BufferPool.shared.setMaximumBytes(max(0, bufferPoolMiB) << 20) }
    }

    var folder: URL { URL(fileURLWithPath: model, isDirectory: true) }
    var modelName: String { folder.standardizedFileURL.lastPathComponent }

    func report(_ result: ModelBenchmarkResult) {
        var described = result
        described.bufferPoolMiB = bufferPoolMiB
        print(json ? described.jsonLine() : described.summary())
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
        options.apply()
        var shape = ""
        let result = try ModelBenchmark.measure(component: "unet", model: options.modelName, shape: "",
                                                threads: options.threads, rounds: options.rounds) {
            let unet = try UNet2DConditionModel(directory: options.folder.appendingPathComponent("unet"))
            let configuration = unet.configuration
            let size = latentSize ?? configuration.sampleSize?.height ?? 64
            let contextWidth = configuration.blocks.first?.crossAttentionDim ?? 768
            let sample = benchTensor([batch, configuration.inChannels, size, size], seed: 11)
            let context = benchTensor([batch, contextLength, contextWidth], seed: 12)
            shape = "b\(batch) \(configuration.inChannels)×\(size)², context \(contextLength)×\(contextWidth)"
            return { _ = try unet(sample, timestep: 500, encoderHiddenStates: context) }
        }
        var described = result
        described.shape = shape
        options.report(described)
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
        options.apply()
        var shape = ""
        let result = try ModelBenchmark.measure(component: "vae-decode", model: options.modelName, shape: "",
                                                threads: options.threads, rounds: options.rounds) {
            let vae = try AutoencoderKL(directory: options.folder.appendingPathComponent("vae"))
            let configuration = vae.configuration
            let factor = configuration.downsamplingFactor
            let size = latentSize ?? configuration.sampleSize / factor
            let latents = benchTensor([batch, configuration.latentChannels, size, size], seed: 13)
            shape = "b\(batch) \(configuration.latentChannels)×\(size)² → \(configuration.outChannels)×\(size * factor)²"
            return { _ = try vae.decode(latents) }
        }
        var described = result
        described.shape = shape
        options.report(described)
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
        options.apply()
        var shape = ""
        let result = try ModelBenchmark.measure(component: "text", model: options.modelName, shape: "",
                                                threads: options.threads, rounds: options.rounds) {
            let text = try CLIPTextModel(directory: options.folder.appendingPathComponent("text_encoder"))
            let configuration = text.configuration
            let tokens = length ?? configuration.maxPositionEmbeddings
            let ids = Self.tokenIDs(batch: batch, length: tokens, vocabularySize: configuration.vocabSize)
            shape = "b\(batch) × \(tokens) tokens, width \(configuration.hiddenSize), \(configuration.numHiddenLayers) layers"
            return { _ = try text(inputIDs: ids) }
        }
        var described = result
        described.shape = shape
        options.report(described)
    }

    /// Fixed token ids (Tools/bench/torch_sd.py uses the same formula): row r, position i → (1000 + 37·i + 101·r) mod V.
    static func tokenIDs(batch: Int, length: Int, vocabularySize: Int) -> [[Int]] {
        (0..<batch).map { row in (0..<length).map { (1000 + 37 * $0 + 101 * row) % vocabularySize } }
    }
}
