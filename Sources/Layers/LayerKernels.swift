// Small fused element-wise kernels the layers need that the Tensor module does not offer as one op.
// Each writes a fresh contiguous result (or updates a uniquely owned one) in one parallel pass.

import Foundation
import Tensor

enum LayerKernels {
    /// `x + values[:, :, None, None]` in place: `values` (N, C) added to every pixel of plane (n, c) of `x` (N, C, H, W).
    static func addPerChannel(_ x: inout Tensor, _ values: Tensor) throws(TensorError) {
        guard x.rank == 4, values.shape == [x.shape[0], x.shape[1]] else {
            throw .shapeMismatch(op: "add_per_channel", shapes: [x.shape, values.shape], reason: "expected (N,C,H,W) and (N,C)")
        }
        let plane = x.shape[2] * x.shape[3]
        let table = values.contiguous()
        let add = table.basePointer
        x.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            ParallelLoop.forEach(table.elementCount, minimumPerChunk: max(1, 16384 / max(plane, 1))) { index in
                let value = add[index]
                let start = base + index * plane
                for offset in 0..<plane { start[offset] += value }
            }
        }
    }

    /// `x · (1 + scale[:, :, None, None]) + shift[:, :, None, None]` (diffusers' `scale_shift`
    /// time-embedding norm). `scale`, `shift` are (N, C).
    static func scaleShiftPerChannel(_ x: Tensor, scale: Tensor, shift: Tensor) throws(TensorError) -> Tensor {
        guard x.rank == 4, scale.shape == [x.shape[0], x.shape[1]], shift.shape == scale.shape else {
            throw .shapeMismatch(op: "scale_shift", shapes: [x.shape, scale.shape, shift.shape], reason: "expected (N,C,H,W), (N,C), (N,C)")
        }
        let plane = x.shape[2] * x.shape[3]
        let input = x.contiguous(), scales = scale.contiguous(), shifts = shift.contiguous()
        let result = Tensor(uninitializedShape: x.shape)
        let source = input.basePointer, output = result.storage.pointer
        let s = scales.basePointer, t = shifts.basePointer
        ParallelLoop.forEach(scales.elementCount, minimumPerChunk: max(1, 16384 / max(plane, 1))) { index in
            let factor = 1 + s[index], offset = t[index]
            let from = source + index * plane, to = output + index * plane
            for position in 0..<plane { to[position] = from[position] * factor + offset }
        }
        return result
    }

    /// `F.pad(x, (0, right, 0, bottom))` with zeros on (N, C, H, W).
    static func padBottomRight(_ x: Tensor, right: Int, bottom: Int) throws(TensorError) -> Tensor {
        guard x.rank == 4 else { throw .shapeMismatch(op: "pad", shapes: [x.shape], reason: "expected (N,C,H,W)") }
        let (height, width) = (x.shape[2], x.shape[3])
        let (outH, outW) = (height + bottom, width + right)
        let input = x.contiguous()
        let result = Tensor(uninitializedShape: [x.shape[0], x.shape[1], outH, outW])
        let source = input.basePointer, output = result.storage.pointer
        ParallelLoop.forEach(x.shape[0] * x.shape[1], minimumPerChunk: max(1, 16384 / max(outH * outW, 1))) { plane in
            let from = source + plane * height * width, to = output + plane * outH * outW
            for row in 0..<height {
                (to + row * outW).update(from: from + row * width, count: width)
                (to + row * outW + width).update(repeating: 0, count: right)
            }
            (to + height * outW).update(repeating: 0, count: bottom * outW)
        }
        return result
    }

    /// `(x + residual) / divisor`, reusing `x`'s storage when it is uniquely owned.
    static func addResidual(_ x: Tensor, _ residual: Tensor, dividedBy divisor: Float = 1) throws(TensorError) -> Tensor {
        var sum = x
        try sum.add(residual)
        return divisor == 1 ? sum : sum.map { $0 / divisor }
    }
}
