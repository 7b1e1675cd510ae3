// Follows diffusers `StableDiffusionInpaintPipeline` (src/diffusers/pipelines/stable_diffusion/
// pipeline_stable_diffusion_inpaint.py @ v0.35.2) for a standard 4-channel UNet (the "legacy" path), at
// strength 1 and without `padding_mask_crop`: denoise from pure noise, and after every step paste back the
// known region as the original latents noised to the next timestep.

import Foundation
import Tensor

extension StableDiffusionPipeline {
    /// Inpainting with the text-to-image UNet: regenerates where `mask` is 1 and keeps the rest of `image`.
    ///
    /// The mask is binarised at 0.5 and downsampled to the latents by nearest neighbour. After each scheduler step
    /// the latents become `(1 − m)·known + m·latents`, where `known` is the image latents noised (with the initial
    /// noise) to the next timestep, or the clean image latents after the last step. Generator draws follow diffusers:
    /// the image's latent sample, then the initial noise, then the masked image's latent sample (unused by a 4-channel
    /// UNet, so only its draw is made), then any sampler noise.
    ///
    /// - Parameters:
    ///   - parameters: `width`/`height` must equal the image's size.
    ///   - image: (1, 3, height, width) in 0…1.
    ///   - mask: (1, 1, height, width); ≥ 0.5 means repaint.
    /// - Returns: (N, 3, height, width) in 0…1.
    public func inpaint(_ parameters: TextToImageParameters, image: Tensor, mask: Tensor,
                        progress: (Int, Int) throws -> Void) throws -> Tensor {
        try inpaint(parameters, image: image, mask: mask, progress: progress, willEvaluateModel: {})
    }

    func inpaint(_ parameters: TextToImageParameters, image: Tensor, mask: Tensor,
                 progress: (Int, Int) throws -> Void, willEvaluateModel: () -> Void) throws -> Tensor {
        try parameters.validate(vaeScaleFactor: vaeScaleFactor)
        try Self.requireShape(image, [1, vae.configuration.inChannels, parameters.height, parameters.width], "image")
        try Self.requireShape(mask, [1, 1, parameters.height, parameters.width], "mask")
        let conditioning = try self.conditioning(for: parameters)
        var scheduler = try schedulerConfiguration.build(inferenceSteps: parameters.steps, kind: parameters.scheduler)
        let timesteps = scheduler.timesteps
        var generator = TorchGenerator(seed: parameters.seed)

        let imageLatents = try encodedLatents(image, count: parameters.imageCount, generator: &generator)
        let noise = generator.randn(shape: imageLatents.shape)
        let latents = scheduler.initNoiseSigma == 1 ? noise : noise.map { $0 * scheduler.initNoiseSigma }
        // prepare_mask_latents encodes the masked image and samples its latent distribution: same draw, unused.
        _ = generator.randn(shape: [1] + imageLatents.shape.dropFirst())
        let latentMask = Self.latentMask(mask, height: imageLatents.shape[2], width: imageLatents.shape[3])

        let denoised = try denoise(
            latents, timesteps: timesteps, scheduler: &scheduler, generator: &generator, conditioning: conditioning,
            progress: progress, willEvaluateModel: willEvaluateModel
        ) { index, latents, scheduler in
            var known = imageLatents
            if index + 1 < timesteps.count {
                known = try scheduler.addNoise(original: imageLatents, noise: noise, timestep: timesteps[index + 1])
            }
            return Self.blend(known: known, generated: latents, mask: latentMask)
        }
        return try decodeImages(denoised)
    }

    /// The binarised mask (≥ 0.5 → 1) resized to (height, width) by `interpolate(mode="nearest")`, as (h·w) values.
    static func latentMask(_ mask: Tensor, height: Int, width: Int) -> [Float] {
        let inputHeight = mask.shape[2], inputWidth = mask.shape[3]
        let values = mask.contiguous().scalars
        let scaleY = Float(inputHeight) / Float(height), scaleX = Float(inputWidth) / Float(width)
        var result = [Float](repeating: 0, count: height * width)
        for y in 0..<height {
            let sourceY = min(Int((Float(y) * scaleY).rounded(.down)), inputHeight - 1)
            for x in 0..<width {
                let sourceX = min(Int((Float(x) * scaleX).rounded(.down)), inputWidth - 1)
                result[y * width + x] = values[sourceY * inputWidth + sourceX] >= 0.5 ? 1 : 0
            }
        }
        return result
    }

    /// `(1 − m)·known + m·generated` with the (h·w) mask broadcast over batch and channels.
    static func blend(known: Tensor, generated: Tensor, mask: [Float]) -> Tensor {
        let plane = mask.count
        let knownValues = known.contiguous(), generatedValues = generated.contiguous()
        var result = Tensor(uninitializedShape: generated.shape)
        knownValues.withUnsafeBufferPointer { k in
            generatedValues.withUnsafeBufferPointer { g in
                result.withUnsafeMutableBufferPointer { out in
                    for i in 0..<out.count {
                        let m = mask[i % plane]
                        out[i] = (1 - m) * k[i] + m * g[i]
                    }
                }
            }
        }
        return result
    }
}
