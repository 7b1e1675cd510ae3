// Follows transformers `CLIPMLP` (4.57.6, `models/clip/modeling_clip.py`): `fc2(act(fc1(x)))` with keys
// `fc1` (D → intermediate) and `fc2` (intermediate → D), `act` from `hidden_act`.

import Layers
import Tensor
import Weights

/// The feed-forward block of one CLIP encoder layer.
public struct CLIPMLP: Sendable {
    public let fc1: Linear
    public let fc2: Linear
    public let activation: CLIPTextModel.Activation

    /// Loads `fc1` and `fc2` under `scope` (`….mlp`).
    public init(_ scope: ParameterScope, configuration: CLIPTextModel.Configuration) throws(WeightsError) {
        fc1 = try Linear(scope.scoped("fc1"), inFeatures: configuration.hiddenSize,
                         outFeatures: configuration.intermediateSize)
        fc2 = try Linear(scope.scoped("fc2"), inFeatures: configuration.intermediateSize,
                         outFeatures: configuration.hiddenSize)
        activation = configuration.hiddenAct
    }

    /// (…, D) → (…, D).
    public func callAsFunction(_ x: Tensor) throws(TensorError) -> Tensor {
        try fc2(activation(fc1(x)))
    }
}

extension CLIPTextModel.Activation {
    /// Applies the activation element-wise.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .quickGELU: return x.quickGELU()
        case .gelu: return x.gelu()
        case .geluNew, .geluPytorchTanh: return x.gelu(approximate: .tanh)
        }
    }
}
