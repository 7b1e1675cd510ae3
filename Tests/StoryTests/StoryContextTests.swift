import Testing
import Tensor
@testable import Story

@Suite("StoryContext")
struct StoryContextTests {
    static func block(_ value: Float, mask: [Float]) -> ContextBlock {
        ContextBlock(tokens: Tensor(repeating: value, shape: [1, mask.count, 2]), keepMask: mask)
    }

    @Test("layout [caption; slot 0…V−1]; slots k ≥ frame hidden whatever their own mask")
    func layout() throws {
        let history = StoryHistory(slots: [Self.block(1, mask: [1, 0]), Self.block(2, mask: [1, 1]), Self.block(3, mask: [1, 1])])
        let context = try StoryContext(caption: Self.block(9, mask: [1, 1]), history: history, frame: 1)
        #expect(context.tokens.shape == [1, 8, 2])
        #expect(context.tokens.scalars == [9, 9, 9, 9, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
        #expect(context.keyMask.scalars == [1, 1, 1, 0, 0, 0, 0, 0])
        let batch = try StoryContext.guidanceBatch(unconditional: context, conditional: context)
        #expect(batch.tokens.shape == [2, 8, 2])
        #expect(batch.keyMask.shape == [2, 8])
    }
}
