// Follows transformers `CLIPEncoderLayer` (4.57.6, `models/clip/modeling_clip.py`): pre-LayerNorm
// residual blocks, keys `layer_norm1`, `self_attn`, `layer_norm2`, `mlp`.

import Layers
import Tensor
import Weights

/// One pre-LN transformer layer: `h = x + attn(ln1(x))`, `out = h + mlp(ln2(h))`.
public struct CLIPEncoderLayer: Sendable {
    public let layerNorm1: LayerNorm
    public let selfAttn: CLIPAttention
    public let layerNorm2: LayerNorm
    public let mlp: CLIPMLP

    /// Loads the layer under `scope` (`text_model.encoder.layers.<i>`).
    public init(_ scope: ParameterScope, configuration: CLIPTextModel.Configuration) throws(WeightsError) {
        let width = configuration.hiddenSize, eps = configuration.layerNormEps
        layerNorm1 = try LayerNorm(scope.scoped("layer_norm1"), dimension: width, eps: eps)
        selfAttn = try CLIPAttention(scope.scoped("self_attn"), configuration: configuration)
        layerNorm2 = try LayerNorm(scope.scoped("layer_norm2"), dimension: width, eps: eps)
        mlp = try CLIPMLP(scope.scoped("mlp"), configuration: configuration)
    }

    /// (B, L, D) → (B, L, D).
    public func callAsFunction(_ hiddenStates: Tensor, mask: CLIPAttention.Mask) throws(TensorError) -> Tensor {
        // Fresh results are added to in place (x + y == y + x exactly), so no residual is copied.
        var residual = try selfAttn(layerNorm1(hiddenStates), mask: mask)
        try residual.add(hiddenStates)
        var output = try mlp(layerNorm2(residual))
        try output.add(residual)
        return output
    }
}
