// Follows diffusers `Downsample2D` (src/diffusers/models/downsampling.py @ v0.35.2). State-dict key: `conv`.

import Tensor
import Weights

/// diffusers `Downsample2D`: a stride-2 convolution (`conv`), or 2×2 average pooling without `useConv`.
/// With `padding == 0` the input is first zero-padded on the right and bottom (the VAE encoder's layout).
/// The optional norm (`norm_type`) is not used by SD-family models and is not supported.
public struct Downsample2D: Sendable {
    /// `conv`, or `nil` for average pooling.
    public let conv: Conv2d?
    /// The convolution's padding (0 means pad right/bottom by one first).
    public let padding: Int
    public let channels: Int

    /// Loads `conv` under `scope` when `useConv`.
    public init(_ scope: ParameterScope, channels: Int, useConv: Bool = false, outChannels: Int? = nil, padding: Int = 1,
                kernelSize: Int = 3, bias: Bool = true) throws(WeightsError) {
        let outChannels = outChannels ?? channels
        self.channels = channels
        self.padding = padding
        if useConv {
            conv = try Conv2d(scope.scoped("conv"), inChannels: channels, outChannels: outChannels, kernelSize: kernelSize,
                              stride: 2, padding: padding, bias: bias)
        } else {
            try scope.require(outChannels == channels, key: "out_channels", "average pooling keeps the channel count")
            conv = nil
        }
    }

    /// (B, C, H, W) → (B, C', ⌊(H + 2p − k)/2⌋ + 1, …).
    public func callAsFunction(_ x: Tensor) throws(TensorError) -> Tensor {
        guard x.rank == 4, x.shape[1] == channels else {
            throw .shapeMismatch(op: "downsample_2d", shapes: [x.shape], reason: "expected (B, \(channels), H, W)")
        }
        guard let conv else { return try x.avgPool2d(kernel: (2, 2), stride: (2, 2)) }
        return try conv(padding == 0 ? LayerKernels.padBottomRight(x, right: 1, bottom: 1) : x)
    }
}
