"""Top-k accuracy, confusion matrices and the class pairs a classifier mixes up (NumPy)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from imgclf import _validate as check


def _check(y_true, probabilities):
    probabilities = check.array("probabilities", probabilities, ndim=2, finite=True,
                                what="of class scores (N, classes)")
    y_true = check.labels("y_true", y_true, num_classes=probabilities.shape[1])
    if len(y_true) != len(probabilities):
        raise ValueError(f"need labels (N,) and probabilities (N, classes) of the same N, got "
                         f"{y_true.shape} and {probabilities.shape}")
    return y_true, probabilities


def top_k_accuracy(y_true, probabilities, k: int) -> float:
    """The share of images whose true class is among the `k` most probable (k=1: accuracy).

    Args:
        y_true: integer labels, shape (N,).
        probabilities: class scores, shape (N, classes).
    """
    y_true, probabilities = _check(y_true, probabilities)
    k = check.integer("k", k, minimum=1, maximum=probabilities.shape[1])
    top = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
    return float(np.mean((top == y_true[:, None]).any(axis=1)))


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    """Counts (num_classes, num_classes): row = true class, column = predicted class."""
    num_classes = check.integer("num_classes", num_classes, minimum=1)
    y_true = check.labels("y_true", y_true, num_classes=num_classes)
    y_pred = check.labels("y_pred", y_pred, num_classes=num_classes)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must be two label arrays of one shape (N,), got "
                         f"{y_true.shape} and {y_pred.shape}")
    return np.bincount(y_true * num_classes + y_pred,
                       minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def confused_pairs(matrix: np.ndarray, class_names: Sequence[str], count: int = 5):
    """The `count` pairs of classes mixed up most often, either way round.

    Returns [(class a, class b, images of a taken for b + of b taken for a), ...], most first.

    Raises:
        ValueError: a matrix that is not square counts, fewer names than classes, or a
            `count` above the number of pairs (it says how many there are).
    """
    matrix = check.array("matrix", matrix, ndim=2, finite=True, what="of counts (C, C)")
    if matrix.shape[0] != matrix.shape[1] or matrix.shape[0] < 2 or matrix.min() < 0:
        raise ValueError(f"matrix must be a square confusion matrix of counts >= 0 for 2 or "
                         f"more classes, got shape {matrix.shape}")
    check.names("class_names", class_names, count=len(matrix))
    pairs_there = len(matrix) * (len(matrix) - 1) // 2
    count = check.integer("count", count, minimum=1)
    if count > pairs_there:
        raise ValueError(f"count {count} is more than the {pairs_there} pairs of "
                         f"{len(matrix)} classes")
    both = matrix + matrix.T
    pairs = [(both[i, j], i, j) for i in range(len(matrix)) for j in range(i + 1, len(matrix))]
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    return [(class_names[i], class_names[j], int(n)) for n, i, j in pairs[:count]]
