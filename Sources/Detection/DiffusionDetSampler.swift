// Follows DiffusionDet `ddim_sample`, `model_predictions` and `inference` (diffusiondet/detector.py @1efb36d),
// with the final-step ensemble choice documented in Detection.docc/Detection.md.

import Tensor

/// DDIM sampling of boxes with box renewal and the per-step ensemble (Chen et al. 2023, §3.3, Alg. 2).
///
/// State x lives in the scaled box space (cx, cy, w, h)·2−1 times `snr_scale`, kept in Double like the
/// official float64 buffers. Each step: boxes = map(clamp(x)) → head → x̂₀ from the last stage's boxes,
/// ε̂ = (√(1/ᾱ_t)·x − x̂₀)/√(1/ᾱ_t − 1); boxes whose best sigmoid score ≤ the renewal threshold are dropped;
/// unless it is the last step, `x = √ᾱ_next·x̂₀ + c·ε̂ + σ·z` for the kept boxes (σ = η·√((1−ᾱ_t/ᾱ_next)
/// (1−ᾱ_next)/(1−ᾱ_t)), c = √(1−ᾱ_next−σ²)) and fresh N(0, 1) boxes refill the set to N.
/// Every step's last-stage outputs (all N, before renewal) enter the ensemble through `inference()`'s
/// top-N (score, class) pairs — all steps but the last, plus the last when `includeFinalStep`; a single
/// step is always its own ensemble.
struct DiffusionDetSampler: Sendable {
    let schedule: CosineSchedule
    let configuration: DiffusionDetConfiguration.Diffusion
    let classCount: Int

    /// The ensemble before NMS, in resized-image pixels.
    struct Candidates: Equatable {
        var boxes: [Float] = []
        var scores: [Float] = []
        var labels: [Int] = []
    }

    struct Outcome {
        var candidates: Candidates
        var keptCounts: [Int]
    }

    /// - Parameters:
    ///   - imageWidth, imageHeight: the resized, unpadded input size (`images_whwh`).
    func sample(head: DynamicHead, pyramid: FeaturePyramid, imageWidth: Int, imageHeight: Int, proposals: Int,
                steps: Int, includeFinalStep: Bool, noise: inout some BoxNoiseSource,
                checkpoint: () throws -> Void) throws -> Outcome {
        let scale = configuration.snrScale
        let whwh = [Float(imageWidth), Float(imageHeight), Float(imageWidth), Float(imageHeight)]
        var x = try noise.draw(.initial, rows: proposals)
        var candidates = Candidates()
        var keptCounts: [Int] = []
        let pairs = schedule.timePairs(steps: steps)
        for (stepIndex, (t, next)) in pairs.enumerated() {
            try checkpoint()
            // The state is float32 until the first DDIM update, float64 after (as in PyTorch); the head gets
            // float32 boxes but the FPN level rule sees the float64 ones.
            let boxes: [Float], levels: [Int]?
            if stepIndex == 0 {
                boxes = Self.absoluteBoxes(x.map { Float($0) }, scale: Float(scale), whwh: whwh)
                levels = nil
            } else {
                let precise = Self.absoluteBoxes(x, scale: scale, whwh: whwh.map(Double.init))
                boxes = precise.map { Float($0) }
                levels = Self.levels(precise, levelCount: pyramid.levels.count)
            }
            let stages = try head(pyramid, boxes: boxes, levels: levels, timestep: t, checkpoint: checkpoint)
            guard let last = stages.last else { break }
            let isFinal = next < 0
            if steps == 1 || !isFinal || includeFinalStep {
                Self.appendTopK(logits: last.logits, boxes: last.boxes, classCount: classCount, count: proposals,
                                to: &candidates)
            }
            // model_predictions: x̂₀ in float32, ε̂ in Double.
            let start = Self.scaledBoxes(last.boxes, scale: scale, whwh: whwh)
            let recip = schedule.sqrtReciprocalAlphaCumprod(t), recipMinusOne = schedule.sqrtReciprocalAlphaCumprodMinusOne(t)
            let best = Self.bestScores(last.logits, classCount: classCount)
            let kept = best.indices.filter { Double(best[$0]) > configuration.renewalThreshold }
            keptCounts.append(kept.count)
            if isFinal { break }

            let alpha = schedule.alphasCumprod[t], alphaNext = schedule.alphasCumprod[next]
            let sigma = configuration.ddimEta * ((1 - alpha / alphaNext) * (1 - alphaNext) / (1 - alpha)).squareRoot()
            let c = (1 - alphaNext - sigma * sigma).squareRoot()
            let z = try noise.draw(.ddim(step: stepIndex), rows: kept.count)
            // x_start (float32) · ᾱ_next.sqrt() stays float32 in PyTorch; so does σ·z while the state is float32.
            let rootAlphaNext = Float(alphaNext.squareRoot())
            var updated: [Double] = []
            updated.reserveCapacity(proposals * 4)
            for (row, index) in kept.enumerated() {
                for k in 0..<4 {
                    let i = index * 4 + k
                    let epsilon = (recip * x[i] - Double(start[i])) / recipMinusOne
                    let noiseTerm = stepIndex == 0 ? Double(Float(sigma) * Float(z[row * 4 + k])) : sigma * z[row * 4 + k]
                    updated.append(Double(start[i] * rootAlphaNext) + c * epsilon + noiseTerm)
                }
            }
            updated += try noise.draw(.renewal(step: stepIndex), rows: proposals - kept.count)
            x = updated
        }
        return Outcome(candidates: candidates, keptCounts: keptCounts)
    }

