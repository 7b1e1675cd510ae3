// Follows transformers `CLIPTextEmbeddings` (4.57.6, `models/clip/modeling_clip.py`): keys
// `token_embedding.weight` (vocab, D) and `position_embedding.weight` (max_positions, D). The
// `position_ids` buffer (non-persistent since 4.31, saved by older exports) is never read:
// positions are always 0..<L.

import Layers
import Tensor
import Weights

/// Token embedding plus absolute position embedding of CLIP's text tower.
public struct CLIPTextEmbeddings: Sendable {
    /// `token_embedding`: (vocab_size, hidden_size).
    public let tokenEmbedding: Embedding
    /// `position_embedding`: (max_position_embeddings, hidden_size).
    public let positionEmbedding: Embedding

    /// Loads both tables under `scope` (`text_model.embeddings`).
    public init(_ scope: ParameterScope, configuration: CLIPTextModel.Configuration) throws(WeightsError) {
        tokenEmbedding = try Embedding(scope.scoped("token_embedding"), count: configuration.vocabSize,
                                       dimension: configuration.hiddenSize)
        positionEmbedding = try Embedding(scope.scoped("position_embedding"),
                                          count: configuration.maxPositionEmbeddings,
                                          dimension: configuration.hiddenSize)
    }

    /// `token_embedding(ids) + position_embedding(0..<L)` → (B, L, D). `inputIDs` must be validated
    /// (equal lengths ≤ max positions, ids in range) by the caller.
    public func callAsFunction(_ inputIDs: [[Int]]) throws(TensorError) -> Tensor {
        let length = inputIDs.first?.count ?? 0
        var embeddings = try tokenEmbedding(inputIDs)
        let positions = try positionEmbedding.weight.sliced(dimension: 0, start: 0, end: length)
        try embeddings.add(positions)
        return embeddings
    }
}
