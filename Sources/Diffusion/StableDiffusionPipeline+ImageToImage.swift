// Follows diffusers `StableDiffusionImg2ImgPipeline` (src/diffusers/pipelines/stable_diffusion/
// pipeline_stable_diffusion_img2img.py @ v0.35.2): encode the input image, noise it to the timestep that
// `strength` selects, and denoise from there.

import Foundation
import Tensor

extension StableDiffusionPipeline {
    /// Image-to-image: redraws `image` guided by the prompt.
    ///
    /// As in diffusers, `strength` keeps the last `min(Int(steps · strength), steps)` timesteps of the schedule:
    /// the image latents (`vae.encode(2x − 1).sample(generator) · scaling_factor`) are noised to the first of them
    /// with noise drawn right after, from the same generator, and denoised over the rest. `progress` counts the
    /// steps actually run.
    ///
    /// - Parameters:
    ///   - parameters: `width`/`height` must equal the image's size.
    ///   - image: (1, 3, height, width) in 0…1.
    ///   - strength: 0…1; 1 ignores the image's content (but still spends the generator on encoding it).
    /// - Returns: (N, 3, height, width) in 0…1.
    public func imageToImage(_ parameters: TextToImageParameters, image: Tensor, strength: Float,
                             progress: (Int, Int) throws -> Void) throws -> Tensor {
        try imageToImage(parameters, image: image, strength: strength, progress: progress, willEvaluateModel: {})
    }

    func imageToImage(_ parameters: TextToImageParameters, image: Tensor, strength: Float,
                      progress: (Int, Int) throws -> Void, willEvaluateModel: () -> Void) throws -> Tensor {
        try parameters.validate(vaeScaleFactor: vaeScaleFactor)
        try Self.requireShape(image, [1, vae.configuration.inChannels, parameters.height, parameters.width], "image")
        guard strength.isFinite, (0...1).contains(strength) else {
            throw PipelineError.invalidParameter(parameter: "strength", reason: "\(strength) is outside 0...1")
        }
        var scheduler = try schedulerConfiguration.build(inferenceSteps: parameters.steps, kind: parameters.scheduler)
        let timesteps = Array(scheduler.timesteps.dropFirst(Self.firstStep(steps: parameters.steps, strength: strength)))
        guard let startTimestep = timesteps.first else {
            throw PipelineError.invalidParameter(
                parameter: "strength", reason: "\(strength) × \(parameters.steps) steps leaves no step to run")
        }
        let conditioning = try self.conditioning(for: parameters)
        var generator = TorchGenerator(seed: parameters.seed)
        let imageLatents = try encodedLatents(image, count: parameters.imageCount, generator: &generator)
        let noise = generator.randn(shape: imageLatents.shape)
        let latents = try scheduler.addNoise(original: imageLatents, noise: noise, timestep: startTimestep)
        let denoised = try denoise(latents, timesteps: timesteps, scheduler: &scheduler, generator: &generator,
                                   conditioning: conditioning, progress: progress, willEvaluateModel: willEvaluateModel)
        return try decodeImages(denoised)
    }

    /// diffusers' `get_timesteps`: the index of the first timestep kept, `steps − min(Int(steps · strength), steps)`.
    /// `strength` is taken at its shortest decimal spelling (0.6, not 0.60000002) so that the product truncates as
    /// Python's does for the same literal.
    static func firstStep(steps: Int, strength: Float) -> Int {
        let decimal = Double("\(strength)") ?? Double(strength)
        let kept = min(Int(Double(steps) * decimal), steps)
        return max(steps - kept, 0)
    }

    /// `scaling_factor · vae.encode(2·image − 1).latent_dist.sample(generator)`, repeated `count` times along the
    /// batch (diffusers' `retrieve_latents` in sample mode, then the duplication for several images per prompt).
    func encodedLatents(_ image: Tensor, count: Int, generator: inout TorchGenerator) throws -> Tensor {
        let distribution = try vae.encode(Self.normalized(image))
        let scalingFactor = vae.configuration.scalingFactor
        let latents = distribution.sample(generator: &generator).map { scalingFactor * $0 }
        return try Self.repeated(latents, count: count)
    }

    /// Throws `PipelineError.invalidInputShape` unless `tensor.shape == expected`.
    static func requireShape(_ tensor: Tensor, _ expected: [Int], _ parameter: String) throws(PipelineError) {
        guard tensor.shape == expected else {
            throw .invalidInputShape(parameter: parameter, shape: tensor.shape, expected: expected)
        }
    }
}
