// 2-D convolution (`torch.nn.functional.conv2d`) as GEMM: 1×1 directly, k×k through im2col + sgemm.

/// Geometry of a 2-D convolution or pooling window (PyTorch argument order: (height, width)).
public struct Conv2DParameters: Sendable, Equatable {
    public var stride: (Int, Int)
    public var padding: (Int, Int)
    public var dilation: (Int, Int)
    public var groups: Int

    public init(stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int) = (1, 1), groups: Int = 1) {
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    /// Square stride/padding/dilation.
    public init(stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) {
        self.init(stride: (stride, stride), padding: (padding, padding), dilation: (dilation, dilation), groups: groups)
    }

    public static func == (l: Conv2DParameters, r: Conv2DParameters) -> Bool {
        l.stride == r.stride && l.padding == r.padding && l.dilation == r.dilation && l.groups == r.groups
    }
}

extension Tensor {
    /// `torch.nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups)`.
    ///
    /// - Parameters:
    ///   - input: (N, C, H, W).
    ///   - weight: (O, C/groups, kH, kW).
    ///   - bias: (O) or `nil`.
    public static func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil,
                              parameters p: Conv2DParameters = Conv2DParameters()) throws(TensorError) -> Tensor {
        guard input.rank == 4, weight.rank == 4 else {
            throw .shapeMismatch(op: "conv2d", shapes: [input.shape, weight.shape], reason: "expected 4-D input and weight")
        }
        let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (outChannels, groupChannels, kernelH, kernelW) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        let groups = p.groups
        guard groups >= 1, channels == groupChannels * groups, outChannels % groups == 0 else {
            throw .shapeMismatch(op: "conv2d", shapes: [input.shape, weight.shape], reason: "channels do not match groups=\(groups)")
        }
        guard p.stride.0 > 0, p.stride.1 > 0, p.dilation.0 > 0, p.dilation.1 > 0, p.padding.0 >= 0, p.padding.1 >= 0 else {
            throw .invalidArgument(op: "conv2d", reason: "stride and dilation must be positive, padding non-negative")
        }
        if let bias, bias.shape != [outChannels] {
            throw .shapeMismatch(op: "conv2d", shapes: [weight.shape, bias.shape], reason: "bias must be (out_channels)")
        }
        let outH = (height + 2 * p.padding.0 - p.dilation.0 * (kernelH - 1) - 1) / p.stride.0 + 1
        let outW = (width + 2 * p.padding.1 - p.dilation.1 * (kernelW - 1) - 1) / p.stride.1 + 1
        guard outH > 0, outW > 0 else {
            throw .shapeMismatch(op: "conv2d", shapes: [input.shape, weight.shape], reason: "kernel larger than padded input")
        }
        let x = input.contiguous()
        let w = weight.contiguous()
        let result = Tensor(uninitializedShape: [batch, outChannels, outH, outW])
        let pixels = outH * outW
        let groupOut = outChannels / groups
        let kDim = groupChannels * kernelH * kernelW
        let isPointwise = kernelH == 1 && kernelW == 1 && p.stride == (1, 1) && p.padding == (0, 0)
        let inputPointer = x.basePointer, weightPointer = w.basePointer, output = result.storage.pointer
        let biasTensor = bias?.contiguous()
        let biasPointer = biasTensor?.basePointer
        let geometry = Im2Col(channels: groupChannels, height: height, width: width, kernelH: kernelH, kernelW: kernelW,
                              parameters: p, outH: outH, outW: outW)

        // One (image, group) GEMM: out (groupOut × pixels) = W_g (groupOut × kDim) · cols (kDim × pixels), in bands of
        // output rows when the unfolded input would exceed the scratch budget (one GEMM per band, N = band pixels).
        let rowsPerBand = isPointwise ? outH : Im2Col.rowsPerBand(kDim: kDim, outH: outH, outW: outW)
        func runTask(_ task: Int, scratch: UnsafeMutablePointer<Float>?, parallelIm2Col: Bool) {
            let image = task / groups, group = task % groups
            let source = inputPointer + (image * channels + group * groupChannels) * height * width
            let destination = output + (image * outChannels + group * groupOut) * pixels
            var beta: Float = 0
            if let biasPointer {
                for channel in 0..<groupOut {
                    (destination + channel * pixels).update(repeating: biasPointer[group * groupOut + channel], count: pixels)
                }
                beta = 1
            }
            if isPointwise {
                BLAS.sgemm(m: groupOut, n: pixels, k: kDim, a: weightPointer + group * groupOut * kDim, lda: kDim,
                           b: source, ldb: pixels, beta: beta, c: destination, ldc: pixels)
                return
            }
            // Callers allocate the scratch exactly when the convolution is not pointwise.
            guard let scratch else { return }
            for firstRow in stride(from: 0, to: outH, by: rowsPerBand) {
                let band = firstRow..<min(outH, firstRow + rowsPerBand)
                let bandPixels = band.count * outW
                geometry.fill(source, into: scratch, outputRows: band, parallel: parallelIm2Col)
                BLAS.sgemm(m: groupOut, n: bandPixels, k: kDim, a: weightPointer + group * groupOut * kDim, lda: kDim,
                           b: scratch, ldb: bandPixels, beta: beta, c: destination + firstRow * outW, ldc: pixels)
            }
        }

        let tasks = batch * groups
        let smallProblem = groupOut * pixels * kDim < BLAS.smallGEMMWork
        if tasks > 1 && ComputeThreads.count > 1 && smallProblem {
            // Many small GEMMs: one per thread, each with single-threaded BLAS and its own im2col buffer.
            ComputeThreads.withSingleThreadedBLAS {
                ParallelLoop.forEachChunk(tasks) { range in
                    let scratch = isPointwise ? nil : Tensor(uninitializedShape: [kDim * rowsPerBand * outW])
                    for task in range { runTask(task, scratch: scratch?.storage.pointer, parallelIm2Col: false) }
                    withExtendedLifetime(scratch) {}
                }
            }
        } else {
            let scratch = isPointwise ? nil : Tensor(uninitializedShape: [kDim * rowsPerBand * outW])
            for task in 0..<tasks { runTask(task, scratch: scratch?.storage.pointer, parallelIm2Col: true) }
            withExtendedLifetime(scratch) {}
        }
        return result
    }
}

