import Foundation
import Testing
@testable import Text

@Suite("CLIPTokenizerConfiguration")
struct CLIPTokenizerConfigurationTests {
    @Test("the committed SD-1 and SD-2 folders")
    func committedFolders() throws {
        let sd1 = try CLIPTokenizerConfiguration.load(from: clipTokenizerDirectory)
        #expect(sd1 == .stableDiffusion1)
        let sd2 = try CLIPTokenizerConfiguration.load(from: clipTokenizerDirectory.appendingPathComponent("sd2"))
        #expect(sd2 == .stableDiffusion2)
    }

    @Test("special_tokens_map.json overrides tokenizer_config.json; objects carry flags")
    func precedence() throws {
        var configuration = CLIPTokenizerConfiguration()
        try configuration.apply(Data(#"{"pad_token": "<|endoftext|>", "model_max_length": 64}"#.utf8), path: "a")
        try configuration.apply(
            Data(#"{"pad_token": {"content": "!", "lstrip": true, "rstrip": false, "single_word": false}}"#.utf8), path: "b")
        #expect(configuration.padding == AddedToken("!", lstrip: true))
        #expect(configuration.modelMaxLength == 64)
        try configuration.apply(Data(#"{"pad_token": null, "added_tokens_decoder": {"49408": {"content": "<x>"}}}"#.utf8), path: "c")
        #expect(configuration.padding == nil)
        #expect(configuration.addedTokens == [49408: AddedToken("<x>")])
    }

    @Test("malformed files are typed errors")
    func malformed() {
        var configuration = CLIPTokenizerConfiguration()
        #expect(throws: TokenizerError.invalidConfiguration(path: "p", reason: "not valid JSON")) {
            try configuration.apply(Data("{".utf8), path: "p")
        }
        #expect(throws: TokenizerError.self) { try configuration.apply(Data("[1]".utf8), path: "p") }
        #expect(throws: TokenizerError.self) { try configuration.apply(Data(#"{"bos_token": 3}"#.utf8), path: "p") }
        #expect(throws: TokenizerError.self) { try configuration.apply(Data(#"{"bos_token": ""}"#.utf8), path: "p") }
        #expect(throws: TokenizerError.missingSpecialToken(role: "eos_token", token: nil)) {
            try configuration.apply(Data(#"{"eos_token": null}"#.utf8), path: "p")
        }
        for length in ["1", "1e30", "\"77\"", "-5"] {
            #expect(throws: TokenizerError.self) {
                try configuration.apply(Data(#"{"model_max_length": \#(length)}"#.utf8), path: "p")
            }
        }
        #expect(throws: TokenizerError.self) {
            try configuration.apply(Data(#"{"added_tokens_decoder": {"x": {"content": "a"}}}"#.utf8), path: "p")
        }
    }
}
