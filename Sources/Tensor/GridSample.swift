// Bilinear `torch.nn.functional.grid_sample` (4-D), used to read triplane features.

import Foundation

/// How `grid_sample` treats coordinates outside the input.
public enum GridSamplePadding: String, Sendable {
    /// Out-of-range taps read 0 (`padding_mode="zeros"`).
    case zeros
    /// Coordinates are clamped to the border (`padding_mode="border"`).
    case border
}

extension Tensor {
    /// `F.grid_sample(input, grid, mode="bilinear", padding_mode=…, align_corners=…)`.
    ///
    /// - Parameters:
    ///   - input: (N, C, H, W).
    ///   - grid: (N, Ho, Wo, 2) with (x, y) in [−1, 1].
    /// - Returns: (N, C, Ho, Wo).
    public static func gridSample(_ input: Tensor, grid: Tensor, padding: GridSamplePadding = .zeros,
                                  alignCorners: Bool) throws(TensorError) -> Tensor {
        guard input.rank == 4, grid.rank == 4, grid.shape[3] == 2, grid.shape[0] == input.shape[0] else {
            throw .shapeMismatch(op: "grid_sample", shapes: [input.shape, grid.shape], reason: "expected input (N,C,H,W) and grid (N,Ho,Wo,2)")
        }
        let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (outH, outW) = (grid.shape[1], grid.shape[2])
        let features = input.contiguous(), coordinates = grid.contiguous()
        let result = Tensor(uninitializedShape: [batch, channels, outH, outW])
        let source = features.basePointer, points = coordinates.basePointer, output = result.storage.pointer
        func unnormalize(_ value: Float, _ size: Int) -> Float {
            let coordinate = alignCorners ? (value + 1) / 2 * Float(size - 1) : ((value + 1) * Float(size) - 1) / 2
            guard padding == .border else { return coordinate }
            return min(max(coordinate, 0), Float(size - 1))
        }
        let pixels = outH * outW
        ParallelLoop.forEach(batch * pixels, minimumPerChunk: 256) { task in
            let image = task / pixels, pixel = task % pixels
            let x = unnormalize(points[task * 2], width), y = unnormalize(points[task * 2 + 1], height)
            let x0 = Int(floorf(x)), y0 = Int(floorf(y))
            let x1 = x0 + 1, y1 = y0 + 1
            let wx1 = x - Float(x0), wy1 = y - Float(y0)
            let wx0 = 1 - wx1, wy0 = 1 - wy1
            // Corner weights and flat indices; corners outside the image contribute zero.
            var corners: [(Int, Float)] = []
            for (cy, wy) in [(y0, wy0), (y1, wy1)] where cy >= 0 && cy < height {
                for (cx, wx) in [(x0, wx0), (x1, wx1)] where cx >= 0 && cx < width {
                    corners.append((cy * width + cx, wy * wx))
                }
            }
            for channel in 0..<channels {
                let plane = source + (image * channels + channel) * height * width
                var value: Float = 0
                for (index, weight) in corners { value += plane[index] * weight }
                output[(image * channels + channel) * pixels + pixel] = value
            }
        }
        return result
    }
}
