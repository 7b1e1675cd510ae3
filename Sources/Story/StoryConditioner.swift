// AR-LDM's conditioning (story_video_3d.md §1.2–1.3; Tools/reference/arldm_ref.py `StoryModel.encode_captions`,
// `history_slot`, `null_slots`, `assemble`, `null_context`).

import Tensor
import Text

/// Builds the context blocks of a story: the current caption through CLIP (+ type₀), history slots through the
/// multimodal ``HistoryEncoder`` (+ type₁ + frame_k), and the null condition of classifier-free guidance —
/// CLIP("") and `HistoryEncoder(black frame, "")` in every slot, all visible except the square mask.
///
/// Captions are tokenised once to S = `caption_length` tokens (padded, truncated) for both encoders. CLIP runs
/// without an attention mask, as SD pipelines run it; because CLIP is causal, the visible (non-padding)
/// positions are the same as with AR-LDM's mask, and the padding positions are hidden by the key mask.
public struct StoryConditioner: Sendable {
    public let configuration: StoryConfiguration
    public let tokenizer: CLIPTokenizer
    public let textEncoder: CLIPTextModel
    public let historyEncoder: HistoryEncoder
    public let embeddings: StoryEmbeddings

    public init(configuration: StoryConfiguration, tokenizer: CLIPTokenizer, textEncoder: CLIPTextModel,
                historyEncoder: HistoryEncoder, embeddings: StoryEmbeddings) {
        self.configuration = configuration
        self.tokenizer = tokenizer
        self.textEncoder = textEncoder
        self.historyEncoder = historyEncoder
        self.embeddings = embeddings
    }

    /// The caption's ids and keep mask, padded and truncated to S (`padding="max_length", truncation=True`).
    public func tokenize(_ caption: String) -> (ids: [Int], keepMask: [Int]) {
        let encoding = tokenizer.encode(caption, maxLength: configuration.captionLength)
        return (encoding.ids.map(Int.init), encoding.attentionMask.map(Int.init))
    }

    /// CLIP(c) + type₀ with the caption's padding hidden.
    public func captionBlock(_ caption: String) throws -> ContextBlock {
        let (ids, mask) = tokenize(caption)
        let hidden = try textEncoder.promptEmbeddings(inputIDs: [ids])
        return ContextBlock(tokens: try hidden + embeddings.captionEmbedding(), keepMask: mask.map(Float.init))
    }

    /// `HistoryEncoder(x_k, c_k)` for a batch, without the type and frame embeddings: (B, S, D).
    public func encodeHistory(images: Tensor, captions: [String]) throws -> Tensor {
        let tokens = captions.map(tokenize)
        return try historyEncoder(images: images, inputIDs: tokens.map(\.ids), attentionMask: tokens.map(\.keepMask))
    }

    /// H_k = HistoryEncoder(x_k, c_k) + type₁ + frame_k for one frame (1, C, H, W) in 0…1, its caption's padding
    /// hidden.
    public func historySlot(image: Tensor, caption: String, frame: Int) throws -> ContextBlock {
        guard (0..<configuration.maxFrames).contains(frame) else {
            throw StoryError.invalidParameter(parameter: "frame", reason: "\(frame) is outside 0..<\(configuration.maxFrames)")
        }
        let encoded = try encodeHistory(images: image, captions: [caption])
        return ContextBlock(tokens: try encoded + embeddings.slotEmbedding(frame: frame),
                            keepMask: tokenize(caption).keepMask.map(Float.init))
    }

    /// The null frame: a black image of the history encoder's size (1, C, H, W).
    public var nullImage: Tensor {
        let size = historyEncoder.configuration.imageSize
        return Tensor.zeros([1, historyEncoder.configuration.numChannels, size, size])
    }

    /// The null history HistoryEncoder(black, "") + type₁ + frame_k in every slot, all hidden: the conditional
    /// history before any frame exists (slots are hidden until written, so their content never reaches the UNet).
    public func emptyHistory() throws -> StoryHistory {
        let encoded = try encodeHistory(images: nullImage, captions: [""])
        var slots: [ContextBlock] = []
        for frame in 0..<configuration.maxFrames {
            slots.append(ContextBlock(tokens: try encoded + embeddings.slotEmbedding(frame: frame),
                                      keepMask: [Float](repeating: 0, count: configuration.captionLength)))
        }
        return StoryHistory(slots: slots)
    }

    /// The unconditional context of frame `frame`: CLIP("") + type₀ and the null history, every position visible
    /// except the slots the square mask hides (k ≥ frame). `emptyHistory` is reused when given.
    public func nullContext(frame: Int, emptyHistory: StoryHistory? = nil) throws -> StoryContext {
        let history = try emptyHistory ?? self.emptyHistory()
        let visible = StoryHistory(slots: history.slots.map { $0.fullyVisible() })
        return try StoryContext(caption: captionBlock("").fullyVisible(), history: visible, frame: frame)
    }

    /// The conditional context φ_j of frame `frame` with caption `caption` over `history`.
    public func context(frame: Int, caption: String, history: StoryHistory) throws -> StoryContext {
        try StoryContext(caption: captionBlock(caption), history: history, frame: frame)
    }
}
