import Tensor
import Testing
import Text

@Suite("CLIPTextTransformer")
struct CLIPTextTransformerTests {
    @Test("legacy pooling takes the first largest id; otherwise the first eos_token_id")
    func pooling() throws {
        let legacy = try CLIPTextModelFixture("A").loadModel().textModel
        #expect(legacy.pooledPositions([[0, 5, 9, 9, 3], [4, 1, 1]]) == [2, 0])
        let modern = try CLIPTextModelFixture("B").loadModel().textModel
        // eos 998, pad 999: argmax would pick the padding.
        #expect(modern.pooledPositions([[997, 5, 998, 999, 999], [997, 998, 998], [1, 2, 3]]) == [2, 1, 0])
    }

    @Test("the additive mask is the causal mask plus finfo.min on padded keys")
    func additiveMask() {
        let mask = CLIPTextTransformer.additiveMask([[1, 1, 0]])
        #expect(mask.shape == [1, 1, 3, 3])
        let minimum = -Float.greatestFiniteMagnitude
        #expect(mask.scalars == [0, minimum, -.infinity,
                                 0, 0, -.infinity,
                                 0, 0, minimum])
    }
}
