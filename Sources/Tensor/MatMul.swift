// Matrix products through `cblas_sgemm`: torch.matmul, torch.bmm, torch.nn.functional.linear.

import CBLAS

/// A matrix operand for sgemm: a pointer, whether it is transposed, and its leading dimension.
struct GEMMOperand {
    var pointer: UnsafePointer<Float>
    var transposed: Bool
    var leadingDimension: Int
}

/// Thin, row-major wrappers over `cblas_sgemm`.
public enum BLAS {
    /// `C = alpha·op(A)·op(B) + beta·C`, row-major; `A` is M×K (after `op`), `B` K×N, `C` M×N.
    @inlinable
    public static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        GEMMCounter.record(m: m, n: n, k: k)
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    static func gemm(_ a: GEMMOperand, _ b: GEMMOperand, m: Int, n: Int, k: Int, beta: Float = 0, alpha: Float = 1,
                     c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if beta == 0 { for row in 0..<m { (c + row * ldc).update(repeating: 0, count: n) } }
            return
        }
        sgemm(transposeA: a.transposed, transposeB: b.transposed, m: m, n: n, k: k, alpha: alpha,
              a: a.pointer, lda: a.leadingDimension, b: b.pointer, ldb: b.leadingDimension, beta: beta, c: c, ldc: ldc)
    }

    /// Problems smaller than this (M·N·K) run one per thread rather than threading one GEMM.
    static let smallGEMMWork = 1 << 22

    /// Linear layers over fewer rows than this split their output columns into ``columnBands`` bands.
    static let fewRows = 512

    /// Column bands of a few-row linear layer: the workers share them out (2 each at 2 threads).
    static let columnBands = 4
}

extension Tensor {
    /// Describes the last two dimensions as an sgemm operand, or `nil` when neither is unit-stride.
    func matrixOperand(at baseOffset: Int) -> GEMMOperand? {
        let rows = shape[rank - 2], columns = shape[rank - 1]
        let rowStride = strides[rank - 2], columnStride = strides[rank - 1]
        let pointer = UnsafePointer(storage.pointer + baseOffset)
        if columnStride == 1 || columns == 1 {
            let ld = max(rows == 1 ? columns : rowStride, columns, 1)
            if rows == 1 || rowStride >= columns { return GEMMOperand(pointer: pointer, transposed: false, leadingDimension: ld) }
        }
        if rowStride == 1 || rows == 1 {
            let ld = max(columns == 1 ? rows : columnStride, rows, 1)
            if columns == 1 || columnStride >= rows { return GEMMOperand(pointer: pointer, transposed: true, leadingDimension: ld) }
        }
        return nil
    }

    /// `torch.matmul(a, b)`: 1-D/2-D products and batched products with broadcast batch dimensions.
    public static func matmul(_ a: Tensor, _ b: Tensor) throws(TensorError) -> Tensor {
        guard a.rank >= 1, b.rank >= 1 else {
            throw .invalidArgument(op: "matmul", reason: "both arguments need at least one dimension, got \(a.shape) and \(b.shape)")
        }
        // Promote vectors like PyTorch and drop the added dimension at the end.
        let left = a.rank == 1 ? try a.unsqueezed(0) : a
        let right = b.rank == 1 ? try b.unsqueezed(1) : b
        let m = left.shape[left.rank - 2], k = left.shape[left.rank - 1]
        let n = right.shape[right.rank - 1]
        guard right.shape[right.rank - 2] == k else {
            throw .shapeMismatch(op: "matmul", shapes: [a.shape, b.shape], reason: "inner dimensions \(k) and \(right.shape[right.rank - 2]) differ")
        }
        var result: Tensor
        if right.rank == 2 && left.rank > 2 {
            // Fold the batch into M: one large GEMM.
            let folded = try left.contiguous().reshaped([-1, k])
            result = try product2D(folded, right)
            result = try result.reshaped(Array(left.shape.dropLast()) + [n])
        } else {
            let batchShape = try broadcastShape(Array(left.shape.dropLast(2)), Array(right.shape.dropLast(2)), op: "matmul")
            let l = try left.expanded(to: batchShape + [m, k])
            let r = try right.expanded(to: batchShape + [k, n])
            result = try batchedProduct(l, r, batchShape: batchShape)
        }
        if a.rank == 1 { result = try result.squeezed(-2) }
        if b.rank == 1 { result = try result.squeezed(-1) }
        return result
    }

    /// `torch.bmm`: (B, M, K) × (B, K, N) → (B, M, N).
    public static func bmm(_ a: Tensor, _ b: Tensor) throws(TensorError) -> Tensor {
        guard a.rank == 3, b.rank == 3, a.shape[0] == b.shape[0], a.shape[2] == b.shape[1] else {
            throw .shapeMismatch(op: "bmm", shapes: [a.shape, b.shape], reason: "expected (B,M,K) and (B,K,N)")
        }
        return try batchedProduct(a, b, batchShape: [a.shape[0]])
    }

