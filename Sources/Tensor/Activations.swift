// Point-wise activations with PyTorch's exact formulas.

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
            return map { x in 0.5 * x * (1 + erff(x * 0.70710678118654752)) }
        case .tanh:
            return map { x in 0.5 * x * (1 + tanhf(0.79788456080286536 * (x + 0.044715 * x * x * x))) }
        }
    }

    /// `torch.sigmoid`.
    public func sigmoid() -> Tensor { map(Activation.sigmoid) }

    /// `torch.nn.functional.silu` (x·sigmoid(x)).
    public func silu() -> Tensor { map { $0 * Activation.sigmoid($0) } }

    /// CLIP's QuickGELU, `x·sigmoid(1.702·x)` (transformers `QuickGELUActivation`).
    public func quickGELU() -> Tensor { map { $0 * Activation.sigmoid(1.702 * $0) } }

    /// `torch.nn.functional.softplus(x, beta, threshold)`: linear above `threshold` (in units of `beta·x`).
    public func softplus(beta: Float = 1, threshold: Float = 20) -> Tensor {
        map { Activation.softplus($0, beta: beta, threshold: threshold) }
    }

    /// `torch.nn.functional.mish`, `x·tanh(softplus(x))`.
    public func mish() -> Tensor { map { $0 * tanhf(Activation.softplus($0, beta: 1, threshold: 20)) } }

    /// `torch.relu`.
    public func relu() -> Tensor { map { max($0, 0) } }

    /// `torch.tanh`.
    public func tanh() -> Tensor { map { tanhf($0) } }

    /// `torch.exp`.
    public func exp() -> Tensor { map { expf($0) } }
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
