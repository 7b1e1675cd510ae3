// Mirrors Tools/reference/arldm_ref.py `HistoryEncoder`: the BLIP "multimodal feature extractor" stand-in of
// AR-LDM (story_video_3d.md §1.1, §1.11 item 4). Folder: `history_encoder/config.json` +
// `diffusion_pytorch_model.safetensors` (diffusers `ModelMixin.save_pretrained`); keys `vision_model.…`, `text_model.…`.

import Foundation
import Diffusion
import Tensor
import Weights

/// Encodes one story frame (caption c_k, image x_k) into S caption-position tokens of width D: the history
/// slot content `BLIP_mm(c_k, x_k)` of AR-LDM's context (before the type and frame embeddings are added).
///
/// The image is normalised per channel, cut into patches by ``HistoryVisionModel``; the caption's first token is
/// replaced by [ENC] and the tokens attend to themselves (padding masked) and to the image tokens in
/// ``HistoryTextModel``. Only the caption positions are returned, as BLIP's multimodal mode does.
public struct HistoryEncoder: Sendable {
    public let configuration: Configuration
    public let visionModel: HistoryVisionModel
    public let textModel: HistoryTextModel

    /// Builds the encoder from `scope` (the checkpoint root, holding `vision_model.…` and `text_model.…`).
    public init(_ scope: ParameterScope, configuration: Configuration) throws(WeightsError) {
        self.configuration = configuration
        visionModel = try HistoryVisionModel(scope.scoped("vision_model"), configuration: configuration)
        textModel = try HistoryTextModel(scope.scoped("text_model"), configuration: configuration)
    }

    /// Loads a `history_encoder/` folder. Throws `WeightsError.configurationInvalid` naming an unknown or invalid
    /// configuration key, or one `WeightsError.loadFailed` listing every missing, unexpected and mis-shaped tensor.
    public init(directory: URL, precision: WeightsPrecisionPolicy = .keepStored) throws(WeightsError) {
        let configuration = try DiffusersComponentFolder.configuration(Configuration.self, in: directory,
                                                                      className: Configuration.className)
        let store = try DiffusersComponentFolder.store(in: directory, precision: precision)
        try self.init(store.root, configuration: configuration)
        try store.finishLoading()
    }

    /// `HistoryEncoder.forward(pixel_values, input_ids, attention_mask)`.
    ///
    /// - Parameters:
    ///   - images: frames (B, C, imageSize, imageSize) in 0…1.
    ///   - inputIDs: B caption rows of equal length S ≤ `max_position_embeddings` (the caption tokenizer's ids).
    ///   - attentionMask: B rows of S 1/0 keep flags.
    /// - Returns: (B, S, D).
    public func callAsFunction(images: Tensor, inputIDs: [[Int]], attentionMask: [[Int]]) throws -> Tensor {
        let size = configuration.imageSize, channels = configuration.numChannels
        guard images.rank == 4, images.shape[1] == channels, images.shape[2] == size, images.shape[3] == size else {
            throw StoryError.invalidParameter(parameter: "images",
                                              reason: "expected (B, \(channels), \(size), \(size)), got \(images.shape)")
        }
        let batch = images.shape[0]
        let length = inputIDs.first?.count ?? 0
        guard inputIDs.count == batch, attentionMask.count == batch, length > 0,
              length <= configuration.maxPositionEmbeddings,
              inputIDs.allSatisfy({ $0.count == length }), attentionMask.allSatisfy({ $0.count == length }) else {
            throw StoryError.invalidParameter(
                parameter: "inputIDs",
                reason: "needs \(batch) rows of one length in 1…\(configuration.maxPositionEmbeddings) with matching masks")
        }
        guard inputIDs.allSatisfy({ $0.allSatisfy { (0..<configuration.vocabSize).contains($0) } }) else {
            throw StoryError.invalidParameter(parameter: "inputIDs", reason: "ids must lie in 0..<\(configuration.vocabSize)")
        }
        let imageTokens = try visionModel(normalized(images))
        let ids = inputIDs.map { row in [configuration.encTokenID] + row.dropFirst() }
        return try textModel(inputIDs: ids, attentionMask: attentionMask, imageTokens: imageTokens)
    }

    /// `(x − mean_c) / std_c` per channel.
    func normalized(_ images: Tensor) -> Tensor {
        let channels = configuration.numChannels
        let plane = images.shape[2] * images.shape[3]
        var values = images.contiguous().scalars
        for index in values.indices {
            let channel = (index / plane) % channels
            values[index] = (values[index] - configuration.imageMean[channel]) / configuration.imageStd[channel]
        }
        return Tensor(shape: images.shape, values: values)
    }
}
