// RoIAlign (`torchvision.ops.roi_align`), forward only, with torchvision's sampling and boundary rules.

import Foundation

extension Tensor {
    /// `torchvision.ops.roi_align(input, boxes, output_size, spatial_scale, sampling_ratio, aligned)`.
    ///
    /// - Parameters:
    ///   - input: (N, C, H, W) feature map.
    ///   - boxes: (K, 5) rows `[batch_index, x1, y1, x2, y2]` in input-image coordinates.
    ///   - outputSize: (pooledH, pooledW).
    ///   - spatialScale: maps box coordinates to the feature map (e.g. 1/16).
    ///   - samplingRatio: samples per bin side; `≤ 0` means adaptive, `ceil(roi_size / pooled_size)`.
    ///   - aligned: `true` shifts boxes by −0.5 pixel (pixel-centre model, as detectron2 uses).
    /// - Returns: (K, C, pooledH, pooledW).
    public static func roiAlign(_ input: Tensor, boxes: Tensor, outputSize: (Int, Int), spatialScale: Float,
                                samplingRatio: Int, aligned: Bool) throws(TensorError) -> Tensor {
        guard input.rank == 4, boxes.rank == 2, boxes.shape[1] == 5 else {
            throw .shapeMismatch(op: "roi_align", shapes: [input.shape, boxes.shape], reason: "expected input (N,C,H,W) and boxes (K,5)")
        }
        guard outputSize.0 > 0, outputSize.1 > 0 else { throw .invalidArgument(op: "roi_align", reason: "output size must be positive") }
        let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (pooledH, pooledW) = outputSize
        let roiCount = boxes.shape[0]
        let rois = boxes.scalars
        for roi in 0..<roiCount {
            let index = Int(rois[roi * 5])
            guard index >= 0 && index < batch else {
                throw .invalidArgument(op: "roi_align", reason: "box \(roi) has batch index \(rois[roi * 5]) outside 0..<\(batch)")
            }
        }
        let features = input.contiguous()
        let result = Tensor(uninitializedShape: [roiCount, channels, pooledH, pooledW])
        let source = features.basePointer, output = result.storage.pointer
        let offset: Float = aligned ? 0.5 : 0
        ParallelLoop.forEach(roiCount) { roi in
            let box = Array(rois[(roi * 5)..<(roi * 5 + 5)])
            let image = Int(box[0])
            let startW = box[1] * spatialScale - offset, startH = box[2] * spatialScale - offset
            let endW = box[3] * spatialScale - offset, endH = box[4] * spatialScale - offset
            var roiW = endW - startW, roiH = endH - startH
            if !aligned { roiW = max(roiW, 1); roiH = max(roiH, 1) }
            let binH = roiH / Float(pooledH), binW = roiW / Float(pooledW)
            let gridH = samplingRatio > 0 ? samplingRatio : Int(ceilf(roiH / Float(pooledH)))
            let gridW = samplingRatio > 0 ? samplingRatio : Int(ceilf(roiW / Float(pooledW)))
            let count = Float(max(gridH * gridW, 1))
            // Bilinear taps for every sample of every bin (shared across channels).
            var taps: [(Int, Int, Int, Int, Float, Float, Float, Float)] = []
            taps.reserveCapacity(pooledH * pooledW * gridH * gridW)
            var tapRanges: [Range<Int>] = []
            for ph in 0..<pooledH {
                for pw in 0..<pooledW {
                    let first = taps.count
                    for iy in 0..<gridH {
                        let y = startH + Float(ph) * binH + (Float(iy) + 0.5) * binH / Float(gridH)
                        for ix in 0..<gridW {
                            let x = startW + Float(pw) * binW + (Float(ix) + 0.5) * binW / Float(gridW)
                            if let tap = RoIBilinear.tap(y: y, x: x, height: height, width: width) { taps.append(tap) }
                        }
                    }
                    tapRanges.append(first..<taps.count)
                }
            }
            for channel in 0..<channels {
                let plane = source + (image * channels + channel) * height * width
                let out = output + (roi * channels + channel) * pooledH * pooledW
                for bin in 0..<(pooledH * pooledW) {
                    var sum: Float = 0
                    for tapIndex in tapRanges[bin] {
                        let (p1, p2, p3, p4, w1, w2, w3, w4) = taps[tapIndex]
                        sum += w1 * plane[p1] + w2 * plane[p2] + w3 * plane[p3] + w4 * plane[p4]
                    }
                    out[bin] = sum / count
                }
            }
        }
        return result
    }
}

/// torchvision's `bilinear_interpolate` for RoIAlign: zero outside [−1, size], clamped at the border.
enum RoIBilinear {
    static func tap(y yIn: Float, x xIn: Float, height: Int, width: Int) -> (Int, Int, Int, Int, Float, Float, Float, Float)? {
        if yIn < -1 || yIn > Float(height) || xIn < -1 || xIn > Float(width) { return nil }
        var y = max(yIn, 0), x = max(xIn, 0)
        var yLow = Int(y), xLow = Int(x)
        let yHigh: Int, xHigh: Int
        if yLow >= height - 1 { yLow = height - 1; yHigh = yLow; y = Float(yLow) } else { yHigh = yLow + 1 }
        if xLow >= width - 1 { xLow = width - 1; xHigh = xLow; x = Float(xLow) } else { xHigh = xLow + 1 }
        let ly = y - Float(yLow), lx = x - Float(xLow)
        let hy = 1 - ly, hx = 1 - lx
        return (yLow * width + xLow, yLow * width + xHigh, yHigh * width + xLow, yHigh * width + xHigh,
                hy * hx, hy * lx, ly * hx, ly * lx)
    }
}
