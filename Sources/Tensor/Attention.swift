// Scaled dot-product attention (`torch.nn.functional.scaled_dot_product_attention`), flash-attention style.
//
// Each parallel task is one (batch·head, block of 128 query rows); the C kernel `tk_attention_rows` walks the
// keys in blocks of 256 (fewer for heads wider than 128) with an online softmax (FlashAttention, Dao et al.
// 2022, Algorithm 1), computing Q·Kᵀ and P·V in its own register-blocked AVX-512/AVX2 code. The L × S score
// matrix never exists: scratch is one 256 × 32 score tile plus the per-row state, 73 KiB per worker at head
// dim 40, whatever the length. Q, K and V are read through their row strides (head-split views are not copied).
//
// Why not OpenBLAS: with head dim 40 the Q·Kᵀ GEMM has K = 40 and P·V has N = 40, shapes where sgemm's
// packing and C write-back dominate; the previous kernel (256 query rows × all keys through two sgemm
// calls and a row softmax, 4 MiB scratch) ran at ~0.6× PyTorch at 4096 tokens. See BENCHMARKS.md.

import CTensorKernels

/// An attention mask broadcastable to (…, L, S), as accepted by PyTorch's SDPA.
public enum AttentionMask: Sendable {
    /// `True` (non-zero) = take part in attention; `False` (zero) = masked out (boolean `attn_mask`).
    case boolean(Tensor)
    /// Added to the scaled scores before the softmax (float `attn_mask`, e.g. `-inf` to mask).
    case additive(Tensor)

    var tensor: Tensor {
        switch self {
        case let .boolean(tensor), let .additive(tensor): return tensor
        }
    }
}

/// Tiling of the fused attention kernel (`tk_attention_rows` in CTensorKernels).
public enum AttentionTiling {
    /// Query rows per kernel call (one parallel task): 4 tiles of 32 rows share each key block.
    public static var queryBlock: Int { tk_attention_max_rows() }

    /// Scratch floats per worker: one 256-key × 32-row score tile and, per 32-row tile, Qᵀ, the
    /// accumulator Oᵀ and the running max and sum. Independent of the number of keys.
    public static func scratchFloats(depth: Int, valueDepth: Int) -> Int {
        tk_attention_scratch_count(depth, valueDepth)
    }
}

