// Follows diffusers `FeedForward` (src/diffusers/models/attention.py @ v0.35.2).
// State-dict keys: `net.0.proj` (the activation's projection), `net.2` (output Linear);
// `net.1` and `net.3` are dropout and hold no parameters.

import Tensor
import Weights

/// diffusers `FeedForward`: `net.0` (GELU / GEGLU / ApproximateGELU projection dim → inner),
/// dropout, `net.2` Linear inner → dimOut.
public struct FeedForward: Sendable {
    /// The activation names diffusers accepts in `activation_fn` (the ones SD-family models use).
    public enum ActivationKind: String, Sendable, Codable, CaseIterable {
        case gelu
        case geluApproximate = "gelu-approximate"
        case geglu
        case gegluApproximate = "geglu-approximate"
    }

    /// `net.0`: the projection with its activation.
    public enum InputProjection: Sendable {
        case gelu(GELU)
        case geglu(GEGLU)
        case approximateGELU(ApproximateGELU)

        func callAsFunction(_ x: Tensor) throws(TensorError) -> Tensor {
            switch self {
            case .gelu(let layer): return try layer(x)
            case .geglu(let layer): return try layer(x)
            case .approximateGELU(let layer): return try layer(x)
            }
        }
    }

    /// `net.0`.
    public let inputProjection: InputProjection
    /// `net.2`.
    public let output: Linear

    /// Loads `net.0` and `net.2` under `scope`.
    ///
    /// - Parameters:
    ///   - dim: input width; `dimOut`: output width (default `dim`).
    ///   - mult: inner width factor when `innerDim` is `nil` (`inner = Int(dim · mult)`).
    ///   - activation: diffusers `activation_fn`.
    ///   - bias: bias on both projections.
    public init(_ scope: ParameterScope, dim: Int, dimOut: Int? = nil, mult: Double = 4, innerDim: Int? = nil,
                activation: ActivationKind = .geglu, bias: Bool = true) throws(WeightsError) {
        let inner = innerDim ?? Int(Double(dim) * mult)
        let first = scope.scoped("net").scoped(0)
        switch activation {
        case .gelu: inputProjection = .gelu(try GELU(first, dimIn: dim, dimOut: inner, approximate: .none, bias: bias))
        case .geluApproximate: inputProjection = .gelu(try GELU(first, dimIn: dim, dimOut: inner, approximate: .tanh, bias: bias))
        case .geglu: inputProjection = .geglu(try GEGLU(first, dimIn: dim, dimOut: inner, bias: bias))
        case .gegluApproximate: inputProjection = .approximateGELU(try ApproximateGELU(first, dimIn: dim, dimOut: inner, bias: bias))
        }
        output = try Linear(scope.scoped("net").scoped(2), inFeatures: inner, outFeatures: dimOut ?? dim, bias: bias)
    }

    /// (…, dim) → (…, dimOut).
    public func callAsFunction(_ x: Tensor) throws(TensorError) -> Tensor {
        try output(inputProjection(x))
    }
}
