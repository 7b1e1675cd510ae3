// One generated frame, as the story pipeline hands it to its per-frame callback.

import Tensor

/// A generated story frame.
public struct StoryFrame: Sendable {
    /// Index of the frame in the story (0-based; given frames are not reported).
    public let index: Int
    /// Final DDIM latents (1, latentChannels, h, w).
    public let latents: Tensor
    /// The decoded frame (1, 3, H, W) in 0…1.
    public let image: Tensor
}

/// Where the sampler is, reported to the checkpoint closure before every UNet evaluation.
public struct StoryProgress: Sendable, Equatable {
    /// The frame being generated.
    public let frame: Int
    /// 0-based index of the step about to run.
    public let step: Int
    /// DDIM steps per frame.
    public let steps: Int
}
