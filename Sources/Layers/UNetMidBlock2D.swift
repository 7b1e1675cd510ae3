// Follows diffusers `UNetMidBlock2D` (src/diffusers/models/unets/unet_2d_blocks.py @ v0.35.2), the VAE's
// mid block. State-dict keys: `resnets.0…N`, `attentions.0…N-1` (each a diffusers `Attention` with
// `group_norm`, `to_q/k/v`, `to_out.0`).

import Tensor
import Weights

/// diffusers `UNetMidBlock2D`: ResNet, then `numLayers` × (spatial self-attention with group norm and
/// residual → ResNet). The `spatial` time-embedding norm (MoVQ) is not supported.
public struct UNetMidBlock2D: Sendable {
    public let resnets: [ResnetBlock2D]
    /// One attention per layer, or empty when `addAttention` is false.
    public let attentions: [Attention]

    /// Loads the block under `scope`.
    ///
    /// - Parameters:
    ///   - attentionHeadDim: head width; the VAE passes the channel count (one head).
    ///   - attentionGroups: the attention's group-norm groups (`attn_groups`; by default the ResNet groups with the
    ///     default time-embedding norm, none otherwise).
    public init(_ scope: ParameterScope, inChannels: Int, tembChannels: Int?, numLayers: Int = 1,
                resnet: ResnetBlockSettings = ResnetBlockSettings(), attentionGroups: Int? = nil,
                addAttention: Bool = true, attentionHeadDim: Int = 1) throws(WeightsError) {
        try scope.require(attentionHeadDim > 0 && inChannels % attentionHeadDim == 0, key: "attention_head_dim",
                          "\(inChannels) channels are not divisible into heads of \(attentionHeadDim)")
        var resnets = [try resnet.resnet(scope.scoped("resnets").scoped(0), inChannels: inChannels, outChannels: inChannels,
                                         tembChannels: tembChannels)]
        var attentions: [Attention] = []
        // diffusers: the attention has a group norm only with the default time-embedding norm.
        let defaultAttentionGroups: Int? = resnet.timeEmbeddingNorm == .default ? resnet.groups : nil
        for index in 0..<numLayers {
            if addAttention {
                attentions.append(try Attention(
                    scope.scoped("attentions").scoped(index), queryDim: inChannels, heads: inChannels / attentionHeadDim,
                    headDim: attentionHeadDim, bias: true, upcastSoftmax: true,
                    normNumGroups: attentionGroups ?? defaultAttentionGroups, eps: resnet.eps, residualConnection: true,
                    rescaleOutputFactor: resnet.outputScaleFactor))
            }
            resnets.append(try resnet.resnet(scope.scoped("resnets").scoped(index + 1), inChannels: inChannels,
                                             outChannels: inChannels, tembChannels: tembChannels))
        }
        self.resnets = resnets
        self.attentions = attentions
    }

    /// (B, C, H, W) → (B, C, H, W).
    public func callAsFunction(_ x: Tensor, temb: Tensor? = nil) throws(TensorError) -> Tensor {
        var h = try resnets[0](x, temb: temb)
        for (index, resnet) in resnets.dropFirst().enumerated() {
            if index < attentions.count { h = try attentions[index](h) }
            h = try resnet(h, temb: temb)
        }
        return h
    }
}
