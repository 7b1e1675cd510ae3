// Follows diffusers `DownBlock2D` (src/diffusers/models/unets/unet_2d_blocks.py @ v0.35.2).
// State-dict keys: `resnets.N`, `downsamplers.0.conv`.

import Tensor
import Weights

/// diffusers `DownBlock2D`: `numLayers` ResNets, then an optional stride-2 convolution; every
/// intermediate output is kept as a skip connection for the UNet's up path.
public struct DownBlock2D: Sendable {
    public let resnets: [ResnetBlock2D]
    /// Empty, or the one `Downsample2D`.
    public let downsamplers: [Downsample2D]

    /// Loads the block under `scope`.
    public init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, tembChannels: Int?, numLayers: Int = 1,
                resnet: ResnetBlockSettings = ResnetBlockSettings(), addDownsample: Bool = true,
                downsamplePadding: Int = 1) throws(WeightsError) {
        var resnets: [ResnetBlock2D] = []
        for index in 0..<numLayers {
            resnets.append(try resnet.resnet(scope.scoped("resnets").scoped(index),
                                             inChannels: index == 0 ? inChannels : outChannels,
                                             outChannels: outChannels, tembChannels: tembChannels))
        }
        self.resnets = resnets
        downsamplers = addDownsample
            ? [try Downsample2D(scope.scoped("downsamplers").scoped(0), channels: outChannels, useConv: true,
                                outChannels: outChannels, padding: downsamplePadding)]
            : []
    }

    /// Returns the block output and the skip states (one per ResNet, plus the downsampled output).
    public func callAsFunction(_ x: Tensor, temb: Tensor? = nil) throws(TensorError) -> (output: Tensor, skipStates: [Tensor]) {
        var h = x
        var skips: [Tensor] = []
        for resnet in resnets {
            h = try resnet(h, temb: temb)
            skips.append(h)
        }
        for downsampler in downsamplers {
            h = try downsampler(h)
            skips.append(h)
        }
        return (h, skips)
    }
}
