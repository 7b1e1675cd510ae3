// Follows diffusers `DiagonalGaussianDistribution` (src/diffusers/models/autoencoders/vae.py @ v0.35.2), the
// latent distribution `AutoencoderKL.encode` returns.

import Foundation
import Tensor

/// diffusers `DiagonalGaussianDistribution`: the encoder's moments split along channels into a mean and a
/// log-variance clamped to [−30, 20].
public struct DiagonalGaussianDistribution: Sendable {
    /// (B, C, h, w).
    public let mean: Tensor
    /// (B, C, h, w), clamped to [−30, 20].
    public let logvar: Tensor

    /// Splits `moments` (B, 2C, h, w) into mean and clamped log-variance.
    public init(moments: Tensor) throws(TensorError) {
        guard moments.rank >= 2, moments.shape[1] % 2 == 0 else {
            throw .shapeMismatch(op: "diagonal_gaussian", shapes: [moments.shape], reason: "needs an even channel count")
        }
        let halves = try moments.chunked(2, dimension: 1)
        mean = halves[0].contiguous()
        logvar = halves[1].map { min(max($0, -30), 20) }
    }

    /// `exp(0.5 · logvar)`.
    public var standardDeviation: Tensor { logvar.map { Foundation.exp($0 * 0.5) } }

    /// `exp(logvar)`.
    public var variance: Tensor { logvar.map { Foundation.exp($0) } }

    /// The mean (`mode()`), what pipelines use for deterministic image-to-image.
    public func mode() -> Tensor { mean }

    /// `mean + std · ε` with ε = `torch.randn(mean.shape, generator=generator)`.
    public func sample(generator: inout TorchGenerator) -> Tensor {
        combine(noise: generator.randn(shape: mean.shape))
    }

    /// `mean + std · ε` with one generator per batch item (diffusers' `randn_tensor` with a generator list).
    public func sample(generators: inout [TorchGenerator]) throws(SchedulerError) -> Tensor {
        combine(noise: try TorchGenerator.randn(shape: mean.shape, generators: &generators))
    }

    private func combine(noise: Tensor) -> Tensor {
        var result = Tensor(uninitializedShape: mean.shape)
        let means = mean.scalars, logvars = logvar.scalars, noises = noise.scalars
        result.withUnsafeMutableBufferPointer { out in
            for i in 0..<out.count { out[i] = means[i] + Foundation.exp(logvars[i] * 0.5) * noises[i] }
        }
        return result
    }
}
