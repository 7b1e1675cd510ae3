// Follows diffusers `Upsample2D` (src/diffusers/models/upsampling.py @ v0.35.2). State-dict key: `conv`.

import Tensor
import Weights

/// diffusers `Upsample2D`: nearest-neighbour ×2 (or to an explicit size), then a convolution (`conv`) when `useConv`.
/// The transposed-convolution and norm variants are not used by SD-family models and are not supported.
public struct Upsample2D: Sendable {
    /// `conv`, or `nil` without `useConv`.
    public let conv: Conv2d?
    public let channels: Int

    /// Loads `conv` under `scope` when `useConv`.
    public init(_ scope: ParameterScope, channels: Int, useConv: Bool = false, outChannels: Int? = nil,
                kernelSize: Int = 3, padding: Int = 1, bias: Bool = true) throws(WeightsError) {
        self.channels = channels
        conv = useConv ? try Conv2d(scope.scoped("conv"), inChannels: channels, outChannels: outChannels ?? channels,
                                    kernelSize: kernelSize, padding: padding, bias: bias) : nil
    }

    /// (B, C, H, W) → (B, C', 2H, 2W), or `outputSize` (height, width) when given (the UNet passes the
    /// skip connection's size when the input is not a multiple of the downsampling factor).
    public func callAsFunction(_ x: Tensor, outputSize: (Int, Int)? = nil) throws(TensorError) -> Tensor {
        guard x.rank == 4, x.shape[1] == channels else {
            throw .shapeMismatch(op: "upsample_2d", shapes: [x.shape], reason: "expected (B, \(channels), H, W)")
        }
        let upsampled: Tensor
        if let outputSize {
            upsampled = try x.upsampleNearest(size: outputSize)
        } else {
            upsampled = try x.upsampleNearest(scaleFactor: (2, 2))
        }
        return try conv?.callAsFunction(upsampled) ?? upsampled
    }
}
