// Mirrors Tools/reference/arldm_ref.py `TextLayer` (BLIP's `BertLayer` in multimodal mode, post-LayerNorm).
// State-dict keys under `text_model.layers.{i}`: `self_attn`, `self_attn_norm`, `cross_attn`, `cross_attn_norm`,
// `ff.net.{0.proj,2}`, `ff_norm` (attentions as diffusers `Attention`: `to_q`, `to_k`, `to_v`, `to_out.0`).

import Layers
import Tensor
import Weights

/// One fusion layer of the history encoder's caption tower: self-attention over the caption (padding masked),
/// cross-attention to the image tokens, feed-forward; each followed by residual + LayerNorm (BERT's post-LN).
public struct HistoryTextLayer: Sendable {
    public let selfAttn: Attention
    public let selfAttnNorm: LayerNorm
    public let crossAttn: Attention
    public let crossAttnNorm: LayerNorm
    public let ff: FeedForward
    public let ffNorm: LayerNorm

    public init(_ scope: ParameterScope, configuration: HistoryEncoder.Configuration) throws(WeightsError) {
        let width = configuration.hiddenSize, eps = configuration.layerNormEps
        selfAttn = try Attention(scope.scoped("self_attn"), queryDim: width, heads: configuration.numAttentionHeads,
                                 headDim: configuration.headDim, bias: true)
        selfAttnNorm = try LayerNorm(scope.scoped("self_attn_norm"), dimension: width, eps: eps)
        crossAttn = try Attention(scope.scoped("cross_attn"), queryDim: width, crossAttentionDim: width,
                                  heads: configuration.numAttentionHeads, headDim: configuration.headDim, bias: true)
        crossAttnNorm = try LayerNorm(scope.scoped("cross_attn_norm"), dimension: width, eps: eps)
        ff = try FeedForward(scope.scoped("ff"), dim: width, innerDim: configuration.intermediateSize, activation: .gelu)
        ffNorm = try LayerNorm(scope.scoped("ff_norm"), dimension: width, eps: eps)
    }

    /// - Parameters:
    ///   - x: caption states (B, S, D).
    ///   - paddingBias: additive (B, 1, S) bias over the caption keys (−10000 at padding).
    ///   - imageTokens: (B, 1 + P, D) from ``HistoryVisionModel``.
    public func callAsFunction(_ x: Tensor, paddingBias: Tensor, imageTokens: Tensor) throws(TensorError) -> Tensor {
        var h = try selfAttn(x, attentionMask: paddingBias)
        try h.add(x)
        h = try selfAttnNorm(h)
        var c = try crossAttn(h, encoderHiddenStates: imageTokens)
        try c.add(h)
        c = try crossAttnNorm(c)
        var f = try ff(c)
        try f.add(c)
        return try ffNorm(f)
    }
}
