// Follows diffusers `TimestepEmbedding` (src/diffusers/models/embeddings.py @ v0.35.2). State-dict keys:
// `linear_1`, `linear_2`, and `cond_proj` when `cond_proj_dim` is set.

import Tensor
import Weights

/// diffusers `TimestepEmbedding`: `linear_2(act(linear_1(sample [+ cond_proj(condition)])))`, then an
/// optional post-activation.
public struct TimestepEmbedding: Sendable {
    public let linear1: Linear
    public let linear2: Linear
    /// `cond_proj` (no bias), or `nil`.
    public let condProj: Linear?
    public let activation: ActivationFunction
    public let postActivation: ActivationFunction?

    /// Loads the layers under `scope` with diffusers' constructor arguments.
    public init(_ scope: ParameterScope, inChannels: Int, timeEmbedDim: Int, activation: ActivationFunction = .silu,
                outDim: Int? = nil, postActivation: ActivationFunction? = nil, condProjDim: Int? = nil,
                sampleProjBias: Bool = true) throws(WeightsError) {
        linear1 = try Linear(scope.scoped("linear_1"), inFeatures: inChannels, outFeatures: timeEmbedDim, bias: sampleProjBias)
        if let condProjDim {
            condProj = try Linear(scope.scoped("cond_proj"), inFeatures: condProjDim, outFeatures: inChannels, bias: false)
        } else {
            condProj = nil
        }
        linear2 = try Linear(scope.scoped("linear_2"), inFeatures: timeEmbedDim, outFeatures: outDim ?? timeEmbedDim,
                             bias: sampleProjBias)
        self.activation = activation
        self.postActivation = postActivation
    }

    /// `sample` (N, inChannels), `condition` (N, condProjDim) → (N, outDim).
    public func callAsFunction(_ sample: Tensor, condition: Tensor? = nil) throws(TensorError) -> Tensor {
        var input = sample
        if let condition {
            guard let condProj else {
                throw .invalidArgument(op: "timestep_embedding", reason: "a condition was given but the layer has no cond_proj")
            }
            input = try input + condProj(condition)
        }
        let output = try linear2(activation(linear1(input)))
        return postActivation?.callAsFunction(output) ?? output
    }
}
