// Follows diffusers `CrossAttnDownBlock2D` (src/diffusers/models/unets/unet_2d_blocks.py @ v0.35.2).
// State-dict keys: `resnets.N`, `attentions.N`, `downsamplers.0.conv`.

import Tensor
import Weights

/// diffusers `CrossAttnDownBlock2D`: `numLayers` × (ResNet → `Transformer2DModel`), then an optional
/// stride-2 convolution; every intermediate output is kept as a skip connection.
public struct CrossAttnDownBlock2D: Sendable {
    public let resnets: [ResnetBlock2D]
    public let attentions: [Transformer2DModel]
    /// Empty, or the one `Downsample2D`.
    public let downsamplers: [Downsample2D]

    /// Loads the block under `scope`.
    public init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, tembChannels: Int?, numLayers: Int = 1,
                resnet: ResnetBlockSettings = ResnetBlockSettings(), attention: CrossAttentionSettings,
                addDownsample: Bool = true, downsamplePadding: Int = 1) throws(WeightsError) {
        var resnets: [ResnetBlock2D] = []
        var attentions: [Transformer2DModel] = []
        for index in 0..<numLayers {
            resnets.append(try resnet.resnet(scope.scoped("resnets").scoped(index),
                                             inChannels: index == 0 ? inChannels : outChannels,
                                             outChannels: outChannels, tembChannels: tembChannels))
            attentions.append(try attention.transformer(scope, index: index, count: numLayers, channels: outChannels,
                                                        groups: resnet.groups))
        }
        self.resnets = resnets
        self.attentions = attentions
        downsamplers = addDownsample
            ? [try Downsample2D(scope.scoped("downsamplers").scoped(0), channels: outChannels, useConv: true,
                                outChannels: outChannels, padding: downsamplePadding)]
            : []
    }

    /// Returns the block output and the skip states (one per layer, plus the downsampled output).
    ///
    /// - Parameters:
    ///   - encoderHiddenStates: context (B, S, crossAttentionDim).
    ///   - encoderAttentionMask: 1/0 keep mask (B, S) or additive bias over the context tokens.
    public func callAsFunction(_ x: Tensor, temb: Tensor? = nil, encoderHiddenStates: Tensor? = nil,
                               attentionMask: Tensor? = nil, encoderAttentionMask: Tensor? = nil)
        throws(TensorError) -> (output: Tensor, skipStates: [Tensor]) {
        var h = x
        var skips: [Tensor] = []
        for (resnet, transformer) in zip(resnets, attentions) {
            h = try resnet(h, temb: temb)
            h = try transformer(h, encoderHiddenStates: encoderHiddenStates, attentionMask: attentionMask,
                                encoderAttentionMask: encoderAttentionMask)
            skips.append(h)
        }
        for downsampler in downsamplers {
            h = try downsampler(h)
            skips.append(h)
        }
        return (h, skips)
    }
}
