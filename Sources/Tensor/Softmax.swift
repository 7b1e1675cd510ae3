// Numerically stable softmax (`torch.softmax`). (Attention has its own fused online softmax: attention_body.h.)

import CTensorKernels
import Foundation

extension Tensor {
    /// `torch.softmax(x, dim)`, numerically stable (subtracts the row maximum).
    public func softmax(dimension: Int = -1) throws(TensorError) -> Tensor {
        let axis = try normalizedDimension(dimension, op: "softmax")
        let input = contiguous()
        let result = Tensor(uninitializedShape: shape)
        guard elementCount > 0 else { return result }
        let size = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        let outer = elementCount / (size * inner)
        let source = input.basePointer, output = result.storage.pointer
        ParallelLoop.forEach(outer * inner, minimumPerChunk: max(1, 4096 / max(size, 1))) { task in
            let o = task / inner, i = task % inner
            let base = o * size * inner + i
            Softmax.row(source + base, output + base, count: size, stride: inner)
        }
        return result
    }
}

/// Row softmax kernels.
enum Softmax {
    /// Stable softmax of `count` values spaced `stride` apart, written to `output` with the same spacing.
    @inline(__always)
    /// A row that is entirely `-inf` becomes `fullyMaskedValue` (NaN for `torch.softmax`, 0 inside SDPA).
    static func row(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int, stride: Int = 1,
                    fullyMaskedValue: Float = .nan) {
        if stride == 1 {
            tk_softmax_row(input, output, count, fullyMaskedValue)
        } else {
            stridedRow(input, output, count: count, stride: stride, fullyMaskedValue: fullyMaskedValue)
        }
    }

    static func stridedRow(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int, stride: Int,
                           fullyMaskedValue: Float) {
        var maximum = -Float.infinity
        for index in 0..<count { maximum = max(maximum, input[index * stride]) }
        if maximum == -.infinity {
            for index in 0..<count { output[index * stride] = fullyMaskedValue }
            return
        }
        var sum: Float = 0
        for index in 0..<count {
            let value = expf(input[index * stride] - maximum)
            output[index * stride] = value
            sum += value
        }
        let inverse = 1 / sum
        for index in 0..<count { output[index * stride] *= inverse }
    }
}
