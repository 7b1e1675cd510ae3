import Testing
@testable import Diffusion

@Suite("TextToImageParameters")
struct TextToImageParametersTests {
    let valid = TextToImageParameters(prompt: "a cat", width: 512, height: 768, steps: 30, guidanceScale: 7.5, seed: 42,
                                      scheduler: .dpmSolverMultistep)

    @Test("defaults: no negative prompt, one image; guidance > 1 turns on CFG")
    func defaults() {
        #expect(valid.negativePrompt == "")
        #expect(valid.imageCount == 1)
        #expect(valid.usesClassifierFreeGuidance)
        var plain = valid
        plain.guidanceScale = 1
        #expect(!plain.usesClassifierFreeGuidance)
        #expect(plain != valid)
    }

    @Test("validation names the first parameter out of range")
    func validation() throws {
        try valid.validate(vaeScaleFactor: 8)
        func failing(_ change: (inout TextToImageParameters) -> Void) -> String? {
            var parameters = valid
            change(&parameters)
            do {
                try parameters.validate(vaeScaleFactor: 8)
                return nil
            } catch {
                return error.parameter
            }
        }
        #expect(failing { $0.width = 500 } == "width")
        #expect(failing { $0.height = -8 } == "height")
        #expect(failing { $0.steps = 151 } == "steps")
        #expect(failing { $0.imageCount = 0 } == "imageCount")
        #expect(failing { $0.guidanceScale = .infinity } == "guidanceScale")
        #expect(failing { $0.steps = 150; $0.imageCount = 4 } == nil)
    }
}
