// Follows `torch.nn.LayerNorm` (PyTorch 2.13): state-dict keys `weight` and `bias` (D) when elementwise-affine.

import Tensor
import Weights

/// `torch.nn.LayerNorm(normalized_shape=D, eps, elementwise_affine, bias)` over the last dimension.
public struct LayerNorm: Sendable {
    /// Width of the normalised (last) dimension.
    public let dimension: Int
    /// Added to the variance.
    public let eps: Float
    /// Per-feature scale (`nil` when not elementwise-affine).
    public let weight: Tensor?
    /// Per-feature shift (`nil` when not elementwise-affine or `bias=False`).
    public let bias: Tensor?

    /// Loads `weight` and `bias` from `scope` when `elementwiseAffine` (the bias only when `bias`).
    public init(_ scope: ParameterScope, dimension: Int, eps: Float = 1e-5, elementwiseAffine: Bool = true,
                bias: Bool = true) throws(WeightsError) {
        self.dimension = dimension
        self.eps = eps
        weight = elementwiseAffine ? try scope.tensor("weight", shape: [dimension]) : nil
        self.bias = elementwiseAffine && bias ? try scope.tensor("bias", shape: [dimension]) : nil
    }

    /// Normalises `x` (…, D).
    public func callAsFunction(_ x: Tensor) throws(TensorError) -> Tensor {
        try Tensor.layerNorm(x, normalizedShape: [dimension], weight: weight, bias: bias, eps: eps)
    }
}
