import Tensor
import Testing
import Text

@Suite("CLIPAttention")
struct CLIPAttentionTests {
    @Test("the causal mask alone equals the additive mask of an all-ones attention mask")
    func causalEqualsAdditive() throws {
        let model = try CLIPTextModelFixture("B").loadModel()
        let attention = model.textModel.encoder.layers[0].selfAttn
        let x = try model.textModel.embeddings([[997, 3, 44, 998, 999], [997, 500, 998, 999, 999]])
        let causal = try attention(x, mask: .causal)
        let additive = try attention(x, mask: .additive(CLIPTextTransformer.additiveMask(Array(repeating: [1, 1, 1, 1, 1], count: 2))))
        #expect(causal.shape == [2, 5, 48])
        expectClose(causal, additive, relative: 1e-6, "causal vs additive")
        #expect(attention.headCount == 6)
        #expect(attention.qProj.outFeatures == 48)
    }
}
