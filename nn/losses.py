"""Losses: the lesson's quadratic cost and softmax cross-entropy, for Values and Tensors."""

from __future__ import annotations

import numpy as np

from autograd import Value

from .tensor import Tensor
from .tensor_ops import QuadraticCost

__all__ = ["quadratic_cost", "cross_entropy", "one_hot"]


def one_hot(labels, num_classes: int = 10, dtype=np.float32) -> np.ndarray:
    """Rows of zeros with a 1 at each label: the "answer we wanted" of the lesson.

    Shape: labels (N,) ints in [0, num_classes) -> (N, num_classes) of ``dtype``.

    Raises:
        ValueError: a label is not an integer in [0, num_classes).

    >>> one_hot([3], 5).tolist()
    [[0.0, 0.0, 0.0, 1.0, 0.0]]
    """
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu" or labels.size and (labels.min() < 0 or
                                                         labels.max() >= num_classes):
        raise ValueError(f"labels must be integers in [0, {num_classes}), got {labels!r}")
    out = np.zeros((labels.size, num_classes), dtype=dtype)
    out[np.arange(labels.size), labels.ravel()] = 1
    return out


def quadratic_cost(outputs, target):
    """The lesson's cost: the sum over outputs of (output - target)**2, averaged over examples.

    Lesson 10 ("one training step"): outputs (0.1, 0.05, 0.0, 0.2, 0.5, ...) against the
    wanted (0, 0, 0, 1, 0, ...) give a cost of about 0.90. The derivative with respect to
    output j is 2 * (output_j - target_j) (divided by N for a batch).

    Args:
        outputs: a list of Values (one example), or a Tensor of shape (N, K) (a mini-batch).
        target: numbers of the same length (K,), or an array/Tensor of shape (N, K).

    Returns:
        a Value, or a 0-d Tensor.

    Raises:
        ValueError: the shapes differ.

    >>> quadratic_cost([Value(0.5), Value(0.25)], [1, 0])      # 0.25 + 0.0625
    Value(data=0.3125, grad=not computed)
    """
    if isinstance(outputs, Tensor):
        if not isinstance(target, Tensor):  # a constant: no copy needed if the dtype fits
            target = (Tensor.from_numpy(target) if isinstance(target, np.ndarray)
                      and target.dtype == outputs.data.dtype
                      else Tensor(target, dtype=outputs.data.dtype))
        if target.shape != outputs.shape or outputs.data.ndim != 2:
            raise ValueError(f"quadratic_cost needs outputs and target of one shape (N, K), "
                             f"got {outputs.shape} and {target.shape}")
        return outputs._tensor_op(QuadraticCost, (outputs, target))
    outputs, target = list(outputs), list(target)
    if len(outputs) != len(target):
        raise ValueError(f"quadratic_cost got {len(outputs)} outputs but {len(target)} targets")
    total = Value(0)
    for out, want in zip(outputs, target):
        total = total + (out - want) ** 2
    return total


def cross_entropy(logits: Tensor, labels) -> Tensor:
    """Mean softmax cross-entropy of ``logits`` (N, K) against integer ``labels`` (N,).

    Computed with the log-sum-exp trick, so logits of any magnitude give a finite loss. See
    ``Tensor.cross_entropy``.

    >>> float(cross_entropy(Tensor([[0.0, 0.0]], dtype="float64"), [1]).data)   # log 2
    0.6931471805599453
    """
    return logits.cross_entropy(labels)
