import Testing
import Tensor
@testable import Story

/// Context assembly (φ_j and its key mask, and the null condition) vs Tools/reference/arldm_ref.py
/// `StoryModel.assemble` / `null_context`, on the 4-caption story whose frames 0…2 are the fixed images.
@Suite("StoryConditioner")
struct StoryConditionerTests {
    /// The history with slots 0…2 written from the fixed frames, as the fixture script builds it.
    static func history(_ conditioner: StoryConditioner) throws -> StoryHistory {
        var history = try conditioner.emptyHistory()
        for frame in 0..<3 {
            try history.write(conditioner.historySlot(image: StoryFixtures.frame(frame),
                                                      caption: StoryFixtures.captions[frame], frame: frame), at: frame)
        }
        return history
    }

    @Test("conditional and null contexts match the reference for frames 0, 1 and 3", arguments: [0, 1, 3])
    func contexts(frame: Int) throws {
        let conditioner = try StoryFixtures.pipeline().conditioner
        let history = try Self.history(conditioner)
        let conditional = try conditioner.context(frame: frame, caption: StoryFixtures.captions[frame], history: history)
        let unconditional = try conditioner.nullContext(frame: frame)
        for (name, context) in [("cond", conditional), ("uncond", unconditional)] {
            let expected = try StoryFixtures.tensor("context.frame\(frame).\(name)")
            let expectedMask = try StoryFixtures.tensor("context.frame\(frame).\(name)_mask")
            #expect(context.tokens.shape == [1, 96, 64])
            #expect(context.tokens.shape == expected.shape)
            #expect(context.keyMask.shape == expectedMask.shape)
            #expect(context.keyMask.scalars == expectedMask.scalars, "frame \(frame) \(name) mask")
            let error = StoryFixtures.relativeError(context.tokens, expected)
            print("parity story context frame \(frame) \(name): max abs error \(context.tokens.maxAbsDifference(expected)), relative \(error), visible keys \(Int(context.keyMask.sum()))")
            #expect(error <= 1e-4)
        }
    }

    @Test("slots at or after the frame are hidden; earlier slots show their caption's tokens")
    func squareMask() throws {
        let conditioner = try StoryFixtures.pipeline().conditioner
        let history = try Self.history(conditioner)
        let length = conditioner.configuration.captionLength
        let context = try conditioner.context(frame: 2, caption: StoryFixtures.captions[2], history: history)
        let mask = context.keyMask.scalars
        for slot in 0..<conditioner.configuration.maxFrames {
            let block = mask[(slot + 1) * length ..< (slot + 2) * length]
            let visible = slot < 2 ? Float(conditioner.tokenize(StoryFixtures.captions[slot]).keepMask.reduce(0, +)) : 0
            #expect(block.reduce(0, +) == visible, "slot \(slot)")
        }
        let null = try conditioner.nullContext(frame: 2).keyMask.scalars
        #expect(null.reduce(0, +) == Float(3 * length))
    }
}
