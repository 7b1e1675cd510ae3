// Follows `torch.nn.Linear` (PyTorch 2.13): state-dict keys `weight` (out, in) and `bias` (out).

import Tensor
import Weights

/// `torch.nn.Linear`: `y = x·Wᵀ + b` over the last dimension of `x` (one sgemm).
public struct Linear: Sendable {
    /// (outFeatures, inFeatures).
    public let weight: Tensor
    /// (outFeatures), or `nil` for `bias=False`.
    public let bias: Tensor?

    /// Input width.
    public var inFeatures: Int { weight.shape[1] }
    /// Output width.
    public var outFeatures: Int { weight.shape[0] }

    /// Loads `weight` and (when `bias`) `bias` from `scope`.
    public init(_ scope: ParameterScope, inFeatures: Int, outFeatures: Int, bias: Bool = true) throws(WeightsError) {
        weight = try scope.tensor("weight", shape: [outFeatures, inFeatures])
        self.bias = bias ? try scope.tensor("bias", shape: [outFeatures]) : nil
    }

    /// Wraps existing tensors: `weight` (out, in), `bias` (out).
    public init(weight: Tensor, bias: Tensor? = nil) {
        precondition(weight.rank == 2, "Linear: weight must be (out, in), got \(weight.shape)")
        precondition(bias == nil || bias?.shape == [weight.shape[0]], "Linear: bias must be (out)")
        self.weight = weight
        self.bias = bias
    }

    /// `x` (…, in) → (…, out).
    public func callAsFunction(_ x: Tensor) throws(TensorError) -> Tensor {
        try Tensor.linear(x, weight: weight, bias: bias)
    }
}
