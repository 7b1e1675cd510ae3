// AR-LDM's autoregressive sampler (story_video_3d.md §1.4; Tools/reference/arldm_ref.py `StoryModel.sample`,
// `guided_noise`, `decode`) on the engine's UNet2DConditionModel, AutoencoderKL and DDIMScheduler.

import Foundation
import Diffusion
import Tensor
import Text
import Weights

/// A loaded story folder and its sampler.
///
/// For each frame j to generate: build φ_j (``StoryConditioner/context(frame:caption:history:)``) and the null
/// context, run DDIM (η = 0) from the frame's initial noise with classifier-free guidance
/// ε = ε_u + w·(ε_c − ε_u) — one UNet call per step on the batch [uncond; cond] with its key masks — decode the
/// latents with the VAE, re-encode (frame, caption j) with the history encoder and write it into slot j before
/// frame j + 1. The instance holds no mutable state and can serve concurrent requests.
///
/// Folder layout: `story_config.json`, `story_embeddings.safetensors`, `history_encoder/`, and the base model's
/// `unet/`, `vae/`, `text_encoder/`, `tokenizer/`, `scheduler/` (see Tools/reference/arldm_ref.py).
public final class StoryPipeline: Sendable {
    public let directory: URL
    public let configuration: StoryConfiguration
    public let conditioner: StoryConditioner
    public let unet: UNet2DConditionModel
    public let vae: AutoencoderKL
    /// `scheduler/scheduler_config.json`, read by a DDIM sampler per frame.
    public let schedulerConfiguration: SchedulerConfiguration

    /// Loads a story folder; every component reports its own configuration and weight problems, and the
    /// components must agree on the context width, the caption length and the frame size.
    public init(directory: URL, precision: WeightsPrecisionPolicy = .keepStored) throws {
        self.directory = directory
        func folder(_ name: String) -> URL { directory.appendingPathComponent(name, isDirectory: true) }
        let configuration = try StoryConfiguration.load(fromDirectory: directory)
        self.configuration = configuration
        let textEncoder = try CLIPTextModel(directory: folder("text_encoder"), precision: precision)
        let historyEncoder = try HistoryEncoder(directory: folder("history_encoder"), precision: precision)
        let embeddings = try StoryEmbeddings(fileURL: directory.appendingPathComponent(StoryEmbeddings.fileName),
                                             maxFrames: configuration.maxFrames, hiddenSize: configuration.hiddenSize,
                                             precision: precision)
        conditioner = StoryConditioner(configuration: configuration, tokenizer: try CLIPTokenizer(directory: folder("tokenizer")),
                                       textEncoder: textEncoder, historyEncoder: historyEncoder, embeddings: embeddings)
        unet = try UNet2DConditionModel(directory: folder("unet"), precision: precision)
        vae = try AutoencoderKL(directory: folder("vae"), precision: precision)
        schedulerConfiguration = try SchedulerConfiguration.decode(
            contentsOf: folder("scheduler").appendingPathComponent("scheduler_config.json"))

        func require(_ condition: Bool, _ reason: @autoclosure () -> String) throws {
            if !condition { throw StoryError.invalidStoryFolder(path: directory.path, reason: reason()) }
        }
        let width = configuration.hiddenSize
        try require(textEncoder.configuration.hiddenSize == width,
                    "text_encoder hidden_size \(textEncoder.configuration.hiddenSize) ≠ hidden_size \(width)")
        try require(historyEncoder.configuration.hiddenSize == width,
                    "history_encoder hidden_size \(historyEncoder.configuration.hiddenSize) ≠ hidden_size \(width)")
        try require(unet.configuration.blocks.allSatisfy { $0.crossAttentionDim == width },
                    "unet cross_attention_dim ≠ hidden_size \(width)")
        try require(configuration.captionLength <= textEncoder.configuration.maxPositionEmbeddings
                        && configuration.captionLength <= historyEncoder.configuration.maxPositionEmbeddings,
                    "caption_length \(configuration.captionLength) exceeds an encoder's position table")
        try require(conditioner.tokenizer.vocabularySize <= historyEncoder.configuration.vocabSize,
                    "the tokenizer's \(conditioner.tokenizer.vocabularySize) ids exceed history_encoder vocab_size")
        try require(unet.configuration.inChannels == vae.configuration.latentChannels
                        && unet.configuration.outChannels == vae.configuration.latentChannels,
                    "unet channels do not match the VAE's latent channels")
        try require(unet.configuration.sampleSize.map { $0.height == $0.width } ?? false,
                    "unet sample_size must be given and square")
        try require(frameSize == historyEncoder.configuration.imageSize,
                    "frames are \(frameSize) px but history_encoder image_size is \(historyEncoder.configuration.imageSize)")
    }

    /// Latents per side: the UNet's `sample_size` (required and square for story models).
    public var latentSize: Int { unet.configuration.sampleSize?.height ?? 0 }

    /// Frame pixels per side: latent size × the VAE's downsampling factor.
    public var frameSize: Int { latentSize * vae.configuration.downsamplingFactor }

    /// Shape of one frame's latents (1, latentChannels, h, w).
    public var latentShape: [Int] { [1, vae.configuration.latentChannels, latentSize, latentSize] }

    /// Shape of one frame (1, 3, H, W).
    public var frameShape: [Int] { [1, 3, frameSize, frameSize] }

    // MARK: Sampling

