import Foundation
import Testing
@testable import Text

/// One prompt of `parity.json`, recorded from transformers 4.57.6.
private struct ParityCase: Decodable {
    struct Encoded: Decodable {
        let input_ids: [Int32]
        let attention_mask: [Int32]
    }
    let prompt: String
    let tokens: [String]
    let full_ids: [Int32]
    let sd1: Encoded
    let sd2: Encoded
}

/// One seeded random prompt of `parity.json`, with its untruncated ids.
private struct RandomCase: Decodable {
    let prompt: String
    let full_ids: [Int32]
    let sd2_ids: [Int32]
}

private struct ParityDocument: Decodable {
    let reference: String
    let cases: [ParityCase]
    let random_cases: [RandomCase]
}

private let parity: ParityDocument = {
    let url = clipTokenizerDirectory.appendingPathComponent("parity.json")
    do {
        return try JSONDecoder().decode(ParityDocument.self, from: Data(contentsOf: url))
    } catch {
        fatalError("cannot read \(url.path): \(error)")
    }
}()

@Suite("CLIPTokenizer")
struct CLIPTokenizerTests {
    @Test("the real vocabulary: 49,408 tokens, special ids 49406/49407, SD-1 and SD-2 padding")
    func vocabulary() {
        let tokenizer = sharedCLIPTokenizer
        #expect(tokenizer.vocabularySize == 49_408)
        #expect(tokenizer.beginningOfSequenceID == 49_406)
        #expect(tokenizer.endOfSequenceID == 49_407)
        #expect(tokenizer.unknownID == 49_407)
        #expect(tokenizer.paddingID == 49_407)
        #expect(sharedCLIPTokenizerSD2.paddingID == 0)
        #expect(tokenizer.configuration.modelMaxLength == 77)
    }

    @Test("well-known ids of a common prompt")
    func commonPrompt() {
        let encoding = sharedCLIPTokenizer.encode("a photo of a cat", padding: false)
        #expect(encoding.ids == [49406, 320, 1125, 539, 320, 2368, 49407])
        #expect(encoding.attentionMask == [1, 1, 1, 1, 1, 1, 1])
    }

    @Test("parity with transformers on every recorded prompt, both padding conventions")
    func parityFixture() {
        #expect(parity.cases.count >= 60)
        for item in parity.cases {
            let sd1 = sharedCLIPTokenizer.encode(item.prompt)
            #expect(sd1.ids == item.sd1.input_ids, "sd1 ids: \(item.prompt.debugDescription)")
            #expect(sd1.attentionMask == item.sd1.attention_mask, "sd1 mask: \(item.prompt.debugDescription)")
            let sd2 = sharedCLIPTokenizerSD2.encode(item.prompt)
            #expect(sd2.ids == item.sd2.input_ids, "sd2 ids: \(item.prompt.debugDescription)")
            #expect(sd2.attentionMask == item.sd2.attention_mask, "sd2 mask: \(item.prompt.debugDescription)")
            let full = sharedCLIPTokenizer.encode(item.prompt, padding: false, truncation: false)
            #expect(full.ids == item.full_ids, "untruncated ids: \(item.prompt.debugDescription)")
            #expect(sharedCLIPTokenizer.tokenize(item.prompt) == item.tokens, "tokens: \(item.prompt.debugDescription)")
        }
    }

    @Test("parity with transformers on 400 seeded random prompts (any code point, marks, controls)")
    func randomParity() {
        #expect(parity.random_cases.count == 400)
        for item in parity.random_cases {
            let sd1 = sharedCLIPTokenizer.encode(item.prompt, padding: false, truncation: false).ids
            #expect(sd1 == item.full_ids, "sd1: \(item.prompt.unicodeScalars.map { $0.value })")
            let sd2 = sharedCLIPTokenizerSD2.encode(item.prompt, padding: false, truncation: false).ids
            #expect(sd2 == item.sd2_ids, "sd2: \(item.prompt.unicodeScalars.map { $0.value })")
        }
    }
}

@Suite("CLIPTokenizer encoding options")
struct CLIPTokenizerEncodingTests {
    @Test("truncation keeps 75 text ids; padding and the mask follow")
    func truncationAndPadding() {
        let text = Array(repeating: "word", count: 100).joined(separator: " ")
        let tokenizer = sharedCLIPTokenizer
        let encoded = tokenizer.encode(text)
        #expect(encoded.ids.count == 77 && encoded.ids.last == 49407 && encoded.attentionMask.allSatisfy { $0 == 1 })
        #expect(tokenizer.encode(text, truncation: false).ids.count == 102)
        #expect(tokenizer.tokenIDs(text, limit: 10) == Array(tokenizer.tokenIDs(text).prefix(10)))
        let short = tokenizer.encode("", maxLength: 4)
        #expect(short.ids == [49406, 49407, 49407, 49407] && short.attentionMask == [1, 1, 0, 0])
        #expect(sharedCLIPTokenizerSD2.encode("", maxLength: 4).ids == [49406, 49407, 0, 0])
        #expect(tokenizer.encode("a b c", maxLength: 0).ids == [49406, 49407])
    }

    @Test("safe to share between concurrent tasks")
    func concurrentUse() async {
        let prompts = ["a photo of a cat", "一只猫", "it's 🐱!!", "ΟΔΟΣ"]
        let expected = prompts.map { sharedCLIPTokenizer.encode($0) }
        await withTaskGroup(of: Bool.self) { group in
            for round in 0..<32 {
                group.addTask {
                    let index = round % prompts.count
                    return sharedCLIPTokenizer.encode(prompts[index]) == expected[index]
                }
            }
            for await same in group { #expect(same) }
        }
    }
}
