// Embedding lookup (`torch.nn.functional.embedding`) and sinusoidal timestep embeddings
// (diffusers `get_timestep_embedding`, guided-diffusion `timestep_embedding`).

import Foundation

/// Layout of a sinusoidal timestep embedding.
public struct TimestepEmbeddingStyle: Sendable, Equatable {
    /// `true`: [cos, sin]; `false`: [sin, cos].
    public var flipSinToCos: Bool
    /// Frequencies are `exp(−ln(maxPeriod)·i / (half − downscaleFrequencyShift))`.
    public var downscaleFrequencyShift: Float
    /// Multiplies the arguments (`scale` in diffusers).
    public var scale: Float
    /// The longest period.
    public var maxPeriod: Float

    public init(flipSinToCos: Bool, downscaleFrequencyShift: Float, scale: Float = 1, maxPeriod: Float = 10000) {
        self.flipSinToCos = flipSinToCos
        self.downscaleFrequencyShift = downscaleFrequencyShift
        self.scale = scale
        self.maxPeriod = maxPeriod
    }

    /// diffusers `Timesteps(num_channels, flip_sin_to_cos, downscale_freq_shift)`; SD's UNet uses `flip: true, shift: 0`.
    public static func diffusers(flipSinToCos: Bool, downscaleFrequencyShift: Float) -> Self {
        Self(flipSinToCos: flipSinToCos, downscaleFrequencyShift: downscaleFrequencyShift)
    }

    /// guided-diffusion / ADM `timestep_embedding`: [cos, sin], frequencies `exp(−ln(10000)·i/half)`.
    public static let guidedDiffusion = Self(flipSinToCos: true, downscaleFrequencyShift: 0)
}

extension Tensor {
    /// `F.embedding(indices, table)`: rows of `table` (V, D) picked by integer-valued `indices` (any shape) → (…, D).
    public static func embedding(indices: [Int], shape indexShape: [Int], table: Tensor) throws(TensorError) -> Tensor {
        guard table.rank == 2 else { throw .shapeMismatch(op: "embedding", shapes: [table.shape], reason: "table must be (V, D)") }
        guard indexShape.reduce(1, *) == indices.count else {
            throw .invalidArgument(op: "embedding", reason: "\(indices.count) indices for shape \(indexShape)")
        }
        let (vocabulary, width) = (table.shape[0], table.shape[1])
        if let bad = indices.first(where: { $0 < 0 || $0 >= vocabulary }) {
            throw .invalidArgument(op: "embedding", reason: "index \(bad) out of range for \(vocabulary) rows")
        }
        let source = table.contiguous()
        let result = Tensor(uninitializedShape: indexShape + [width])
        for (position, index) in indices.enumerated() {
            (result.storage.pointer + position * width).update(from: source.basePointer + index * width, count: width)
        }
        return result
    }

    /// Sinusoidal embedding of `timesteps` (N) → (N, dimension), computed in Float32 in PyTorch's order.
    /// An odd `dimension` is zero-padded on the right, as both references do.
    public static func timestepEmbedding(_ timesteps: [Float], dimension: Int, style: TimestepEmbeddingStyle) throws(TensorError) -> Tensor {
        let half = dimension / 2
        guard dimension > 0, Float(half) - style.downscaleFrequencyShift > 0 else {
            throw .invalidArgument(op: "timestep_embedding", reason: "dimension \(dimension) too small for the frequency shift")
        }
        // exponent = −ln(max_period)·arange(half) / (half − shift); all float32 like the references.
        let logPeriod = -Float(log(Double(style.maxPeriod)))
        let denominator = Float(half) - style.downscaleFrequencyShift
        let frequencies = (0..<half).map { expf(logPeriod * Float($0) / denominator) }
        var values = [Float](repeating: 0, count: timesteps.count * dimension)
        for (row, timestep) in timesteps.enumerated() {
            for index in 0..<half {
                let argument = style.scale * (timestep * frequencies[index])
                let (first, second) = style.flipSinToCos ? (cosf(argument), sinf(argument)) : (sinf(argument), cosf(argument))
                values[row * dimension + index] = first
                values[row * dimension + half + index] = second
            }
        }
        return Tensor(shape: [timesteps.count, dimension], values: values)
    }
}
