import Tensor
import Testing
import Text

@Suite("CLIPEncoderLayer")
struct CLIPEncoderLayerTests {
    @Test("reproduces transformers' layer 0 output and leaves its input untouched")
    func layerZero() throws {
        let fixture = try CLIPTextModelFixture("A")
        let model = try fixture.loadModel()
        let input = try fixture.tensor("hidden_states.0")
        let before = input.scalars
        let output = try model.textModel.encoder.layers[0](input, mask: .causal)
        expectClose(output, try fixture.tensor("hidden_states.1"), "layer 0")
        #expect(input.scalars == before)
    }
}
