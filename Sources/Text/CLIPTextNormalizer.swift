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
            cleaned = canonicalComposition(cleaned)
        }
        return PythonUnicode.split(cleaned).map { PythonUnicode.lowercased(Array($0)) }
    }

    /// NFC, as CPython's `unicodedata.normalize("NFC", …)` computes it.
    ///
    /// Foundation's `precomposedStringWithCanonicalMapping` does the work, with repairs for
    /// faults it shows on Linux (Swift 6.3), all found by differential testing against CPython:
    /// it does not recompose a precomposed character with a following mark that extends it
    /// (U+0CCA U+0CD5 should become U+0CCB; an LV Hangul syllable and a trailing jamo should
    /// become the LVT syllable), so the text is decomposed (NFD) first; and it composes a
    /// supplementary-plane starter with a following mark as if the starter were its low 16 bits
    /// (U+10041 U+0301 became U+00C1). Supplementary starters that take no part in any composition
    /// (all but the ten first and nine second elements of Unicode 14's supplementary composites)
    /// block composition anyway, so the text is normalised in pieces split around them.
    static func canonicalComposition(_ original: [Unicode.Scalar]) -> [Unicode.Scalar] {
        // Decompose the few supplementary characters that have a canonical decomposition first
        // (Foundation gets single characters right); musical symbols then leave marks that reorder
        // with the marks after them.
        var text: [Unicode.Scalar] = []
        text.reserveCapacity(original.count)
        for scalar in original {
            if scalar.value > 0xFFFF, supplementaryDecompositions.contains(where: { $0.contains(scalar.value) }) {
                text.append(contentsOf: String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars)
            } else {
                text.append(scalar)
            }
        }
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        var pieceStart = 0
        func normalizePiece(upTo end: Int) {
            guard pieceStart < end else { return }
            output.append(contentsOf: foundationNFC(text[pieceStart..<end]))
        }
        for (index, scalar) in text.enumerated() where scalar.value > 0xFFFF {
            guard scalar.properties.canonicalCombiningClass == .notReordered,
                !supplementaryCompositionElements.contains(scalar.value)
            else { continue }
            normalizePiece(upTo: index)
            output.append(scalar)
            pieceStart = index + 1
        }
        normalizePiece(upTo: text.count)
        return composeHangulSyllableWithTrailingConsonant(output)
    }

    private static func foundationNFC(_ piece: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        let string = String(String.UnicodeScalarView(piece))
        return Array(string.decomposedStringWithCanonicalMapping.precomposedStringWithCanonicalMapping.unicodeScalars)
    }

    /// The supplementary-plane elements of Unicode 14.0's primary composites (Kaithi, Chakma,
    /// Grantha, Tirhuta, Siddham, Dives Akuru): first elements, then second elements.
    private static let supplementaryCompositionElements: Set<UInt32> = [
        0x11099, 0x1109B, 0x110A5, 0x11131, 0x11132, 0x11347, 0x114B9, 0x115B8, 0x115B9, 0x11935,
        0x110BA, 0x11127, 0x1133E, 0x11357, 0x114B0, 0x114BA, 0x114BD, 0x115AF, 0x11930,
    ]

    /// The supplementary-plane code points with a canonical decomposition in Unicode 14.0.
    private static let supplementaryDecompositions: [ClosedRange<UInt32>] = [
        0x1109A...0x1109A, 0x1109C...0x1109C, 0x110AB...0x110AB, 0x1112E...0x1112F, 0x1134B...0x1134C,
        0x114BB...0x114BC, 0x114BE...0x114BE, 0x115BA...0x115BB, 0x11938...0x11938,
        0x1D15E...0x1D164, 0x1D1BB...0x1D1C0, 0x2F800...0x2FA1D,
    ]

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
