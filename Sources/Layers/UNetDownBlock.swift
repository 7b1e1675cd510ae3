// Follows diffusers `get_down_block` (src/diffusers/models/unets/unet_2d_blocks.py @ v0.35.2): the down-block
// kinds an SD-family `UNet2DConditionModel` config lists in `down_block_types`, behind one forward.

import Tensor
import Weights

/// One entry of a UNet's `down_blocks`: a `DownBlock2D` or a `CrossAttnDownBlock2D`.
public enum UNetDownBlock: Sendable {
    case plain(DownBlock2D)
    case crossAttention(CrossAttnDownBlock2D)

    /// The names used in `down_block_types`.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case downBlock2D = "DownBlock2D"
        case crossAttnDownBlock2D = "CrossAttnDownBlock2D"
    }

    /// Builds the block `get_down_block` would for `kind`; `attention` is required for the cross-attention kind.
    public init(_ scope: ParameterScope, kind: Kind, inChannels: Int, outChannels: Int, tembChannels: Int?, numLayers: Int,
                resnet: ResnetBlockSettings, attention: CrossAttentionSettings?, addDownsample: Bool,
                downsamplePadding: Int = 1) throws(WeightsError) {
        switch kind {
        case .downBlock2D:
            self = .plain(try DownBlock2D(scope, inChannels: inChannels, outChannels: outChannels, tembChannels: tembChannels,
                                          numLayers: numLayers, resnet: resnet, addDownsample: addDownsample,
                                          downsamplePadding: downsamplePadding))
        case .crossAttnDownBlock2D:
            guard let attention else {
                throw .configurationInvalid(path: scope.prefix, key: "cross_attention_dim",
                                            reason: "CrossAttnDownBlock2D needs cross-attention settings")
            }
            self = .crossAttention(try CrossAttnDownBlock2D(
                scope, inChannels: inChannels, outChannels: outChannels, tembChannels: tembChannels, numLayers: numLayers,
                resnet: resnet, attention: attention, addDownsample: addDownsample, downsamplePadding: downsamplePadding))
        }
    }

    /// Number of ResNets (each leaves one skip state; a downsampler leaves one more).
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

    /// Runs the block; the context arguments are ignored by a plain `DownBlock2D`.
    public func callAsFunction(_ x: Tensor, temb: Tensor?, encoderHiddenStates: Tensor? = nil, attentionMask: Tensor? = nil,
                               encoderAttentionMask: Tensor? = nil) throws(TensorError) -> (output: Tensor, skipStates: [Tensor]) {
        switch self {
        case .plain(let block):
            return try block(x, temb: temb)
        case .crossAttention(let block):
            return try block(x, temb: temb, encoderHiddenStates: encoderHiddenStates, attentionMask: attentionMask,
                             encoderAttentionMask: encoderAttentionMask)
        }
    }
}
