import Testing
import Tensor
@testable import Story

/// The caption tower vs Tools/reference/arldm_ref.py `TextModel`, fed the recorded image tokens.
@Suite("HistoryTextModel")
struct HistoryTextModelTests {
    @Test("the tower on [ENC]-first ids matches within 1e-4 of scale")
    func parity() throws {
        let encoder = try StoryFixtures.pipeline().conditioner.historyEncoder
        let ids = try StoryFixtures.tensor("history.input_ids").scalars.map(Int.init)
        let mask = try StoryFixtures.tensor("history.attention_mask").scalars.map(Int.init)
        let rows = (0..<4).map { row in [encoder.configuration.encTokenID] + ids[row * 16 + 1 ..< (row + 1) * 16] }
        let masks = (0..<4).map { row in Array(mask[row * 16 ..< (row + 1) * 16]) }
        let output = try encoder.textModel(inputIDs: rows, attentionMask: masks,
                                           imageTokens: StoryFixtures.tensor("history.image_tokens"))
        let expected = try StoryFixtures.tensor("history.output")
        let error = StoryFixtures.relativeError(output, expected)
        print("parity story text model: relative \(error)")
        #expect(error <= 1e-4)
    }
}
