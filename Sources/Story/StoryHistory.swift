// The V history slots of one story while it is generated (AR-LDM's history tensor, story_video_3d.md §1.2 step 2
// and §1.4 step 4).

/// The history slots 0…V−1 of a story. A slot starts as the null history (hidden) and is overwritten with the
/// encoding of frame k once frame k exists — given (continuation) or generated (autoregressive sampling).
public struct StoryHistory: Sendable {
    /// One block per slot, in frame order.
    public private(set) var slots: [ContextBlock]

    /// `slots` as given (e.g. the null history, hidden or fully visible).
    public init(slots: [ContextBlock]) {
        self.slots = slots
    }

    /// Number of slots (the story's `max_frames`).
    public var count: Int { slots.count }

    /// Writes the encoding of frame `frame` into its slot (AR-LDM overwrites slot k of the conditional context).
    public mutating func write(_ slot: ContextBlock, at frame: Int) throws {
        guard slots.indices.contains(frame) else {
            throw StoryError.invalidParameter(parameter: "frame", reason: "\(frame) is outside 0..<\(slots.count)")
        }
        slots[frame] = slot
    }
}
