// The backbone output of one image, laid out for the RoI pooler.

import Tensor

/// FPN levels p2…p5 of one image, channels-last (h, w, C) so that RoIAlign reads one contiguous row of C
/// values per bilinear tap. Computed once per image (`DiffusionDetector.features(for:)`) and reused by
/// every diffusion step and every request on the same image.
public struct FeaturePyramid: Sendable {
    /// p2…p5 as (h, w, C).
    public let levels: [Tensor]
    /// Strides of the levels relative to the padded input (4, 8, 16, 32).
    public let strides: [Int]
    /// Height and width of the padded input the features were computed from.
    public let paddedHeight: Int
    public let paddedWidth: Int
    /// Wall-clock seconds of the backbone call that produced these features (shared by a batch).
    public let backboneSeconds: Double

    /// Channels of every level.
    public var channels: Int { levels.first?.shape[2] ?? 0 }

    init(levels: [Tensor], strides: [Int], paddedHeight: Int, paddedWidth: Int, backboneSeconds: Double) {
        self.levels = levels
        self.strides = strides
        self.paddedHeight = paddedHeight
        self.paddedWidth = paddedWidth
        self.backboneSeconds = backboneSeconds
    }

    func withBackboneSeconds(_ seconds: Double) -> FeaturePyramid {
        FeaturePyramid(levels: levels, strides: strides, paddedHeight: paddedHeight, paddedWidth: paddedWidth,
                       backboneSeconds: seconds)
    }

    /// Level `index` (0 = p2) in PyTorch's (1, C, h, w) layout (for comparisons with reference outputs).
    public func channelsFirst(level index: Int) throws(TensorError) -> Tensor {
        try levels[index].permuted([2, 0, 1]).contiguous().unsqueezed(0)
    }
}