/// The im2col unfolding of one image group: row (c, ki, kj), column (oy, ox), zero where the window leaves the input.
struct Im2Col {
    let channels, height, width, kernelH, kernelW: Int
    let parameters: Conv2DParameters
    let outH, outW: Int

    /// Largest unfolded band, in floats (64 MiB). Every SD UNet convolution at 64×64 latents fits in one band; the
    /// VAE decoder's full-resolution convolutions (e.g. 256 channels at 512×512: 2.4 GB unfolded) are split into
    /// bands of output rows, which bounds the scratch memory without changing any output value.
    static let scratchBudget = 16 << 20

    /// Output rows per band so that `kDim × rows × outW` floats fit the budget (at least one row).
    static func rowsPerBand(kDim: Int, outH: Int, outW: Int) -> Int {
        let fitting = max(1, scratchBudget / max(1, kDim * outW))
        if fitting >= outH { return max(1, outH) }
        // Equal bands, none above `fitting` rows.
        let bands = (outH + fitting - 1) / fitting
        return (outH + bands - 1) / bands
    }

    /// Unfolds output rows `outputRows` (all rows by default) into a (channels·kH·kW) × (rows·outW) matrix.
    func fill(_ source: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, outputRows: Range<Int>? = nil,
              parallel: Bool) {
        let rows = channels * kernelH * kernelW
        let band = outputRows ?? 0..<outH
        let pixels = band.count * outW
        let (strideH, strideW) = parameters.stride
        let (padH, padW) = parameters.padding
        let (dilationH, dilationW) = parameters.dilation
        let body = { (range: Range<Int>) in
            for row in range {
                let channel = row / (kernelH * kernelW)
                let ki = (row / kernelW) % kernelH
                let kj = row % kernelW
                let plane = source + channel * height * width
                let destinationRow = columns + row * pixels
                // Output columns ox whose input column ix = ox·s − p + kj·d lies inside [0, width).
                let offsetW = kj * dilationW - padW
                let firstX = offsetW >= 0 ? 0 : min(outW, (-offsetW + strideW - 1) / strideW)
                let lastX = max(firstX, min(outW, (width - offsetW + strideW - 1) / strideW))
                for oy in band {
                    let iy = oy * strideH - padH + ki * dilationH
                    let out = destinationRow + (oy - band.lowerBound) * outW
                    if iy < 0 || iy >= height {
                        out.update(repeating: 0, count: outW)
                        continue
                    }
                    let line = plane + iy * width + offsetW
                    if firstX > 0 { out.update(repeating: 0, count: firstX) }
                    if strideW == 1 {
                        (out + firstX).update(from: line + firstX, count: lastX - firstX)
                    } else {
                        for ox in firstX..<lastX { out[ox] = line[ox * strideW] }
                    }
                    if lastX < outW { (out + lastX).update(repeating: 0, count: outW - lastX) }
                }
            }
        }
        if parallel {
            ParallelLoop.forEachChunk(rows, minimumPerChunk: max(1, 8192 / max(pixels, 1)), body)
        } else {
            body(0..<rows)
        }
    }
}
