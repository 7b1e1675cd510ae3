// Follows transformers `CLIPTextTransformer` (4.57.6, `models/clip/modeling_clip.py`): keys `embeddings`,
// `encoder`, `final_layer_norm`; the causal mask (plus the padding mask when one is passed, both as
// float32-minimum additive masks), then the pooled output at the end-of-text token.

import Layers
import Tensor
import Weights

/// CLIP's text tower (what `CLIPTextModel.text_model` holds).
public struct CLIPTextTransformer: Sendable {
    public let embeddings: CLIPTextEmbeddings
    public let encoder: CLIPEncoder
    public let finalLayerNorm: LayerNorm
    public let configuration: CLIPTextModel.Configuration

    /// Loads the tower under `scope` (`text_model`).
    public init(_ scope: ParameterScope, configuration: CLIPTextModel.Configuration) throws(WeightsError) {
        embeddings = try CLIPTextEmbeddings(scope.scoped("embeddings"), configuration: configuration)
        encoder = try CLIPEncoder(scope.scoped("encoder"), configuration: configuration)
        finalLayerNorm = try LayerNorm(scope.scoped("final_layer_norm"), dimension: configuration.hiddenSize,
                                       eps: configuration.layerNormEps)
        self.configuration = configuration
    }

    /// The additive mask transformers builds when an attention mask is passed: the causal mask
    /// (`finfo(float32).min` above the diagonal) plus `finfo.min` wherever `1 − mask ≠ 0`, summed in
    /// float32 (both → −∞), shaped (B, 1, L, L).
    public static func additiveMask(_ attentionMask: [[Int]]) -> Tensor {
        let batch = attentionMask.count, length = attentionMask.first?.count ?? 0
        let minimum = -Float.greatestFiniteMagnitude
        var values = [Float](repeating: 0, count: batch * length * length)
        for (row, mask) in attentionMask.enumerated() {
            for query in 0..<length {
                let base = (row * length + query) * length
                for key in 0..<length {
                    let causal: Float = key > query ? minimum : 0
                    let inverted = 1 - Float(mask[key])
                    let padding: Float = inverted != 0 ? minimum : inverted
                    values[base + key] = causal + padding
                }
            }
        }
        return Tensor(shape: [batch, 1, length, length], values: values)
    }

    /// The pooled position of each row under `configuration.pooling`.
    public func pooledPositions(_ inputIDs: [[Int]]) -> [Int] {
        inputIDs.map { row in
            switch configuration.pooling {
            case .largestTokenID:
                var best = 0
                for (position, id) in row.enumerated() where id > row[best] { best = position }
                return best
            case .firstEndOfSequence(let eos):
                return row.firstIndex(of: eos) ?? 0
            }
        }
    }

    /// Rows `positions[b]` of `states` (B, L, D) → (B, D).
    static func gather(_ states: Tensor, positions: [Int]) throws(TensorError) -> Tensor {
        var rows: [Tensor] = []
        for (row, position) in positions.enumerated() {
            rows.append(try states.selected(dimension: 0, index: row).sliced(dimension: 0, start: position,
                                                                              end: position + 1))
        }
        return try Tensor.concatenate(rows, dimension: 0)
    }
}
