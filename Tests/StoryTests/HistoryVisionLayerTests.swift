import Testing
import Tensor
@testable import Story

/// One pre-LN ViT block vs Tools/reference/arldm_ref.py `VisionLayer`.
@Suite("HistoryVisionLayer")
struct HistoryVisionLayerTests {
    @Test("layer 0 on the recorded embeddings matches within 1e-4 of scale")
    func parity() throws {
        let layer = try #require(try StoryFixtures.pipeline().conditioner.historyEncoder.visionModel.layers.first)
        let output = try layer(StoryFixtures.tensor("history.vision_embeddings"))
        let expected = try StoryFixtures.tensor("history.vision_layer0")
        let error = StoryFixtures.relativeError(output, expected)
        print("parity story vision layer 0: relative \(error)")
        #expect(error <= 1e-4)
    }
}
