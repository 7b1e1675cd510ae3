import Foundation
import Tensor
import Testing
import Text

@Suite("CLIPPromptEncoder")
struct CLIPPromptEncoderTests {
    private func encoder() throws -> CLIPPromptEncoder {
        CLIPPromptEncoder(tokenizer: sharedCLIPTokenizer, textEncoder: try CLIPTextModelFixture("A").loadModel())
    }

    @Test("tokenises like the fixture (padding to 77 with <|endoftext|>)")
    func tokenize() throws {
        let fixture = try CLIPTextModelFixture("A")
        let (ids, mask) = try encoder().tokenize(try fixture.strings("prompts"))
        #expect(ids == (try fixture.rows("input_ids")))
        #expect(mask == (try fixture.rows("attention_mask")))
        #expect(ids.allSatisfy { $0.count == 77 })
    }

    @Test("matches diffusers encode_prompt with negative prompts and clip_skip 1")
    func pipelineParity() throws {
        let fixture = try CLIPTextModelFixture("A")
        let prompts = Array(try fixture.strings("prompts").prefix(2))
        let embeddings = try encoder().encode(prompts, negativePrompts: try fixture.strings("negative_prompts"), clipSkip: 1)
        #expect(embeddings.prompt.shape == [2, 77, 32])
        expectClose(embeddings.prompt, try fixture.tensor("pipeline.prompt_embeds"), "prompt_embeds")
        expectClose(embeddings.negativePrompt, try fixture.tensor("pipeline.negative_prompt_embeds"), "negative_prompt_embeds")
    }

    @Test("without clip_skip the embeddings are last_hidden_state; missing negatives are \"\"")
    func defaults() throws {
        let fixture = try CLIPTextModelFixture("A")
        let prompts = try fixture.strings("prompts")
        let embeddings = try encoder().encode(prompts, negativePrompts: nil)
        expectClose(embeddings.prompt, try fixture.tensor("last_hidden_state"), "prompts")
        let empty = try fixture.tensor("last_hidden_state").selected(dimension: 0, index: 2)  // prompt 2 is ""
        for row in 0..<prompts.count {
            expectClose(try embeddings.negativePrompt.selected(dimension: 0, index: row).contiguous(), empty.contiguous(),
                        "negative \(row)")
        }
    }

    @Test("needs one negative prompt per prompt")
    func negativeCount() throws {
        #expect(throws: CLIPTextModelError.negativePromptCount(found: 1, expected: 2)) {
            try encoder().encode(["a", "b"], negativePrompts: ["c"])
        }
    }
}
