// Follows diffusers `UNetMidBlock2DCrossAttn` (src/diffusers/models/unets/unet_2d_blocks.py @ v0.35.2).
// State-dict keys: `resnets.0…N`, `attentions.0…N-1`.

import Tensor
import Weights

/// diffusers `UNetMidBlock2DCrossAttn`: ResNet, then `numLayers` × (`Transformer2DModel` → ResNet),
/// at constant width. (The mid block never uses `only_cross_attention`, as in diffusers.)
public struct UNetMidBlock2DCrossAttn: Sendable {
    public let resnets: [ResnetBlock2D]
    public let attentions: [Transformer2DModel]

    /// Loads the block under `scope`.
    public init(_ scope: ParameterScope, inChannels: Int, tembChannels: Int?, numLayers: Int = 1,
                resnet: ResnetBlockSettings = ResnetBlockSettings(), attention: CrossAttentionSettings) throws(WeightsError) {
        var attentionSettings = attention
        attentionSettings.onlyCrossAttention = false
        var resnets = [try resnet.resnet(scope.scoped("resnets").scoped(0), inChannels: inChannels, outChannels: inChannels,
                                         tembChannels: tembChannels)]
        var attentions: [Transformer2DModel] = []
        for index in 0..<numLayers {
            attentions.append(try attentionSettings.transformer(scope, index: index, count: numLayers, channels: inChannels,
                                                                groups: resnet.groups))
            resnets.append(try resnet.resnet(scope.scoped("resnets").scoped(index + 1), inChannels: inChannels,
                                             outChannels: inChannels, tembChannels: tembChannels))
        }
        self.resnets = resnets
        self.attentions = attentions
    }

    /// (B, C, H, W) → (B, C, H, W).
    public func callAsFunction(_ x: Tensor, temb: Tensor? = nil, encoderHiddenStates: Tensor? = nil,
                               attentionMask: Tensor? = nil, encoderAttentionMask: Tensor? = nil) throws(TensorError) -> Tensor {
        var h = try resnets[0](x, temb: temb)
        for (transformer, resnet) in zip(attentions, resnets.dropFirst()) {
            h = try transformer(h, encoderHiddenStates: encoderHiddenStates, attentionMask: attentionMask,
                                encoderAttentionMask: encoderAttentionMask)
            h = try resnet(h, temb: temb)
        }
        return h
    }
}
