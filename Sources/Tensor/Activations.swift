// Point-wise activations with PyTorch's exact formulas.

import CTensorKernels
import Foundation

/// Which GELU formula to use (`torch.nn.functional.gelu(approximate=…)`).
public enum GELUApproximation: String, Sendable {
    /// `0.5·x·(1 + erf(x/√2))` (`approximate="none"`).
    case none
    /// `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))` (`approximate="tanh"`).
    case tanh
}

extension Tensor {
    /// `torch.nn.functional.gelu(x, approximate=…)`.
    public func gelu(approximate: GELUApproximation = .none) -> Tensor {
        switch approximate {
        case .none:
            return mapKernel { tk_gelu_erf($0, $1, $2) }
        case .tanh:
            return mapKernel { tk_gelu_tanh($0, $1, $2) }
        }
    }

    /// `torch.sigmoid`.
    public func sigmoid() -> Tensor { mapKernel { tk_sigmoid($0, $1, $2) } }

    /// `torch.nn.functional.silu` (x·sigmoid(x)).
    public func silu() -> Tensor { mapKernel { tk_x_sigmoid($0, $1, $2, 1) } }

    /// CLIP's QuickGELU, `x·sigmoid(1.702·x)` (transformers `QuickGELUActivation`).
    public func quickGELU() -> Tensor {
        mapKernel { tk_x_sigmoid($0, $1, $2, 1.702) }
    }

    /// `torch.nn.functional.softplus(x, beta, threshold)`: linear above `threshold` (in units of `beta·x`).
    public func softplus(beta: Float = 1, threshold: Float = 20) -> Tensor {
        map { Activation.softplus($0, beta: beta, threshold: threshold) }
    }

    /// `torch.nn.functional.mish`, `x·tanh(softplus(x))`.
    public func mish() -> Tensor { map { $0 * tanhf(Activation.softplus($0, beta: 1, threshold: 20)) } }

    /// `torch.relu`.
    public func relu() -> Tensor { map { max($0, 0) } }

    /// `torch.tanh`.
    public func tanh() -> Tensor { mapKernel { tk_tanh($0, $1, $2) } }

    /// `torch.exp`.
    public func exp() -> Tensor { mapKernel { tk_exp($0, $1, $2) } }
}

extension Tensor {
    /// The gate of diffusers `GEGLU` on its projection: for x (…, 2·W), `x[…, :W] · gelu(x[…, W:])` with the erf
    /// GELU (`hidden, gate = x.chunk(2, -1); hidden * F.gelu(gate)`), (…, W). One pass per row: the vectorised GELU
    /// kernel writes gelu(gate) into the output row, which is then scaled by the hidden half in place.
    public func gatedGELU() throws(TensorError) -> Tensor {
        guard let last = shape.last, last > 0, last % 2 == 0 else {
            throw TensorError.invalidArgument(op: "gatedGELU", reason: "the last dimension of \(shape) must be even and positive")
        }
        let width = last / 2, rows = elementCount / last
        let source = contiguous()
        let result = Tensor(uninitializedShape: Array(shape.dropLast()) + [width])
        let input = source.basePointer, output = result.storage.pointer
        ParallelLoop.forEach(rows, minimumPerChunk: max(1, 8192 / width)) { row in
            let hidden = input + row * last, out = output + row * width
            tk_gelu_erf(hidden + width, out, width)
            for index in 0..<width { out[index] *= hidden[index] }
        }
        return result
    }
}

extension Tensor {
    /// Runs a C kernel `(input, output, count)` over contiguous chunks in parallel; returns a new tensor.
    func mapKernel(_ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        let source = contiguous()
        let result = Tensor(uninitializedShape: shape)
        let input = source.basePointer, output = result.storage.pointer
        let count = elementCount
        ParallelLoop.forEachChunk((count + 63) / 64, minimumPerChunk: 512) { blocks in
            let start = blocks.lowerBound * 64, end = min(blocks.upperBound * 64, count)
            kernel(input + start, output + start, end - start)
        }
        return result
    }
}

/// Scalar forms of the activations, for fused loops in other ops.
public enum Activation {
    /// Logistic function, stable for large |x|.
    @inlinable public static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + expf(-x)) }
        let e = expf(x)
        return e / (1 + e)
    }

    /// `softplus` as in `torch.nn.functional.softplus`: `log1p(exp(β·x))/β`, or `x` when `β·x > threshold`.
    @inlinable public static func softplus(_ x: Float, beta: Float, threshold: Float) -> Float {
        let scaled = x * beta
        return scaled > threshold ? x : log1pf(expf(scaled)) / beta
    }

    /// SiLU.
    @inlinable public static func silu(_ x: Float) -> Float { x * sigmoid(x) }
}
