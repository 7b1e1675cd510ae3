// Mirrors the text cleaning transformers' `CLIPTokenizer` (4.57.6, `models/clip/tokenization_clip.py`)
// uses when ftfy is not installed: `BasicTokenizer(strip_accents=False, do_split_on_punc=False)`
// followed by `" ".join(...)`.

import Foundation

/// Cleans a text fragment into lower-cased words, exactly as transformers' `BasicTokenizer`
/// configured for CLIP does:
///
/// 1. drop U+0000, U+FFFD and every control, format, private-use, surrogate or unassigned code
///    point (category `C*` under Unicode 14.0, see ``PythonUnicode``) except tab, LF and CR;
///    turn those three and every space separator (`Zs`) into a space;
/// 2. put spaces around each CJK ideograph (the blocks BERT calls "Chinese characters");
/// 3. normalise to NFC;
/// 4. split on whitespace (`str.split()`, which also splits at U+2028 and U+2029);
/// 5. lower-case each word (`str.lower()`); accents are kept and punctuation is not split.
public enum CLIPTextNormalizer {
    /// The words of `text` after cleaning, each a non-empty run of scalars without whitespace.
    public static func words(_ text: some Sequence<Unicode.Scalar>) -> [[Unicode.Scalar]] {
        var cleaned: [Unicode.Scalar] = []
        var needsNormalization = false
        for scalar in text {
            let value = scalar.value
            if value < 0x80 {
                if value == 0x09 || value == 0x0A || value == 0x0D {
                    cleaned.append(" ")
                } else if value >= 0x20 && value != 0x7F {
                    cleaned.append(scalar)
                }
                continue
            }
            if value == 0xFFFD { continue }
            let category = PythonUnicode.generalCategory(scalar)
            switch category {
            case .control, .format, .privateUse, .surrogate, .unassigned:
                continue
            case .spaceSeparator:
                cleaned.append(" ")
            default:
                if isCJKIdeograph(value) {
                    cleaned.append(" ")
                    cleaned.append(scalar)
                    cleaned.append(" ")
                } else {
                    cleaned.append(scalar)
                }
                if value >= 0x300 { needsNormalization = true }
            }
        }
        if needsNormalization {
            let string = String(String.UnicodeScalarView(cleaned))
            cleaned = composeHangulSyllableWithTrailingConsonant(
                Array(string.precomposedStringWithCanonicalMapping.unicodeScalars))
        }
        return PythonUnicode.split(cleaned).map { PythonUnicode.lowercased(Array($0)) }
    }

    /// Completes NFC for one case Foundation's `precomposedStringWithCanonicalMapping` leaves
    /// undone on Linux (swift-corelibs/swift-foundation with Swift 6.3): a precomposed LV Hangul
    /// syllable followed by a trailing consonant jamo (U+11A8…U+11C2) composes into the LVT
    /// syllable (Unicode §3.12), as CPython's `unicodedata.normalize("NFC", …)` does.
    static func composeHangulSyllableWithTrailingConsonant(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        for scalar in text {
            if (0x11A8...0x11C2).contains(scalar.value), let previous = output.last,
                (0xAC00...0xD7A3).contains(previous.value), (previous.value - 0xAC00) % 28 == 0,
                let composed = Unicode.Scalar(previous.value + scalar.value - 0x11A7)
            {
                output[output.count - 1] = composed
            } else {
                output.append(scalar)
            }
        }
        return output
    }

    /// `BasicTokenizer._is_chinese_char`: the CJK Unified Ideographs blocks and extensions A–E
    /// and the compatibility ideographs.
    public static func isCJKIdeograph(_ value: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value)
            || (0x20000...0x2A6DF).contains(value) || (0x2A700...0x2B73F).contains(value)
            || (0x2B740...0x2B81F).contains(value) || (0x2B820...0x2CEAF).contains(value)
            || (0xF900...0xFAFF).contains(value) || (0x2F800...0x2FA1F).contains(value)
    }
}
