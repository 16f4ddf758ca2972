"""Losses: the lesson's quadratic cost, softmax cross-entropy and binary cross-entropy."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from autograd import Value

from .checks import whole_number
from .tensor import Tensor, apply_tensor_op
from .tensor_ops import BinaryCrossEntropy, QuadraticCost

__all__ = ["quadratic_cost", "cross_entropy", "binary_cross_entropy", "one_hot"]


def one_hot(labels: ArrayLike, num_classes: int = 10,
            dtype: DTypeLike = np.float32) -> np.ndarray:
    """Rows of zeros with a 1 at each label: the "answer we wanted" of the lesson.

    Shape: labels (N,) ints in [0, num_classes) -> (N, num_classes) of ``dtype``.

    Raises:
        TypeError: ``num_classes`` is not a whole number.
        ValueError: a label is not an integer in [0, num_classes), the labels are not one
            row (N,), or ``num_classes`` < 1.

    >>> one_hot([3], 5).tolist()
    [[0.0, 0.0, 0.0, 1.0, 0.0]]
    """
    num_classes = whole_number("num_classes", num_classes)
    labels = np.asarray(labels)
    if labels.ndim > 1:
        raise ValueError(f"labels must be one row of class numbers, shape (N,), got shape "
                         f"{labels.shape}")
    if labels.dtype.kind not in "iu" or (labels.size and (labels.min() < 0 or
                                                         labels.max() >= num_classes)):
        raise ValueError(f"labels must be integers in [0, {num_classes}), got {labels!r}")
    out = np.zeros((labels.size, num_classes), dtype=dtype)
    out[np.arange(labels.size), labels.ravel()] = 1
    return out


def _constant_like(outputs: Tensor, target: ArrayLike | Tensor) -> Tensor:
    """``target`` as a Tensor of the outputs' dtype; an ndarray of that dtype is not copied."""
    if isinstance(target, Tensor):
        return target
    if isinstance(target, np.ndarray) and target.dtype == outputs.data.dtype:
        return Tensor.from_numpy(target)
    return Tensor(target, dtype=outputs.data.dtype)


@overload
def quadratic_cost(outputs: Tensor, target: ArrayLike | Tensor) -> Tensor: ...
@overload
def quadratic_cost(outputs: Sequence[Value],
                   target: Sequence[Value | int | float | Fraction]) -> Value: ...
def quadratic_cost(outputs: Any, target: Any) -> Tensor | Value:  # the overloads above
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
        ValueError: the shapes differ; for Tensors also a mini-batch of no examples, or
            outputs or targets that hold NaN or inf (a diverged network: try a smaller
            learning rate).

    >>> quadratic_cost([Value(0.5), Value(0.25)], [1, 0])      # 0.25 + 0.0625
    Value(data=0.3125, grad=not computed)
    """
    if isinstance(outputs, Tensor):
        target = _constant_like(outputs, target)
        if target.shape != outputs.shape or outputs.data.ndim != 2:
            raise ValueError(f"quadratic_cost needs outputs and target of one shape (N, K), "
                             f"got {outputs.shape} and {target.shape}")
        return apply_tensor_op(QuadraticCost, outputs, target)
    outputs, target = list(outputs), list(target)
    if len(outputs) != len(target):
        raise ValueError(f"quadratic_cost got {len(outputs)} outputs but {len(target)} targets")
    total = Value(0)
    for out, want in zip(outputs, target):
        total = total + (out - want) ** 2
    return total


def cross_entropy(logits: Tensor, labels: ArrayLike | Tensor) -> Tensor:
    """Mean softmax cross-entropy of ``logits`` (N, K) against integer ``labels`` (N,).

    Computed with the log-sum-exp trick, so logits of any magnitude give a finite loss. See
    ``Tensor.cross_entropy``.

    >>> float(cross_entropy(Tensor([[0.0, 0.0]], dtype="float64"), [1]).data)   # log 2
    0.6931471805599453
    """
    return logits.cross_entropy(labels)


def binary_cross_entropy(logits: Tensor, targets: ArrayLike | Tensor,
                         reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of sigmoid(logits) against targets in [0, 1], stable for any
    logit: the sigmoid is folded into the cost (``nn.tensor_ops.BinaryCrossEntropy``), so
    pass the network's outputs before their sigmoid.

    Per element, with a = sigmoid(z): -[y log a + (1 - y) log(1 - a)] (Nielsen, chapter 3).

    Args:
        logits: a Tensor, shape (N, K) (or (N,)): one row per example.
        targets: numbers of the same shape in [0, 1] (one-hot rows, or probabilities).
        reduction: "mean" (default): averaged over every element, as PyTorch's
            ``binary_cross_entropy_with_logits``; "sum": summed; "batch": summed over the
            outputs and averaged over the mini-batch, Nielsen's cost (his
            ``CrossEntropyCost`` summed over the outputs of each example, and ``SGD``
            averaging the gradients of the mini-batch).

    Returns:
        a 0-d Tensor.

    Raises:
        TypeError: ``logits`` is not a Tensor.
        ValueError: an unknown reduction, shapes that differ, no examples, NaN or inf in the
            logits or targets, or targets outside [0, 1].

    >>> z = Tensor([[0.0, 100.0]], dtype="float64")      # a = 1/2, and a = 1 - 4e-44
    >>> float(binary_cross_entropy(z, [[1, 1]], reduction="sum").data)   # log 2 + 4e-44
    0.6931471805599453
    >>> float(binary_cross_entropy(z, [[0, 0]], reduction="batch").data)  # log 2 + 100
    100.69314718055995
    """
    if not isinstance(logits, Tensor):
        raise TypeError(f"binary_cross_entropy takes a Tensor of logits, got "
                        f"{type(logits).__name__}; wrap an array with Tensor(x)")
    return apply_tensor_op(BinaryCrossEntropy, logits, _constant_like(logits, targets),
                           const=reduction)
