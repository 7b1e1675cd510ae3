// Resampling: torch.nn.functional.interpolate (nearest, bilinear with align_corners both ways).

import Foundation

extension Tensor {
    /// Output size and the source-per-destination scale PyTorch uses for one axis.
    static func resizeAxis(input: Int, size: Int?, scaleFactor: Double?, op: String) throws(TensorError) -> (Int, Float?) {
        if let size {
            guard size > 0 else { throw .invalidArgument(op: op, reason: "output size must be positive") }
            return (size, nil)
        }
        guard let scaleFactor, scaleFactor > 0 else { throw .invalidArgument(op: op, reason: "give an output size or a positive scale factor") }
        // PyTorch: output = floor(input · scale_factor); the given scale is then used directly.
        return (Int((Double(input) * scaleFactor).rounded(.down)), Float(1 / scaleFactor))
    }

    /// `F.interpolate(x, size=…/scale_factor=…, mode="nearest")` on (N, C, H, W): `src = min(floor(dst·scale), in−1)`.
    public func upsampleNearest(size: (Int, Int)? = nil, scaleFactor: (Double, Double)? = nil) throws(TensorError) -> Tensor {
        guard rank == 4 else { throw .shapeMismatch(op: "upsample_nearest2d", shapes: [shape], reason: "expected (N,C,H,W)") }
        let (inH, inW) = (shape[2], shape[3])
        let (outH, givenH) = try Tensor.resizeAxis(input: inH, size: size?.0, scaleFactor: scaleFactor?.0, op: "upsample_nearest2d")
        let (outW, givenW) = try Tensor.resizeAxis(input: inW, size: size?.1, scaleFactor: scaleFactor?.1, op: "upsample_nearest2d")
        let scaleH = givenH ?? Float(inH) / Float(outH), scaleW = givenW ?? Float(inW) / Float(outW)
        let rowsIndex = (0..<outH).map { min(Int(floorf(Float($0) * scaleH)), inH - 1) }
        let columnsIndex = (0..<outW).map { min(Int(floorf(Float($0) * scaleW)), inW - 1) }
        let input = contiguous()
        let result = Tensor(uninitializedShape: [shape[0], shape[1], outH, outW])
        let source = input.basePointer, output = result.storage.pointer
        ParallelLoop.forEach(shape[0] * shape[1]) { plane in
            let from = source + plane * inH * inW, to = output + plane * outH * outW
            for oy in 0..<outH {
                let line = from + rowsIndex[oy] * inW, out = to + oy * outW
                for ox in 0..<outW { out[ox] = line[columnsIndex[ox]] }
            }
        }
        return result
    }

    /// `F.interpolate(x, size=…/scale_factor=…, mode="bilinear", align_corners=…)` on (N, C, H, W).
    public func upsampleBilinear(size: (Int, Int)? = nil, scaleFactor: (Double, Double)? = nil, alignCorners: Bool) throws(TensorError) -> Tensor {
        guard rank == 4 else { throw .shapeMismatch(op: "upsample_bilinear2d", shapes: [shape], reason: "expected (N,C,H,W)") }
        let (inH, inW) = (shape[2], shape[3])
        let (outH, givenH) = try Tensor.resizeAxis(input: inH, size: size?.0, scaleFactor: scaleFactor?.0, op: "upsample_bilinear2d")
        let (outW, givenW) = try Tensor.resizeAxis(input: inW, size: size?.1, scaleFactor: scaleFactor?.1, op: "upsample_bilinear2d")
        // area_pixel_compute_source_index (non-cubic): indices, neighbours and weights per axis.
        func axis(_ inSize: Int, _ outSize: Int, _ given: Float?) -> [(Int, Int, Float)] {
            let scale: Float
            if alignCorners {
                scale = outSize > 1 ? Float(inSize - 1) / Float(outSize - 1) : 0
            } else {
                scale = given ?? Float(inSize) / Float(outSize)
            }
            return (0..<outSize).map { dst in
                let source = alignCorners ? scale * Float(dst) : max(scale * (Float(dst) + 0.5) - 0.5, 0)
                let low = min(Int(source), inSize - 1)
                let high = low + (low < inSize - 1 ? 1 : 0)
                return (low, high, source - Float(low))
            }
        }
        let rowsAxis = axis(inH, outH, givenH), columnsAxis = axis(inW, outW, givenW)
        let input = contiguous()
        let result = Tensor(uninitializedShape: [shape[0], shape[1], outH, outW])
        let source = input.basePointer, output = result.storage.pointer
        ParallelLoop.forEach(shape[0] * shape[1]) { plane in
            let from = source + plane * inH * inW, to = output + plane * outH * outW
            for oy in 0..<outH {
                let (y0, y1, ly) = rowsAxis[oy]
                let top = from + y0 * inW, bottom = from + y1 * inW, out = to + oy * outW
                let hy = 1 - ly
                for ox in 0..<outW {
                    let (x0, x1, lx) = columnsAxis[ox]
                    let hx = 1 - lx
                    out[ox] = hy * (hx * top[x0] + lx * top[x1]) + ly * (hx * bottom[x0] + lx * bottom[x1])
                }
            }
        }
        return result
    }
}
