// Follows `torch.nn.MultiheadAttention` (PyTorch 2.13, batch_first=False, no masks, dropout 0): keys
// `in_proj_weight` (3E, E), `in_proj_bias` (3E), `out_proj.{weight,bias}`.

import Layers
import Tensor
import Weights

/// Multi-head self-attention with a packed q/k/v projection (Vaswani et al. 2017, §3.2.2):
/// `[q, k, v] = x·W_inᵀ + b_in`, per head `softmax(q_h k_hᵀ/√d_h) v_h`, concatenated and projected.
/// DiffusionDet's `RCNNHead.self_attn` attends across the proposals of one image.
struct MultiheadAttention: Sendable {
    let inProjection: Linear
    let outProjection: Linear
    let heads: Int

    init(_ scope: ParameterScope, embedDim: Int, heads: Int) throws(WeightsError) {
        try scope.requireDivisible(embedDim, by: heads, key: "num_heads")
        inProjection = Linear(weight: try scope.tensor("in_proj_weight", shape: [3 * embedDim, embedDim]),
                              bias: try scope.tensor("in_proj_bias", shape: [3 * embedDim]))
        outProjection = try Linear(scope.scoped("out_proj"), inFeatures: embedDim, outFeatures: embedDim)
        self.heads = heads
    }

    /// Self-attention over the rows of `x` (L, E) → (L, E).
    func callAsFunction(_ x: Tensor) throws(TensorError) -> Tensor {
        let length = x.shape[0], width = x.shape[1], headWidth = width / heads
        // (L, 3E) → (3, heads, L, headWidth).
        let packed = try inProjection(x).reshaped([length, 3, heads, headWidth]).permuted([1, 2, 0, 3]).contiguous()
        let attended = try Tensor.scaledDotProductAttention(query: try packed.selected(dimension: 0, index: 0),
                                                            key: try packed.selected(dimension: 0, index: 1),
                                                            value: try packed.selected(dimension: 0, index: 2))
        return try outProjection(try attended.permuted([1, 0, 2]).contiguous().reshaped([length, width]))
    }
}
