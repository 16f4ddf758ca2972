"""Operations that exist only for arrays: matmul, sums and means, softmax cross-entropy.

Elementwise operations (+, *, exp, sigmoid, ...) are not here: ``nn.Tensor`` takes them from
the same table as the scalar engine (``autograd.ops``). The operations here are not
elementwise, so instead of a local derivative each gives its vector-Jacobian product (VJP):
given ``g`` = d loss / d output, the gradient d loss / d input for each input.

Each class has
``forward(inputs, const) -> (data, saved)``: the output array and whatever backward needs;
``vjp(g, out, inputs, saved, needs) -> tuple``: one gradient per input (None where
``needs[i]`` is False, so work for inputs that need no gradient is skipped).
"""

from __future__ import annotations

import numpy as np

__all__ = ["MatMul", "Sum", "Mean", "SoftmaxCrossEntropy"]


class TensorOp:
    """Base of the array-only operations (see the module docstring)."""

    name = ""
    symbol = ""
    elementwise = False


class MatMul(TensorOp):
    """a @ b for 2-D arrays, (n, k) @ (k, m) -> (n, m).

    VJP: d/da = g @ b.T, d/db = a.T @ g.
    """

    name, symbol = "matmul", "@"

    @staticmethod
    def forward(inputs, const):
        a, b = inputs
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
            raise ValueError(f"matmul needs shapes (n, k) @ (k, m), got {a.shape} @ {b.shape}"
                             + (f": the inner sizes {a.shape[1]} and {b.shape[0]} differ"
                                if a.ndim == 2 and b.ndim == 2 else ""))
        return a @ b, None

    @staticmethod
    def vjp(g, out, inputs, saved, needs):
        a, b = inputs
        return (g @ b.T if needs[0] else None, a.T @ g if needs[1] else None)


class Sum(TensorOp):
    """Sum over ``axis`` (an int, a tuple, or None for every element).

    VJP: every summed element receives g, broadcast back to the input's shape.
    """

    name, symbol = "sum", "sum"

    @staticmethod
    def forward(inputs, axis):
        (a,) = inputs
        return a.sum(axis=axis), axis

    @staticmethod
    def vjp(g, out, inputs, axis, needs):
        (a,) = inputs
        if axis is not None:
            g = np.expand_dims(g, axis)
        return (np.broadcast_to(g, a.shape),)


class Mean(TensorOp):
    """Mean over ``axis`` (an int, a tuple, or None for every element).

    VJP: each averaged element receives g / (number of elements averaged).
    """

    name, symbol = "mean", "mean"

    @staticmethod
    def forward(inputs, axis):
        (a,) = inputs
        return a.mean(axis=axis), axis

    @staticmethod
    def vjp(g, out, inputs, axis, needs):
        (a,) = inputs
        count = a.size // max(np.size(out), 1)
        if axis is not None:
            g = np.expand_dims(g, axis)
        return (np.broadcast_to(g / count, a.shape),)


class SoftmaxCrossEntropy(TensorOp):
    """Mean cross-entropy of softmax(logits) against integer labels, computed stably.

    For logits z of shape (N, K) and labels y of shape (N,):
    loss = mean over n of ( log(sum_k exp(z[n, k])) - z[n, y[n]] ), with the row maximum
    subtracted first so exp never overflows (the log-sum-exp trick).
    VJP: d loss / d z = (softmax(z) - onehot(y)) / N (Goodfellow, Bengio and Courville,
    Deep Learning, section 6.2.2.3).
    """

    name, symbol = "cross_entropy", "cross_entropy"

    @staticmethod
    def forward(inputs, labels):
        (z,) = inputs
        shifted = z - z.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        rows = np.arange(z.shape[0])
        loss = np.mean(np.log(total[:, 0]) - shifted[rows, labels])
        return np.asarray(loss, dtype=z.dtype), (labels, exp / total)

    @staticmethod
    def vjp(g, out, inputs, saved, needs):
        labels, probs = saved
        grad = probs.copy()
        grad[np.arange(len(labels)), labels] -= 1
        grad *= g / len(labels)
        return (grad,)
