// Box utilities: torchvision.ops.box_iou, generalized_box_iou, nms, batched_nms. Boxes are (x1, y1, x2, y2).

extension Tensor {
    static func checkBoxes(_ boxes: Tensor, op: String) throws(TensorError) {
        guard boxes.rank == 2, boxes.shape[1] == 4 else {
            throw .shapeMismatch(op: op, shapes: [boxes.shape], reason: "boxes must be (K, 4) as (x1, y1, x2, y2)")
        }
    }

    /// `torchvision.ops.box_iou(a, b)` → (Ka, Kb).
    public static func boxIoU(_ a: Tensor, _ b: Tensor) throws(TensorError) -> Tensor {
        try pairwiseBoxes(a, b, op: "box_iou") { inter, union, _ in inter / union }
    }

    /// `torchvision.ops.generalized_box_iou(a, b)` → (Ka, Kb): IoU − (hull − union)/hull.
    public static func generalizedBoxIoU(_ a: Tensor, _ b: Tensor) throws(TensorError) -> Tensor {
        try pairwiseBoxes(a, b, op: "generalized_box_iou") { inter, union, hull in inter / union - (hull - union) / hull }
    }

    static func pairwiseBoxes(_ a: Tensor, _ b: Tensor, op: String, _ combine: (Float, Float, Float) -> Float) throws(TensorError) -> Tensor {
        try checkBoxes(a, op: op)
        try checkBoxes(b, op: op)
        let x = a.scalars, y = b.scalars
        let (rows, columns) = (a.shape[0], b.shape[0])
        var values = [Float](repeating: 0, count: rows * columns)
        for i in 0..<rows {
            let areaA = (x[i * 4 + 2] - x[i * 4]) * (x[i * 4 + 3] - x[i * 4 + 1])
            for j in 0..<columns {
                let areaB = (y[j * 4 + 2] - y[j * 4]) * (y[j * 4 + 3] - y[j * 4 + 1])
                let w = max(min(x[i * 4 + 2], y[j * 4 + 2]) - max(x[i * 4], y[j * 4]), 0)
                let h = max(min(x[i * 4 + 3], y[j * 4 + 3]) - max(x[i * 4 + 1], y[j * 4 + 1]), 0)
                let inter = w * h
                let union = areaA + areaB - inter
                let hullW = max(max(x[i * 4 + 2], y[j * 4 + 2]) - min(x[i * 4], y[j * 4]), 0)
                let hullH = max(max(x[i * 4 + 3], y[j * 4 + 3]) - min(x[i * 4 + 1], y[j * 4 + 1]), 0)
                values[i * columns + j] = combine(inter, union, hullW * hullH)
            }
        }
        return Tensor(shape: [rows, columns], values: values)
    }

    /// `torchvision.ops.nms(boxes, scores, iou_threshold)`: indices of kept boxes by decreasing score.
    /// A box is suppressed when its IoU with a kept, higher-scoring box is `> iouThreshold`.
    /// Equal scores keep their input order (stable sort).
    public static func nonMaximumSuppression(boxes: Tensor, scores: Tensor, iouThreshold: Float) throws(TensorError) -> [Int] {
        try checkBoxes(boxes, op: "nms")
        guard scores.shape == [boxes.shape[0]] else {
            throw .shapeMismatch(op: "nms", shapes: [boxes.shape, scores.shape], reason: "scores must be (K)")
        }
        let b = boxes.scalars, s = scores.scalars
        let order = s.indices.sorted { s[$0] > s[$1] || (s[$0] == s[$1] && $0 < $1) }
        var suppressed = [Bool](repeating: false, count: s.count)
        var keep: [Int] = []
        for (position, i) in order.enumerated() where !suppressed[i] {
            keep.append(i)
            let areaI = (b[i * 4 + 2] - b[i * 4]) * (b[i * 4 + 3] - b[i * 4 + 1])
            for j in order[(position + 1)...] where !suppressed[j] {
                let w = max(min(b[i * 4 + 2], b[j * 4 + 2]) - max(b[i * 4], b[j * 4]), 0)
                let h = max(min(b[i * 4 + 3], b[j * 4 + 3]) - max(b[i * 4 + 1], b[j * 4 + 1]), 0)
                let inter = w * h
                let areaJ = (b[j * 4 + 2] - b[j * 4]) * (b[j * 4 + 3] - b[j * 4 + 1])
                if inter / (areaI + areaJ - inter) > iouThreshold { suppressed[j] = true }
            }
        }
        return keep
    }

    /// `torchvision.ops.batched_nms`: NMS applied independently per class (`classes` holds integer labels).
    public static func batchedNonMaximumSuppression(boxes: Tensor, scores: Tensor, classes: [Int], iouThreshold: Float) throws(TensorError) -> [Int] {
        try checkBoxes(boxes, op: "batched_nms")
        guard classes.count == boxes.shape[0] else {
            throw .shapeMismatch(op: "batched_nms", shapes: [boxes.shape, [classes.count]], reason: "one class per box")
        }
        let s = scores.scalars
        var kept: [Int] = []
        for label in Set(classes) {
            let members = classes.indices.filter { classes[$0] == label }
            let subset = Tensor(shape: [members.count, 4], values: members.flatMap { index in (0..<4).map { boxes[index, $0] } })
            let subsetScores = Tensor(shape: [members.count], values: members.map { s[$0] })
            kept += try nonMaximumSuppression(boxes: subset, scores: subsetScores, iouThreshold: iouThreshold).map { members[$0] }
        }
        return kept.sorted { s[$0] > s[$1] || (s[$0] == s[$1] && $0 < $1) }
    }
}
