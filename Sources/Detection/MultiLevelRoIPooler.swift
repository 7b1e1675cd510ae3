// Follows detectron2 `ROIPooler` with `ROIAlignV2` (detectron2/modeling/poolers.py) over torchvision
// `roi_align(aligned=True)` (torchvision/csrc/ops/cpu/roi_align_kernel.cpp): level assignment, sampling
// grid and bilinear boundary rules are the same; the output layout is the one `DynamicConv` consumes.

import Foundation
import Tensor

/// RoIAlign over the FPN levels p2…p5 with detectron2's level rule (Lin et al. 2017, Eq. 1):
/// `level = clamp(⌊4 + log₂(√area / 224 + 1e-8)⌋, 2, 5)`, half-pixel aligned boxes, `R × R` bins with
/// `samplingRatio²` samples each (adaptive `⌈size/R⌉` when 0).
///
/// Returns (N, R², C) — cell-major rows of C channels per box, i.e. the official
/// `roi_features.view(N, C, R²).permute(2, 0, 1)` transposed back per box — by reading channels-last
/// levels, so every bilinear tap is four contiguous rows.
struct MultiLevelRoIPooler: Sendable {
    let resolution: Int
    let samplingRatio: Int

    /// detectron2 `assign_boxes_to_levels` (index 0 = p2) for float32 boxes (the head's own boxes).
    static func levelIndex(x1: Float, y1: Float, x2: Float, y2: Float, levelCount: Int) -> Int {
        let size = ((x2 - x1) * (y2 - y1)).squareRoot()
        return clampedLevel(Double((4 + log2f(size / 224 + 1e-8)).rounded(.down)), levelCount: levelCount)
    }

    /// The same rule for float64 boxes (the sampler's state after its first DDIM update), computed in float64
    /// as PyTorch does for a float64 box tensor.
    static func levelIndex(x1: Double, y1: Double, x2: Double, y2: Double, levelCount: Int) -> Int {
        let size = ((x2 - x1) * (y2 - y1)).squareRoot()
        return clampedLevel((4 + log2(size / 224 + 1e-8)).rounded(.down), levelCount: levelCount)
    }

    private static func clampedLevel(_ level: Double, levelCount: Int) -> Int {
        guard level.isFinite else { return level > 0 ? levelCount - 1 : 0 }
        return Int(min(max(level, 2), Double(1 + levelCount))) - 2
    }

    /// - Parameters:
    ///   - boxes: N rows (x1, y1, x2, y2) in input-image pixels.
    ///   - levels: the level of each box when the caller assigned them (from higher-precision boxes).
    func callAsFunction(_ features: FeaturePyramid, boxes: [Float], levels assigned: [Int]? = nil) -> Tensor {
        let count = boxes.count / 4, channels = features.channels, cells = resolution * resolution
        var result = Tensor(uninitializedShape: [count, cells, channels])
        let levels = features.levels.map { $0.contiguous() }
        let levelPointers = levels.map(\.basePointer)
        let scales = features.strides.map { 1 / Float($0) }
        let resolution = self.resolution, samplingRatio = self.samplingRatio
        result.withUnsafeMutableBufferPointer { output in
            guard let outputBase = output.baseAddress else { return }
            ParallelLoop.forEachChunk(count) { range in
                for box in range {
                    let x1 = boxes[box * 4], y1 = boxes[box * 4 + 1], x2 = boxes[box * 4 + 2], y2 = boxes[box * 4 + 3]
                    let level = assigned?[box] ?? Self.levelIndex(x1: x1, y1: y1, x2: x2, y2: y2, levelCount: levels.count)
                    let map = levelPointers[level]
                    let height = levels[level].shape[0], width = levels[level].shape[1]
                    let scale = scales[level]
                    let startW = x1 * scale - 0.5, startH = y1 * scale - 0.5
                    let roiW = x2 * scale - 0.5 - startW, roiH = y2 * scale - 0.5 - startH
                    let binH = roiH / Float(resolution), binW = roiW / Float(resolution)
                    let gridH = samplingRatio > 0 ? samplingRatio : Int(ceilf(roiH / Float(resolution)))
                    let gridW = samplingRatio > 0 ? samplingRatio : Int(ceilf(roiW / Float(resolution)))
                    let divisor = Float(max(gridH * gridW, 1))
                    for ph in 0..<resolution {
                        for pw in 0..<resolution {
                            let out = outputBase + (box * cells + ph * resolution + pw) * channels
                            out.update(repeating: 0, count: channels)
                            for iy in 0..<gridH {
                                let y = startH + Float(ph) * binH + (Float(iy) + 0.5) * binH / Float(gridH)
                                for ix in 0..<gridW {
                                    let x = startW + Float(pw) * binW + (Float(ix) + 0.5) * binW / Float(gridW)
                                    guard let tap = BilinearTap(y: y, x: x, height: height, width: width) else { continue }
                                    let r1 = map + tap.offset1 * channels, r2 = map + tap.offset2 * channels
                                    let r3 = map + tap.offset3 * channels, r4 = map + tap.offset4 * channels
                                    for c in 0..<channels {
                                        out[c] += tap.w1 * r1[c] + tap.w2 * r2[c] + tap.w3 * r3[c] + tap.w4 * r4[c]
                                    }
                                }
                            }
                            for c in 0..<channels { out[c] /= divisor }
                        }
                    }
                }
            }
        }
        withExtendedLifetime(levels) {}
        return result
    }
}

/// torchvision's RoIAlign `bilinear_interpolate`: no contribution outside [−1, size], clamped at the border.
struct BilinearTap {
    let offset1, offset2, offset3, offset4: Int
    let w1, w2, w3, w4: Float

    init?(y yIn: Float, x xIn: Float, height: Int, width: Int) {
        if yIn < -1 || yIn > Float(height) || xIn < -1 || xIn > Float(width) { return nil }
        var y = max(yIn, 0), x = max(xIn, 0)
        var yLow = Int(y), xLow = Int(x)
        let yHigh: Int, xHigh: Int
        if yLow >= height - 1 { yLow = height - 1; yHigh = yLow; y = Float(yLow) } else { yHigh = yLow + 1 }
        if xLow >= width - 1 { xLow = width - 1; xHigh = xLow; x = Float(xLow) } else { xHigh = xLow + 1 }
        let ly = y - Float(yLow), lx = x - Float(xLow)
        let hy = 1 - ly, hx = 1 - lx
        offset1 = yLow * width + xLow
        offset2 = yLow * width + xHigh
        offset3 = yHigh * width + xLow
        offset4 = yHigh * width + xHigh
        w1 = hy * hx
        w2 = hy * lx
        w3 = ly * hx
        w4 = ly * lx
    }
}
