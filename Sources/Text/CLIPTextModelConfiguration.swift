// Follows transformers `CLIPTextConfig` (4.57.6, `models/clip/configuration_clip.py`): the fields of a
// `text_encoder/config.json` that change the computation, with the same defaults for absent keys.

import Foundation
import Weights

extension CLIPTextModel {
    /// The feed-forward activation (`hidden_act`), as transformers' `ACT2FN` computes it.
    public enum Activation: String, Sendable, Codable, CaseIterable {
        /// `x·sigmoid(1.702·x)` (OpenAI CLIP, SD 1.x).
        case quickGELU = "quick_gelu"
        /// erf GELU (OpenCLIP ViT-H/bigG, SD 2.x, SDXL's second encoder).
        case gelu
        /// tanh-approximated GELU (`NewGELUActivation`).
        case geluNew = "gelu_new"
        /// tanh-approximated GELU (`PytorchGELUTanh`).
        case geluPytorchTanh = "gelu_pytorch_tanh"
    }

    /// How `pooled_output` picks the token of each row.
    public enum Pooling: Sendable, Equatable {
        /// `eos_token_id == 2` (configs saved before transformers PR #24773): the position of the largest
        /// input id, the first one on ties (`argmax(input_ids)`).
        case largestTokenID
        /// Any other `eos_token_id`: the first position holding it, or position 0 when a row has none.
        case firstEndOfSequence(Int)
    }

    /// transformers `CLIPTextConfig`, decoded from `config.json`.
    ///
    /// Absent keys take `CLIPTextConfig`'s defaults. `projection_dim` and the initialisation and dropout
    /// fields do not affect `CLIPTextModel` inference and are ignored. `use_attention_mask` is not a
    /// `CLIPTextConfig` field but diffusers' `StableDiffusionPipeline.encode_prompt` honours it when present
    /// (passes the tokenizer's mask). Options this implementation cannot compute (another `hidden_act`, a
    /// width not divisible by the head count, another `model_type`) fail decoding with their key named.
    public struct Configuration: Sendable, Equatable, Decodable {
        public var vocabSize: Int
        public var hiddenSize: Int
        public var intermediateSize: Int
        public var numHiddenLayers: Int
        public var numAttentionHeads: Int
        public var maxPositionEmbeddings: Int
        public var hiddenAct: Activation
        public var layerNormEps: Float
        public var bosTokenID: Int?
        public var eosTokenID: Int?
        public var padTokenID: Int?
        /// diffusers' optional `use_attention_mask` flag (default false: no mask, as SD pipelines run CLIP).
        public var useAttentionMask: Bool

        /// `CLIPTextConfig()`'s defaults unless given.
        public init(vocabSize: Int = 49408, hiddenSize: Int = 512, intermediateSize: Int = 2048,
                    numHiddenLayers: Int = 12, numAttentionHeads: Int = 8, maxPositionEmbeddings: Int = 77,
                    hiddenAct: Activation = .quickGELU, layerNormEps: Float = 1e-5, bosTokenID: Int? = 49406,
                    eosTokenID: Int? = 49407, padTokenID: Int? = 1, useAttentionMask: Bool = false) {
            self.vocabSize = vocabSize
            self.hiddenSize = hiddenSize
            self.intermediateSize = intermediateSize
            self.numHiddenLayers = numHiddenLayers
            self.numAttentionHeads = numAttentionHeads
            self.maxPositionEmbeddings = maxPositionEmbeddings
            self.hiddenAct = hiddenAct
            self.layerNormEps = layerNormEps
            self.bosTokenID = bosTokenID
            self.eosTokenID = eosTokenID
            self.padTokenID = padTokenID
            self.useAttentionMask = useAttentionMask
        }

        /// openai/clip-vit-large-patch14 as Stable Diffusion 1.x ships it (`text_encoder/config.json` of
        /// stable-diffusion-v1-5: 12 layers, 768 wide, 12 heads, quick_gelu, legacy `eos_token_id` 2).
        public static let stableDiffusion1 = Configuration(
            hiddenSize: 768, intermediateSize: 3072, numHiddenLayers: 12, numAttentionHeads: 12,
            hiddenAct: .quickGELU, bosTokenID: 0, eosTokenID: 2, padTokenID: 1)