    /// `model_predictions`' input boxes: clamp to ±scale, to [0, 1] cxcywh, to xyxy, times (w, h, w, h).
    static func absoluteBoxes<T: BinaryFloatingPoint>(_ x: [T], scale: T, whwh: [T]) -> [T] {
        var boxes = [T](repeating: 0, count: x.count)
        for row in 0..<(x.count / 4) {
            var v = [T](repeating: 0, count: 4)
            for k in 0..<4 { v[k] = (min(max(x[row * 4 + k], -scale), scale) / scale + 1) / 2 }
            let half: T = 0.5
            let xyxy = [v[0] - half * v[2], v[1] - half * v[3], v[0] + half * v[2], v[1] + half * v[3]]
            for k in 0..<4 { boxes[row * 4 + k] = xyxy[k] * whwh[k] }
        }
        return boxes
    }

    /// detectron2's FPN level of each float64 box.
    static func levels(_ boxes: [Double], levelCount: Int) -> [Int] {
        (0..<(boxes.count / 4)).map { row in
            MultiLevelRoIPooler.levelIndex(x1: boxes[row * 4], y1: boxes[row * 4 + 1], x2: boxes[row * 4 + 2],
                                           y2: boxes[row * 4 + 3], levelCount: levelCount)
        }
    }

    /// `model_predictions`' x̂₀: xyxy / whwh → cxcywh → (·2 − 1)·scale, clamped to ±scale (float32).
    static func scaledBoxes(_ boxes: [Float], scale: Double, whwh: [Float]) -> [Float] {
        let s = Float(scale)
        var result = [Float](repeating: 0, count: boxes.count)
        for row in 0..<(boxes.count / 4) {
            let b = (0..<4).map { boxes[row * 4 + $0] / whwh[$0] }
            let cxcywh = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1]]
            for k in 0..<4 { result[row * 4 + k] = min(max((cxcywh[k] * 2 - 1) * s, -s), s) }
        }
        return result
    }

    /// Max over classes of sigmoid(logits), per box.
    static func bestScores(_ logits: Tensor, classCount: Int) -> [Float] {
        let scores = logits.sigmoid().scalars
        return (0..<(scores.count / max(classCount, 1))).map { box in
            scores[(box * classCount)..<((box + 1) * classCount)].max() ?? 0
        }
    }

    /// `inference()` with focal scores: the top `count` of the N·K sigmoid scores, each with its class
    /// (`index % K`) and its box (`index / K`).
    static func appendTopK(logits: Tensor, boxes: [Float], classCount: Int, count: Int, to candidates: inout Candidates) {
        let scores = logits.sigmoid().scalars
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        for index in order.prefix(count) {
            let box = index / classCount
            candidates.boxes += boxes[(box * 4)..<(box * 4 + 4)]
            candidates.scores.append(scores[index])
            candidates.labels.append(index % classCount)
        }
    }
}
