import Testing
import Tensor
@testable import Story

@Suite("StoryHistory")
struct StoryHistoryTests {
    static func block(_ value: Float) -> ContextBlock {
        ContextBlock(tokens: Tensor(repeating: value, shape: [1, 1, 2]), keepMask: [1])
    }

    @Test("write replaces exactly one slot")
    func write() throws {
        var history = StoryHistory(slots: [Self.block(0), Self.block(0)])
        try history.write(Self.block(5), at: 1)
        #expect(history.slots.map { $0.tokens.scalars[0] } == [0, 5])
    }

    @Test("writing outside the slots throws")
    func writeOutside() {
        var history = StoryHistory(slots: [Self.block(0)])
        #expect(throws: StoryError.self) { try history.write(Self.block(1), at: 1) }
    }
}
