// Follows DiffusionDet `RCNNHead.apply_deltas` (diffusiondet/head.py @1efb36d; detectron2 `Box2BoxTransform`).

import Foundation

/// Applies (dx, dy, dw, dh) deltas to xyxy boxes (Girshick et al. 2014, Appendix C) with weights
/// (2, 2, 1, 1) and dw, dh clamped at log(100000/16), in float32 as the official head computes it.
struct BoxDeltaDecoder: Sendable {
    var weights: (x: Float, y: Float, width: Float, height: Float) = (2, 2, 1, 1)
    var scaleClamp = Float(log(100_000.0 / 16))

    /// `boxes` and `deltas` hold N rows of 4; returns N decoded xyxy rows.
    func decode(_ deltas: UnsafePointer<Float>, boxes: [Float]) -> [Float] {
        var result = [Float](repeating: 0, count: boxes.count)
        for box in 0..<(boxes.count / 4) {
            let b = box * 4
            let width = boxes[b + 2] - boxes[b], height = boxes[b + 3] - boxes[b + 1]
            let centerX = boxes[b] + 0.5 * width, centerY = boxes[b + 1] + 0.5 * height
            let dx = deltas[b] / weights.x, dy = deltas[b + 1] / weights.y
            let dw = min(deltas[b + 2] / weights.width, scaleClamp), dh = min(deltas[b + 3] / weights.height, scaleClamp)
            let predictedX = dx * width + centerX, predictedY = dy * height + centerY
            let predictedW = expf(dw) * width, predictedH = expf(dh) * height
            result[b] = predictedX - 0.5 * predictedW
            result[b + 1] = predictedY - 0.5 * predictedH
            result[b + 2] = predictedX + 0.5 * predictedW
            result[b + 3] = predictedY + 0.5 * predictedH
        }
        return result
    }
}
