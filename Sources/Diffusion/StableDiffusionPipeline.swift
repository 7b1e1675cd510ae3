// Follows diffusers `StableDiffusionPipeline` (src/diffusers/pipelines/stable_diffusion/pipeline_stable_diffusion.py
// @ v0.35.2) for text-to-image, without the safety checker, IP-adapters, LoRA scaling, guidance rescale or
// `timestep_cond`. The image-to-image and inpainting entry points live in their own files and share the prompt
// encoding, the denoising loop and the decoding below.

import Foundation
import Tensor
import Text
import Weights

/// A loaded Stable Diffusion 1.x/2.x pipeline folder: CLIP prompt encoder, UNet, VAE and scheduler configuration.
///
/// The pipeline owns the denoising loop; callers watch it through a progress callback called after every step,
/// which may throw to stop the run (cancellation, deadline). Generation is a pure function of the parameters
/// (noise comes from one seeded ``TorchGenerator``, as diffusers' `torch.Generator("cpu").manual_seed(seed)`), and
/// one instance can serve concurrent requests: it holds no mutable state.
public final class StableDiffusionPipeline: Sendable {
    /// The folder the pipeline was loaded from.
    public let directory: URL
    public let promptEncoder: CLIPPromptEncoder
    public let unet: UNet2DConditionModel
    public let vae: AutoencoderKL
    /// `scheduler/scheduler_config.json`; each request builds its own sampler from it (diffusers' `from_config`).
    public let schedulerConfiguration: SchedulerConfiguration

    /// Loads a diffusers pipeline folder: model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/.
    public init(directory: URL, precision: WeightsPrecisionPolicy = .keepStored) throws {
        self.directory = directory
        let index = directory.appendingPathComponent("model_index.json")
        guard FileManager.default.fileExists(atPath: index.path) else {
            throw PipelineError.invalidPipelineFolder(path: directory.path, reason: "no model_index.json")
        }
        let tokenizer = try CLIPTokenizer(directory: directory.appendingPathComponent("tokenizer", isDirectory: true))
        let textEncoder = try CLIPTextModel(
            directory: directory.appendingPathComponent("text_encoder", isDirectory: true), precision: precision)
        promptEncoder = CLIPPromptEncoder(tokenizer: tokenizer, textEncoder: textEncoder)
        unet = try UNet2DConditionModel(directory: directory.appendingPathComponent("unet", isDirectory: true),
                                        precision: precision)
        vae = try AutoencoderKL(directory: directory.appendingPathComponent("vae", isDirectory: true),
                                precision: precision)
        schedulerConfiguration = try SchedulerConfiguration.decode(
            contentsOf: directory.appendingPathComponent("scheduler", isDirectory: true)
                .appendingPathComponent("scheduler_config.json"))
        guard unet.configuration.inChannels == vae.configuration.latentChannels,
              unet.configuration.outChannels == vae.configuration.latentChannels else {
            throw PipelineError.invalidPipelineFolder(
                path: directory.path,
                reason: "unet channels \(unet.configuration.inChannels)→\(unet.configuration.outChannels) do not match "
                    + "the VAE's \(vae.configuration.latentChannels) latent channels (only 4-channel UNets are supported)")
        }
    }

    /// The VAE's spatial downsampling factor (`2^(len(vae.block_out_channels) − 1)`, 8 for SD).
    public var vaeScaleFactor: Int { vae.configuration.downsamplingFactor }

    /// The size the UNet was trained at: its `sample_size` × ``vaeScaleFactor`` (512×512 for SD 1.5).
    /// A UNet config without `sample_size` falls back to 64 latents.
    public var defaultSize: (width: Int, height: Int) {
        let latent = unet.configuration.sampleSize ?? (height: 64, width: 64)
        return (latent.width * vaeScaleFactor, latent.height * vaeScaleFactor)
    }

    /// Runs the whole pipeline. `progress(step, totalSteps)` is called after every denoising step and may
    /// throw to stop early (cancellation/deadline); the error propagates out unchanged.
    ///
    /// - Returns: `imageCount` images (N, 3, height, width) in 0…1.
    public func generate(_ parameters: TextToImageParameters,
                         progress: (Int, Int) throws -> Void) throws -> Tensor {
        try generate(parameters, progress: progress, willEvaluateModel: {})
    }

