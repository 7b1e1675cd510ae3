// Follows diffusers `get_up_block` (src/diffusers/models/unets/unet_2d_blocks.py @ v0.35.2): the up-block kinds
// an SD-family `UNet2DConditionModel` config lists in `up_block_types`, behind one forward.

import Tensor
import Weights

/// One entry of a UNet's `up_blocks`: an `UpBlock2D` or a `CrossAttnUpBlock2D`.
public enum UNetUpBlock: Sendable {
    case plain(UpBlock2D)
    case crossAttention(CrossAttnUpBlock2D)

    /// The names used in `up_block_types`.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case upBlock2D = "UpBlock2D"
        case crossAttnUpBlock2D = "CrossAttnUpBlock2D"
    }

    /// Builds the block `get_up_block` would for `kind`; channel arguments as for ``UpBlock2D``.
    public init(_ scope: ParameterScope, kind: Kind, inChannels: Int, prevOutputChannel: Int, outChannels: Int,
                tembChannels: Int?, numLayers: Int, resnet: ResnetBlockSettings, attention: CrossAttentionSettings?,
                addUpsample: Bool) throws(WeightsError) {
        switch kind {
        case .upBlock2D:
            self = .plain(try UpBlock2D(scope, inChannels: inChannels, prevOutputChannel: prevOutputChannel,
                                        outChannels: outChannels, tembChannels: tembChannels, numLayers: numLayers,
                                        resnet: resnet, addUpsample: addUpsample))
        case .crossAttnUpBlock2D:
            guard let attention else {
                throw .configurationInvalid(path: scope.prefix, key: "cross_attention_dim",
                                            reason: "CrossAttnUpBlock2D needs cross-attention settings")
            }
            self = .crossAttention(try CrossAttnUpBlock2D(
                scope, inChannels: inChannels, prevOutputChannel: prevOutputChannel, outChannels: outChannels,
                tembChannels: tembChannels, numLayers: numLayers, resnet: resnet, attention: attention,
                addUpsample: addUpsample))
        }
    }

    /// Number of ResNets, i.e. how many skip states the block consumes.
    public var resnetCount: Int {
        switch self {
        case .plain(let block): return block.resnets.count
        case .crossAttention(let block): return block.resnets.count
        }
    }

    /// Whether the block attends to the context.
    public var hasCrossAttention: Bool {
        if case .crossAttention = self { return true }
        return false
    }

    /// Whether the block ends with an upsampler.
    public var upsamples: Bool {
        switch self {
        case .plain(let block): return !block.upsamplers.isEmpty
        case .crossAttention(let block): return !block.upsamplers.isEmpty
        }
    }

    /// Runs the block on its `resnetCount` skip states; the context arguments are ignored by a plain `UpBlock2D`.
    public func callAsFunction(_ x: Tensor, skipStates: [Tensor], temb: Tensor?, encoderHiddenStates: Tensor? = nil,
                               attentionMask: Tensor? = nil, encoderAttentionMask: Tensor? = nil,
                               upsampleSize: (Int, Int)? = nil) throws(TensorError) -> Tensor {
        switch self {
        case .plain(let block):
            return try block(x, skipStates: skipStates, temb: temb, upsampleSize: upsampleSize)
        case .crossAttention(let block):
            return try block(x, skipStates: skipStates, temb: temb, encoderHiddenStates: encoderHiddenStates,
                             attentionMask: attentionMask, encoderAttentionMask: encoderAttentionMask,
                             upsampleSize: upsampleSize)
        }
    }
}
