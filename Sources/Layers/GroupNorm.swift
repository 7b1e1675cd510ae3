// Follows `torch.nn.GroupNorm` (PyTorch 2.13): state-dict keys `weight` and `bias` (C) when affine.

import Tensor
import Weights

/// `torch.nn.GroupNorm(num_groups, num_channels, eps, affine)` over (N, C, *).
public struct GroupNorm: Sendable {
    /// Number of groups the channels are split into.
    public let groups: Int
    /// Number of channels.
    public let channels: Int
    /// Added to the variance.
    public let eps: Float
    /// Per-channel scale and shift (`nil` when `affine=False`).
    public let weight: Tensor?
    public let bias: Tensor?

    /// Loads `weight`/`bias` (when `affine`) from `scope`.
    public init(_ scope: ParameterScope, groups: Int, channels: Int, eps: Float = 1e-5, affine: Bool = true) throws(WeightsError) {
        try scope.require(groups > 0 && channels % groups == 0, key: "num_groups",
                          "\(channels) channels are not divisible into \(groups) groups")
        self.groups = groups
        self.channels = channels
        self.eps = eps
        weight = affine ? try scope.tensor("weight", shape: [channels]) : nil
        bias = affine ? try scope.tensor("bias", shape: [channels]) : nil
    }

    /// Normalises `x` (N, C, *); with `fusedSiLU` applies SiLU in the same pass (`silu(group_norm(x))`).
    public func callAsFunction(_ x: Tensor, fusedSiLU: Bool = false) throws(TensorError) -> Tensor {
        try Tensor.groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps, fusedSiLU: fusedSiLU)
    }
}