    static func product2D(_ a: Tensor, _ b: Tensor) throws(TensorError) -> Tensor {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        let result = Tensor(uninitializedShape: [m, n])
        let left = a.matrixOperand(at: a.offset) == nil ? a.contiguous() : a
        let right = b.matrixOperand(at: b.offset) == nil ? b.contiguous() : b
        BLAS.gemm(left.matrixOperand(at: left.offset)!, right.matrixOperand(at: right.offset)!, m: m, n: n, k: k,
                  c: result.storage.pointer, ldc: n)
        return result
    }

    /// Batched GEMM over broadcast batch dimensions (both operands already expanded to `batch + [.,.]`).
    static func batchedProduct(_ a: Tensor, _ b: Tensor, batchShape: [Int]) throws(TensorError) -> Tensor {
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
        let batch = batchShape.reduce(1, *)
        let result = Tensor(uninitializedShape: batchShape + [m, n])
        let left = a.matrixOperand(at: a.offset) == nil ? a.contiguous() : a
        let right = b.matrixOperand(at: b.offset) == nil ? b.contiguous() : b
        let batchRank = batchShape.count
        func offset(_ tensor: Tensor, _ index: Int) -> Int {
            var remainder = index, position = tensor.offset
            for dimension in stride(from: batchRank - 1, through: 0, by: -1) {
                position += (remainder % batchShape[dimension]) * tensor.strides[dimension]
                remainder /= batchShape[dimension]
            }
            return position
        }
        let output = result.storage.pointer
        let work = { (index: Int) in
            BLAS.gemm(left.matrixOperand(at: offset(left, index))!, right.matrixOperand(at: offset(right, index))!,
                      m: m, n: n, k: k, c: output + index * m * n, ldc: n)
        }
        if batch > 1 && ComputeThreads.count > 1 && m * n * k < BLAS.smallGEMMWork {
            ComputeThreads.withSingleThreadedBLAS { ParallelLoop.forEach(batch, work) }
        } else {
            for index in 0..<batch { work(index) }
        }
        return result
    }

    /// `torch.nn.functional.linear(x, weight, bias)`: `x·weightᵀ + bias`, `x` of shape (…, in), `weight` (out, in).
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws(TensorError) -> Tensor {
        guard weight.rank == 2, x.rank >= 1, x.shape[x.rank - 1] == weight.shape[1] else {
            throw .shapeMismatch(op: "linear", shapes: [x.shape, weight.shape], reason: "expected x (…, in) and weight (out, in)")
        }
        let outFeatures = weight.shape[0], inFeatures = weight.shape[1]
        if let bias, bias.shape != [outFeatures] {
            throw .shapeMismatch(op: "linear", shapes: [weight.shape, bias.shape], reason: "bias must be (out)")
        }
        let rows = x.elementCount / max(inFeatures, 1)
        let input = x.contiguous()
        let w = weight.matrixOperand(at: weight.offset) == nil ? weight.contiguous() : weight
        let result = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [outFeatures])
        let output = result.storage.pointer
        var beta: Float = 0
        if let bias {
            let b = bias.contiguous().basePointer
            for row in 0..<rows { (output + row * outFeatures).update(from: b, count: outFeatures) }
            beta = 1
        }
        var weightOperand = w.matrixOperand(at: w.offset)!
        weightOperand.transposed.toggle()  // need weightᵀ (in × out)
        let inputOperand = GEMMOperand(pointer: input.basePointer, transposed: false, leadingDimension: max(inFeatures, 1))
        if rows < BLAS.fewRows && outFeatures >= BLAS.columnBands * 64 {
            // Few rows (a text encoder's 2 × 77 tokens): OpenBLAS's own threading synchronises more than it
            // computes here, so the output columns are cut into a fixed number of bands (multiples of 16 wide),
            // spread over the workers, each one single-threaded GEMM. The cut does not depend on the thread
            // count, so neither does the result (OpenBLAS picks its kernel by problem size). SD-1.5's text
            // encoder at 2 threads: 0.23 s instead of 0.28, CPU 0.42 s instead of 0.55 (BENCHMARKS.md, session 6).
            let bands = BLAS.columnBands
            ComputeThreads.withSingleThreadedBLAS {
                ParallelLoop.forEach(bands) { band in
                    let first = outFeatures * band / bands / 16 * 16
                    let last = band == bands - 1 ? outFeatures : outFeatures * (band + 1) / bands / 16 * 16
                    var columns = weightOperand
                    columns.pointer += first * (columns.transposed ? columns.leadingDimension : 1)
                    BLAS.gemm(inputOperand, columns, m: rows, n: last - first, k: inFeatures, beta: beta,
                              c: output + first, ldc: outFeatures)
                }
            }
            return result
        }
        BLAS.gemm(inputOperand, weightOperand, m: rows, n: outFeatures, k: inFeatures, beta: beta, c: output, ldc: outFeatures)
        return result
    }
}
