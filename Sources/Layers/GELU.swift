// Follows diffusers `GELU` and `ApproximateGELU` (src/diffusers/models/activations.py @ v0.35.2):
// a `proj` Linear followed by the activation. State-dict keys `proj.weight`, `proj.bias`.

import Tensor
import Weights

/// diffusers `GELU`: `gelu(proj(x))` with `approximate` "none" (erf) or "tanh".
public struct GELU: Sendable {
    /// `proj`: dimIn → dimOut.
    public let proj: Linear
    /// Which GELU formula.
    public let approximate: GELUApproximation

    /// Loads `proj` under `scope`.
    public init(_ scope: ParameterScope, dimIn: Int, dimOut: Int, approximate: GELUApproximation = .none,
                bias: Bool = true) throws(WeightsError) {
        proj = try Linear(scope.scoped("proj"), inFeatures: dimIn, outFeatures: dimOut, bias: bias)
        self.approximate = approximate
    }

    /// (…, dimIn) → (…, dimOut).
    public func callAsFunction(_ x: Tensor) throws(TensorError) -> Tensor {
        try proj(x).gelu(approximate: approximate)
    }
}

/// diffusers `ApproximateGELU` (`"geglu-approximate"`): `proj(x) · sigmoid(1.702 · proj(x))`.
public struct ApproximateGELU: Sendable {
    /// `proj`: dimIn → dimOut.
    public let proj: Linear

    /// Loads `proj` under `scope`.
    public init(_ scope: ParameterScope, dimIn: Int, dimOut: Int, bias: Bool = true) throws(WeightsError) {
        proj = try Linear(scope.scoped("proj"), inFeatures: dimIn, outFeatures: dimOut, bias: bias)
    }

    /// (…, dimIn) → (…, dimOut).
    public func callAsFunction(_ x: Tensor) throws(TensorError) -> Tensor {
        try proj(x).quickGELU()
    }
}
