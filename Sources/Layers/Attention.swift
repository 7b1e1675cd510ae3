// Follows diffusers `Attention` with `AttnProcessor2_0` (src/diffusers/models/attention_processor.py @ v0.35.2).
// State-dict keys: `to_q`, `to_k`, `to_v`, `to_out.0` (Linear) and, for the VAE-style block, `group_norm`.

import Tensor
import Weights

/// diffusers `Attention`: multi-head scaled dot-product attention with `heads × headDim` inner width.
///
/// Self-attention when no `encoderHiddenStates` are given, cross-attention otherwise (keys and values
/// from the context, width `crossAttentionDim`). The VAE's attention block is the same class with a
/// `group_norm` before the projections, a residual connection and a rescaled output; it takes
/// (N, C, H, W) input and attends over the H·W pixels.
///
/// `upcastAttention`/`upcastSoftmax` only change fp16 behaviour in diffusers; everything here is Float32,
/// so they are accepted and recorded but change nothing.
public struct Attention: Sendable {
    /// Number of heads.
    public let heads: Int
    /// Width of one head.
    public let headDim: Int
    /// `to_q`: queryDim → heads·headDim.
    public let toQ: Linear
    /// `to_k`: crossAttentionDim (or queryDim) → heads·headDim.
    public let toK: Linear
    /// `to_v`: crossAttentionDim (or queryDim) → heads·headDim.
    public let toV: Linear
    /// `to_out.0`: heads·headDim → outDim (`to_out.1` is dropout, which has no parameters).
    public let toOut: Linear
    /// `group_norm` over the query channels (VAE attention), or `nil`.
    public let groupNorm: GroupNorm?
    /// Whether the input is added back to the output (`residual_connection`).
    public let residualConnection: Bool
    /// The output is divided by this (`rescale_output_factor`).
    public let rescaleOutputFactor: Float
    /// Accepted for configuration fidelity; no effect in Float32.
    public let upcastAttention: Bool
    /// Accepted for configuration fidelity; no effect in Float32.
    public let upcastSoftmax: Bool

    /// Loads the projections under `scope` with diffusers' constructor arguments and defaults.
    ///
    /// - Parameters:
    ///   - queryDim: width of the hidden states (`query_dim`).
    ///   - crossAttentionDim: width of the context (`cross_attention_dim`); `nil` for self-attention.
    ///   - heads: number of heads; `headDim`: width of one head (`dim_head`).
    ///   - outDim: output width (`out_dim`); when given, `heads = outDim / headDim` as in diffusers.
    ///   - bias: bias on `to_q/to_k/to_v`; `outBias`: bias on `to_out.0`.
    ///   - normNumGroups: groups of the `group_norm` before the projections (`norm_num_groups`), eps `eps`.
    public init(_ scope: ParameterScope, queryDim: Int, crossAttentionDim: Int? = nil, heads: Int = 8, headDim: Int = 64,
                outDim: Int? = nil, bias: Bool = false, outBias: Bool = true, upcastAttention: Bool = false,
                upcastSoftmax: Bool = false, normNumGroups: Int? = nil, eps: Float = 1e-5,
                residualConnection: Bool = false, rescaleOutputFactor: Float = 1) throws(WeightsError) {
        try scope.require(headDim > 0, key: "dim_head", "head width must be positive")
        let innerDim = outDim ?? heads * headDim
        self.heads = outDim.map { $0 / headDim } ?? heads
        try scope.require(self.heads > 0 && self.heads * headDim == innerDim, key: "heads",
                          "inner width \(innerDim) is not heads × \(headDim)")
        self.headDim = headDim
        let contextDim = crossAttentionDim ?? queryDim
        if let normNumGroups {
            groupNorm = try GroupNorm(scope.scoped("group_norm"), groups: normNumGroups, channels: queryDim, eps: eps)
        } else {
            groupNorm = nil
        }
        toQ = try Linear(scope.scoped("to_q"), inFeatures: queryDim, outFeatures: innerDim, bias: bias)
        toK = try Linear(scope.scoped("to_k"), inFeatures: contextDim, outFeatures: innerDim, bias: bias)
        toV = try Linear(scope.scoped("to_v"), inFeatures: contextDim, outFeatures: innerDim, bias: bias)
        toOut = try Linear(scope.scoped("to_out").scoped(0), inFeatures: innerDim, outFeatures: outDim ?? queryDim, bias: outBias)
        self.residualConnection = residualConnection
        self.rescaleOutputFactor = rescaleOutputFactor
        self.upcastAttention = upcastAttention
        self.upcastSoftmax = upcastSoftmax
    }

