// `history_encoder/config.json`, as diffusers' `ConfigMixin` writes it for Tools/reference/arldm_ref.py
// `HistoryEncoder`.

import Foundation
import Weights

extension HistoryEncoder {
    /// The history encoder's shape: a ViT over `patchSize`-pixel patches of `imageSize`² frames and a
    /// `textLayers`-deep caption transformer with cross-attention, all `hiddenSize` wide. Unknown keys are rejected
    /// by name; every key is required (the reference always writes all of them).
    public struct Configuration: Sendable, Equatable, Decodable {
        public static let className = "HistoryEncoder"

        public var imageSize: Int
        public var patchSize: Int
        public var numChannels: Int
        public var hiddenSize: Int
        public var numAttentionHeads: Int
        public var intermediateSize: Int
        public var visionLayers: Int
        public var textLayers: Int
        /// Rows of `text_model.word_embeddings` (the caption tokenizer's vocabulary plus [ENC]).
        public var vocabSize: Int
        /// Rows of `text_model.position_embeddings` (≥ the story's caption length).
        public var maxPositionEmbeddings: Int
        /// The id that replaces each caption's first token (BLIP's `[ENC]`).
        public var encTokenID: Int
        public var layerNormEps: Float
        /// Per-channel normalisation of 0…1 frames: `(x − mean) / std`.
        public var imageMean: [Float]
        public var imageStd: [Float]

        /// Patches per side.
        public var patchesPerSide: Int { imageSize / patchSize }
        /// Image tokens: the patches plus [CLS].
        public var imageTokens: Int { 1 + patchesPerSide * patchesPerSide }
        /// Width of one attention head.
        public var headDim: Int { hiddenSize / numAttentionHeads }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case className = "_class_name"
            case diffusersVersion = "_diffusers_version"
            case imageSize = "image_size"
            case patchSize = "patch_size"
            case numChannels = "num_channels"
            case hiddenSize = "hidden_size"
            case numAttentionHeads = "num_attention_heads"
            case intermediateSize = "intermediate_size"
            case visionLayers = "vision_layers"
            case textLayers = "text_layers"
            case vocabSize = "vocab_size"
            case maxPositionEmbeddings = "max_position_embeddings"
            case encTokenID = "enc_token_id"
            case layerNormEps = "layer_norm_eps"
            case imageMean = "image_mean"
            case imageStd = "image_std"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(Set(CodingKeys.allCases.map(\.rawValue)), of: "HistoryEncoder config")
            let container = try decoder.container(keyedBy: CodingKeys.self)
            try container.requireClassName(Self.className, at: .className)
            imageSize = try container.decodePositive(.imageSize)
            patchSize = try container.decodePositive(.patchSize)
            numChannels = try container.decodePositive(.numChannels)
            hiddenSize = try container.decodePositive(.hiddenSize)
            numAttentionHeads = try container.decodePositive(.numAttentionHeads)
            intermediateSize = try container.decodePositive(.intermediateSize)
            visionLayers = try container.decodePositive(.visionLayers)
            textLayers = try container.decodePositive(.textLayers)
            vocabSize = try container.decodePositive(.vocabSize)
            maxPositionEmbeddings = try container.decodePositive(.maxPositionEmbeddings)
            encTokenID = try container.decode(Int.self, forKey: .encTokenID)
            layerNormEps = try container.decode(Float.self, forKey: .layerNormEps)
            imageMean = try container.decode([Float].self, forKey: .imageMean)
            imageStd = try container.decode([Float].self, forKey: .imageStd)
            guard imageSize % patchSize == 0 else {
                throw DecodingError.dataCorruptedError(forKey: .patchSize, in: container,
                                                       debugDescription: "image_size \(imageSize) is not a multiple of \(patchSize)")
            }
            guard hiddenSize % numAttentionHeads == 0 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .numAttentionHeads, in: container,
                    debugDescription: "hidden_size \(hiddenSize) is not divisible by \(numAttentionHeads) heads")
            }
            guard (0..<vocabSize).contains(encTokenID) else {
                throw DecodingError.dataCorruptedError(forKey: .encTokenID, in: container,
                                                       debugDescription: "must lie in 0..<vocab_size (\(vocabSize))")
            }
            guard imageMean.count == numChannels else {
                throw DecodingError.dataCorruptedError(forKey: .imageMean, in: container,
                                                       debugDescription: "needs \(numChannels) values")
            }
            guard imageStd.count == numChannels, imageStd.allSatisfy({ $0 > 0 }) else {
                throw DecodingError.dataCorruptedError(forKey: .imageStd, in: container,
                                                       debugDescription: "needs \(numChannels) positive values")
            }
        }
    }
}
