// Follows diffusers `CrossAttnUpBlock2D` (src/diffusers/models/unets/unet_2d_blocks.py @ v0.35.2).
// State-dict keys: `resnets.N`, `attentions.N`, `upsamplers.0.conv`. (FreeU is not supported.)

import Tensor
import Weights

/// diffusers `CrossAttnUpBlock2D`: `numLayers` × (concatenate the next skip state → ResNet →
/// `Transformer2DModel`), then an optional nearest ×2 + convolution.
public struct CrossAttnUpBlock2D: Sendable {
    public let resnets: [ResnetBlock2D]
    public let attentions: [Transformer2DModel]
    /// Empty, or the one `Upsample2D`.
    public let upsamplers: [Upsample2D]

    /// Loads the block under `scope`; channel arguments as for ``UpBlock2D``.
    public init(_ scope: ParameterScope, inChannels: Int, prevOutputChannel: Int, outChannels: Int, tembChannels: Int?,
                numLayers: Int = 1, resnet: ResnetBlockSettings = ResnetBlockSettings(), attention: CrossAttentionSettings,
                addUpsample: Bool = true) throws(WeightsError) {
        var resnets: [ResnetBlock2D] = []
        var attentions: [Transformer2DModel] = []
        for index in 0..<numLayers {
            let skipChannels = index == numLayers - 1 ? inChannels : outChannels
            let hiddenChannels = index == 0 ? prevOutputChannel : outChannels
            resnets.append(try resnet.resnet(scope.scoped("resnets").scoped(index), inChannels: hiddenChannels + skipChannels,
                                             outChannels: outChannels, tembChannels: tembChannels))
            attentions.append(try attention.transformer(scope, index: index, count: numLayers, channels: outChannels,
                                                        groups: resnet.groups))
        }
        self.resnets = resnets
        self.attentions = attentions
        upsamplers = addUpsample
            ? [try Upsample2D(scope.scoped("upsamplers").scoped(0), channels: outChannels, useConv: true, outChannels: outChannels)]
            : []
    }

    /// Runs the block; `skipStates` as for ``UpBlock2D/callAsFunction(_:skipStates:temb:upsampleSize:)``.
    public func callAsFunction(_ x: Tensor, skipStates: [Tensor], temb: Tensor? = nil, encoderHiddenStates: Tensor? = nil,
                               attentionMask: Tensor? = nil, encoderAttentionMask: Tensor? = nil,
                               upsampleSize: (Int, Int)? = nil) throws(TensorError) -> Tensor {
        guard skipStates.count == resnets.count else {
            throw .invalidArgument(op: "cross_attn_up_block_2d", reason: "\(skipStates.count) skip states for \(resnets.count) ResNets")
        }
        var h = x
        for ((resnet, transformer), skip) in zip(zip(resnets, attentions), skipStates.reversed()) {
            h = try resnet(Tensor.concatenate([h, skip], dimension: 1), temb: temb)
            h = try transformer(h, encoderHiddenStates: encoderHiddenStates, attentionMask: attentionMask,
                                encoderAttentionMask: encoderAttentionMask)
        }
        for upsampler in upsamplers { h = try upsampler(h, outputSize: upsampleSize) }
        return h
    }
}
