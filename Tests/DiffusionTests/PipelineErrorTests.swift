import Testing
@testable import Diffusion

@Suite("PipelineError")
struct PipelineErrorTests {
    @Test("descriptions name the parameter or folder")
    func descriptions() {
        #expect(PipelineError.invalidParameter(parameter: "steps", reason: "0 is outside 1...150").description
            == "invalid steps: 0 is outside 1...150")
        #expect(PipelineError.invalidInputShape(parameter: "mask", shape: [1, 3, 8, 8], expected: [1, 1, 8, 8]).description
            == "invalid mask: shape [1, 3, 8, 8], expected [1, 1, 8, 8]")
        #expect(PipelineError.invalidInputShape(parameter: "mask", shape: [], expected: []).parameter == "mask")
        #expect(PipelineError.invalidPipelineFolder(path: "/x", reason: "no model_index.json").parameter == nil)
    }
}
