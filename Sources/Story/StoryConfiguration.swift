// `story_config.json` of a story folder, written by Tools/reference/make_story_fixtures.py (and the story
// training script) and read by Tools/reference/arldm_ref.py `StoryModel`.

import Foundation
import Weights

/// The story-level settings of an AR-LDM model (story_video_3d.md §1.2, §1.10–1.11).
///
/// The context of frame j is `(1 + maxFrames) · captionLength` tokens of width `hiddenSize`: the current caption,
/// then one history slot per story frame. Unknown keys are rejected by name.
public struct StoryConfiguration: Sendable, Equatable, Decodable {
    /// The class name written in the file.
    public static let className = "ARLDMStoryPipeline"
    /// The file name inside a story folder.
    public static let fileName = "story_config.json"

    /// Number of history slots V (and rows of `time_embeddings`): the longest story.
    public var maxFrames: Int
    /// Tokens per caption S, for the caption encoder and the history encoder alike.
    public var captionLength: Int
    /// Context width D (text encoder hidden size = history encoder width = UNet `cross_attention_dim`).
    public var hiddenSize: Int
    /// Default classifier-free guidance scale w.
    public var guidanceScale: Float
    /// Default number of DDIM steps per frame.
    public var numInferenceSteps: Int

    public init(maxFrames: Int, captionLength: Int, hiddenSize: Int, guidanceScale: Float, numInferenceSteps: Int) {
        self.maxFrames = maxFrames
        self.captionLength = captionLength
        self.hiddenSize = hiddenSize
        self.guidanceScale = guidanceScale
        self.numInferenceSteps = numInferenceSteps
    }

    /// Tokens in one frame's context: `(1 + maxFrames) · captionLength`.
    public var contextLength: Int { (1 + maxFrames) * captionLength }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case className = "_class_name"
        case maxFrames = "max_frames"
        case captionLength = "caption_length"
        case hiddenSize = "hidden_size"
        case guidanceScale = "guidance_scale"
        case numInferenceSteps = "num_inference_steps"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(Set(CodingKeys.allCases.map(\.rawValue)), of: "story_config.json")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try container.requireClassName(Self.className, at: .className)
        maxFrames = try container.decodePositive(.maxFrames)
        captionLength = try container.decodePositive(.captionLength)
        hiddenSize = try container.decodePositive(.hiddenSize)
        numInferenceSteps = try container.decodePositive(.numInferenceSteps)
        guidanceScale = try container.decode(Float.self, forKey: .guidanceScale)
        guard captionLength >= 2 else {
            throw DecodingError.dataCorruptedError(forKey: .captionLength, in: container,
                                                   debugDescription: "needs room for the begin and end tokens (≥ 2)")
        }
        guard guidanceScale.isFinite, guidanceScale >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .guidanceScale, in: container, debugDescription: "must be finite and ≥ 0")
        }
    }

    /// Reads `story_config.json` in `directory`.
    public static func load(fromDirectory directory: URL) throws(WeightsError) -> StoryConfiguration {
        try ModelConfiguration.decode(StoryConfiguration.self, fromDirectory: directory, fileName: fileName)
    }
}
