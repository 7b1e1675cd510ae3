import Tensor
import Testing
import Text

@Suite("CLIPTextEmbeddings")
struct CLIPTextEmbeddingsTests {
    @Test("token plus position embeddings equal transformers' hidden_states[0]", arguments: ["A", "B"])
    func embeddings(name: String) throws {
        let fixture = try CLIPTextModelFixture(name)
        let model = try fixture.loadModel()
        let embedded = try model.textModel.embeddings(try fixture.rows("input_ids"))
        expectClose(embedded, try fixture.tensor("hidden_states.0"), relative: 1e-6, "\(name) embeddings")
        #expect(model.textModel.embeddings.positionEmbedding.count == 77)
    }
}
