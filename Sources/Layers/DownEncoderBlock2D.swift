// Follows diffusers `DownEncoderBlock2D` (src/diffusers/models/unets/unet_2d_blocks.py @ v0.35.2), the
// VAE encoder's block. State-dict keys: `resnets.N`, `downsamplers.0.conv`.

import Tensor
import Weights

/// diffusers `DownEncoderBlock2D`: `numLayers` ResNets without time embedding, then an optional stride-2
/// convolution (the VAE uses `downsamplePadding: 0`, i.e. pad right/bottom then convolve unpadded).
public struct DownEncoderBlock2D: Sendable {
    public let resnets: [ResnetBlock2D]
    /// Empty, or the one `Downsample2D`.
    public let downsamplers: [Downsample2D]

    /// Loads the block under `scope`.
    public init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, numLayers: Int = 1,
                resnet: ResnetBlockSettings = ResnetBlockSettings(), addDownsample: Bool = true,
                downsamplePadding: Int = 1) throws(WeightsError) {
        // The same layers and keys as a UNet `DownBlock2D`, without a time embedding.
        let block = try DownBlock2D(scope, inChannels: inChannels, outChannels: outChannels, tembChannels: nil,
                                    numLayers: numLayers, resnet: resnet, addDownsample: addDownsample,
                                    downsamplePadding: downsamplePadding)
        resnets = block.resnets
        downsamplers = block.downsamplers
    }

    /// (B, inChannels, H, W) → (B, outChannels, H/2, W/2) (or H, W without downsampling).
    public func callAsFunction(_ x: Tensor) throws(TensorError) -> Tensor {
        var h = x
        for resnet in resnets { h = try resnet(h) }
        for downsampler in downsamplers { h = try downsampler(h) }
        return h
    }
}
