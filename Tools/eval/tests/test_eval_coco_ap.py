"""Own COCO AP: hand-computed cases, and agreement with pycocotools on a random fixture."""

import numpy as np
import pytest

from coco_ap import average_precision, iou_matrix


def gt(box, c=1):
    return {"box": box, "class_id": c}


def dt(box, score, c=1):
    return {"box": box, "class_id": c, "score": score}


def test_iou_matrix():
    ious = iou_matrix([[0, 0, 10, 10]], [[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]])
    assert ious.tolist() == [[1.0, pytest.approx(50 / 150), 0.0]]


def test_perfect_detections_score_one():
    truth = {1: [gt([0, 0, 10, 10]), gt([20, 20, 30, 35], 2)], 2: [gt([5, 5, 9, 9])]}
    dets = {k: [dict(g, score=0.9) for g in v] for k, v in truth.items()}
    result = average_precision(truth, dets)
    assert result["AP"] == result["AP50"] == result["AP75"] == 1.0
    assert result["per_class"] == {1: 1.0, 2: 1.0}


def test_false_positive_ranked_first_halves_precision():
    # ranks: FP (0.9) then TP (0.8): precision at recall 1 is 1/2 at every recall point
    truth = {1: [gt([0, 0, 10, 10])]}
    dets = {1: [dt([50, 50, 60, 60], 0.9), dt([0, 0, 10, 10], 0.8)]}
    assert average_precision(truth, dets)["AP"] == pytest.approx(0.5)
    # ranked the other way round the FP costs nothing
    dets = {1: [dt([50, 50, 60, 60], 0.7), dt([0, 0, 10, 10], 0.8)]}
    assert average_precision(truth, dets)["AP"] == pytest.approx(1.0)


def test_half_recall_reads_51_of_101_recall_points():
    truth = {1: [gt([0, 0, 10, 10]), gt([20, 0, 30, 10])]}
    dets = {1: [dt([0, 0, 10, 10], 0.9)]}
    assert average_precision(truth, dets)["AP"] == pytest.approx(51 / 101)


def test_iou_thresholds():
    # IoU = 72/100: a true positive at 0.5, 0.55, ..., 0.70 (5 of 10 thresholds)
    truth = {1: [gt([0, 0, 10, 10])]}
    dets = {1: [dt([0, 0, 10, 7.2], 0.9)]}
    result = average_precision(truth, dets)
    assert result["AP50"] == 1.0 and result["AP75"] == 0.0
    assert result["AP"] == pytest.approx(0.5)


def test_wrong_class_and_duplicates():
    truth = {1: [gt([0, 0, 10, 10], 1)]}
    assert average_precision(truth, {1: [dt([0, 0, 10, 10], 0.9, 2)]})["AP"] == 0.0
    # a duplicate of a matched box is a false positive ranked after the true positive
    dets = {1: [dt([0, 0, 10, 10], 0.9), dt([0, 0, 10, 10], 0.8)]}
    assert average_precision(truth, dets)["AP"] == 1.0
    dets = {1: [dt([0, 0, 10, 10], 0.8), dt([0, 0, 10, 10], 0.9), dt([0, 0, 10, 10.5], 0.95)]}
    assert average_precision(truth, dets)["AP"] == 1.0  # best-scored one matches first


def test_max_detections_per_image():
    truth = {1: [gt([10 * k, 0, 10 * k + 8, 8]) for k in range(5)]}
    dets = {1: [dt(g["box"], 0.5 + 0.1 * k) for k, g in enumerate(truth[1])]}
    assert average_precision(truth, dets, max_detections=5)["AP"] == 1.0
    # keeping the 2 best-scored of 5 true positives: recall 0.4, precision 1 -> 41/101
    assert average_precision(truth, dets, max_detections=2)["AP"] == pytest.approx(41 / 101)


def random_fixture(seed=0, images=25, classes=3):
    rng = np.random.default_rng(seed)
    truth, dets = {}, {}
    for image_id in range(1, images + 1):
        truth[image_id], dets[image_id] = [], []
        for _ in range(int(rng.integers(0, 6))):
            x, y = rng.uniform(0, 100, 2)
            w, h = rng.uniform(5, 40, 2)
            c = int(rng.integers(1, classes + 1))
            truth[image_id].append(gt([x, y, x + w, y + h], c))
            if rng.random() < 0.85:  # detected, with jitter and sometimes the wrong class
                jitter = rng.normal(0, 0.08, 4) * [w, h, w, h]
                box = [x + jitter[0], y + jitter[1], x + w + jitter[2], y + h + jitter[3]]
                c_det = c if rng.random() < 0.9 else int(rng.integers(1, classes + 1))
                dets[image_id].append(dt(box, float(rng.uniform(0.05, 1.0)), c_det))
        for _ in range(int(rng.integers(0, 4))):  # false positives
            x, y = rng.uniform(0, 100, 2)
            w, h = rng.uniform(5, 40, 2)
            dets[image_id].append(dt([x, y, x + w, y + h], float(rng.uniform(0, 0.6)),
                                     int(rng.integers(1, classes + 1))))
    return truth, dets


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_pycocotools(seed):
    coco_module = pytest.importorskip("pycocotools.coco")
    cocoeval_module = pytest.importorskip("pycocotools.cocoeval")
    truth, dets = random_fixture(seed)
    annotations, results, ann_id = [], [], 1
    for image_id, gts in truth.items():
        for g in gts:
            x1, y1, x2, y2 = g["box"]
            annotations.append({"id": ann_id, "image_id": image_id, "category_id": g["class_id"],
                                "bbox": [x1, y1, x2 - x1, y2 - y1], "area": (x2 - x1) * (y2 - y1),
                                "iscrowd": 0})
            ann_id += 1
    for image_id, ds in dets.items():
        for d in ds:
            x1, y1, x2, y2 = d["box"]
            results.append({"image_id": image_id, "category_id": d["class_id"],
                            "bbox": [x1, y1, x2 - x1, y2 - y1], "score": d["score"]})
    coco = coco_module.COCO()
    coco.dataset = {"images": [{"id": i} for i in truth],
                    "categories": [{"id": c} for c in (1, 2, 3)], "annotations": annotations}
    coco.createIndex()
    evaluation = cocoeval_module.COCOeval(coco, coco.loadRes(results), "bbox")
    evaluation.evaluate()
    evaluation.accumulate()
    evaluation.summarize()
    ours = average_precision(truth, dets)
    assert 0.2 < ours["AP"] < 0.95                      # a non-trivial fixture
    assert ours["AP"] == pytest.approx(evaluation.stats[0], abs=1e-9)
    assert ours["AP50"] == pytest.approx(evaluation.stats[1], abs=1e-9)
    assert ours["AP75"] == pytest.approx(evaluation.stats[2], abs=1e-9)
