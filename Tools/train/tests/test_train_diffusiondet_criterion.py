"""DiffusionDet matcher and loss (Tools/train/diffusiondet_criterion.py) on hand-checkable cases."""

import math

import pytest
import torch

import diffusiondet_criterion as c


def test_focal_loss_matches_hand_computation():
    logits = torch.tensor([0.0, 2.0, -1.0])
    targets = torch.tensor([1.0, 0.0, 1.0])
    loss = c.sigmoid_focal_loss(logits, targets)
    p2 = 1 / (1 + math.exp(-2.0))
    p3 = 1 / (1 + math.exp(1.0))
    expected = [
        0.25 * (1 - 0.5) ** 2 * math.log(2.0),  # positive, p = 0.5
        0.75 * p2 ** 2 * -math.log(1 - p2),  # negative, p = sigmoid(2)
        0.25 * (1 - p3) ** 2 * -math.log(p3),  # positive, p = sigmoid(-1)
    ]
    assert loss.tolist() == pytest.approx(expected, rel=1e-6)


def test_focal_match_cost_is_positive_minus_negative_term():
    probabilities = torch.tensor([[0.9, 0.2]])
    cost = c.focal_match_cost(probabilities, torch.tensor([1, 0]))
    p = 0.2
    at_class_1 = 0.25 * (1 - p) ** 2 * -math.log(p) - 0.75 * p ** 2 * -math.log(1 - p)
    p = 0.9
    at_class_0 = 0.25 * (1 - p) ** 2 * -math.log(p) - 0.75 * p ** 2 * -math.log(1 - p)
    assert cost.tolist() == [[pytest.approx(at_class_1, rel=1e-5), pytest.approx(at_class_0, rel=1e-5)]]


def test_giou_of_disjoint_and_identical_boxes():
    a = torch.tensor([[0.0, 0.0, 10.0, 10.0]])
    b = torch.tensor([[0.0, 0.0, 10.0, 10.0], [20.0, 0.0, 30.0, 10.0]])
    giou = c.pairwise_giou(a, b)
    # disjoint: IoU 0, hull 30x10 = 300, union 200 -> 0 - 100/300
    assert giou.tolist() == [[pytest.approx(1.0), pytest.approx(-1 / 3)]]
    assert c.paired_giou(a.expand(2, 4), b).tolist() == pytest.approx(giou[0].tolist())


def test_dynamic_k_is_int_of_top5_iou_sum_at_least_one():
    iou = torch.tensor([[0.9, 0.10], [0.8, 0.05], [0.7, 0.0], [0.3, 0.0], [0.2, 0.0], [0.6, 0.0]])
    # GT 0: top-5 = 0.9+0.8+0.7+0.6+0.3 = 3.3 -> 3; GT 1: 0.15 -> int 0 -> clamped to 1
    assert c.dynamic_k(iou).tolist() == [3, 1]


def test_assignment_takes_k_cheapest_and_resolves_conflicts_by_min_cost():
    # 5 predictions, 2 GTs. GT 0 has k = 2, GT 1 has k = 1 (IoUs below).
    iou = torch.tensor([[0.9, 0.0], [0.8, 0.3], [0.3, 0.0], [0.0, 0.2], [0.0, 0.1]])
    cost = torch.tensor([[1.0, 9.0],
                         [2.0, 1.5],  # taken by both GTs; GT 1 is cheaper (1.5 < 2.0)
                         [3.0, 9.0],
                         [9.0, 4.0],
                         [9.0, 5.0]])
    selected, gt_index = c.dynamic_k_assign(cost, iou)
    # GT 0 takes predictions 0, 1; GT 1 takes prediction 1; prediction 1 goes to GT 1 (1.5 < 2.0).
    assert selected.tolist() == [True, True, False, False, False]
    assert gt_index.tolist() == [0, 1]


