// Follows diffusers `GEGLU` (src/diffusers/models/activations.py @ v0.35.2), Shazeer 2020
// "GLU Variants Improve Transformer". State-dict keys `proj.weight` (2·dimOut, dimIn), `proj.bias`.

import Tensor
import Weights

/// diffusers `GEGLU`: `h, gate = proj(x).chunk(2, -1)`; returns `h · gelu(gate)` (erf GELU).
/// The split, the GELU (the vectorised kernel of `Tensor.gelu`) and the product run as one fused pass over the
/// projection (`Tensor.gatedGELU`).
public struct GEGLU: Sendable {
    /// `proj`: dimIn → 2·dimOut.
    public let proj: Linear
    /// Width of the result.
    public let dimOut: Int

    /// Loads `proj` under `scope`.
    public init(_ scope: ParameterScope, dimIn: Int, dimOut: Int, bias: Bool = true) throws(WeightsError) {
        proj = try Linear(scope.scoped("proj"), inFeatures: dimIn, outFeatures: 2 * dimOut, bias: bias)
        self.dimOut = dimOut
    }

    /// (…, dimIn) → (…, dimOut).
    public func callAsFunction(_ x: Tensor) throws(TensorError) -> Tensor {
        try proj(x).gatedGELU()
    }
}
