// Follows transformers `CLIPEncoder` (4.57.6, `models/clip/modeling_clip.py`): `layers.<i>`, run in order;
// with `output_hidden_states` it records the input of every layer and the last layer's output
// (num_hidden_layers + 1 states, the last one before `final_layer_norm`).

import Tensor
import Weights

/// The stack of `num_hidden_layers` CLIP encoder layers.
public struct CLIPEncoder: Sendable {
    /// `layers.0`, `layers.1`, ….
    public let layers: [CLIPEncoderLayer]

    /// Loads every layer under `scope` (`text_model.encoder`).
    public init(_ scope: ParameterScope, configuration: CLIPTextModel.Configuration) throws(WeightsError) {
        var layers: [CLIPEncoderLayer] = []
        for index in 0..<configuration.numHiddenLayers {
            layers.append(try CLIPEncoderLayer(scope.scoped("layers").scoped(index), configuration: configuration))
        }
        self.layers = layers
    }

    /// Runs the first `layerCount` layers (all by default) on `embeddings` (B, L, D). Returns the last
    /// output and, when `recordHiddenStates`, the states transformers returns as `hidden_states`
    /// (the input, then each layer's output).
    public func callAsFunction(_ embeddings: Tensor, mask: CLIPAttention.Mask, layerCount: Int? = nil,
                               recordHiddenStates: Bool = false) throws(TensorError) -> (Tensor, [Tensor]) {
        var hiddenStates = embeddings
        var recorded: [Tensor] = recordHiddenStates ? [embeddings] : []
        for layer in layers.prefix(layerCount ?? layers.count) {
            hiddenStates = try layer(hiddenStates, mask: mask)
            if recordHiddenStates { recorded.append(hiddenStates) }
        }
        return (hiddenStates, recorded)
    }
}
