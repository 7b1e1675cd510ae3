// Follows transformers `CLIPAttention` (4.57.6, `models/clip/modeling_clip.py`): keys `q_proj`, `k_proj`,
// `v_proj`, `out_proj` (each a biased Linear D → D), heads of width D / num_attention_heads, scale
// head_dim^-0.5. The diffusers-style `Layers.Attention` names its projections `to_q`/`to_out.0`, so CLIP
// gets its own module over `Linear` and the Tensor SDPA op.

import Layers
import Tensor
import Weights

/// Multi-head self-attention of one CLIP encoder layer.
public struct CLIPAttention: Sendable {
    /// What each query may attend to.
    public enum Mask: Sendable {
        /// The causal mask alone (query i sees keys 0…i), as CLIP's text tower always applies it.
        case causal
        /// An additive mask (B, 1, L, L) already holding the causal part (see `CLIPTextTransformer`).
        case additive(Tensor)
    }

    public let qProj: Linear
    public let kProj: Linear
    public let vProj: Linear
    public let outProj: Linear
    /// `num_attention_heads`.
    public let headCount: Int

    /// Loads the four projections under `scope` (`….self_attn`).
    public init(_ scope: ParameterScope, configuration: CLIPTextModel.Configuration) throws(WeightsError) {
        let width = configuration.hiddenSize
        qProj = try Linear(scope.scoped("q_proj"), inFeatures: width, outFeatures: width)
        kProj = try Linear(scope.scoped("k_proj"), inFeatures: width, outFeatures: width)
        vProj = try Linear(scope.scoped("v_proj"), inFeatures: width, outFeatures: width)
        outProj = try Linear(scope.scoped("out_proj"), inFeatures: width, outFeatures: width)
        headCount = configuration.numAttentionHeads
    }

    /// (B, L, D) → (B, L, D).
    public func callAsFunction(_ hiddenStates: Tensor, mask: Mask) throws(TensorError) -> Tensor {
        let batch = hiddenStates.shape[0], length = hiddenStates.shape[1], width = hiddenStates.shape[2]
        let headWidth = width / headCount
        func heads(_ projection: Linear) throws(TensorError) -> Tensor {
            try projection(hiddenStates).reshaped([batch, length, headCount, headWidth]).permuted([0, 2, 1, 3])
        }
        let query = try heads(qProj), key = try heads(kProj), value = try heads(vProj)
        let scale = 1 / Float(headWidth).squareRoot()
        let attended: Tensor
        switch mask {
        case .causal:
            attended = try Tensor.scaledDotProductAttention(query: query, key: key, value: value, isCausal: true,
                                                           scale: scale)
        case .additive(let additive):
            attended = try Tensor.scaledDotProductAttention(query: query, key: key, value: value,
                                                           mask: .additive(additive), scale: scale)
        }
        return try outProj(attended.permuted([0, 2, 1, 3]).reshaped([batch, length, width]))
    }
}
