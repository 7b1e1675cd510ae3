import Foundation
import Testing
@testable import Text

private let tinyVocabulary = #"{"a":0,"b":1,"a</w>":2,"b</w>":3,"ab</w>":4,"<|startoftext|>":5,"<|endoftext|>":6}"#

@Suite("TokenizerError")
struct TokenizerErrorTests {
    @Test("missing files name the path")
    func missingFiles() throws {
        try withTemporaryDirectory { directory in
            #expect(throws: TokenizerError.missingFile(path: directory.appendingPathComponent("vocab.json").path)) {
                try CLIPTokenizer(directory: directory)
            }
            try Data(tinyVocabulary.utf8).write(to: directory.appendingPathComponent("vocab.json"))
            #expect(throws: TokenizerError.missingFile(path: directory.appendingPathComponent("merges.txt").path)) {
                try CLIPTokenizer(directory: directory)
            }
            try Data("#version: 0.2\na b</w>\n".utf8).write(to: directory.appendingPathComponent("merges.txt"))
            let tokenizer = try CLIPTokenizer(directory: directory)
            #expect(tokenizer.encode("ab", maxLength: 5).ids == [5, 4, 6, 6, 6])
            #expect(tokenizer.encode("ba", maxLength: 5).ids == [5, 1, 2, 6, 6])
            #expect(tokenizer.encode("c", padding: false).ids == [5, 6, 6])  // unknown → <|endoftext|>
        }
    }

    @Test("bad vocabulary JSON and out-of-range ids")
    func badVocabulary() {
        for json in ["", "{", "[]", #"{"a": "x"}"#, #"{"a": 1.5}"#, #"{"a": -1}"#, #"{"a": 99999999999}"#] {
            #expect(throws: TokenizerError.self) {
                try CLIPTokenizer(vocabularyJSON: Data(json.utf8), mergesText: "", configuration: .stableDiffusion1)
            }
        }
    }

    @Test("special tokens must exist")
    func missingSpecialTokens() {
        #expect(throws: TokenizerError.missingSpecialToken(role: "bos_token", token: "<|startoftext|>")) {
            try CLIPTokenizer(vocabularyJSON: Data(#"{"a":0}"#.utf8), mergesText: "", configuration: .stableDiffusion1)
        }
        var noPad = CLIPTokenizerConfiguration.stableDiffusion1
        noPad.padding = nil
        #expect(throws: TokenizerError.missingSpecialToken(role: "pad_token", token: nil)) {
            try CLIPTokenizer(vocabularyJSON: Data(tinyVocabulary.utf8), mergesText: "", configuration: noPad)
        }
        #expect(throws: TokenizerError.missingSpecialToken(role: "pad_token", token: "!")) {
            try CLIPTokenizer(vocabularyJSON: Data(tinyVocabulary.utf8), mergesText: "", configuration: .stableDiffusion2)
        }
    }

    @Test("descriptions read as sentences")
    func descriptions() {
        #expect(TokenizerError.missingFile(path: "/x/vocab.json").description == "tokenizer file not found: /x/vocab.json")
        #expect(TokenizerError.invalidMerges(path: "m", line: 3, reason: "r").description.contains("line 3"))
        #expect(TokenizerError.missingSpecialToken(role: "pad_token", token: nil).description.contains("not set"))
    }
}

@Suite("TokenizerError from programmatic configurations")
struct TokenizerErrorConfigurationTests {
    @Test("added tokens with impossible ids are refused, not trapped on")
    func addedTokenIDs() {
        var configuration = CLIPTokenizerConfiguration.stableDiffusion1
        configuration.addedTokens = [Int.max: AddedToken("<x>")]
        #expect(throws: TokenizerError.self) {
            try CLIPTokenizer(vocabularyJSON: Data(tinyVocabulary.utf8), mergesText: "", configuration: configuration)
        }
    }

    @Test("a huge maxLength is clamped instead of allocating it")
    func hugeMaximumLength() throws {
        let tokenizer = try CLIPTokenizer(
            vocabularyJSON: Data(tinyVocabulary.utf8), mergesText: "", configuration: .stableDiffusion1)
        #expect(tokenizer.encode("a", maxLength: .max).ids.count == CLIPTokenizerConfiguration.maximumModelMaxLength)
    }
}
