import Testing
import Text

@Suite("CLIPTextModelError")
struct CLIPTextModelErrorTests {
    @Test("descriptions name the numbers at fault")
    func descriptions() {
        #expect(CLIPTextModelError.sequenceTooLong(length: 78, maximum: 77).description.contains("78"))
        #expect(CLIPTextModelError.tokenOutOfRange(row: 1, position: 2, id: 50000, vocabularySize: 49408)
            .description.contains("50000"))
        #expect(CLIPTextModelError.clipSkipOutOfRange(clipSkip: 13, layers: 12).description.contains("clip_skip 13"))
        #expect(CLIPTextModelError.negativePromptCount(found: 1, expected: 2).description == "1 negative prompts for 2 prompts")
    }
}
