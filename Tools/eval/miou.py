"""Mean intersection-over-union of label maps (semantic segmentation), from a confusion matrix."""

import numpy as np


def confusion_matrix(truth, predicted, num_classes):
    """(num_classes, num_classes) counts: rows are true classes, columns predicted classes."""
    truth = np.asarray(truth, dtype=np.int64).ravel()
    predicted = np.asarray(predicted, dtype=np.int64).ravel()
    return np.bincount(truth * num_classes + predicted,
                       minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def mean_iou(confusion):
    """(mIoU over classes present in truth or prediction, per-class IoU with NaN for absent)."""
    confusion = np.asarray(confusion, dtype=np.float64)
    inter = np.diag(confusion)
    union = confusion.sum(axis=0) + confusion.sum(axis=1) - inter
    per_class = np.where(union > 0, inter / np.where(union > 0, union, 1), np.nan)
    return float(np.nanmean(per_class)), per_class