extension Tensor {
    /// `F.scaled_dot_product_attention(query, key, value, attn_mask, is_causal=…, scale=…)`.
    ///
    /// - Parameters:
    ///   - query: (…, L, E); `key`: (…, S, E); `value`: (…, S, Ev) with equal leading dimensions.
    ///   - mask: boolean or additive, broadcastable to (…, L, S); not allowed together with `isCausal`.
    ///   - isCausal: query `i` attends keys `j ≤ i` (PyTorch's top-left aligned lower triangle).
    ///   - scale: defaults to `1/√E`.
    /// - Returns: (…, L, Ev). Rows whose keys are all masked are 0, as PyTorch 2.5+ returns (`_safe_softmax`).
    public static func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask? = nil,
                                                 isCausal: Bool = false, scale: Float? = nil) throws(TensorError) -> Tensor {
        let op = "scaled_dot_product_attention"
        guard query.rank >= 2, key.rank == query.rank, value.rank == query.rank,
              query.shape.dropLast(2) == key.shape.dropLast(2), key.shape.dropLast(2) == value.shape.dropLast(2) else {
            throw .shapeMismatch(op: op, shapes: [query.shape, key.shape, value.shape], reason: "expected (…,L,E), (…,S,E), (…,S,Ev) with equal batch dimensions")
        }
        let length = query.shape[query.rank - 2], depth = query.shape[query.rank - 1]
        let keys = key.shape[key.rank - 2], valueDepth = value.shape[value.rank - 1]
        guard key.shape[key.rank - 1] == depth, value.shape[value.rank - 2] == keys else {
            throw .shapeMismatch(op: op, shapes: [query.shape, key.shape, value.shape], reason: "key depth or value length differs")
        }
        if isCausal && mask != nil {
            throw .invalidArgument(op: op, reason: "attn_mask and is_causal cannot both be set")
        }
        let batchShape = Array(query.shape.dropLast(2))
        let batch = batchShape.reduce(1, *)
        var maskView: Tensor?
        if let mask {
            do {
                maskView = try mask.tensor.expanded(to: batchShape + [length, keys])
            } catch {
                throw .notBroadcastable(op: op, shapes: [mask.tensor.shape, batchShape + [length, keys]])
            }
        }
        let isBooleanMask: Bool
        if case .boolean = mask { isBooleanMask = true } else { isBooleanMask = false }
        let factor = scale ?? 1 / Float(depth).squareRoot()
        // The kernel takes rows `stride` floats apart, so the head-split views that attention layers pass
        // ((B, L, heads, d) permuted to (B, heads, L, d)) are read in place; other layouts are copied.
        func rowMajor(_ tensor: Tensor) -> Tensor { tensor.strides[tensor.rank - 1] == 1 ? tensor : tensor.contiguous() }
        let q = rowMajor(query), k = rowMajor(key), v = rowMajor(value)
        let result = Tensor(uninitializedShape: batchShape + [length, valueDepth])
        let block = AttentionTiling.queryBlock
        let blocks = (length + block - 1) / block
        let output = result.storage.pointer
        let maskStrides = maskView?.strides ?? []
        let maskBase = maskView.map { $0.basePointer }
        let batchRank = batchShape.count

        /// Offset of batch item `index` (row-major over `batchShape`) under `strides`.
        func batchOffset(_ index: Int, _ strides: [Int]) -> Int {
            var remainder = index, position = 0
            for dimension in stride(from: batchRank - 1, through: 0, by: -1) {
                position += (remainder % batchShape[dimension]) * strides[dimension]
                remainder /= batchShape[dimension]
            }
            return position
        }

        func runBlock(_ task: Int, scratch: UnsafeMutablePointer<Float>) {
            let head = task / blocks, firstRow = (task % blocks) * block
            let rows = min(block, length - firstRow)
            let qRowStride = q.strides[batchRank], kRowStride = k.strides[batchRank], vRowStride = v.strides[batchRank]
            tk_attention_rows(q.basePointer + batchOffset(head, q.strides) + firstRow * qRowStride, qRowStride, rows,
                              k.basePointer + batchOffset(head, k.strides), kRowStride,
                              v.basePointer + batchOffset(head, v.strides), vRowStride, keys, depth, valueDepth, factor,
                              maskBase.map { $0 + batchOffset(head, maskStrides) + firstRow * maskStrides[batchRank] },
                              maskBase == nil ? 0 : maskStrides[batchRank], maskBase == nil ? 0 : maskStrides[batchRank + 1],
                              isBooleanMask ? 1 : 0, isCausal ? firstRow : -1,
                              output + (head * length + firstRow) * valueDepth, valueDepth, scratch)
        }

        let tasks = batch * blocks
        // The fused kernel does the two products of attention without BLAS; count them as the GEMMs they replace
        // (scores L×S×E and values L×Ev×S per batch item) so benchmark GFLOPS stay comparable.
        GEMMCounter.record(m: batch * length, n: keys, k: depth)
        GEMMCounter.record(m: batch * length, n: valueDepth, k: keys)
        let scratchCount = AttentionTiling.scratchFloats(depth: depth, valueDepth: valueDepth)
        // The kernel makes no BLAS calls; one worker per core, each with its own (small) scratch.
        ParallelLoop.forEachChunk(tasks) { range in
            let scratch = Tensor(uninitializedShape: [scratchCount])
            withExtendedLifetime(scratch) {
                for task in range { runBlock(task, scratch: scratch.storage.pointer) }
            }
        }
        return result
    }
}
