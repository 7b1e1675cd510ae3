// Follows diffusers 0.35.2 `StableDiffusionPipeline.encode_prompt` (without LoRA scaling or textual
// inversion): tokenise with padding="max_length" to the tokenizer's model_max_length (77) and
// truncation, encode with `CLIPTextModel`, `clip_skip` on the prompts only; negative prompts default
// to "" and are encoded without `clip_skip`, exactly as diffusers does.

import Foundation
import Tensor
import Weights

/// Turns prompts into the (B, 77, D) text conditioning of Stable Diffusion 1.x/2.x.
public struct CLIPPromptEncoder: Sendable {
    /// Conditioning for classifier-free guidance.
    public struct Embeddings: Sendable {
        /// (B, L, D) for the prompts.
        public var prompt: Tensor
        /// (B, L, D) for the negative prompts ("" when none were given).
        public var negativePrompt: Tensor
    }

    public let tokenizer: CLIPTokenizer
    public let textEncoder: CLIPTextModel

    public init(tokenizer: CLIPTokenizer, textEncoder: CLIPTextModel) {
        self.tokenizer = tokenizer
        self.textEncoder = textEncoder
    }

    /// Loads a diffusers pipeline folder's `tokenizer/` and `text_encoder/` subfolders.
    public init(pipelineDirectory: URL) throws {
        tokenizer = try CLIPTokenizer(directory: pipelineDirectory.appendingPathComponent("tokenizer", isDirectory: true))
        textEncoder = try CLIPTextModel(
            directory: pipelineDirectory.appendingPathComponent("text_encoder", isDirectory: true))
    }

    /// Padded length (the tokenizer's `model_max_length`, 77 for CLIP).
    public var maxLength: Int { tokenizer.configuration.modelMaxLength }

    /// The ids and masks of `prompts`, padded and truncated to `maxLength`.
    public func tokenize(_ prompts: [String]) -> (ids: [[Int]], attentionMask: [[Int]]) {
        let encodings = prompts.map { tokenizer.encode($0, maxLength: maxLength) }
        return (encodings.map { $0.ids.map(Int.init) }, encodings.map { $0.attentionMask.map(Int.init) })
    }

    /// Embeddings of `prompts` (B, maxLength, D); see `CLIPTextModel.promptEmbeddings` for `clipSkip`.
    /// The attention mask is passed only when the text encoder's config sets `use_attention_mask`.
    public func encode(_ prompts: [String], clipSkip: Int? = nil) throws(CLIPTextModelError) -> Tensor {
        let (ids, mask) = tokenize(prompts)
        return try textEncoder.promptEmbeddings(
            inputIDs: ids, attentionMask: textEncoder.configuration.useAttentionMask ? mask : nil, clipSkip: clipSkip)
    }

    /// Prompt and negative-prompt embeddings for classifier-free guidance. `negativePrompts` nil means
    /// "" for every prompt; otherwise it needs one entry per prompt. `clipSkip` applies to the prompts only.
    public func encode(_ prompts: [String], negativePrompts: [String]?,
                       clipSkip: Int? = nil) throws(CLIPTextModelError) -> Embeddings {
        let negatives = negativePrompts ?? Array(repeating: "", count: prompts.count)
        guard negatives.count == prompts.count else {
            throw .negativePromptCount(found: negatives.count, expected: prompts.count)
        }
        return Embeddings(prompt: try encode(prompts, clipSkip: clipSkip), negativePrompt: try encode(negatives))
    }
}
