// The end of DiffusionDet inference: `batched_nms` over the ensemble (diffusiondet/detector.py @1efb36d),
// the demo's score threshold, and detectron2 `detector_postprocess` (detectron2/modeling/postprocessing.py).

import Tensor

/// Turns the sampler's ensemble into the request's detections: class-wise NMS (torchvision `batched_nms`)
/// in resized-image pixels, the score threshold (`score > threshold`), scaling to the original image size,
/// clipping, dropping empty boxes, and sorting by descending score.
struct DetectionPostprocessor: Sendable {
    let classNames: [String]
    let nmsIoUThreshold: Float

    func detections(from candidates: DiffusionDetSampler.Candidates, scoreThreshold: Double,
                    image: PreprocessedImage) throws(DetectionError) -> [Detection] {
        let count = candidates.scores.count
        guard count > 0 else { return [] }
        let kept = try tensorOp { () throws(TensorError) in
            try Tensor.batchedNonMaximumSuppression(boxes: Tensor(shape: [count, 4], values: candidates.boxes),
                                                    scores: Tensor(shape: [count], values: candidates.scores),
                                                    classes: candidates.labels, iouThreshold: nmsIoUThreshold)
        }
        let scaleX = Float(Double(image.originalWidth) / Double(image.resizedWidth))
        let scaleY = Float(Double(image.originalHeight) / Double(image.resizedHeight))
        let width = Float(image.originalWidth), height = Float(image.originalHeight)
        var detections: [Detection] = []
        for index in kept where Double(candidates.scores[index]) > scoreThreshold {
            let b = index * 4
            let x1 = min(max(candidates.boxes[b] * scaleX, 0), width)
            let y1 = min(max(candidates.boxes[b + 1] * scaleY, 0), height)
            let x2 = min(max(candidates.boxes[b + 2] * scaleX, 0), width)
            let y2 = min(max(candidates.boxes[b + 3] * scaleY, 0), height)
            guard x2 - x1 > 0, y2 - y1 > 0 else { continue }
            let label = candidates.labels[index]
            detections.append(Detection(classIndex: label, label: classNames.indices.contains(label) ? classNames[label] : "",
                                        score: candidates.scores[index], x1: x1, y1: y1, x2: x2, y2: y2))
        }
        // NMS output is already by descending score; a stable sort keeps that order for ties.
        return detections.enumerated().sorted { a, b in
            a.element.score > b.element.score || (a.element.score == b.element.score && a.offset < b.offset)
        }.map(\.element)
    }
}
