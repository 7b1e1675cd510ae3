// Normalisation layers: torch.nn.functional.group_norm, layer_norm, rms_norm.
// Statistics use biased variance, accumulated in Double lanes (CTensorKernels `tk_mean_var`); PyTorch uses
// float Welford/pairwise sums, and Double keeps us well inside the parity tolerance.

import CTensorKernels
import Foundation

extension Tensor {
    /// `torch.nn.functional.group_norm(x, num_groups, weight, bias, eps)`, optionally followed by SiLU
    /// in the same pass (the ResNet-block pattern `silu(group_norm(x))`).
    ///
    /// - Parameter x: (N, C, *) with `C` divisible by `groups`; `weight`/`bias` are (C) or `nil`.
    public static func groupNorm(_ x: Tensor, groups: Int, weight: Tensor? = nil, bias: Tensor? = nil,
                                 eps: Float = 1e-5, fusedSiLU: Bool = false) throws(TensorError) -> Tensor {
        guard x.rank >= 2, groups > 0, x.shape[1] % groups == 0 else {
            throw .shapeMismatch(op: "group_norm", shapes: [x.shape], reason: "channels must be divisible by groups=\(groups)")
        }
        let channels = x.shape[1]
        for parameter in [weight, bias].compactMap({ $0 }) where parameter.shape != [channels] {
            throw .shapeMismatch(op: "group_norm", shapes: [x.shape, parameter.shape], reason: "affine parameters must be (C)")
        }
        let input = x.contiguous()
        let result = Tensor(uninitializedShape: x.shape)
        let spatial = x.shape[2...].reduce(1, *)
        let groupChannels = channels / groups
        let groupSize = groupChannels * spatial
        let gamma = weight?.contiguous(), beta = bias?.contiguous()
        let gammaPointer = gamma?.basePointer, betaPointer = beta?.basePointer
        let source = input.basePointer, output = result.storage.pointer
        ParallelLoop.forEach(x.shape[0] * groups) { task in
            let group = task % groups
            let base = task * groupSize
            var mean = 0.0, variance = 0.0
            tk_mean_var(source + base, groupSize, &mean, &variance)
            let inverse = Float(1 / (variance + Double(eps)).squareRoot())
            let meanF = Float(mean)
            for localChannel in 0..<groupChannels {
                let channel = group * groupChannels + localChannel
                let scale = inverse * (gammaPointer?[channel] ?? 1)
                let shift = (betaPointer?[channel] ?? 0) - meanF * scale
                let start = base + localChannel * spatial
                tk_scale_shift(source + start, output + start, spatial, scale, shift, fusedSiLU ? 1 : 0)
            }
        }
        return result
    }

    /// `torch.nn.functional.layer_norm(x, normalized_shape, weight, bias, eps)` over the trailing `normalizedShape`.
    public static func layerNorm(_ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                                 eps: Float = 1e-5) throws(TensorError) -> Tensor {
        guard normalizedShape.count <= x.rank, Array(x.shape.suffix(normalizedShape.count)) == normalizedShape else {
            throw .shapeMismatch(op: "layer_norm", shapes: [x.shape, normalizedShape], reason: "trailing dimensions must equal normalized_shape")
        }
        for parameter in [weight, bias].compactMap({ $0 }) where parameter.shape != normalizedShape {
            throw .shapeMismatch(op: "layer_norm", shapes: [normalizedShape, parameter.shape], reason: "affine parameters must equal normalized_shape")
        }
        let width = normalizedShape.reduce(1, *)
        let rows = x.elementCount / max(width, 1)
        let input = x.contiguous()
        let result = Tensor(uninitializedShape: x.shape)
        let gamma = weight?.contiguous(), beta = bias?.contiguous()
        let gammaPointer = gamma?.basePointer, betaPointer = beta?.basePointer
        let source = input.basePointer, output = result.storage.pointer
        ParallelLoop.forEach(rows, minimumPerChunk: max(1, 4096 / max(width, 1))) { row in
            tk_layer_norm_row(source + row * width, output + row * width, width, gammaPointer, betaPointer, eps)
        }
        return result
    }

    /// `torch.nn.functional.rms_norm(x, normalized_shape, weight, eps)`: `x / sqrt(mean(x²) + eps) · weight`.
    /// `eps = nil` uses `torch.finfo(float32).eps`, as PyTorch does.
    public static func rmsNorm(_ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, eps: Float? = nil) throws(TensorError) -> Tensor {
        guard normalizedShape.count <= x.rank, Array(x.shape.suffix(normalizedShape.count)) == normalizedShape else {
            throw .shapeMismatch(op: "rms_norm", shapes: [x.shape, normalizedShape], reason: "trailing dimensions must equal normalized_shape")
        }
        if let weight, weight.shape != normalizedShape {
            throw .shapeMismatch(op: "rms_norm", shapes: [normalizedShape, weight.shape], reason: "weight must equal normalized_shape")
        }
        let epsilon = Double(eps ?? Float.ulpOfOne)
        let width = normalizedShape.reduce(1, *)
        let rows = x.elementCount / max(width, 1)
        let input = x.contiguous()
        let result = Tensor(uninitializedShape: x.shape)
        let gamma = weight?.contiguous()
        let gammaPointer = gamma?.basePointer
        let source = input.basePointer, output = result.storage.pointer
        ParallelLoop.forEach(rows, minimumPerChunk: max(1, 4096 / max(width, 1))) { row in
            let values = source + row * width, out = output + row * width
            var squares = 0.0
            for index in 0..<width { squares += Double(values[index]) * Double(values[index]) }
            let inverse = Float(1 / (squares / Double(max(width, 1)) + epsilon).squareRoot())
            for index in 0..<width { out[index] = values[index] * inverse * (gammaPointer?[index] ?? 1) }
        }
        return result
    }
}
