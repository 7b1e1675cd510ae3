// Follows diffusers `Encoder` (src/diffusers/models/autoencoders/vae.py @ v0.35.2), the `encoder` of an
// `AutoencoderKL`. State-dict keys: `conv_in`, `down_blocks.N…`, `mid_block…`, `conv_norm_out`, `conv_out`.

import Layers
import Tensor
import Weights

/// diffusers `Encoder` (with `double_z`): `conv_in` → `DownEncoderBlock2D`s (stride-2 convolutions between
/// them) → `UNetMidBlock2D` with one single-head self-attention → GroupNorm + SiLU → `conv_out` to
/// 2 × latent channels (mean and log-variance).
public struct VAEEncoder: Sendable {
    public let convIn: Conv2d
    public let downBlocks: [DownEncoderBlock2D]
    public let midBlock: UNetMidBlock2D
    public let convNormOut: GroupNorm
    public let convOut: Conv2d

    /// Loads the encoder under `scope` (`encoder` in an `AutoencoderKL` checkpoint).
    public init(_ scope: ParameterScope, configuration: AutoencoderKL.Configuration) throws(WeightsError) {
        let widths = configuration.blockOutChannels
        guard let first = widths.first, let last = widths.last else {
            throw .configurationInvalid(path: scope.prefix, key: "block_out_channels", reason: "no blocks")
        }
        let resnet = ResnetBlockSettings(eps: 1e-6, groups: configuration.normNumGroups, activation: configuration.activation)
        convIn = try Conv2d(scope.scoped("conv_in"), inChannels: configuration.inChannels, outChannels: first,
                            kernelSize: 3, padding: 1)
        var downBlocks: [DownEncoderBlock2D] = []
        for (index, width) in widths.enumerated() {
            downBlocks.append(try DownEncoderBlock2D(
                scope.scoped("down_blocks").scoped(index), inChannels: index == 0 ? first : widths[index - 1],
                outChannels: width, numLayers: configuration.layersPerBlock, resnet: resnet,
                addDownsample: index < widths.count - 1, downsamplePadding: 0))
        }
        self.downBlocks = downBlocks
        midBlock = try UNetMidBlock2D(scope.scoped("mid_block"), inChannels: last, tembChannels: nil, resnet: resnet,
                                      addAttention: configuration.midBlockAddAttention, attentionHeadDim: last)
        convNormOut = try GroupNorm(scope.scoped("conv_norm_out"), groups: configuration.normNumGroups, channels: last,
                                    eps: 1e-6)
        convOut = try Conv2d(scope.scoped("conv_out"), inChannels: last, outChannels: 2 * configuration.latentChannels,
                             kernelSize: 3, padding: 1)
    }

    /// Images (B, inChannels, H, W) → moments (B, 2·latentChannels, H/f, W/f).
    public func callAsFunction(_ image: Tensor) throws(TensorError) -> Tensor {
        var h = try convIn(image)
        for block in downBlocks { h = try block(h) }
        h = try midBlock(h)
        h = try convNormOut(h, fusedSiLU: true)
        return try convOut(h)
    }
}
