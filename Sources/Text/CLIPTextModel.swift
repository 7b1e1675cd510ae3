// Follows transformers `CLIPTextModel` (4.57.6, `models/clip/modeling_clip.py`), the text encoder of
// Stable Diffusion 1.x/2.x (`text_encoder/`), and the `clip_skip` rule of diffusers 0.35.2
// `StableDiffusionPipeline.encode_prompt`. State-dict keys: `text_model.embeddings.*`,
// `text_model.encoder.layers.<i>.*`, `text_model.final_layer_norm.*`.

import Foundation
import Layers
import Tensor
import Weights

/// CLIP's text encoder without projection: token ids → per-token states and the pooled end-of-text state.
///
/// Load it by construction from a scoped store, then check that exactly its keys were consumed:
///
/// ```swift
/// let store = try ParameterStore(directory: folder)
/// let model = try CLIPTextModel(store.root, configuration: .load(fromDirectory: folder))
/// try store.finishLoading(ignoring: CLIPTextModel.allowedExtraKeys)
/// ```
///
/// or in one step with `CLIPTextModel(directory:)`. A value is immutable and may be shared between threads.
public struct CLIPTextModel: Sendable {
    /// The outputs of one forward pass (transformers' `BaseModelOutputWithPooling`).
    public struct Output: Sendable {
        /// (B, L, D), after `final_layer_norm`.
        public var lastHiddenState: Tensor
        /// (B, D): `lastHiddenState` at each row's pooled position (see `Configuration.pooling`).
        public var pooledOutput: Tensor
        /// The num_hidden_layers + 1 states (embeddings, then each layer's output; the last one before
        /// `final_layer_norm`), when asked for.
        public var hiddenStates: [Tensor]?
    }

    /// `text_model`.
    public let textModel: CLIPTextTransformer

    /// The configuration the model was built from.
    public var configuration: Configuration { textModel.configuration }

    /// Keys an exported `CLIPTextModel` may hold without their being read: the `position_ids` buffer that
    /// transformers before 4.31 saved (SD 1.x/2.x `text_encoder/model.safetensors` carry it).
    public static let allowedExtraKeys: ParameterIgnoreList = [.suffix("text_model.embeddings.position_ids")]

    /// Builds the model from `scope` (the checkpoint root, which holds `text_model.…`).
    public init(_ scope: ParameterScope, configuration: Configuration) throws(WeightsError) {
        textModel = try CLIPTextTransformer(scope.scoped("text_model"), configuration: configuration)
    }

    /// Loads a `text_encoder/` folder: `config.json` and every `*.safetensors` file in it. Throws the
    /// configuration error naming its key, or one `WeightsError.loadFailed` listing every missing,
    /// unexpected or mis-shaped tensor.
    public init(directory: URL, precision: WeightsPrecisionPolicy = .keepStored) throws(WeightsError) {
        let configuration = try Configuration.load(fromDirectory: directory)
        let store = try ParameterStore(directory: directory, precision: precision)
        try self.init(store.root, configuration: configuration)
        try store.finishLoading(ignoring: Self.allowedExtraKeys)
    }

    /// `CLIPTextModel.forward(input_ids, attention_mask, output_hidden_states)`.
    ///
    /// - Parameters:
    ///   - inputIDs: B rows of equal length L ≤ `max_position_embeddings`, ids in `0..<vocab_size`.
    ///   - attentionMask: optional B × L mask (1 = attend, 0 = padding) added to the causal mask.
    ///     Stable Diffusion pipelines pass none (unless the config sets `use_attention_mask`).
    ///   - outputHiddenStates: also return every layer's state.
    public func callAsFunction(inputIDs: [[Int]], attentionMask: [[Int]]? = nil,
                               outputHiddenStates: Bool = false) throws(CLIPTextModelError) -> Output {
        let mask = try validate(inputIDs, attentionMask)
        do {
            let embeddings = try textModel.embeddings(inputIDs)
            let (encoded, states) = try textModel.encoder(embeddings, mask: mask, recordHiddenStates: outputHiddenStates)
            let lastHiddenState = try textModel.finalLayerNorm(encoded)
            let pooled = try CLIPTextTransformer.gather(lastHiddenState, positions: textModel.pooledPositions(inputIDs))
            return Output(lastHiddenState: lastHiddenState, pooledOutput: pooled,
                          hiddenStates: outputHiddenStates ? states : nil)
        } catch {
            throw .tensor(error)
        }
    }

    /// The (B, L, D) prompt embeddings diffusers' `encode_prompt` conditions the UNet on: `last_hidden_state`
    /// when `clipSkip` is nil, else `final_layer_norm(hidden_states[-(clipSkip + 1)])`. Only the layers
    /// needed are run. `clipSkip` must lie in 0…num_hidden_layers (0 gives `last_hidden_state`).
    public func promptEmbeddings(inputIDs: [[Int]], attentionMask: [[Int]]? = nil,
                                 clipSkip: Int? = nil) throws(CLIPTextModelError) -> Tensor {
        let layers = configuration.numHiddenLayers
        let skip = clipSkip ?? 0
        guard (0...layers).contains(skip) else { throw .clipSkipOutOfRange(clipSkip: skip, layers: layers) }
        let mask = try validate(inputIDs, attentionMask)
        do {
            let embeddings = try textModel.embeddings(inputIDs)
            let (state, _) = try textModel.encoder(embeddings, mask: mask, layerCount: layers - skip)
            return try textModel.finalLayerNorm(state)
        } catch {
            throw .tensor(error)
        }
    }

    /// Checks the batch and returns the attention mask to use.
    private func validate(_ inputIDs: [[Int]], _ attentionMask: [[Int]]?) throws(CLIPTextModelError) -> CLIPAttention.Mask {
        guard let first = inputIDs.first else { throw .emptyBatch }
        let length = first.count
        guard length <= configuration.maxPositionEmbeddings else {
            throw .sequenceTooLong(length: length, maximum: configuration.maxPositionEmbeddings)
        }
        guard length > 0 else { throw .raggedBatch(row: 0, length: 0, expected: 1) }
        for (row, ids) in inputIDs.enumerated() {
            guard ids.count == length else { throw .raggedBatch(row: row, length: ids.count, expected: length) }
            if let position = ids.firstIndex(where: { !(0..<configuration.vocabSize).contains($0) }) {
                throw .tokenOutOfRange(row: row, position: position, id: ids[position],
                                       vocabularySize: configuration.vocabSize)
            }
        }
        guard let attentionMask else { return .causal }
        guard attentionMask.count == inputIDs.count else {
            throw .attentionMaskShape(rows: attentionMask.count, expectedRows: inputIDs.count)
        }
        for (row, mask) in attentionMask.enumerated() where mask.count != length {
            throw .raggedBatch(row: row, length: mask.count, expected: length)
        }
        return .additive(CLIPTextTransformer.additiveMask(attentionMask))
    }
}
