// The assembled cross-attention context of one frame and its key mask (story_video_3d.md §1.2 steps 3–4).

import Tensor

/// φ_j = [caption_j + type₀ ; H_0 ; … ; H_{V−1}] as (1, (1 + V)·S, D) and its keep mask (1, (1 + V)·S) in the
/// convention of diffusers' `encoder_attention_mask` (1 = attend, 0 = hidden; the UNet turns 0 into a −10000
/// bias, which in Float32 hides a key exactly as AR-LDM's boolean `masked_fill(−inf)`).
///
/// Caption padding is hidden, each visible slot hides its caption's padding, and every slot k ≥ j is hidden: the
/// causal "square mask" (`triu(ones(V, V))`) restricted to frame j's row.
public struct StoryContext: Sendable {
    /// (1, L, D).
    public let tokens: Tensor
    /// (1, L), 1 = attend.
    public let keyMask: Tensor

    /// Concatenates the caption block and the history slots, hiding every slot at or after `frame`.
    public init(caption: ContextBlock, history: StoryHistory, frame: Int) throws {
        var blocks = [caption.tokens]
        var mask = caption.keepMask
        for (index, slot) in history.slots.enumerated() {
            blocks.append(slot.tokens)
            mask += index < frame ? slot.keepMask : [Float](repeating: 0, count: slot.keepMask.count)
        }
        tokens = try Tensor.concatenate(blocks, dimension: 1)
        keyMask = Tensor(shape: [1, mask.count], values: mask)
        guard tokens.shape[1] == mask.count else {
            throw StoryError.invalidParameter(parameter: "history", reason: "blocks and masks differ in length")
        }
    }

    /// Context tokens L.
    public var length: Int { tokens.shape[1] }

    /// The classifier-free-guidance batch [unconditional; conditional]: (2, L, D) tokens and (2, L) masks.
    public static func guidanceBatch(unconditional: StoryContext,
                                     conditional: StoryContext) throws -> (tokens: Tensor, keyMask: Tensor) {
        (try Tensor.concatenate([unconditional.tokens, conditional.tokens], dimension: 0),
         try Tensor.concatenate([unconditional.keyMask, conditional.keyMask], dimension: 0))
    }
}
