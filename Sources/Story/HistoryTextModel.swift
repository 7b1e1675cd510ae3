// Mirrors Tools/reference/arldm_ref.py `TextModel` (BLIP's BERT text encoder with cross-attention, scaled down).
// State-dict keys under `text_model`: `word_embeddings.weight`, `position_embeddings.weight`,
// `embeddings_layernorm`, `layers.{i}…`.

import Layers
import Tensor
import Weights

/// The history encoder's caption tower: word + absolute position embeddings, LayerNorm, then fusion layers that
/// attend to the frame's image tokens. Its output at the caption positions is the history slot (BLIP
/// `mode='multimodal'` returns the text positions only).
public struct HistoryTextModel: Sendable {
    public let wordEmbeddings: Embedding
    public let positionEmbeddings: Embedding
    public let embeddingsLayerNorm: LayerNorm
    public let layers: [HistoryTextLayer]

    public init(_ scope: ParameterScope, configuration: HistoryEncoder.Configuration) throws(WeightsError) {
        let width = configuration.hiddenSize
        wordEmbeddings = try Embedding(scope.scoped("word_embeddings"), count: configuration.vocabSize, dimension: width)
        positionEmbeddings = try Embedding(scope.scoped("position_embeddings"),
                                           count: configuration.maxPositionEmbeddings, dimension: width)
        embeddingsLayerNorm = try LayerNorm(scope.scoped("embeddings_layernorm"), dimension: width,
                                            eps: configuration.layerNormEps)
        var layers: [HistoryTextLayer] = []
        for index in 0..<configuration.textLayers {
            layers.append(try HistoryTextLayer(scope.scoped("layers").scoped(index), configuration: configuration))
        }
        self.layers = layers
    }

    /// - Parameters:
    ///   - inputIDs: B rows of S ids (the first already replaced by [ENC]).
    ///   - attentionMask: B rows of S 1/0 keep flags (caption padding = 0).
    ///   - imageTokens: (B, 1 + P, D).
    /// - Returns: (B, S, D).
    public func callAsFunction(inputIDs: [[Int]], attentionMask: [[Int]], imageTokens: Tensor) throws(TensorError) -> Tensor {
        let length = inputIDs.first?.count ?? 0
        let words = try wordEmbeddings(inputIDs)
        let positions = try positionEmbeddings([Int](0..<length), shape: [length])
        var x = try embeddingsLayerNorm(words + positions)
        let keep = Tensor(shape: [attentionMask.count, length], values: attentionMask.flatMap { $0.map(Float.init) })
        let bias = try Attention.additiveMask(keepMask: keep)
        for layer in layers { x = try layer(x, paddingBias: bias, imageTokens: imageTokens) }
        return x
    }
}
