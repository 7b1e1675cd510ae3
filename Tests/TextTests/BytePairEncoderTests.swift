import Testing
@testable import Text

private func symbols(_ encoder: BytePairEncoder, _ word: String) -> [String] {
    encoder.encode(utf8: Array(word.utf8)).map { String(decoding: encoder.symbolBytes[Int($0)], as: UTF8.self) }
}

@Suite("BytePairEncoder")
struct BytePairEncoderTests {
    @Test("lowest rank first, end-of-word mark on the last character")
    func ranks() throws {
        let encoder = try BytePairEncoder(mergesText: "#version: 0.2\nh e\nl l\nhe ll\no</w> x\nhell o</w>\n")
        #expect(encoder.mergeCount == 5)
        #expect(symbols(encoder, "hello") == ["hello</w>"])
        #expect(symbols(encoder, "hell") == ["he", "l", "l</w>"])  // "l l" does not match "l l</w>"
        #expect(symbols(encoder, "h") == ["h</w>"])
        #expect(symbols(encoder, "xyz") == ["x", "y", "z</w>"])
    }

    @Test("all occurrences of the chosen pair merge, left to right, before any newer pair")
    func mergeAllOccurrences() throws {
        // "ab a" outranks "a b", but only exists once "a b" has merged: transformers still
        // finishes every "a b" first.
        let encoder = try BytePairEncoder(mergesText: "#version: 0.2\nab a\na b\n")
        #expect(symbols(encoder, "ababx") == ["ab", "ab", "x</w>"])
        let repeated = try BytePairEncoder(mergesText: "#version: 0.2\na a\n")
        #expect(symbols(repeated, "aaaa") == ["aa", "a", "a</w>"])
    }

    @Test("a long word merges in O(n log n) and gives the reference result")
    func longWord() throws {
        let encoder = try BytePairEncoder(mergesText: "#version: 0.2\na a\naa aa\naaaa aaaa\n")
        let result = encoder.encode(utf8: [UInt8](repeating: UInt8(ascii: "a"), count: 100_001))
        #expect(result.count == 12_501)  // 12,500 × "aaaaaaaa", then "a</w>"
    }

    @Test("the first line is skipped, the text trimmed, at most 48,894 merges read")
    func fileShape() throws {
        let noHeader = try BytePairEncoder(mergesText: "\n\n  a b\nc d\n\n")
        #expect(noHeader.mergeCount == 1)
        let many = "#version: 0.2\n" + (0..<50_000).map { "x\($0) y" }.joined(separator: "\n")
        #expect(try BytePairEncoder(mergesText: many).mergeCount == BytePairEncoder.maximumMergeCount)
        let duplicate = try BytePairEncoder(mergesText: "#\na b\nc d\na b\n")
        #expect(duplicate.mergeCount == 2)
    }

    @Test("a line that is not two symbols is a typed error with its line number")
    func badLines() {
        #expect(throws: TokenizerError.invalidMerges(
            path: "m.txt", line: 3, reason: "expected two symbols separated by a space, found 3")) {
            try BytePairEncoder(mergesText: "#version: 0.2\na b\na b c\n", path: "m.txt")
        }
        #expect(throws: TokenizerError.self) {
            try BytePairEncoder(mergesText: "#version: 0.2\na b\n\nc d\n")
        }
        #expect(throws: TokenizerError.self) {
            try BytePairEncoder(mergesText: "#version: 0.2\nlonely\n")
        }
    }
}
