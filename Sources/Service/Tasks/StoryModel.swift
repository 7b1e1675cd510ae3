import Foundation
import ImageIO
import Story
import Tensor

/// What the registry builds once for a `story` model: the AR-LDM story pipeline, and the
/// checks and conversions requests need before and after it runs.
final class StoryModel: Sendable {
    static let task = "story"

    let pipeline: StoryPipeline

    init(directory: URL) throws {
        pipeline = try StoryPipeline(directory: directory)
    }

    /// Frames per story the model has history slots for.
    var maxFrames: Int { pipeline.configuration.maxFrames }

    /// Text tokens a caption may have (the caption block minus its start and end tokens).
    var maxCaptionTokens: Int { pipeline.configuration.captionLength - 2 }

    /// Text tokens in `caption`, without start and end tokens.
    func tokenCount(_ caption: String) -> Int {
        pipeline.conditioner.tokenizer.tokenIDs(caption).count
    }

    /// Frame pixels per side.
    var frameSize: Int { pipeline.frameSize }

    /// `image` as a frame tensor (1, 3, H, W) in 0…1; it must already be the model's frame size.
    func frameTensor(_ image: Image) -> Tensor? {
        guard image.width == frameSize, image.height == frameSize else { return nil }
        return Tensor(shape: [1, 3, frameSize, frameSize], values: image.floatPlanes(range: .unit))
    }

    /// A generated frame (1, 3, H, W in 0…1) as an image.
    func image(of frame: StoryFrame) throws -> Image {
        let values = frame.image.contiguous().scalars
        guard let image = Image(floatPlanes: Array(values), width: frameSize, height: frameSize, range: .unit) else {
            throw StoryError.invalidParameter(parameter: "frame", reason: "the pipeline returned a frame of the wrong size")
        }
        return image
    }
}
