// Scaled dot-product attention (`torch.nn.functional.scaled_dot_product_attention`) computed in query tiles.
//
// For each (batch·head, block of query rows) the scores Q_blk·Kᵀ (rows × S), the mask, the row softmax and
// P·V are computed in a per-worker scratch buffer of `queryBlock × S` floats, so memory stays bounded at
// thousands of tokens (4096 tokens: 256 × 4096 × 4 B = 4 MiB per worker) instead of L × S per head.
// Short key sequences (cross-attention, 77 tokens) get taller tiles (up to 1024 rows) to amortise call overhead.

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

/// Tiling of the attention kernel.
public enum AttentionTiling {
    /// Largest scratch per worker, in bytes (query rows per tile are chosen to fit it).
    public static let scratchBytesPerWorker = 4 << 20

    /// Query rows per tile for `keys` keys.
    public static func queryBlock(keys: Int) -> Int {
        max(16, min(1024, scratchBytesPerWorker / (4 * max(keys, 1))))
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
        let q = query.contiguous(), k = key.contiguous(), v = value.contiguous()
        let result = Tensor(uninitializedShape: batchShape + [length, valueDepth])
        let block = AttentionTiling.queryBlock(keys: keys)
        let blocks = (length + block - 1) / block
        let qPointer = q.basePointer, kPointer = k.basePointer, vPointer = v.basePointer
        let output = result.storage.pointer
        let maskStrides = maskView?.strides ?? []
        let maskBase = maskView.map { $0.basePointer }
        let batchRank = batchShape.count

        func maskRowOffset(_ head: Int, _ row: Int) -> Int {
            var remainder = head, position = 0
            for dimension in stride(from: batchRank - 1, through: 0, by: -1) {
                position += (remainder % batchShape[dimension]) * maskStrides[dimension]
                remainder /= batchShape[dimension]
            }
            return position + row * maskStrides[batchRank]
        }

        func runTile(_ task: Int, scores: UnsafeMutablePointer<Float>) {
            let head = task / blocks, firstRow = (task % blocks) * block
            let rows = min(block, length - firstRow)
            // Causal: the last row of the tile sees keys 0…(firstRow + rows − 1).
            let columns = isCausal ? min(keys, firstRow + rows) : keys
            let out = output + (head * length + firstRow) * valueDepth
            guard columns > 0 else {
                out.update(repeating: 0, count: rows * valueDepth)
                return
            }
            BLAS.sgemm(transposeB: true, m: rows, n: columns, k: depth, alpha: factor,
                       a: qPointer + (head * length + firstRow) * depth, lda: depth,
                       b: kPointer + head * keys * depth, ldb: depth, c: scores, ldc: columns)
            for local in 0..<rows {
                let row = firstRow + local
                let line = scores + local * columns
                if isCausal {
                    let visible = min(row + 1, columns)
                    if visible < columns { (line + visible).update(repeating: -.infinity, count: columns - visible) }
                } else if let maskBase {
                    let maskRow = maskBase + maskRowOffset(head, row)
                    let columnStride = maskStrides[batchRank + 1]
                    if isBooleanMask {
                        for column in 0..<columns where maskRow[column * columnStride] == 0 { line[column] = -.infinity }
                    } else {
                        for column in 0..<columns { line[column] += maskRow[column * columnStride] }
                    }
                }
                Softmax.row(line, line, count: columns, fullyMaskedValue: 0)
            }
            BLAS.sgemm(m: rows, n: valueDepth, k: columns, a: scores, lda: columns,
                       b: vPointer + head * keys * valueDepth, ldb: valueDepth, c: out, ldc: valueDepth)
        }

        let tasks = batch * blocks
        let scratchCount = block * keys
        if tasks > 1 && ComputeThreads.count > 1 {
            ComputeThreads.withSingleThreadedBLAS {
                ParallelLoop.forEachChunk(tasks) { range in
                    let scratch = Tensor(uninitializedShape: [scratchCount])
                    withExtendedLifetime(scratch) {
                        for task in range { runTile(task, scores: scratch.storage.pointer) }
                    }
                }
            }
        } else {
            let scratch = Tensor(uninitializedShape: [scratchCount])
            withExtendedLifetime(scratch) {
                for task in 0..<tasks { runTile(task, scores: scratch.storage.pointer) }
            }
        }
        return result
    }
}