    /// `generate` with a hook called before every UNet evaluation (for tests).
    func generate(_ parameters: TextToImageParameters, progress: (Int, Int) throws -> Void,
                  willEvaluateModel: () -> Void) throws -> Tensor {
        try parameters.validate(vaeScaleFactor: vaeScaleFactor)
        let conditioning = try self.conditioning(for: parameters)
        var scheduler = try schedulerConfiguration.build(inferenceSteps: parameters.steps, kind: parameters.scheduler)
        var generator = TorchGenerator(seed: parameters.seed)
        // prepare_latents: randn over the whole batch from the one generator, × init_noise_sigma.
        let latents = DenoisingLoop.initialNoise(shape: latentShape(parameters), scheduler: scheduler,
                                                 generator: &generator)
        let denoised = try denoise(latents, timesteps: scheduler.timesteps, scheduler: &scheduler,
                                   generator: &generator, conditioning: conditioning, progress: progress,
                                   willEvaluateModel: willEvaluateModel)
        return try decodeImages(denoised)
    }

    // MARK: Shared stages

    /// Text conditioning for the UNet and the guidance scale (nil when classifier-free guidance is off).
    struct Conditioning {
        /// (N, L, D) prompt embeddings, or (2N, L, D) with the N negative ones first.
        let context: Tensor
        let guidanceScale: Float?
    }

    /// diffusers' `encode_prompt`, with the embeddings repeated `imageCount` times and, under guidance, the
    /// negative ones first (`torch.cat([negative_prompt_embeds, prompt_embeds])`).
    func conditioning(for parameters: TextToImageParameters) throws -> Conditioning {
        let count = parameters.imageCount
        if parameters.usesClassifierFreeGuidance {
            let embeddings = try promptEncoder.encode([parameters.prompt], negativePrompts: [parameters.negativePrompt])
            let context = try Tensor.concatenate(
                Array(repeating: embeddings.negativePrompt, count: count) + Array(repeating: embeddings.prompt, count: count),
                dimension: 0)
            return Conditioning(context: context, guidanceScale: parameters.guidanceScale)
        }
        let embeddings = try promptEncoder.encode([parameters.prompt])
        return Conditioning(context: try Self.repeated(embeddings, count: count), guidanceScale: nil)
    }

    /// (N, latentChannels, height / f, width / f).
    func latentShape(_ parameters: TextToImageParameters) -> [Int] {
        [parameters.imageCount, vae.configuration.latentChannels,
         parameters.height / vaeScaleFactor, parameters.width / vaeScaleFactor]
    }

    /// The denoising loop of the pipelines' `__call__`, over `timesteps` (all of the scheduler's, or the tail
    /// that image-to-image keeps). Under guidance the UNet runs once per step on the batch [latents; latents] and
    /// the prediction is `uncond + g·(cond − uncond)`. `afterStep(index, latents, scheduler)` may replace the
    /// latents after each scheduler step (inpainting's blend); then `progress(index + 1, timesteps.count)` runs.
    func denoise(_ initial: Tensor, timesteps: [Float], scheduler: inout any Scheduler, generator: inout TorchGenerator,
                 conditioning: Conditioning, progress: (Int, Int) throws -> Void,
                 willEvaluateModel: () -> Void,
                 afterStep: ((Int, Tensor, any Scheduler) throws -> Tensor)? = nil) throws -> Tensor {
        var latents = initial
        for (index, timestep) in timesteps.enumerated() {
            let scaled = try scheduler.scaleModelInput(latents, timestep: timestep)
            willEvaluateModel()
            let prediction: Tensor
            if let guidance = conditioning.guidanceScale {
                let output = try unet(try Tensor.concatenate([scaled, scaled], dimension: 0), timestep: timestep,
                                      encoderHiddenStates: conditioning.context)
                let halves = try output.chunked(2, dimension: 0)
                prediction = Elementwise.map(halves[0].contiguous(), halves[1].contiguous()) { uncond, cond in
                    uncond + guidance * (cond - uncond)
                }
            } else {
                prediction = try unet(scaled, timestep: timestep, encoderHiddenStates: conditioning.context)
            }
            latents = try scheduler.step(modelOutput: prediction, timestep: timestep, sample: latents,
                                         generator: &generator)
            if let afterStep { latents = try afterStep(index, latents, scheduler) }
            try progress(index + 1, timesteps.count)
        }
        return latents
    }

    /// `vae.decode(latents / scaling_factor)` then the image processor's `(x / 2 + 0.5).clamp(0, 1)`.
    func decodeImages(_ latents: Tensor) throws -> Tensor {
        let scalingFactor = vae.configuration.scalingFactor
        let decoded = try vae.decode(latents.map { $0 / scalingFactor })
        return decoded.map { min(max($0 / 2 + 0.5, 0), 1) }
    }

    /// Images in 0…1 → the VAE's −1…1 (`VaeImageProcessor.normalize`).
    static func normalized(_ image: Tensor) -> Tensor { image.map { 2 * $0 - 1 } }

    /// `tensor` stacked `count` times along the batch dimension.
    static func repeated(_ tensor: Tensor, count: Int) throws -> Tensor {
        count == 1 ? tensor : try Tensor.concatenate(Array(repeating: tensor, count: count), dimension: 0)
    }
}
