// Mirrors the pre-tokenization pattern of transformers' `CLIPTokenizer` (4.57.6,
// `models/clip/tokenization_clip.py`), compiled there with the `regex` module and IGNORECASE:
//   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+

/// Splits one cleaned word into pre-tokens, the units byte-pair encoding works on.
///
/// At each position the first alternative that matches wins: the two special-token spellings,
/// the English contractions `'s 't 're 've 'm 'll 'd`, a run of letters, a single number
/// character, or a run of anything else that is not whitespace. Matching ignores case the way
/// the `regex` module does; on already lower-cased text this only matters for `ſ` (U+017F), which
/// matches `s`. U+0345 (combining ypogegrammeni) folds to a letter, so under IGNORECASE it
/// matches neither the letter class nor its negation and is dropped, as in the reference.
public enum CLIPPreTokenizer {
    private static let specialSpellings: [[Unicode.Scalar]] = [
        Array("<|startoftext|>".unicodeScalars), Array("<|endoftext|>".unicodeScalars),
    ]
    private static let contractions: [[Unicode.Scalar]] = ["s", "t", "re", "ve", "m", "ll", "d"].map {
        Array($0.unicodeScalars)
    }

    /// The pre-tokens of `word`, as ranges of its indices, in order.
    public static func split(_ word: [Unicode.Scalar]) -> [Range<Int>] {
        var tokens: [Range<Int>] = []
        var position = 0
        let count = word.count
        while position < count {
            if let length = matchLiteralAlternatives(word, at: position) {
                tokens.append(position..<(position + length))
                position += length
                continue
            }
            let scalar = word[position]
            switch characterClass(scalar) {
            case .letter:
                var end = position + 1
                while end < count, characterClass(word[end]) == .letter { end += 1 }
                tokens.append(position..<end)
                position = end
            case .number:
                tokens.append(position..<(position + 1))
                position += 1
            case .other:
                var end = position + 1
                while end < count, characterClass(word[end]) == .other {
                    // A later alternative never interrupts a greedy run.
                    end += 1
                }
                tokens.append(position..<end)
                position = end
            case .none:
                position += 1
            }
        }
        return tokens
    }

    private enum CharacterClass { case letter, number, other, none }

    private static func characterClass(_ scalar: Unicode.Scalar) -> CharacterClass {
        let value = scalar.value
        if value < 0x80 {
            switch value {
            case 0x41...0x5A, 0x61...0x7A: return .letter
            case 0x30...0x39: return .number
            case 0x09...0x0D, 0x20: return .none
            default: return .other
            }
        }
        if value == 0x345 { return .none }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return scalar.properties.isWhitespace ? .none : .other
        }
    }

    /// The length of the special spelling or contraction starting at `position`, if any.
    private static func matchLiteralAlternatives(_ word: [Unicode.Scalar], at position: Int) -> Int? {
        let first = word[position]
        if first == "<" {
            for spelling in specialSpellings where matches(spelling, in: word, at: position) {
                return spelling.count
            }
        } else if first == "'" {
            for suffix in contractions where matches(suffix, in: word, at: position + 1) {
                return suffix.count + 1
            }
        }
        return nil
    }

    private static func matches(_ literal: [Unicode.Scalar], in word: [Unicode.Scalar], at start: Int) -> Bool {
        guard start + literal.count <= word.count else { return false }
        for (offset, expected) in literal.enumerated() {
            let actual = word[start + offset]
            if actual == expected { continue }
            // Case-insensitive: ASCII case, and U+017F LATIN SMALL LETTER LONG S ~ s.
            if expected.value >= 0x61 && expected.value <= 0x7A && actual.value == expected.value - 32 { continue }
            if expected == "s" && actual.value == 0x17F { continue }
            return false
        }
        return true
    }
}
