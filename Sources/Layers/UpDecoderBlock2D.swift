// Follows diffusers `UpDecoderBlock2D` (src/diffusers/models/unets/unet_2d_blocks.py @ v0.35.2), the
// VAE decoder's block. State-dict keys: `resnets.N`, `upsamplers.0.conv`.

import Tensor
import Weights

/// diffusers `UpDecoderBlock2D`: `numLayers` ResNets (no skip connections), then an optional nearest ×2 +
/// convolution.
public struct UpDecoderBlock2D: Sendable {
    public let resnets: [ResnetBlock2D]
    /// Empty, or the one `Upsample2D`.
    public let upsamplers: [Upsample2D]

    /// Loads the block under `scope`; `tembChannels` is `nil` in the VAE.
    public init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, numLayers: Int = 1,
                resnet: ResnetBlockSettings = ResnetBlockSettings(), addUpsample: Bool = true,
                tembChannels: Int? = nil) throws(WeightsError) {
        var resnets: [ResnetBlock2D] = []
        for index in 0..<numLayers {
            resnets.append(try resnet.resnet(scope.scoped("resnets").scoped(index),
                                             inChannels: index == 0 ? inChannels : outChannels,
                                             outChannels: outChannels, tembChannels: tembChannels))
        }
        self.resnets = resnets
        upsamplers = addUpsample
            ? [try Upsample2D(scope.scoped("upsamplers").scoped(0), channels: outChannels, useConv: true, outChannels: outChannels)]
            : []
    }

    /// (B, inChannels, H, W) → (B, outChannels, 2H, 2W) (or H, W without upsampling).
    public func callAsFunction(_ x: Tensor, temb: Tensor? = nil) throws(TensorError) -> Tensor {
        var h = x
        for resnet in resnets { h = try resnet(h, temb: temb) }
        for upsampler in upsamplers { h = try upsampler(h) }
        return h
    }
}
