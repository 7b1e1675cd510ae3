// Follows `torch.nn.Conv2d` (PyTorch 2.13): state-dict keys `weight` (out, in/groups, kH, kW) and `bias` (out).

import Tensor
import Weights

/// `torch.nn.Conv2d` with zero padding; stride, padding, dilation and groups come from the configuration.
/// Runs as im2col + sgemm (1×1 convolutions are a single GEMM).
public struct Conv2d: Sendable {
    /// (outChannels, inChannels/groups, kH, kW).
    public let weight: Tensor
    /// (outChannels), or `nil` for `bias=False`.
    public let bias: Tensor?
    /// Stride, padding, dilation and groups.
    public let parameters: Conv2DParameters

    /// Input channels.
    public var inChannels: Int { weight.shape[1] * parameters.groups }
    /// Output channels.
    public var outChannels: Int { weight.shape[0] }

    /// Loads a convolution with a rectangular kernel and per-axis geometry ((height, width) order, as PyTorch).
    public init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, kernelSize: (Int, Int),
                stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
                groups: Int = 1, bias: Bool = true) throws(WeightsError) {
        try scope.require(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0, key: "groups",
                          "in_channels \(inChannels) and out_channels \(outChannels) must be divisible by groups \(groups)")
        try scope.require(kernelSize.0 > 0 && kernelSize.1 > 0 && stride.0 > 0 && stride.1 > 0, key: "kernel_size",
                          "kernel size and stride must be positive")
        weight = try scope.tensor("weight", shape: [outChannels, inChannels / groups, kernelSize.0, kernelSize.1])
        self.bias = bias ? try scope.tensor("bias", shape: [outChannels]) : nil
        parameters = Conv2DParameters(stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    /// Loads a convolution with a square kernel and the same stride/padding/dilation on both axes.
    public init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1,
                padding: Int = 0, dilation: Int = 1, groups: Int = 1, bias: Bool = true) throws(WeightsError) {
        try self.init(scope, inChannels: inChannels, outChannels: outChannels, kernelSize: (kernelSize, kernelSize),
                      stride: (stride, stride), padding: (padding, padding), dilation: (dilation, dilation),
                      groups: groups, bias: bias)
    }

    /// `x` (N, inChannels, H, W) → (N, outChannels, H', W').
    public func callAsFunction(_ x: Tensor) throws(TensorError) -> Tensor {
        try Tensor.conv2d(x, weight: weight, bias: bias, parameters: parameters)
    }
}
