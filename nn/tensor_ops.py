"""Operations that exist only for arrays: matmul, a layer's x @ w + b, sums and means, and
the three costs.

Elementwise operations (+, *, exp, sigmoid, ...) are not here: ``nn.Tensor`` takes them from
the same table as the scalar engine (``autograd.ops``). The operations here are not
elementwise, so instead of a local derivative each gives its vector-Jacobian product (VJP):
given ``g`` = d loss / d output, the gradient d loss / d input for each input.

Each class has
``forward(inputs, const) -> (data, saved)``: the output array and whatever backward needs;
``vjp(g, out, inputs, saved, needs) -> tuple``: one gradient per input (None where
``needs[i]`` is False, so work for inputs that need no gradient is skipped). Each gradient is
a new array that nothing else refers to (never ``g``, an input or ``saved`` itself, and not
the same array for two inputs): ``Tensor.backward`` hands it to a parameter as its grad
without copying.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import finite

from .numpy_math import NumpyMath

__all__ = ["MatMul", "Affine", "Dense", "Sum", "Mean", "QuadraticCost", "SoftmaxCrossEntropy",
           "BinaryCrossEntropy"]


class TensorOp:
    """Base of the array-only operations (see the module docstring)."""

    name = ""
    symbol = ""
    elementwise = False

    if TYPE_CHECKING:  # each operation defines its own (see the module docstring)
        @staticmethod
        def forward(inputs: list[np.ndarray], const: Any) -> tuple[np.ndarray, Any]: ...
        @staticmethod
        def vjp(g: np.ndarray, out: np.ndarray, inputs: list[np.ndarray], saved: Any,
                needs: list[bool]) -> tuple[np.ndarray | None, ...]: ...

    @classmethod
    def describe(cls, names: list[str], saved: Any) -> str:
        """The operation applied to input names, for pictures: ``cross_entropy(n5)``."""
        return f"{cls.symbol}({', '.join(names)})"


class MatMul(TensorOp):
    """a @ b for 2-D arrays, (n, k) @ (k, m) -> (n, m).

    VJP: d/da = g @ b.T, d/db = a.T @ g.
    """

    name, symbol = "matmul", "@"

    @classmethod
    def describe(cls, names: list[str], saved: Any) -> str:
        return f"{names[0]} @ {names[1]}"

    @staticmethod
    def forward(inputs: list[np.ndarray], const: Any) -> tuple[np.ndarray, Any]:
        a, b = inputs
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
            raise ValueError(f"matmul needs shapes (n, k) @ (k, m), got {a.shape} @ {b.shape}"
                             + (f": the inner sizes {a.shape[1]} and {b.shape[0]} differ"
                                if a.ndim == 2 and b.ndim == 2 else ""))
        return a @ b, None

    @staticmethod
    def vjp(g: np.ndarray, out: np.ndarray, inputs: list[np.ndarray], saved: Any,
            needs: list[bool]) -> tuple[np.ndarray | None, ...]:
        a, b = inputs
        return (g @ b.T if needs[0] else None, a.T @ g if needs[1] else None)


class Affine(TensorOp):
    """x @ w + b, a fully connected layer's weighted sums: x (N, n_in), w (n_in, n_out),
    b (n_out,) -> (N, n_out).

    One operation rather than two (a matmul, then an add that broadcasts b over the N rows).
    VJP: d/dx = g @ w.T, d/dw = x.T @ g, d/db = g summed over the rows (each row used b once).
    """

    name, symbol = "affine", "affine"

    @classmethod
    def describe(cls, names: list[str], saved: Any) -> str:
        return f"{names[0]} @ {names[1]} + {names[2]}"

    @staticmethod
    def forward(inputs: list[np.ndarray], const: Any) -> tuple[np.ndarray, Any]:
        x, w, b = inputs
        out = x @ w
        out += b
        return out, None

    @staticmethod
    def vjp(g: np.ndarray, out: np.ndarray, inputs: list[np.ndarray], saved: Any,
            needs: list[bool]) -> tuple[np.ndarray | None, ...]:
        x, w, b = inputs
        return (g @ w.T if needs[0] else None,
                x.T @ g if needs[1] else None,
                np.add.reduce(g, axis=0) if needs[2] else None)


class Dense(TensorOp):
    """activation(x @ w + b), a fully connected layer with its activation, as one operation:
    x (N, n_in), w (n_in, n_out), b (n_out,) -> (N, n_out).

    The activation is an entry of the operation table (``sigmoid``, ``relu``, ``tanh``, ...),
    whose forward and local rules run on the weighted sums z = x @ w + b. VJP: the local
    derivative times the upstream gradient, dz = act'(z) * g, then ``Affine``'s VJP with dz.
    ``nn.Sequential`` uses it for a ``Linear`` followed by an ``Activation`` (one operation
    instead of two: half the bookkeeping of a small network's training step).
    """

    name, symbol = "dense", "dense"

    @classmethod
    def describe(cls, names: list[str], saved: Any) -> str:
        activation, _ = saved
        return f"{activation.symbol}({names[0]} @ {names[1]} + {names[2]})"

    @staticmethod
    def forward(inputs: list[np.ndarray], activation: Any) -> tuple[np.ndarray, Any]:
        x, w, b = inputs
        z = x @ w
        z += b
        if activation.restricted:
            problem = activation.domain(NumpyMath, z)
            if problem is not None:
                error, reason = problem
                raise error(f"{activation.name} of a layer's weighted sums is undefined: "
                            f"{reason}")
        return activation.forward(NumpyMath, z), (activation, z)

    @staticmethod
    def vjp(g: np.ndarray, out: np.ndarray, inputs: list[np.ndarray], saved: Any,
            needs: list[bool]) -> tuple[np.ndarray | None, ...]:
        x, w, b = inputs
        activation, z = saved
        (local,) = activation.local(NumpyMath, out, z)
        dz = local * g
        return (dz @ w.T if needs[0] else None,
                x.T @ dz if needs[1] else None,
                np.add.reduce(dz, axis=0) if needs[2] else None)


def _reduction(shape: tuple[int, ...],
               axis: int | tuple[int, ...] | None) -> tuple[tuple[int, ...], int]:
    """For a sum or mean of an array of ``shape`` over ``axis``: the result's shape with the
    reduced axes kept as size 1, and how many elements are combined into each result."""
    if axis is None:
        axes = set(range(len(shape)))
    else:
        axes = {ax % len(shape) for ax in (axis if isinstance(axis, tuple) else (axis,))}
    kept_shape = tuple(1 if i in axes else n for i, n in enumerate(shape))
    return kept_shape, math.prod(shape[i] for i in axes)


def _spread(g: np.ndarray, kept_shape: tuple, shape: tuple) -> np.ndarray:
    """The VJP of a reduction: ``g`` copied to every element that was reduced.

    ``g`` has the reduced shape; ``kept_shape`` is that shape with the reduced axes kept as
    size 1; the result has the input's ``shape``.
    """
    grad = np.empty(shape, dtype=g.dtype)
    np.copyto(grad, g.reshape(kept_shape))
    return grad


class Sum(TensorOp):
    """Sum over ``axis`` (an int, a tuple, or None for every element).

    VJP: every summed element receives g.
    """

    name, symbol = "sum", "sum"

    @classmethod
    def describe(cls, names: list[str], axis: Any) -> str:
        return f"{cls.symbol}({names[0]}" + (")" if axis is None else f", axis={axis})")

    @staticmethod
    def forward(inputs: list[np.ndarray], axis: Any) -> tuple[np.ndarray, Any]:
        (a,) = inputs
        return np.add.reduce(a, axis=axis), axis

    @staticmethod
    def vjp(g: np.ndarray, out: np.ndarray, inputs: list[np.ndarray], axis: Any,
            needs: list[bool]) -> tuple[np.ndarray | None, ...]:
        (a,) = inputs
        kept_shape, _ = _reduction(a.shape, axis)
        return (_spread(g, kept_shape, a.shape),)


class Mean(TensorOp):
    """Mean over ``axis`` (an int, a tuple, or None for every element).

    VJP: each averaged element receives g / (number of elements averaged).

    Raises:
        ValueError: the axis has no elements (a mean of nothing is undefined).
    """

    name, symbol = "mean", "mean"

    @classmethod
    def describe(cls, names: list[str], axis: Any) -> str:
        return f"{cls.symbol}({names[0]}" + (")" if axis is None else f", axis={axis})")

    @staticmethod
    def forward(inputs: list[np.ndarray], axis: Any) -> tuple[np.ndarray, Any]:
        (a,) = inputs
        total = np.add.reduce(a, axis=axis)  # first, so that NumPy names a bad axis
        _, count = _reduction(a.shape, axis)
        if count == 0:
            raise ValueError(f"mean of an array of shape {a.shape} over axis {axis} averages "
                             "no elements, which is undefined; check the shape")
        return total / a.dtype.type(count), axis

    @staticmethod
    def vjp(g: np.ndarray, out: np.ndarray, inputs: list[np.ndarray], axis: Any,
            needs: list[bool]) -> tuple[np.ndarray | None, ...]:
        (a,) = inputs
        kept_shape, count = _reduction(a.shape, axis)
        return (_spread(g / a.dtype.type(count), kept_shape, a.shape),)


def _check_batch(cost: str, outputs: np.ndarray, what: str = "outputs") -> None:
    """Refuse a mini-batch that a cost cannot average: a cost averages over the examples,
    so a batch of none has no cost (0 / 0)."""
    if outputs.ndim < 1 or outputs.shape[0] == 0:
        raise ValueError(f"{cost} of a mini-batch of no examples ({what} of shape "
                         f"{outputs.shape}) is undefined: it averages over the examples; "
                         "check the batch (is the data empty, or a slice past its end?)")


def _check_finite_cost(cost: str, loss: float, outputs: np.ndarray,
                       targets: np.ndarray | None = None, what: str = "outputs") -> None:
    """Refuse a cost that is not finite, naming where it comes from.

    NaN or inf in the outputs means the network's numbers overflowed, typically a learning
    rate too large: ``autograd.NonFiniteError`` here, at the loss, before backward() and a
    step write them into the weights (unless ``autograd.allow_non_finite()`` is on). Only the
    one number of the cost is checked on the way; the arrays are searched when it is not
    finite.
    """
    if math.isfinite(loss) or finite.is_non_finite_allowed():
        return
    for name, array in ((what, outputs), ("targets", targets)):
        if array is not None and not np.isfinite(array).all():
            flat = int(np.flatnonzero(~np.isfinite(array))[0])
            index = tuple(int(k) for k in np.unravel_index(flat, array.shape))
            cause = ("the network's numbers overflowed (training diverged: try a smaller "
                     "learning rate) or an input holds it" if name == what else
                     "check the targets")
            raise finite.NonFiniteError(f"{cost}: the {name} hold {array.flat[flat]} at "
                                        f"index {index}; {cause}")
    raise finite.NonFiniteError(f"{cost} overflows: the {what} are finite but the cost is "
                                f"{loss} (the network's numbers are too large: training "
                                "diverged; try a smaller learning rate)")


class QuadraticCost(TensorOp):
    """The lesson's quadratic cost of a mini-batch: for outputs a and targets y of shape
    (N, K), the sum over the K outputs of (a - y)**2, averaged over the N examples.

    One operation rather than four (subtract, square, sum, mean), as ``SoftmaxCrossEntropy``
    is for cross-entropy. VJP, by the chain rule through those four steps:
    d cost / d a = 2 (a - y) g / N and d cost / d y = -2 (a - y) g / N (lesson: "one training
    step", where the derivative for output j is 2 (a_j - y_j)).
    """

    name, symbol = "quadratic_cost", "quadratic_cost"

    @staticmethod
    def forward(inputs: list[np.ndarray], const: Any) -> tuple[np.ndarray, Any]:
        a, y = inputs
        _check_batch("quadratic_cost", a)
        diff = a - y
        loss = np.vdot(diff, diff) / a.shape[0]
        _check_finite_cost("quadratic_cost", loss, a, y)
        return np.asarray(loss, dtype=a.dtype), diff

    @staticmethod
    def vjp(g: np.ndarray, out: np.ndarray, inputs: list[np.ndarray], diff: Any,
            needs: list[bool]) -> tuple[np.ndarray | None, ...]:
        grad = diff * (2 * float(g) / len(diff))
        return (grad if needs[0] else None, -grad if needs[1] else None)


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
    def forward(inputs: list[np.ndarray], labels: Any) -> tuple[np.ndarray, Any]:
        (z,) = inputs
        _check_batch("cross_entropy", z, what="logits")
        shifted = z - z.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        rows = np.arange(z.shape[0])
        loss = np.mean(np.log(total[:, 0]) - shifted[rows, labels])
        _check_finite_cost("cross_entropy", loss, z, what="logits")
        return np.asarray(loss, dtype=z.dtype), (labels, exp / total)

    @staticmethod
    def vjp(g: np.ndarray, out: np.ndarray, inputs: list[np.ndarray], saved: Any,
            needs: list[bool]) -> tuple[np.ndarray | None, ...]:
        labels, probs = saved
        grad = probs.copy()
        grad[np.arange(len(labels)), labels] -= 1
        grad *= g / len(labels)
        return (grad,)


class BinaryCrossEntropy(TensorOp):
    """Binary cross-entropy of sigmoid(logits) against targets in [0, 1], computed from the
    logits so that it is exact for any logit, in float32 too.

    Per element, for a logit z and a target y (Nielsen, chapter 3, the cross-entropy cost,
    with a = sigmoid(z)):
    -[y log a + (1 - y) log(1 - a)] = log(1 + exp(-|z|)) + y max(-z, 0) + (1 - y) max(z, 0),
    where every term is >= 0, exp never overflows and no log of 0 is taken (log(1 - a)
    would be log 0 once a rounds to 1: z > 16.6 in float32).
    The loss is the sum of the elements divided by the reduction's count: 1 for "sum",
    every element for "mean" (as PyTorch's ``binary_cross_entropy_with_logits``), the
    mini-batch N (the first axis) for "batch" (summed over the outputs, averaged over the
    examples: Nielsen's cost).

    VJP: d loss / d z = (sigmoid(z) - y) g / count, computed as
    (1 - y) sigmoid(z) - y sigmoid(-z) with each sigmoid from exp(-|z|), so that it keeps
    its precision where sigmoid(z) rounds to 1; d loss / d y = -z g / count.

    Raises:
        ValueError: an unknown reduction, shapes that differ, no examples, logits or
            targets that are not finite, or targets outside [0, 1].
    """

    name, symbol = "binary_cross_entropy", "binary_cross_entropy"
    REDUCTIONS = ("mean", "sum", "batch")

    @classmethod
    def describe(cls, names: list[str], saved: Any) -> str:
        return f"{cls.symbol}({names[0]}, {names[1]}, reduction={saved[1]!r})"

    @staticmethod
    def forward(inputs: list[np.ndarray], reduction: Any) -> tuple[np.ndarray, Any]:
        z, y = inputs
        if reduction not in BinaryCrossEntropy.REDUCTIONS:
            raise ValueError(f"binary_cross_entropy reduction must be one of "
                             f"{', '.join(map(repr, BinaryCrossEntropy.REDUCTIONS))}, got "
                             f"{reduction!r}")
        if z.shape != y.shape:
            raise ValueError(f"binary_cross_entropy needs logits and targets of one shape, got "
                             f"{z.shape} and {y.shape}")
        _check_batch("binary_cross_entropy", z, what="logits")
        if ((y < 0) | (y > 1)).any():
            raise ValueError(f"binary_cross_entropy targets must be in [0, 1], got values "
                             f"from {y.min()} to {y.max()}")
        e = np.exp(-np.abs(z))
        elementwise = np.log1p(e) + y * np.maximum(-z, 0) + (1 - y) * np.maximum(z, 0)
        count = {"sum": 1, "mean": z.size, "batch": z.shape[0]}[reduction]
        loss = np.add.reduce(elementwise, axis=None) / count
        _check_finite_cost("binary_cross_entropy", loss, z, y, what="logits")
        return np.asarray(loss, dtype=z.dtype), (e, reduction, count)

    @staticmethod
    def vjp(g: np.ndarray, out: np.ndarray, inputs: list[np.ndarray], saved: Any,
            needs: list[bool]) -> tuple[np.ndarray | None, ...]:
        z, y = inputs
        e, _, count = saved
        scale = g / z.dtype.type(count)
        grad_z = grad_y = None
        if needs[0]:
            big = 1 / (1 + e)            # sigmoid(|z|), in (1/2, 1]
            small = e * big              # sigmoid(-|z|) = exp(-|z|) / (1 + exp(-|z|))
            positive = z >= 0
            sig, sig_neg = np.where(positive, big, small), np.where(positive, small, big)
            grad_z = ((1 - y) * sig - y * sig_neg) * scale
        if needs[1]:
            grad_y = -z * scale
        return (grad_z, grad_y)
