"""mIoU from a confusion matrix, on hand-computed label maps."""

import numpy as np
import pytest

from miou import confusion_matrix, mean_iou


def test_hand_computed_miou():
    truth = np.array([[0, 0, 1, 1], [0, 0, 1, 1]])
    pred = np.array([[0, 0, 1, 1], [0, 1, 1, 1]])
    confusion = confusion_matrix(truth, pred, 3)
    assert confusion.tolist() == [[3, 1, 0], [0, 4, 0], [0, 0, 0]]
    miou, per_class = mean_iou(confusion)
    assert per_class[0] == pytest.approx(3 / 4) and per_class[1] == pytest.approx(4 / 5)
    assert np.isnan(per_class[2])
    assert miou == pytest.approx((3 / 4 + 4 / 5) / 2)


def test_perfect_and_disjoint():
    labels = np.arange(12).reshape(3, 4) % 4
    assert mean_iou(confusion_matrix(labels, labels, 4))[0] == 1.0
    assert mean_iou(confusion_matrix(labels, (labels + 1) % 4, 4))[0] == 0.0
