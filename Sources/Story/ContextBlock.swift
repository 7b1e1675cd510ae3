// One S-token block of AR-LDM's context (the current caption or one history slot), with its key mask.

import Tensor

/// S context tokens (1, S, D) and their keep mask (1 = the UNet may attend, 0 = hidden), as one block of the
/// context φ_j = [caption ; slot 0 ; … ; slot V−1] (story_video_3d.md §1.2 steps 3–4).
public struct ContextBlock: Sendable {
    /// (1, S, D), type and frame embeddings already added.
    public var tokens: Tensor
    /// S keep flags.
    public var keepMask: [Float]

    public init(tokens: Tensor, keepMask: [Float]) {
        self.tokens = tokens
        self.keepMask = keepMask
    }

    /// The same tokens with every position visible (the null condition clears padding masks, §1.3).
    public func fullyVisible() -> ContextBlock {
        ContextBlock(tokens: tokens, keepMask: [Float](repeating: 1, count: keepMask.count))
    }
}
