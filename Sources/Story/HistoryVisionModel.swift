// Mirrors Tools/reference/arldm_ref.py `VisionModel` (BLIP's `VisionTransformer`, scaled down).
// State-dict keys under `vision_model`: `patch_embedding.{weight,bias}`, `class_embedding`, `position_embedding`,
// `layers.{i}…`, `post_layernorm`.

import Layers
import Tensor
import Weights

/// The history encoder's image tower: a stride-p convolution cuts the frame into P patches (row-major), a
/// learned [CLS] token is prepended, learned positions are added, then pre-LN ViT blocks and a final LayerNorm.
public struct HistoryVisionModel: Sendable {
    public let patchEmbedding: Conv2d
    /// (D).
    public let classEmbedding: Tensor
    /// (1 + P, D).
    public let positionEmbedding: Tensor
    public let layers: [HistoryVisionLayer]
    public let postLayerNorm: LayerNorm

    public init(_ scope: ParameterScope, configuration: HistoryEncoder.Configuration) throws(WeightsError) {
        let width = configuration.hiddenSize
        patchEmbedding = try Conv2d(scope.scoped("patch_embedding"), inChannels: configuration.numChannels,
                                    outChannels: width, kernelSize: configuration.patchSize, stride: configuration.patchSize)
        classEmbedding = try scope.tensor("class_embedding", shape: [width])
        positionEmbedding = try scope.tensor("position_embedding", shape: [configuration.imageTokens, width])
        var layers: [HistoryVisionLayer] = []
        for index in 0..<configuration.visionLayers {
            layers.append(try HistoryVisionLayer(scope.scoped("layers").scoped(index), configuration: configuration))
        }
        self.layers = layers
        postLayerNorm = try LayerNorm(scope.scoped("post_layernorm"), dimension: width, eps: configuration.layerNormEps)
    }

    /// Normalised frames (B, C, H, W) → image tokens (B, 1 + P, D).
    public func callAsFunction(_ pixelValues: Tensor) throws(TensorError) -> Tensor {
        let patches = try patchEmbedding(pixelValues)
        let (batch, width) = (patches.shape[0], patches.shape[1])
        let tokens = try patches.reshaped([batch, width, patches.shape[2] * patches.shape[3]]).transposed(1, 2)
        let cls = try classEmbedding.reshaped([1, 1, width]).expanded(to: [batch, 1, width])
        var x = try Tensor.concatenate([cls, tokens], dimension: 1) + positionEmbedding
        for layer in layers { x = try layer(x) }
        return try postLayerNorm(x)
    }
}
