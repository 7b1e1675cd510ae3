// Follows diffusers `Timesteps` / `get_timestep_embedding` (src/diffusers/models/embeddings.py @ v0.35.2).
// No parameters.

import Tensor

/// diffusers `Timesteps`: the sinusoidal embedding of (possibly fractional) timesteps,
/// `[sin, cos]` (or `[cos, sin]` with `flipSinToCos`) of `t · exp(−ln(10000)·i / (half − shift))`.
public struct Timesteps: Sendable {
    /// Embedding width (`num_channels`).
    public let numChannels: Int
    /// `flip_sin_to_cos` (SD's UNet: `true`).
    public let flipSinToCos: Bool
    /// `downscale_freq_shift` (SD's UNet: 0).
    public let downscaleFreqShift: Float
    /// `scale`.
    public let scale: Float

    public init(numChannels: Int, flipSinToCos: Bool, downscaleFreqShift: Float, scale: Float = 1) {
        self.numChannels = numChannels
        self.flipSinToCos = flipSinToCos
        self.downscaleFreqShift = downscaleFreqShift
        self.scale = scale
    }

    /// `timesteps` (N) → (N, numChannels).
    public func callAsFunction(_ timesteps: [Float]) throws(TensorError) -> Tensor {
        try Tensor.timestepEmbedding(timesteps, dimension: numChannels, style: TimestepEmbeddingStyle(
            flipSinToCos: flipSinToCos, downscaleFrequencyShift: downscaleFreqShift, scale: scale))
    }

    /// `timesteps` (N) or a scalar → (N, numChannels).
    public func callAsFunction(_ timesteps: Tensor) throws(TensorError) -> Tensor {
        guard timesteps.rank <= 1 else {
            throw .shapeMismatch(op: "timesteps", shapes: [timesteps.shape], reason: "timesteps must be 1-D")
        }
        return try self(timesteps.scalars)
    }
}
