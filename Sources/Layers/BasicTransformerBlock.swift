// Follows diffusers `BasicTransformerBlock` with `norm_type="layer_norm"`
// (src/diffusers/models/attention.py @ v0.35.2). State-dict keys: `norm1`, `attn1`, `norm2`, `attn2`,
// `norm3`, `ff`.

import Tensor
import Weights

/// diffusers `BasicTransformerBlock` (pre-LayerNorm): self-attention, cross-attention, feed-forward,
/// each added back to the residual stream.
///
/// With `onlyCrossAttention`, `attn1` already attends to the context. Without a `crossAttentionDim`
/// (and without `doubleSelfAttention`) the block has no `norm2`/`attn2`.
public struct BasicTransformerBlock: Sendable {
    public let norm1: LayerNorm
    public let attn1: Attention
    public let norm2: LayerNorm?
    public let attn2: Attention?
    public let norm3: LayerNorm
    public let ff: FeedForward
    /// Whether `attn1` takes the context as keys/values (`only_cross_attention`).
    public let onlyCrossAttention: Bool

    /// Loads the block under `scope` with diffusers' constructor arguments.
    ///
    /// - Parameters:
    ///   - dim: residual width; `numAttentionHeads` × `attentionHeadDim` is the attention's inner width.
    ///   - crossAttentionDim: context width, or `nil` for a self-attention-only block.
    ///   - activation: the feed-forward's `activation_fn`; `ffInnerDim`/`ffBias` as in diffusers.
    ///   - attentionBias: bias on `to_q/k/v`; `attentionOutBias`: bias on `to_out.0`.
    public init(_ scope: ParameterScope, dim: Int, numAttentionHeads: Int, attentionHeadDim: Int,
                crossAttentionDim: Int? = nil, activation: FeedForward.ActivationKind = .geglu,
                attentionBias: Bool = false, onlyCrossAttention: Bool = false, doubleSelfAttention: Bool = false,
                upcastAttention: Bool = false, normElementwiseAffine: Bool = true, normEps: Float = 1e-5,
                ffInnerDim: Int? = nil, ffBias: Bool = true, attentionOutBias: Bool = true) throws(WeightsError) {
        self.onlyCrossAttention = onlyCrossAttention
        norm1 = try LayerNorm(scope.scoped("norm1"), dimension: dim, eps: normEps, elementwiseAffine: normElementwiseAffine)
        attn1 = try Attention(scope.scoped("attn1"), queryDim: dim,
                              crossAttentionDim: onlyCrossAttention ? crossAttentionDim : nil,
                              heads: numAttentionHeads, headDim: attentionHeadDim, bias: attentionBias,
                              outBias: attentionOutBias, upcastAttention: upcastAttention)
        if crossAttentionDim != nil || doubleSelfAttention {
            norm2 = try LayerNorm(scope.scoped("norm2"), dimension: dim, eps: normEps, elementwiseAffine: normElementwiseAffine)
            attn2 = try Attention(scope.scoped("attn2"), queryDim: dim,
                                  crossAttentionDim: doubleSelfAttention ? nil : crossAttentionDim,
                                  heads: numAttentionHeads, headDim: attentionHeadDim, bias: attentionBias,
                                  outBias: attentionOutBias, upcastAttention: upcastAttention)
        } else {
            norm2 = nil
            attn2 = nil
        }
        norm3 = try LayerNorm(scope.scoped("norm3"), dimension: dim, eps: normEps, elementwiseAffine: normElementwiseAffine)
        ff = try FeedForward(scope.scoped("ff"), dim: dim, innerDim: ffInnerDim, activation: activation, bias: ffBias)
    }

    /// Runs the block on `hiddenStates` (B, L, dim).
    ///
    /// - Parameters:
    ///   - encoderHiddenStates: the context (B, S, crossAttentionDim) for `attn2` (and `attn1` when `onlyCrossAttention`).
    ///   - attentionMask: additive bias for `attn1` (see ``Attention/callAsFunction(_:encoderHiddenStates:attentionMask:)``).
    ///   - encoderAttentionMask: additive bias over the context tokens for `attn2`.
    public func callAsFunction(_ hiddenStates: Tensor, encoderHiddenStates: Tensor? = nil, attentionMask: Tensor? = nil,
                               encoderAttentionMask: Tensor? = nil) throws(TensorError) -> Tensor {
        var x = try attn1(norm1(hiddenStates), encoderHiddenStates: onlyCrossAttention ? encoderHiddenStates : nil,
                          attentionMask: attentionMask)
        try x.add(hiddenStates)
        if let norm2, let attn2 {
            var y = try attn2(norm2(x), encoderHiddenStates: encoderHiddenStates, attentionMask: encoderAttentionMask)
            try y.add(x)
            x = y
        }
        var z = try ff(norm3(x))
        try z.add(x)
        return z
    }
}