def test_every_gt_gets_a_prediction_even_when_it_loses_all_conflicts():
    # Both GTs have k = 1 and the same cheapest prediction 0, which GT 0 wins (1 < 2);
    # GT 1 must then take its cheapest free prediction (2, cost 3 < 4).
    iou = torch.tensor([[0.5, 0.5], [0.1, 0.1], [0.1, 0.1]])
    cost = torch.tensor([[1.0, 2.0], [5.0, 4.0], [6.0, 3.0]])
    selected, gt_index = c.dynamic_k_assign(cost, iou)
    assert selected.tolist() == [True, False, True]
    assert gt_index.tolist() == [0, 1]


def test_assignment_covers_all_gts_on_random_costs():
    generator = torch.Generator().manual_seed(3)
    for _ in range(50):
        cost = torch.rand(20, 6, generator=generator)
        iou = torch.rand(20, 6, generator=generator)
        selected, gt_index = c.dynamic_k_assign(cost, iou)
        assert sorted(set(gt_index.tolist())) == list(range(6))
        assert int(selected.sum()) == len(gt_index)
        counts = torch.bincount(gt_index, minlength=6)
        assert (counts <= torch.maximum(c.dynamic_k(iou), torch.ones(6, dtype=torch.int32))).all()


def test_centre_priors():
    gt = torch.tensor([[40.0, 40.0, 60.0, 60.0]])  # centre (50, 50), w = h = 20, region 0..100
    pred = torch.tensor([[45.0, 45.0, 55.0, 55.0],  # centre (50,50): in box and region
                         [60.0, 60.0, 80.0, 80.0],  # centre (70,70): region only
                         [100.0, 100.0, 120.0, 120.0]])  # centre (110,110): neither
    candidate, both = c.centre_priors(pred, gt)
    assert candidate.tolist() == [True, True, False]
    assert both[:, 0].tolist() == [True, False, False]


def test_stage_loss_of_one_exact_prediction():
    whwh = torch.tensor([100.0, 100.0, 100.0, 100.0])
    target = {"labels": torch.tensor([1]), "boxes_xyxy": torch.tensor([[10.0, 10.0, 30.0, 40.0]]),
              "image_whwh": whwh}
    boxes = torch.tensor([[[10.0, 10.0, 30.0, 40.0],  # exact
                           [80.0, 80.0, 90.0, 90.0],  # far: outside box and centre region
                           [0.0, 60.0, 5.0, 70.0]]])  # far
    logits = torch.tensor([[[-1.0, 2.0], [0.0, -3.0], [1.0, 0.5]]])
    focal, l1, giou, matched = c.stage_loss(logits, boxes, [target])
    assert matched == 1  # the others have IoU 0, so dynamic k = int(1.0) = 1
    assert float(l1) == 0.0 and float(giou) == pytest.approx(0.0, abs=1e-6)
    one_hot = torch.zeros(1, 3, 2)
    one_hot[0, 0, 1] = 1.0
    assert float(focal) == pytest.approx(float(c.sigmoid_focal_loss(logits, one_hot).sum()))


def test_set_loss_weights_terms_2_5_2_and_sums_stages():
    whwh = torch.tensor([100.0, 100.0, 100.0, 100.0])
    target = {"labels": torch.tensor([0]), "boxes_xyxy": torch.tensor([[10.0, 10.0, 30.0, 30.0]]),
              "image_whwh": whwh}
    boxes = torch.tensor([[[12.0, 10.0, 30.0, 34.0], [70.0, 70.0, 90.0, 90.0]]])
    logits = torch.tensor([[[0.5], [-2.0]]])
    focal, l1, giou, _ = c.stage_loss(logits, boxes, [target])
    # L1 on normalised xyxy: |0.12-0.10| + |0.34-0.30| = 0.06
    assert float(l1) == pytest.approx(0.06, rel=1e-5)
    # intersection 18x20 = 360, union 432 + 400 - 360 = 472, hull 20x24 = 480
    assert float(giou) == pytest.approx(1 - (360 / 472 - (480 - 472) / 480), rel=1e-5)
    total, _, per_stage = c.set_loss(torch.stack([logits, logits]), torch.stack([boxes, boxes]), [target])
    single = 2 * float(focal) + 5 * float(l1) + 2 * float(giou)
    assert per_stage == pytest.approx([single, single])
    assert float(total) == pytest.approx(2 * single)