    /// Runs the attention.
    ///
    /// - Parameters:
    ///   - hiddenStates: (B, L, queryDim), or (B, C, H, W) which attends over H·W and returns (B, C, H, W).
    ///   - encoderHiddenStates: context (B, S, crossAttentionDim) for cross-attention; `nil` for self-attention.
    ///   - attentionMask: an additive bias on the scores, as diffusers passes it to the processor:
    ///     (B, S) or (B, 1, S) (one row for every query) or (B, L, S). Build it from a 1/0 keep mask
    ///     with ``additiveMask(keepMask:)``.
    /// - Returns: (B, L, outDim), or (B, C, H, W) for spatial input.
    public func callAsFunction(_ hiddenStates: Tensor, encoderHiddenStates: Tensor? = nil,
                               attentionMask: Tensor? = nil) throws(TensorError) -> Tensor {
        let spatialShape: [Int]? = hiddenStates.rank == 4 ? hiddenStates.shape : nil
        var tokens: Tensor
        if let spatialShape {
            // Group norm over (B, C, H·W) equals group norm over (B, C, H, W); then (B, H·W, C).
            let normalized = try groupNorm?.callAsFunction(hiddenStates) ?? hiddenStates
            tokens = try normalized.reshaped([spatialShape[0], spatialShape[1], spatialShape[2] * spatialShape[3]])
                .transposed(1, 2)
        } else {
            guard hiddenStates.rank == 3 else {
                throw .shapeMismatch(op: "attention", shapes: [hiddenStates.shape], reason: "expected (B, L, C) or (B, C, H, W)")
            }
            tokens = hiddenStates
            if let groupNorm { tokens = try groupNorm(tokens.transposed(1, 2)).transposed(1, 2) }
        }
        // One dense copy shared by the three projections (instead of one per projection).
        tokens = tokens.contiguous()
        let batch = tokens.shape[0], length = tokens.shape[1]
        let context = encoderHiddenStates ?? tokens
        guard context.rank == 3, context.shape[0] == batch else {
            throw .shapeMismatch(op: "attention", shapes: [tokens.shape, context.shape], reason: "context must be (B, S, C) with the same batch")
        }
        let query = try splitHeads(toQ(tokens))
        let key = try splitHeads(toK(context))
        let value = try splitHeads(toV(context))
        var mask: AttentionMask?
        if let attentionMask { mask = .additive(try perHeadMask(attentionMask)) }
        let attended = try Tensor.scaledDotProductAttention(query: query, key: key, value: value, mask: mask)
        // (B, heads, L, d) → (B, L, heads·d)
        let merged = try attended.permuted([0, 2, 1, 3]).reshaped([batch, length, heads * headDim])
        var output = try toOut(merged)
        if let spatialShape {
            output = try output.transposed(1, 2).reshaped(spatialShape)
        }
        if residualConnection {
            return try LayerKernels.addResidual(output, hiddenStates, dividedBy: rescaleOutputFactor)
        }
        return rescaleOutputFactor == 1 ? output : output.map { $0 / rescaleOutputFactor }
    }

    /// A diffusers-style additive bias from a keep mask (B, S) of 1 (attend) / 0 (ignore):
    /// `(1 − mask) · −10000`, shaped (B, 1, S), as `UNet2DConditionModel` and `Transformer2DModel` build it.
    public static func additiveMask(keepMask: Tensor) throws(TensorError) -> Tensor {
        guard keepMask.rank == 2 else {
            throw .shapeMismatch(op: "attention_mask", shapes: [keepMask.shape], reason: "keep mask must be (B, S)")
        }
        return try keepMask.map { (1 - $0) * -10000.0 }.unsqueezed(1)
    }

    /// (B, S, heads·d) → (B, heads, S, d) (a view; SDPA reads its rows in place, heads·d floats apart).
    private func splitHeads(_ x: Tensor) throws(TensorError) -> Tensor {
        try x.reshaped([x.shape[0], x.shape[1], heads, headDim]).permuted([0, 2, 1, 3])
    }

    /// The processor's mask: (B, S) / (B, 1, S) / (B, L, S) → (B, 1, ·, S), broadcast over the heads.
    private func perHeadMask(_ bias: Tensor) throws(TensorError) -> Tensor {
        switch bias.rank {
        case 2: return try bias.reshaped([bias.shape[0], 1, 1, bias.shape[1]])
        case 3: return try bias.unsqueezed(1)
        case 4: return bias
        default:
            throw .shapeMismatch(op: "attention", shapes: [bias.shape], reason: "attention mask must be (B, S), (B, 1, S) or (B, L, S)")
        }
    }
}
