import Testing
@testable import Text

private func words(_ text: String) -> [String] {
    CLIPTextNormalizer.words(text.unicodeScalars).map { String(String.UnicodeScalarView($0)) }
}

@Suite("CLIPTextNormalizer")
struct CLIPTextNormalizerTests {
    @Test("whitespace splits; controls, format characters and U+FFFD vanish")
    func cleaning() {
        #expect(words("  A  Photo\tof\na\r\ncat ") == ["a", "photo", "of", "a", "cat"])
        #expect(words("zero\u{200B}width\u{FEFF}bom\u{00A0}nbsp") == ["zerowidthbom", "nbsp"])
        #expect(words("a\u{0}b\u{7F}c\u{1B}d\u{FFFD}e\u{85}f") == ["abcdef"])
        #expect(words("line\u{2028}separator") == ["line", "separator"])
        #expect(words("private \u{E000}x") == ["private", "x"])
        #expect(words("new \u{1FAE8}emoji") == ["new", "emoji"])  // Unicode 15: unassigned in Python 3.11
        #expect(words("").isEmpty && words(" \t\n ").isEmpty)
    }

    @Test("CJK ideographs become words of their own; kana and hangul do not")
    func cjk() {
        #expect(words("中文English混合") == ["中", "文", "english", "混", "合"])
        #expect(words("ひらがな") == ["ひらがな"])
        #expect(CLIPTextNormalizer.isCJKIdeograph(0x20000) && !CLIPTextNormalizer.isCJKIdeograph(0x3042))
    }

    @Test("NFC composition, lower-casing with accents kept")
    func normalization() {
        #expect(words("Cafe\u{301}") == ["caf\u{E9}"])
        #expect(words("\u{1100}\u{1161}\u{11A8}") == ["\u{AC01}"])
        // A precomposed LV syllable and a trailing jamo compose too (Foundation alone misses this).
        #expect(words("\u{C774}\u{11A8} \u{C5D0}\u{11A8}\u{11A8}") == ["\u{C775}", "\u{C5D1}\u{11A8}"])
        #expect(words("ÀÉÎ ΟΔΟΣ") == ["àéî", "οδος".dropLast() + "ς"])
    }

    @Test("NFC where Foundation alone goes wrong on Linux")
    func foundationRepairs() {
        // A precomposed character and a mark that extends it.
        #expect(words("\u{CCA}\u{CD5}") == ["\u{CCB}"])
        // A supplementary starter is not its low 16 bits (U+0041 + U+0301 would give Á).
        #expect(words("\u{10041}\u{301}") == ["\u{10041}\u{301}"])
        #expect(words("\u{11099}\u{110BA}") == ["\u{1109A}"])
        // Musical symbols decompose, and their marks reorder with the following ones.
        #expect(words("\u{1D163}\u{B4D}\u{731}") == ["\u{1D158}\u{B4D}\u{1D165}\u{1D171}\u{731}"])
        #expect(words("\u{2F800}") == ["\u{4E3D}"])
    }
}
