// Follows diffusers `GEGLU` (src/diffusers/models/activations.py @ v0.35.2), Shazeer 2020
// "GLU Variants Improve Transformer". State-dict keys `proj.weight` (2·dimOut, dimIn), `proj.bias`.

import Tensor
import Weights

/// diffusers `GEGLU`: `h, gate = proj(x).chunk(2, -1)`; returns `h · gelu(gate)` (erf GELU).
/// The split, the GELU and the product run as one fused pass over the projection.
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
        let projected = try proj(x)
        let width = dimOut
        let rows = projected.elementCount / max(2 * width, 1)
        let result = Tensor(uninitializedShape: Array(projected.shape.dropLast()) + [width])
        let source = projected.basePointer, output = result.storage.pointer
        ParallelLoop.forEach(rows, minimumPerChunk: max(1, 8192 / max(width, 1))) { row in
            let hidden = source + row * 2 * width, gate = hidden + width, out = output + row * width
            for index in 0..<width { out[index] = hidden[index] * LayerKernels.gelu(gate[index], approximate: .none) }
        }
        return result
    }
}
