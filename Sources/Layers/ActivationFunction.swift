// Follows diffusers `get_activation` (src/diffusers/models/activations.py @ v0.35.2): the
// activation names a diffusers config uses (`act_fn`, `resnet_act_fn`, `non_linearity`).

import Tensor

/// A point-wise activation named as in diffusers configs.
public enum ActivationFunction: String, Sendable, Codable, CaseIterable {
    /// `nn.SiLU` (diffusers spells it `"silu"` or `"swish"`).
    case silu
    case swish
    /// `nn.Mish`.
    case mish
    /// `nn.GELU()` (erf form).
    case gelu
    /// `nn.ReLU`.
    case relu

    /// Whether this is SiLU under either name (lets GroupNorm fuse it).
    public var isSiLU: Bool { self == .silu || self == .swish }

    /// Applies the activation element-wise.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .silu, .swish: return x.silu()
        case .mish: return x.mish()
        case .gelu: return x.gelu()
        case .relu: return x.relu()
        }
    }
}
