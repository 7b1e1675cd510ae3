// Follows DiffusionDet `DynamicHead.time_mlp` (diffusiondet/head.py @1efb36d): `SinusoidalPositionEmbeddings(d)`,
// `Linear(d, 4d)` (key `1`), `GELU` (exact), `Linear(4d, 4d)` (key `3`).

import Foundation
import Layers
import Tensor
import Weights

/// The timestep conditioning of the head: a sinusoidal embedding of the integer t (Vaswani et al. 2017,
/// §3.5; here sin first and frequencies `exp(−k·ln 10000/(d/2 − 1))`) followed by a two-layer GELU MLP.
struct TimeEmbeddingMLP: Sendable {
    let dimension: Int
    let linear1: Linear
    let linear2: Linear

    init(_ scope: ParameterScope, dimension: Int) throws(WeightsError) {
        self.dimension = dimension
        linear1 = try Linear(scope.scoped(1), inFeatures: dimension, outFeatures: 4 * dimension)
        linear2 = try Linear(scope.scoped(3), inFeatures: 4 * dimension, outFeatures: 4 * dimension)
    }

    /// `SinusoidalPositionEmbeddings(dimension)(t)` in float32, as the official module computes it.
    static func sinusoidalEmbedding(timestep: Int, dimension: Int) -> [Float] {
        let half = dimension / 2
        let exponent = Float(-(log(10_000.0) / Double(max(half - 1, 1))))
        let arguments = (0..<half).map { Float(timestep) * expf(Float($0) * exponent) }
        return arguments.map { sinf($0) } + arguments.map { cosf($0) }
    }

    /// (1, 4·dimension) time features for `timestep`.
    func callAsFunction(timestep: Int) throws(TensorError) -> Tensor {
        let embedding = Tensor(shape: [1, dimension],
                               values: Self.sinusoidalEmbedding(timestep: timestep, dimension: dimension))
        return try linear2(try linear1(embedding).gelu())
    }
}
