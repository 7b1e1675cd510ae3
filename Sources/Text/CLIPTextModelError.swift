// Errors of running `CLIPTextModel` and `CLIPPromptEncoder` on user input (loading problems are
// `WeightsError`s: configuration errors name their key, weight problems come in one `loadFailed` report).

import Tensor

/// Why a text encoding could not be computed.
public enum CLIPTextModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No input rows.
    case emptyBatch
    /// Input rows (or attention-mask rows) of different lengths; `row` is the first that differs.
    case raggedBatch(row: Int, length: Int, expected: Int)
    /// A row longer than `max_position_embeddings`.
    case sequenceTooLong(length: Int, maximum: Int)
    /// A token id outside `0..<vocab_size`.
    case tokenOutOfRange(row: Int, position: Int, id: Int, vocabularySize: Int)
    /// The attention mask's shape is not the input ids' shape.
    case attentionMaskShape(rows: Int, expectedRows: Int)
    /// `clip_skip` asks for a hidden state the model does not have (0 ≤ clip_skip < num_hidden_layers + 1).
    case clipSkipOutOfRange(clipSkip: Int, layers: Int)
    /// Negative prompts must be one per prompt.
    case negativePromptCount(found: Int, expected: Int)
    /// A tensor operation failed (an internal inconsistency).
    case tensor(TensorError)

    public var description: String {
        switch self {
        case .emptyBatch:
            return "no input ids were given"
        case .raggedBatch(let row, let length, let expected):
            return "row \(row) has \(length) tokens, expected \(expected) like row 0"
        case .sequenceTooLong(let length, let maximum):
            return "sequence length \(length) exceeds max_position_embeddings \(maximum)"
        case .tokenOutOfRange(let row, let position, let id, let vocabularySize):
            return "token id \(id) at row \(row), position \(position) is outside the vocabulary of \(vocabularySize)"
        case .attentionMaskShape(let rows, let expectedRows):
            return "attention mask has \(rows) rows, expected \(expectedRows) of the input ids' length"
        case .clipSkipOutOfRange(let clipSkip, let layers):
            return "clip_skip \(clipSkip) is outside 0…\(layers) for a \(layers)-layer text encoder"
        case .negativePromptCount(let found, let expected):
            return "\(found) negative prompts for \(expected) prompts"
        case .tensor(let error):
            return "tensor operation failed: \(error)"
        }
    }
}
