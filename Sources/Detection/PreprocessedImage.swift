// detectron2's test-time input pipeline for one image: ResizeShortestEdge, normalisation, padding
// (detectron2/data/transforms/augmentation_impl.py, DiffusionDet `preprocess_image`, `ImageList.from_tensors`).

import ImageIO
import Tensor

/// One image ready for the backbone: (3, H, W) normalised RGB, zero-padded at the bottom and right to a
/// multiple of the size divisibility, plus the sizes needed to map boxes back to the original pixels.
public struct PreprocessedImage: Sendable {
    /// (3, paddedHeight, paddedWidth).
    public let tensor: Tensor
    public let originalWidth: Int
    public let originalHeight: Int
    /// Size after ResizeShortestEdge, before padding (`images_whwh`).
    public let resizedWidth: Int
    public let resizedHeight: Int

    public var paddedHeight: Int { tensor.shape[1] }
    public var paddedWidth: Int { tensor.shape[2] }

    /// Wraps an already normalised and padded (3, H, W) tensor (e.g. a reference input); H and W must be
    /// multiples of 32.
    public init(tensor: Tensor, originalWidth: Int, originalHeight: Int, resizedWidth: Int,
                resizedHeight: Int) throws(DetectionError) {
        guard tensor.rank == 3, tensor.shape[0] == 3, tensor.shape[1] >= resizedHeight, tensor.shape[2] >= resizedWidth,
              resizedWidth > 0, resizedHeight > 0, originalWidth > 0, originalHeight > 0 else {
            throw .invalidImage(reason: "expected a (3, H, W) tensor covering \(resizedWidth)×\(resizedHeight), got \(tensor.shape)")
        }
        guard tensor.shape[1] % 32 == 0, tensor.shape[2] % 32 == 0 else {
            throw .invalidImage(reason: "padded size \(tensor.shape[2])×\(tensor.shape[1]) is not a multiple of 32 (the res5 stride)")
        }
        self.tensor = tensor
        self.originalWidth = originalWidth
        self.originalHeight = originalHeight
        self.resizedWidth = resizedWidth
        self.resizedHeight = resizedHeight
    }

    /// detectron2 `ResizeShortestEdge.get_output_shape`: scale the short side to `shortEdge` unless the
    /// long side would exceed `maxSize`; sizes round half up. Returns (height, width).
    public static func resizedSize(height: Int, width: Int, shortEdge: Int, maxSize: Int) -> (height: Int, width: Int) {
        let size = Double(shortEdge)
        let scale = size / Double(min(height, width))
        var (newHeight, newWidth) = height < width ? (size, scale * Double(width)) : (scale * Double(height), size)
        if max(newHeight, newWidth) > Double(maxSize) {
            let rescale = Double(maxSize) / max(newHeight, newWidth)
            newHeight *= rescale
            newWidth *= rescale
        }
        return (Int(newHeight + 0.5), Int(newWidth + 0.5))
    }

    /// Resizes (bilinear, half-pixel centres, `F.interpolate(align_corners=False)`), normalises with
    /// `(x − mean)/std` on the 0–255 scale, and pads to a multiple of `configuration.sizeDivisibility`.
    /// RGBA input loses its alpha channel.
    public init(_ image: Image, configuration: DiffusionDetConfiguration.Input) throws(DetectionError) {
        let rgb = image.droppingAlpha()
        let (height, width) = Self.resizedSize(height: rgb.height, width: rgb.width,
                                               shortEdge: configuration.minSizeTest, maxSize: configuration.maxSizeTest)
        guard height > 0, width > 0 else {
            throw .invalidImage(reason: "\(rgb.width)×\(rgb.height) resizes to an empty image")
        }
        let area = rgb.width * rgb.height
        var samples = [Float](repeating: 0, count: 3 * area)
        for index in 0..<area {
            for channel in 0..<3 { samples[channel * area + index] = Float(rgb.pixels[index * 3 + channel]) }
        }
        var planes = Tensor(shape: [1, 3, rgb.height, rgb.width], values: samples)
        if height != rgb.height || width != rgb.width {
            planes = try tensorOp { () throws(TensorError) in
                try planes.upsampleBilinear(size: (height, width), alignCorners: false)
            }
        }
        let divisor = configuration.sizeDivisibility
        let paddedHeight = (height + divisor - 1) / divisor * divisor
        let paddedWidth = (width + divisor - 1) / divisor * divisor
        var padded = Tensor.zeros([3, paddedHeight, paddedWidth])
        let source = planes.contiguous()
        padded.withUnsafeMutableBufferPointer { output in
            source.withUnsafeBufferPointer { input in
                for channel in 0..<3 {
                    let mean = configuration.pixelMean[channel], std = configuration.pixelStd[channel]
                    for row in 0..<height {
                        for column in 0..<width {
                            output[(channel * paddedHeight + row) * paddedWidth + column] =
                                (input[(channel * height + row) * width + column] - mean) / std
                        }
                    }
                }
            }
        }
        try self.init(tensor: padded, originalWidth: rgb.width, originalHeight: rgb.height, resizedWidth: width,
                      resizedHeight: height)
    }
}
