import Testing
import Tensor
@testable import Story

@Suite("ContextBlock")
struct ContextBlockTests {
    @Test("fullyVisible keeps the tokens and clears the padding mask (the null condition's rule)")
    func fullyVisible() {
        let block = ContextBlock(tokens: Tensor(shape: [1, 3, 1], values: [1, 2, 3]), keepMask: [1, 0, 0])
        let visible = block.fullyVisible()
        #expect(visible.keepMask == [1, 1, 1])
        #expect(visible.tokens.scalars == [1, 2, 3])
    }
}
