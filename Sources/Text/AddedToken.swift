// Mirrors `AddedToken` (tokenizers / transformers 4.57.6 `tokenization_utils_base.py`) and the way
// the slow `PreTrainedTokenizer.tokenize` splits text on added tokens before the model's own
// tokenization (`Trie.split`, then the lstrip / rstrip / single_word adjustments).

/// A token matched literally in the input before any cleaning or BPE (special tokens such as
/// `<|startoftext|>`, and any token listed in `added_tokens_decoder`).
public struct AddedToken: Sendable, Hashable {
    /// The literal text.
    public var content: String
    /// Whether the token swallows the whitespace on its left.
    public var lstrip: Bool
    /// Whether the token swallows the whitespace on its right.
    public var rstrip: Bool
    /// Whether the token only matches as a whole word (see ``AddedTokenSplitter``).
    public var singleWord: Bool

    public init(_ content: String, lstrip: Bool = false, rstrip: Bool = false, singleWord: Bool = false) {
        self.content = content
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.singleWord = singleWord
    }
}

/// Splits text into added tokens and the fragments between them.
///
/// At each position the longest added token starting there is taken, scanning left to right;
/// for token sets where no token occurs inside another (CLIP's `<|startoftext|>`,
/// `<|endoftext|>` and `!`) this is exactly what transformers' `Trie.split` does.
public struct AddedTokenSplitter: Sendable {
    /// One piece of split text.
    public enum Piece: Sendable, Equatable {
        /// An added token (its index in ``tokens``).
        case token(Int)
        /// Text between added tokens (never empty).
        case text([Unicode.Scalar])
    }

    public let tokens: [AddedToken]
    /// Token indices by first scalar, longest first.
    private let byFirstScalar: [Unicode.Scalar: [(index: Int, scalars: [Unicode.Scalar])]]

    public init(tokens: [AddedToken]) {
        self.tokens = tokens
        var table: [Unicode.Scalar: [(index: Int, scalars: [Unicode.Scalar])]] = [:]
        for (index, token) in tokens.enumerated() {
            let scalars = Array(token.content.unicodeScalars)
            guard let first = scalars.first else { continue }
            table[first, default: []].append((index, scalars))
        }
        for key in table.keys {
            table[key]!.sort { $0.scalars.count > $1.scalars.count }
        }
        byFirstScalar = table
    }

    /// The pieces of `text`, after the whitespace stripping and single-word rules of each token.
    public func split(_ text: [Unicode.Scalar]) -> [Piece] {
        // Raw split: text fragments (possibly empty) alternate with matched tokens.
        var raw: [RawPiece] = []
        var fragmentStart = 0
        var position = 0
        while position < text.count {
            if let candidates = byFirstScalar[text[position]],
                let match = candidates.first(where: { matches($0.scalars, text, at: position) })
            {
                if fragmentStart < position { raw.append(.text(Array(text[fragmentStart..<position]))) }
                raw.append(.token(match.index, match.scalars))
                position += match.scalars.count
                fragmentStart = position
            } else {
                position += 1
            }
        }
        if fragmentStart < text.count { raw.append(.text(Array(text[fragmentStart...]))) }

        // transformers' adjustments, in its order, on neighbouring pieces.
        for index in raw.indices {
            guard case .token(let tokenIndex, let scalars) = raw[index] else { continue }
            let token = tokens[tokenIndex]
            if token.rstrip, index + 1 < raw.count, case .text(let right) = raw[index + 1], !right.isEmpty {
                raw[index + 1] = .text(Array(right.drop(while: PythonUnicode.isSpace)))
            }
            if token.lstrip, index > 0, case .text(let left) = raw[index - 1], !left.isEmpty {
                raw[index - 1] = .text(Array(left.reversed().drop(while: PythonUnicode.isSpace).reversed()))
            }
            if token.singleWord, index > 0, case .text(let left) = raw[index - 1], let last = left.last, last != " " {
                raw[index - 1] = .text(left + scalars)
                raw[index] = .text([])
            } else if token.singleWord, index + 1 < raw.count, case .text(let right) = raw[index + 1],
                let first = right.first, first != " "
            {
                raw[index + 1] = .text(scalars + right)
                raw[index] = .text([])
            }
        }
        return raw.compactMap { piece in
            switch piece {
            case .token(let index, _): .token(index)
            case .text(let scalars): scalars.isEmpty ? nil : .text(scalars)
            }
        }
    }

    private enum RawPiece {
        case token(Int, [Unicode.Scalar])
        case text([Unicode.Scalar])
    }

    private func matches(_ literal: [Unicode.Scalar], _ text: [Unicode.Scalar], at start: Int) -> Bool {
        guard start + literal.count <= text.count else { return false }
        for offset in literal.indices where text[start + offset] != literal[offset] { return false }
        return true
    }
}
