import Testing
import Tensor
@testable import Story

/// The image tower alone vs Tools/reference/arldm_ref.py `VisionModel` (fixed frames and the black null frame).
@Suite("HistoryVisionModel")
struct HistoryVisionModelTests {
    @Test("image tokens (patches + [CLS], 2 ViT blocks, final LayerNorm) match within 1e-4 of scale")
    func parity() throws {
        let encoder = try StoryFixtures.pipeline().conditioner.historyEncoder
        let images = try Tensor.concatenate([StoryFixtures.tensor("inputs.images"), Tensor.zeros([1, 3, 32, 32])],
                                            dimension: 0)
        let tokens = try encoder.visionModel(encoder.normalized(images))
        let expected = try StoryFixtures.tensor("history.image_tokens")
        #expect(tokens.shape == [4, 17, 64])
        let error = StoryFixtures.relativeError(tokens, expected)
        print("parity story vision model: relative \(error)")
        #expect(error <= 1e-4)
    }
}
