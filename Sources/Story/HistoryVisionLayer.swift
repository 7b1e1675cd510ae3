// Mirrors Tools/reference/arldm_ref.py `VisionLayer` (BLIP's ViT `Block`, pre-LayerNorm).
// State-dict keys under `vision_model.layers.{i}`: `norm1`, `attn.{to_q,to_k,to_v,to_out.0}`, `norm2`, `ff.net.{0.proj,2}`.

import Layers
import Tensor
import Weights

/// One pre-LN ViT block of the history encoder's image tower: `x + attn(norm1(x))`, then `x + ff(norm2(x))`.
public struct HistoryVisionLayer: Sendable {
    public let norm1: LayerNorm
    public let attn: Attention
    public let norm2: LayerNorm
    public let ff: FeedForward

    public init(_ scope: ParameterScope, configuration: HistoryEncoder.Configuration) throws(WeightsError) {
        let width = configuration.hiddenSize
        norm1 = try LayerNorm(scope.scoped("norm1"), dimension: width, eps: configuration.layerNormEps)
        attn = try Attention(scope.scoped("attn"), queryDim: width, heads: configuration.numAttentionHeads,
                             headDim: configuration.headDim, bias: true)
        norm2 = try LayerNorm(scope.scoped("norm2"), dimension: width, eps: configuration.layerNormEps)
        ff = try FeedForward(scope.scoped("ff"), dim: width, innerDim: configuration.intermediateSize, activation: .gelu)
    }

    /// (B, T, D) → (B, T, D).
    public func callAsFunction(_ x: Tensor) throws(TensorError) -> Tensor {
        var h = try attn(norm1(x))
        try h.add(x)
        var out = try ff(norm2(h))
        try out.add(h)
        return out
    }
}
