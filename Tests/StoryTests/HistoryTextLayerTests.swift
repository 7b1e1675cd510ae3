import Testing
import Layers
import Tensor
@testable import Story

/// One post-LN fusion layer (self-attention with padding mask, cross-attention to the image) vs
/// Tools/reference/arldm_ref.py `TextLayer`.
@Suite("HistoryTextLayer")
struct HistoryTextLayerTests {
    @Test("layer 0 on the recorded embeddings and image tokens matches within 1e-4 of scale")
    func parity() throws {
        let layer = try #require(try StoryFixtures.pipeline().conditioner.historyEncoder.textModel.layers.first)
        let keep = try StoryFixtures.tensor("history.attention_mask")
        let output = try layer(StoryFixtures.tensor("history.text_embeddings"),
                               paddingBias: Attention.additiveMask(keepMask: keep),
                               imageTokens: StoryFixtures.tensor("history.image_tokens"))
        let expected = try StoryFixtures.tensor("history.text_layer0")
        let error = StoryFixtures.relativeError(output, expected)
        print("parity story text layer 0: relative \(error)")
        #expect(error <= 1e-4)
    }

    @Test("the padding mask matters: all-visible keys give another output")
    func paddingMatters() throws {
        let layer = try #require(try StoryFixtures.pipeline().conditioner.historyEncoder.textModel.layers.first)
        let embeddings = try StoryFixtures.tensor("history.text_embeddings")
        let image = try StoryFixtures.tensor("history.image_tokens")
        let masked = try layer(embeddings, paddingBias: Attention.additiveMask(keepMask: StoryFixtures.tensor("history.attention_mask")),
                               imageTokens: image)
        let open = try layer(embeddings, paddingBias: Tensor.zeros([4, 1, 16]), imageTokens: image)
        #expect(masked.maxAbsDifference(open) > 1e-2)
    }
}