        /// OpenCLIP ViT-H/14 as Stable Diffusion 2.x ships it (`text_encoder/config.json` of
        /// stable-diffusion-2-1: 23 layers, 1024 wide, 16 heads, gelu, legacy `eos_token_id` 2).
        public static let stableDiffusion2 = Configuration(
            hiddenSize: 1024, intermediateSize: 4096, numHiddenLayers: 23, numAttentionHeads: 16,
            hiddenAct: .gelu, bosTokenID: 0, eosTokenID: 2, padTokenID: 1)

        /// Width of one attention head.
        public var headDimension: Int { hiddenSize / max(numAttentionHeads, 1) }

        /// The pooling rule `CLIPTextTransformer.forward` applies for this `eos_token_id`.
        public var pooling: Pooling {
            eosTokenID == 2 ? .largestTokenID : .firstEndOfSequence(eosTokenID ?? -1)
        }

        /// Reads `config.json` (or `fileName`) in `directory`.
        public static func load(fromDirectory directory: URL,
                                fileName: String = ModelConfiguration.defaultFileName) throws(WeightsError) -> Configuration {
            try ModelConfiguration.decode(Configuration.self, fromDirectory: directory, fileName: fileName)
        }

        enum CodingKeys: String, CodingKey {
            case vocabSize = "vocab_size"
            case hiddenSize = "hidden_size"
            case intermediateSize = "intermediate_size"
            case numHiddenLayers = "num_hidden_layers"
            case numAttentionHeads = "num_attention_heads"
            case maxPositionEmbeddings = "max_position_embeddings"
            case hiddenAct = "hidden_act"
            case layerNormEps = "layer_norm_eps"
            case bosTokenID = "bos_token_id"
            case eosTokenID = "eos_token_id"
            case padTokenID = "pad_token_id"
            case useAttentionMask = "use_attention_mask"
            case modelType = "model_type"
            case textConfig = "text_config"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Configuration()
            if container.contains(.textConfig) {
                throw DecodingError.dataCorruptedError(
                    forKey: .textConfig, in: container,
                    debugDescription: "a full CLIPModel configuration; CLIPTextModel needs the text encoder's own config.json")
            }
            if let modelType = try container.decodeIfPresent(String.self, forKey: .modelType),
               modelType != "clip_text_model" {
                throw DecodingError.dataCorruptedError(
                    forKey: .modelType, in: container,
                    debugDescription: "unsupported model_type '\(modelType)' (expected 'clip_text_model')")
            }
            func positive(_ key: CodingKeys, _ fallback: Int) throws -> Int {
                let value = try container.decodeIfPresent(Int.self, forKey: key) ?? fallback
                guard value > 0 else {
                    throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                           debugDescription: "must be positive, got \(value)")
                }
                return value
            }
            vocabSize = try positive(.vocabSize, defaults.vocabSize)
            hiddenSize = try positive(.hiddenSize, defaults.hiddenSize)
            intermediateSize = try positive(.intermediateSize, defaults.intermediateSize)
            numHiddenLayers = try positive(.numHiddenLayers, defaults.numHiddenLayers)
            numAttentionHeads = try positive(.numAttentionHeads, defaults.numAttentionHeads)
            maxPositionEmbeddings = try positive(.maxPositionEmbeddings, defaults.maxPositionEmbeddings)
            guard hiddenSize % numAttentionHeads == 0 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .numAttentionHeads, in: container,
                    debugDescription: "hidden_size \(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)")
            }
            let activationName = try container.decodeIfPresent(String.self, forKey: .hiddenAct)
            if let activationName {
                guard let activation = Activation(rawValue: activationName) else {
                    let supported = Activation.allCases.map(\.rawValue).joined(separator: ", ")
                    throw DecodingError.dataCorruptedError(
                        forKey: .hiddenAct, in: container,
                        debugDescription: "unsupported hidden_act '\(activationName)' (supported: \(supported))")
                }
                hiddenAct = activation
            } else {
                hiddenAct = defaults.hiddenAct
            }
            layerNormEps = try container.decodeIfPresent(Float.self, forKey: .layerNormEps) ?? defaults.layerNormEps
            bosTokenID = container.contains(.bosTokenID)
                ? try container.decodeIfPresent(Int.self, forKey: .bosTokenID) : defaults.bosTokenID
            eosTokenID = container.contains(.eosTokenID)
                ? try container.decodeIfPresent(Int.self, forKey: .eosTokenID) : defaults.eosTokenID
            padTokenID = container.contains(.padTokenID)
                ? try container.decodeIfPresent(Int.self, forKey: .padTokenID) : defaults.padTokenID
            useAttentionMask = try container.decodeIfPresent(Bool.self, forKey: .useAttentionMask) ?? false
        }
    }
}
