import Diffusion
import Foundation
import Text

/// What the registry builds once for a `text-to-image` model: the pipeline and the
/// tokenizer used to check prompt lengths before queueing.
final class TextToImageModel: Sendable {
    static let task = "text-to-image"

    let pipeline: StableDiffusionPipeline
    let tokenizer: CLIPTokenizer

    init(directory: URL) throws {
        pipeline = try StableDiffusionPipeline(directory: directory)
        tokenizer = try CLIPTokenizer(directory: directory.appendingPathComponent("tokenizer"))
    }

    /// Text tokens in `prompt` beyond what the text encoder reads (75 + start/end).
    func droppedTokenCount(_ prompt: String) -> Int {
        max(0, tokenizer.tokenIDs(prompt).count - 75)
    }
}
