import Testing
@testable import Text

private func pieces(_ word: String) -> [String] {
    let scalars = Array(word.unicodeScalars)
    return CLIPPreTokenizer.split(scalars).map { String(String.UnicodeScalarView(scalars[$0])) }
}

@Suite("CLIPPreTokenizer")
struct CLIPPreTokenizerTests {
    @Test("letters run, numbers stand alone, other characters run")
    func classes() {
        #expect(pieces("hello,world!!") == ["hello", ",", "world", "!!"])
        #expect(pieces("2024abc") == ["2", "0", "2", "4", "abc"])
        #expect(pieces("ⅻ²½") == ["ⅻ", "²", "½"])
        #expect(pieces("🐱🐶") == ["🐱🐶"])
        #expect(pieces("x\u{20DD}") == ["x", "\u{20DD}"])
    }

    @Test("contractions, including ſ matching s as the IGNORECASE regex does")
    func contractions() {
        #expect(pieces("it's") == ["it", "'s"])
        #expect(pieces("they're") == ["they", "'re"])
        #expect(pieces("''s") == ["''", "s"])
        #expect(pieces("'ll've") == ["'ll", "'ve"])
        #expect(pieces("'\u{17F}") == ["'\u{17F}"])
        #expect(pieces("'x") == ["'", "x"])
    }

    @Test("special spellings; U+0345 matches nothing and is dropped")
    func specialsAndYpogegrammeni() {
        #expect(pieces("x<|endoftext|>y") == ["x", "<|endoftext|>", "y"])
        #expect(pieces("<|\u{17F}tartoftext|>") == ["<|\u{17F}tartoftext|>"])
        #expect(pieces("!!<|endoftext|>") == ["!!<|", "endoftext", "|>"])
        #expect(pieces("a\u{345}b") == ["a", "b"])
    }
}