    /// Generates the story; see ``generate(_:initialNoise:checkpoint:onFrame:)``. Each generated frame's initial
    /// noise is `randn(latentShape)` from one `TorchGenerator(seed:)`, drawn in frame order.
    public func generate(_ parameters: StoryParameters, checkpoint: (StoryProgress) throws -> Void = { _ in },
                         onFrame: (StoryFrame) throws -> Void = { _ in }) throws -> [StoryFrame] {
        try parameters.validate(maxFrames: configuration.maxFrames, frameShape: frameShape)
        var generator = TorchGenerator(seed: parameters.seed)
        let noise = (parameters.givenFrames.count..<parameters.captions.count).map { _ in
            generator.randn(shape: latentShape)
        }
        return try generate(parameters, initialNoise: noise, checkpoint: checkpoint, onFrame: onFrame)
    }

    /// Generates frames `givenFrames.count..<captions.count` autoregressively from `initialNoise` (one
    /// `latentShape` tensor per generated frame).
    ///
    /// - Parameters:
    ///   - checkpoint: called before every UNet evaluation; throw from it to stop (cancellation, deadline). The
    ///     error propagates unchanged.
    ///   - onFrame: called with each frame as soon as it is decoded (before the next frame starts), e.g. to stream it.
    /// - Returns: the generated frames in order.
    public func generate(_ parameters: StoryParameters, initialNoise: [Tensor],
                         checkpoint: (StoryProgress) throws -> Void = { _ in },
                         onFrame: (StoryFrame) throws -> Void = { _ in }) throws -> [StoryFrame] {
        try parameters.validate(maxFrames: configuration.maxFrames, frameShape: frameShape)
        let first = parameters.givenFrames.count
        guard initialNoise.count == parameters.captions.count - first,
              initialNoise.allSatisfy({ $0.shape == latentShape }) else {
            throw StoryError.invalidParameter(parameter: "initialNoise",
                                              reason: "needs \(parameters.captions.count - first) tensors of shape \(latentShape)")
        }
        let empty = try conditioner.emptyHistory()
        var history = empty
        for (frame, image) in parameters.givenFrames.enumerated() {
            try history.write(conditioner.historySlot(image: image, caption: parameters.captions[frame], frame: frame),
                              at: frame)
        }
        var frames: [StoryFrame] = []
        for frame in first..<parameters.captions.count {
            let conditional = try conditioner.context(frame: frame, caption: parameters.captions[frame], history: history)
            let unconditional = try conditioner.nullContext(frame: frame, emptyHistory: empty)
            let latents = try denoise(initialNoise[frame - first], conditional: conditional, unconditional: unconditional,
                                      steps: parameters.steps, guidanceScale: parameters.guidanceScale) { step, steps in
                try checkpoint(StoryProgress(frame: frame, step: step, steps: steps))
            }
            let image = try decode(latents)
            try history.write(conditioner.historySlot(image: image, caption: parameters.captions[frame], frame: frame),
                              at: frame)
            let result = StoryFrame(index: frame, latents: latents, image: image)
            frames.append(result)
            try onFrame(result)
        }
        return frames
    }

    /// DDIM (η = 0) from `noise` over `steps` steps with guidance; `checkpoint(step, steps)` runs before each step.
    public func denoise(_ noise: Tensor, conditional: StoryContext, unconditional: StoryContext, steps: Int,
                        guidanceScale: Float, checkpoint: (Int, Int) throws -> Void = { _, _ in }) throws -> Tensor {
        var scheduler: any Scheduler = try DDIMScheduler(configuration: schedulerConfiguration, inferenceSteps: steps)
        let batch = try StoryContext.guidanceBatch(unconditional: unconditional, conditional: conditional)
        var latents = scheduler.initNoiseSigma == 1 ? noise : noise * scheduler.initNoiseSigma
        for (index, timestep) in scheduler.timesteps.enumerated() {
            try checkpoint(index, steps)
            let input = try scheduler.scaleModelInput(latents, timestep: timestep)
            let prediction = try guidedNoise(input, timestep: timestep, batch: batch, guidanceScale: guidanceScale)
            latents = try scheduler.step(modelOutput: prediction.guided, timestep: timestep, sample: latents)
        }
        return latents
    }

    /// The guided noise prediction at one timestep: ε_u and ε_c from one UNet call on [uncond; cond], and
    /// ε = ε_u + w·(ε_c − ε_u).
    public func guidedNoise(_ latents: Tensor, timestep: Float, conditional: StoryContext, unconditional: StoryContext,
                            guidanceScale: Float) throws -> (guided: Tensor, unconditional: Tensor, conditional: Tensor) {
        try guidedNoise(latents, timestep: timestep,
                        batch: StoryContext.guidanceBatch(unconditional: unconditional, conditional: conditional),
                        guidanceScale: guidanceScale)
    }

    private func guidedNoise(_ latents: Tensor, timestep: Float, batch: (tokens: Tensor, keyMask: Tensor),
                             guidanceScale: Float) throws -> (guided: Tensor, unconditional: Tensor, conditional: Tensor) {
        let output = try unet(Tensor.concatenate([latents, latents], dimension: 0), timestep: timestep,
                              encoderHiddenStates: batch.tokens, encoderAttentionMask: batch.keyMask)
        let halves = try output.chunked(2, dimension: 0)
        let uncond = halves[0].contiguous(), cond = halves[1].contiguous()
        let guided = try Tensor.zip(uncond, cond, op: "guidance") { u, c in u + guidanceScale * (c - u) }
        return (guided, uncond, cond)
    }

    /// `vae.decode(latents / scaling_factor)` then `(x / 2 + 0.5).clamp(0, 1)`: frames (B, 3, H, W) in 0…1.
    public func decode(_ latents: Tensor) throws -> Tensor {
        let scalingFactor = vae.configuration.scalingFactor
        let decoded = try vae.decode(latents.map { $0 / scalingFactor })
        return decoded.map { min(max($0 / 2 + 0.5, 0), 1) }
    }
}
