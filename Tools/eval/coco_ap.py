"""COCO-style box AP (AP@[.5:.95], AP50, AP75), implemented here, following pycocotools' rules.

Rules mirrored from the COCO evaluation (area range "all", no crowd regions):

* per image, detections are ranked by score (stable sort) and only the top ``max_detections``
  are kept;
* per category and IoU threshold, each detection (best score first) is matched to the unmatched
  ground-truth box of the same category with the highest IoU >= threshold;
* detections of all images are merged by score (stable sort); precision is made monotonically
  non-increasing; it is read at the 101 recall points 0, 0.01, ..., 1 (0 beyond the last
  recall reached); AP is the mean over recall points, categories with ground truth, and
  thresholds.

Boxes are (x1, y1, x2, y2) in pixels; IoU uses continuous areas (no +1), as COCO does.
"""

import numpy as np

IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)
RECALL_POINTS = np.linspace(0.0, 1.0, 101)


def iou_matrix(boxes_a, boxes_b):
    """(len(a), len(b)) IoU of two lists of (x1, y1, x2, y2) boxes."""
    a = np.asarray(boxes_a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(boxes_b, dtype=np.float64).reshape(-1, 4)
    ix = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    iy = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = ix * iy
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def _match_image(gt_boxes, dt_boxes, thresholds):
    """For each threshold, whether each (score-ranked) detection is a true positive."""
    tp = np.zeros((len(thresholds), len(dt_boxes)), dtype=bool)
    if len(gt_boxes) == 0 or len(dt_boxes) == 0:
        return tp
    ious = iou_matrix(dt_boxes, gt_boxes)
    for t_index, threshold in enumerate(thresholds):
        taken = np.zeros(len(gt_boxes), dtype=bool)
        for d in range(len(dt_boxes)):
            best, best_iou = -1, min(threshold, 1 - 1e-10)
            for g in range(len(gt_boxes)):
                if taken[g] or ious[d, g] < best_iou:
                    continue
                best, best_iou = g, ious[d, g]
            if best >= 0:
                taken[best] = True
                tp[t_index, d] = True
    return tp


def average_precision(ground_truth, detections, max_detections=100, thresholds=IOU_THRESHOLDS):
    """COCO box AP.

    ``ground_truth``: {image_id: [{"box": [x1,y1,x2,y2], "class_id": int}, ...]}
    ``detections``:   {image_id: [{"box": [...], "class_id": int, "score": float}, ...]}
    Returns {"AP", "AP50", "AP75", "per_class": {class_id: AP}, "precision": array}.
    """
    image_ids = sorted(set(ground_truth) | set(detections))
    classes = sorted({g["class_id"] for gts in ground_truth.values() for g in gts})
    thresholds = np.asarray(thresholds)
    precision = -np.ones((len(thresholds), len(RECALL_POINTS), len(classes)))
    for c_index, class_id in enumerate(classes):
        scores, hits, n_gt = [], [], 0
        for image_id in image_ids:
            gts = [g["box"] for g in ground_truth.get(image_id, []) if g["class_id"] == class_id]
            dts = [d for d in detections.get(image_id, []) if d["class_id"] == class_id]
            order = np.argsort([-d["score"] for d in dts], kind="mergesort")[:max_detections]
            dts = [dts[i] for i in order]
            n_gt += len(gts)
            scores.append(np.array([d["score"] for d in dts], dtype=np.float64))
            hits.append(_match_image(gts, [d["box"] for d in dts], thresholds))
        if n_gt == 0:
            continue
        all_scores = np.concatenate(scores)
        order = np.argsort(-all_scores, kind="mergesort")
        all_hits = np.concatenate(hits, axis=1)[:, order]
        for t_index in range(len(thresholds)):
            tp = np.cumsum(all_hits[t_index]).astype(np.float64)
            fp = np.cumsum(~all_hits[t_index]).astype(np.float64)
            recall = tp / n_gt
            prec = tp / np.maximum(tp + fp, np.spacing(1))
            prec = np.maximum.accumulate(prec[::-1])[::-1] if len(prec) else prec
            q = np.zeros(len(RECALL_POINTS))
            positions = np.searchsorted(recall, RECALL_POINTS, side="left")
            valid = positions < len(prec)
            q[valid] = prec[positions[valid]]
            precision[t_index, :, c_index] = q

    def mean_of(values):
        values = values[values > -1]
        return float(values.mean()) if values.size else -1.0

    index_50 = int(np.argmin(np.abs(thresholds - 0.5)))
    index_75 = int(np.argmin(np.abs(thresholds - 0.75)))
    return {"AP": mean_of(precision), "AP50": mean_of(precision[index_50]),
            "AP75": mean_of(precision[index_75]),
            "per_class": {int(c): mean_of(precision[:, :, i]) for i, c in enumerate(classes)},
            "precision": precision}
