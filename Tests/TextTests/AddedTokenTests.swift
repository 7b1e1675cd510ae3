import Testing
@testable import Text

private func render(_ splitter: AddedTokenSplitter, _ text: String) -> [String] {
    splitter.split(Array(text.unicodeScalars)).map { piece in
        switch piece {
        case .token(let index): "[\(splitter.tokens[index].content)]"
        case .text(let scalars): String(String.UnicodeScalarView(scalars))
        }
    }
}

@Suite("AddedTokenSplitter")
struct AddedTokenTests {
    @Test("tokens are split off left to right, longest first; empty fragments dropped")
    func split() {
        let splitter = AddedTokenSplitter(tokens: [AddedToken("<|endoftext|>"), AddedToken("!"), AddedToken("<|end")])
        #expect(render(splitter, "a<|endoftext|>b") == ["a", "[<|endoftext|>]", "b"])
        #expect(render(splitter, "hi!!") == ["hi", "[!]", "[!]"])
        #expect(render(splitter, "<|end x") == ["[<|end]", " x"])
        #expect(render(splitter, "").isEmpty)
    }

    @Test("lstrip and rstrip swallow neighbouring whitespace")
    func stripping() {
        let splitter = AddedTokenSplitter(tokens: [AddedToken("<t>", lstrip: true, rstrip: true)])
        #expect(render(splitter, "a  <t>  b") == ["a", "[<t>]", "b"])
        #expect(render(splitter, "  <t>  ") == ["[<t>]"])
    }

    @Test("single_word tokens only match between spaces")
    func singleWord() {
        let splitter = AddedTokenSplitter(tokens: [AddedToken("cat", singleWord: true)])
        #expect(render(splitter, "a cat b") == ["a ", "[cat]", " b"])
        #expect(render(splitter, "concat") == ["concat"])
        #expect(render(splitter, "cats") == ["cats"])
    }
}
