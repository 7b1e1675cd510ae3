import Testing
import Tensor
@testable import Story

@Suite("StoryParameters")
struct StoryParametersTests {
    static let frameShape = [1, 3, 32, 32]

    static func failing(_ parameters: StoryParameters) -> String? {
        do {
            try parameters.validate(maxFrames: 5, frameShape: frameShape)
            return nil
        } catch let error as StoryError {
            return error.parameter
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test("visualization (no given frame) and continuation (frame 0 given) are valid")
    func valid() {
        let captions = ["a", "b", "c", "d", "e"]
        #expect(Self.failing(StoryParameters(captions: captions, steps: 25, guidanceScale: 5, seed: 0)) == nil)
        #expect(Self.failing(StoryParameters(captions: captions, givenFrames: [Tensor.zeros(Self.frameShape)], steps: 25,
                                             guidanceScale: 5, seed: 0)) == nil)
    }

    @Test("each out-of-range parameter is named")
    func invalid() {
        #expect(Self.failing(StoryParameters(captions: [], steps: 1, guidanceScale: 5, seed: 0)) == "captions")
        #expect(Self.failing(StoryParameters(captions: Array(repeating: "a", count: 6), steps: 1, guidanceScale: 5,
                                             seed: 0)) == "captions")
        #expect(Self.failing(StoryParameters(captions: ["a"], givenFrames: [Tensor.zeros(Self.frameShape)], steps: 1,
                                             guidanceScale: 5, seed: 0)) == "givenFrames")
        #expect(Self.failing(StoryParameters(captions: ["a", "b"], givenFrames: [Tensor.zeros([1, 3, 8, 8])], steps: 1,
                                             guidanceScale: 5, seed: 0)) == "givenFrames")
        #expect(Self.failing(StoryParameters(captions: ["a"], steps: 1001, guidanceScale: 5, seed: 0)) == "steps")
        #expect(Self.failing(StoryParameters(captions: ["a"], steps: 1, guidanceScale: -1, seed: 0)) == "guidanceScale")
        #expect(Self.failing(StoryParameters(captions: ["a"], steps: 1, guidanceScale: .infinity, seed: 0)) == "guidanceScale")
    }
}
