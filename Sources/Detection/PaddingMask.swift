// Zeroing the padding of images batched at a common size, so a batched backbone pass computes what
// single-image passes compute.

import Tensor

/// The valid (unpadded) extent of each image in a batch padded to `batchHeight × batchWidth`.
///
/// detectron2 batches images by padding them to the largest size (`ImageList.from_tensors`); every
/// convolution then sees the neighbouring padding *after* the previous layer's bias and norm instead of
/// its own zero padding, so features near an image's border depend on what it was batched with. Zeroing
/// each image's padding after every layer restores the single-image computation exactly: inside the
/// valid extent, convolutions read the same values and zeros beyond it, and max-pooling (after ReLU, so
/// over non-negative values) is unaffected by zeros instead of −∞ padding. Extents are multiples of the
/// size divisibility, so they scale exactly to every stride up to 32.
struct PaddingMask: Sendable {
    struct Extent: Sendable, Equatable {
        var height: Int
        var width: Int
    }

    let batchHeight: Int
    let batchWidth: Int
    let extents: [Extent]

    /// Zeroes, for image `n`, everything outside its extent scaled to `x`'s resolution; `x` is (N, C, h, w).
    func apply(to x: inout Tensor) {
        guard x.rank == 4, x.shape[0] == extents.count else { return }
        let (channels, height, width) = (x.shape[1], x.shape[2], x.shape[3])
        let limits = extents.map { extent in
            (min(height, extent.height * height / batchHeight), min(width, extent.width * width / batchWidth))
        }
        guard limits.contains(where: { $0.0 < height || $0.1 < width }) else { return }
        x.withUnsafeMutableBufferPointer { values in
            guard let base = values.baseAddress else { return }
            ParallelLoop.forEach(extents.count * channels, minimumPerChunk: 8) { plane in
                let (validHeight, validWidth) = limits[plane / channels]
                let start = base + plane * height * width
                if validWidth < width {
                    for row in 0..<validHeight { (start + row * width + validWidth).update(repeating: 0, count: width - validWidth) }
                }
                if validHeight < height {
                    (start + validHeight * width).update(repeating: 0, count: (height - validHeight) * width)
                }
            }
        }
    }
}
