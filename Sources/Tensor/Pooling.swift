// Pooling: torch.nn.functional.avg_pool2d and max_pool2d.

extension Tensor {
    /// PyTorch's `pooling_output_shape`.
    static func poolOutputSize(_ input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, ceilMode: Bool) -> Int {
        let numerator = input + 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)
        var size = Int((Double(numerator) / Double(stride)).rounded(.down)) + 1
        if ceilMode && (size - 1) * stride >= input + padding { size -= 1 }
        return size
    }

    static func checkPool(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), op: String) throws(TensorError) {
        guard x.rank == 4 else { throw .shapeMismatch(op: op, shapes: [x.shape], reason: "expected (N,C,H,W)") }
        guard kernel.0 > 0, kernel.1 > 0, stride.0 > 0, stride.1 > 0 else {
            throw .invalidArgument(op: op, reason: "kernel and stride must be positive")
        }
        guard padding.0 >= 0, padding.1 >= 0, padding.0 * 2 <= kernel.0, padding.1 * 2 <= kernel.1 else {
            throw .invalidArgument(op: op, reason: "padding must be at most half the kernel size")
        }
    }

    /// `F.avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)`;
    /// `stride = nil` means the kernel size.
    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          ceilMode: Bool = false, countIncludePad: Bool = true, divisorOverride: Int? = nil) throws(TensorError) -> Tensor {
        let step = stride ?? kernel
        try Tensor.checkPool(self, kernel: kernel, stride: step, padding: padding, op: "avg_pool2d")
        let (inH, inW) = (shape[2], shape[3])
        let outH = Tensor.poolOutputSize(inH, kernel: kernel.0, stride: step.0, padding: padding.0, dilation: 1, ceilMode: ceilMode)
        let outW = Tensor.poolOutputSize(inW, kernel: kernel.1, stride: step.1, padding: padding.1, dilation: 1, ceilMode: ceilMode)
        guard outH > 0, outW > 0 else { throw .shapeMismatch(op: "avg_pool2d", shapes: [shape], reason: "output would be empty") }
        let input = contiguous()
        let result = Tensor(uninitializedShape: [shape[0], shape[1], outH, outW])
        let source = input.basePointer, output = result.storage.pointer
        ParallelLoop.forEach(shape[0] * shape[1]) { plane in
            let from = source + plane * inH * inW, to = output + plane * outH * outW
            for oy in 0..<outH {
                for ox in 0..<outW {
                    var h0 = oy * step.0 - padding.0, w0 = ox * step.1 - padding.1
                    var h1 = min(h0 + kernel.0, inH + padding.0), w1 = min(w0 + kernel.1, inW + padding.1)
                    let poolSize = (h1 - h0) * (w1 - w0)
                    h0 = max(h0, 0); w0 = max(w0, 0); h1 = min(h1, inH); w1 = min(w1, inW)
                    var sum: Float = 0
                    if h0 < h1 && w0 < w1 {
                        for y in h0..<h1 { for x in w0..<w1 { sum += from[y * inW + x] } }
                    }
                    let divisor = divisorOverride ?? (countIncludePad ? poolSize : (h1 - h0) * (w1 - w0))
                    to[oy * outW + ox] = sum / Float(divisor)
                }
            }
        }
        return result
    }

    /// `F.max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode)`; NaN propagates as in PyTorch.
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          dilation: (Int, Int) = (1, 1), ceilMode: Bool = false) throws(TensorError) -> Tensor {
        let step = stride ?? kernel
        try Tensor.checkPool(self, kernel: kernel, stride: step, padding: padding, op: "max_pool2d")
        guard dilation.0 > 0, dilation.1 > 0 else { throw .invalidArgument(op: "max_pool2d", reason: "dilation must be positive") }
        let (inH, inW) = (shape[2], shape[3])
        let outH = Tensor.poolOutputSize(inH, kernel: kernel.0, stride: step.0, padding: padding.0, dilation: dilation.0, ceilMode: ceilMode)
        let outW = Tensor.poolOutputSize(inW, kernel: kernel.1, stride: step.1, padding: padding.1, dilation: dilation.1, ceilMode: ceilMode)
        guard outH > 0, outW > 0 else { throw .shapeMismatch(op: "max_pool2d", shapes: [shape], reason: "output would be empty") }
        let input = contiguous()
        let result = Tensor(uninitializedShape: [shape[0], shape[1], outH, outW])
        let source = input.basePointer, output = result.storage.pointer
        ParallelLoop.forEach(shape[0] * shape[1]) { plane in
            let from = source + plane * inH * inW, to = output + plane * outH * outW
            for oy in 0..<outH {
                for ox in 0..<outW {
                    var best = -Float.infinity
                    for ky in 0..<kernel.0 {
                        let y = oy * step.0 - padding.0 + ky * dilation.0
                        if y < 0 || y >= inH { continue }
                        for kx in 0..<kernel.1 {
                            let x = ox * step.1 - padding.1 + kx * dilation.1
                            if x < 0 || x >= inW { continue }
                            let value = from[y * inW + x]
                            if value > best || value.isNaN { best = value }
                            if best.isNaN { break }
                        }
                    }
                    to[oy * outW + ox] = best
                }
            }
        }
        return result
    }
}
