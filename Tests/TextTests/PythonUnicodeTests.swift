import Testing
@testable import Text

private func lower(_ text: String) -> String {
    String(String.UnicodeScalarView(PythonUnicode.lowercased(Array(text.unicodeScalars))))
}

@Suite("PythonUnicode")
struct PythonUnicodeTests {
    @Test("str.isspace, strip and split")
    func whitespace() {
        for value: UInt32 in [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1F, 0x20, 0x85, 0xA0, 0x2028, 0x2029, 0x3000] {
            #expect(PythonUnicode.isSpace(Unicode.Scalar(value)!))
        }
        for value: UInt32 in [0x00, 0x41, 0x200B, 0xFEFF, 0x180E] {
            #expect(!PythonUnicode.isSpace(Unicode.Scalar(value)!))
        }
        let text = Array("  a\u{2028}b \u{3000} c\t".unicodeScalars)
        #expect(String(String.UnicodeScalarView(PythonUnicode.strip(text))) == "a\u{2028}b \u{3000} c")
        #expect(PythonUnicode.split(text).map { String(String.UnicodeScalarView($0)) } == ["a", "b", "c"])
        #expect(PythonUnicode.split(Array("   ".unicodeScalars)).isEmpty)
    }

    @Test("str.lower: full mappings and the final sigma")
    func lowercase() {
        #expect(lower("HeLLo ÀÉ") == "hello àé")
        #expect(lower("\u{130}") == "i\u{307}")
        #expect(lower("ΟΔΟΣ") == "οδος".replacingLast("σ", with: "ς"))
        #expect(lower("ΣΑΣ Σ") == "σας σ")
        #expect(lower("ΑΣ.Α") == "ασ.α")  // "." is case-ignorable: a cased letter follows
        #expect(lower("ΑΣ1") == "ας1")
    }

    @Test("categories follow Unicode 14.0: newer scalars are unassigned")
    func categories() {
        #expect(PythonUnicode.generalCategory("a") == .lowercaseLetter)
        #expect(PythonUnicode.generalCategory("\u{1FAE8}") == .unassigned)  // Unicode 15.0
        #expect(PythonUnicode.generalCategory("\u{1FAE0}") == .otherSymbol)  // Unicode 14.0
        #expect(PythonUnicode.generalCategory("\u{378}") == .unassigned)
    }
}

extension String {
    fileprivate func replacingLast(_ target: Character, with replacement: Character) -> String {
        guard let index = lastIndex(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(index...index, with: String(replacement))
        return copy
    }
}
