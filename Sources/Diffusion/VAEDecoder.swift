// Follows diffusers `Decoder` (src/diffusers/models/autoencoders/vae.py @ v0.35.2) with `norm_type="group"`,
// the `decoder` of an `AutoencoderKL`. State-dict keys: `conv_in`, `mid_block…`, `up_blocks.N…`,
// `conv_norm_out`, `conv_out`.

import Layers
import Tensor
import Weights

/// diffusers `Decoder`: `conv_in` → `UNetMidBlock2D` with attention → `UpDecoderBlock2D`s (nearest ×2 +
/// convolution between them, widths reversed) → GroupNorm + SiLU → `conv_out`.
public struct VAEDecoder: Sendable {
    public let convIn: Conv2d
    public let midBlock: UNetMidBlock2D
    public let upBlocks: [UpDecoderBlock2D]
    public let convNormOut: GroupNorm
    public let convOut: Conv2d

    /// Loads the decoder under `scope` (`decoder` in an `AutoencoderKL` checkpoint).
    public init(_ scope: ParameterScope, configuration: AutoencoderKL.Configuration) throws(WeightsError) {
        let widths = Array(configuration.blockOutChannels.reversed())
        guard let deepest = widths.first, let shallowest = widths.last else {
            throw .configurationInvalid(path: scope.prefix, key: "block_out_channels", reason: "no blocks")
        }
        let resnet = ResnetBlockSettings(eps: 1e-6, groups: configuration.normNumGroups, activation: configuration.activation)
        convIn = try Conv2d(scope.scoped("conv_in"), inChannels: configuration.latentChannels, outChannels: deepest,
                            kernelSize: 3, padding: 1)
        midBlock = try UNetMidBlock2D(scope.scoped("mid_block"), inChannels: deepest, tembChannels: nil, resnet: resnet,
                                      addAttention: configuration.midBlockAddAttention, attentionHeadDim: deepest)
        var upBlocks: [UpDecoderBlock2D] = []
        for (index, width) in widths.enumerated() {
            upBlocks.append(try UpDecoderBlock2D(
                scope.scoped("up_blocks").scoped(index), inChannels: index == 0 ? deepest : widths[index - 1],
                outChannels: width, numLayers: configuration.layersPerBlock + 1, resnet: resnet,
                addUpsample: index < widths.count - 1))
        }
        self.upBlocks = upBlocks
        convNormOut = try GroupNorm(scope.scoped("conv_norm_out"), groups: configuration.normNumGroups,
                                    channels: shallowest, eps: 1e-6)
        convOut = try Conv2d(scope.scoped("conv_out"), inChannels: shallowest, outChannels: configuration.outChannels,
                             kernelSize: 3, padding: 1)
    }

    /// Latents (B, latentChannels, h, w) → images (B, outChannels, h·f, w·f).
    public func callAsFunction(_ latents: Tensor) throws(TensorError) -> Tensor {
        var h = try convIn(latents)
        h = try midBlock(h)
        for block in upBlocks { h = try block(h) }
        h = try convNormOut(h, fusedSiLU: true)
        return try convOut(h)
    }
}
