import Tensor
import Testing
import Text

@Suite("CLIPEncoder")
struct CLIPEncoderTests {
    @Test("records the input and every layer's output; layerCount stops early")
    func hiddenStates() throws {
        let model = try CLIPTextModelFixture("B").loadModel()
        let x = try model.textModel.embeddings([[997, 3, 44, 998]])
        let (last, states) = try model.textModel.encoder(x, mask: .causal, recordHiddenStates: true)
        #expect(states.count == 4)
        #expect(states[0].maxAbsDifference(x) == 0)
        #expect(states[3].maxAbsDifference(last) == 0)
        let (partial, none) = try model.textModel.encoder(x, mask: .causal, layerCount: 2)
        #expect(none.isEmpty)
        // a second call: equal up to rounding, as concurrent suites may switch the BLAS thread count between them
        #expect(partial.maxAbsDifference(states[2]) <= 1e-5)
    }
}
