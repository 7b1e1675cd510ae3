// Follows diffusers `AutoencoderKL` (src/diffusers/models/autoencoders/autoencoder_kl.py @ v0.35.2), the
// Stable Diffusion VAE, without tiling or slicing. State-dict keys: `encoder…`, `quant_conv`,
// `post_quant_conv`, `decoder…`.

import Foundation
import Layers
import Tensor
import Weights

/// diffusers `AutoencoderKL`: images ↔ latents.
///
/// `encode` returns the latent distribution (`encoder` → `quant_conv` → ``DiagonalGaussianDistribution``);
/// `decode` maps latents back to images (`post_quant_conv` → `decoder`). Neither applies
/// ``Configuration/scalingFactor``: as in diffusers, the pipeline multiplies sampled latents by it after encoding
/// (`latents = (z − shift) · scaling_factor`) and divides by it before decoding (`z = latents / scaling_factor + shift`).
/// Images are in [−1, 1].
public struct AutoencoderKL: Sendable {
    public let configuration: Configuration
    public let encoder: VAEEncoder
    public let decoder: VAEDecoder
    /// `quant_conv` (1×1, 2C → 2C), when `use_quant_conv`.
    public let quantConv: Conv2d?
    /// `post_quant_conv` (1×1, C → C), when `use_post_quant_conv`.
    public let postQuantConv: Conv2d?

    /// Loads the model under `scope` (the root of a diffusers `vae/` checkpoint).
    public init(_ scope: ParameterScope, configuration: Configuration) throws(WeightsError) {
        self.configuration = configuration
        let latent = configuration.latentChannels
        encoder = try VAEEncoder(scope.scoped("encoder"), configuration: configuration)
        decoder = try VAEDecoder(scope.scoped("decoder"), configuration: configuration)
        quantConv = configuration.useQuantConv
            ? try Conv2d(scope.scoped("quant_conv"), inChannels: 2 * latent, outChannels: 2 * latent, kernelSize: 1)
            : nil
        postQuantConv = configuration.usePostQuantConv
            ? try Conv2d(scope.scoped("post_quant_conv"), inChannels: latent, outChannels: latent, kernelSize: 1)
            : nil
    }

    /// Loads `directory/config.json` and `directory/diffusion_pytorch_model[.variant].safetensors`, reporting every
    /// missing, unexpected or mis-shaped tensor in one `WeightsError.loadFailed`.
    public init(directory: URL, variant: String? = nil,
                precision: WeightsPrecisionPolicy = .keepStored) throws(WeightsError) {
        let configuration = try DiffusersComponentFolder.configuration(Configuration.self, in: directory,
                                                                      className: "AutoencoderKL")
        let store = try DiffusersComponentFolder.store(in: directory, variant: variant, precision: precision)
        try self.init(store.root, configuration: configuration)
        try store.finishLoading()
    }

    /// Images (B, inChannels, H, W) in [−1, 1] → the latent distribution (B, latentChannels, H/f, W/f).
    public func encode(_ image: Tensor) throws(TensorError) -> DiagonalGaussianDistribution {
        guard image.rank == 4, image.shape[1] == configuration.inChannels else {
            throw .shapeMismatch(op: "autoencoder_kl.encode", shapes: [image.shape],
                                 reason: "image must be (B, \(configuration.inChannels), H, W)")
        }
        var moments = try encoder(image)
        if let quantConv { moments = try quantConv(moments) }
        return try DiagonalGaussianDistribution(moments: moments)
    }

    /// Latents (B, latentChannels, h, w), already divided by the scaling factor → images (B, outChannels, h·f, w·f)
    /// (roughly in [−1, 1]; not clamped).
    public func decode(_ latents: Tensor) throws(TensorError) -> Tensor {
        guard latents.rank == 4, latents.shape[1] == configuration.latentChannels else {
            throw .shapeMismatch(op: "autoencoder_kl.decode", shapes: [latents.shape],
                                 reason: "latents must be (B, \(configuration.latentChannels), h, w)")
        }
        let z = try postQuantConv?.callAsFunction(latents) ?? latents
        return try decoder(z)
    }
}
