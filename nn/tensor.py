"""``Tensor``: the NumPy backend, with the same operations and the same chain rule as ``Value``.

Elementwise operations come from the scalar engine's table (``autograd.ops``), computed on
arrays with ``NumpyMath``; their local derivatives are multiplied elementwise by the upstream
gradient and, where an input was broadcast, summed back to its shape by ``unbroadcast`` (the
one place that does it). Array-only operations (matmul, sum, mean, cross-entropy) are in
``nn.tensor_ops``.
"""

from __future__ import annotations

import functools
import math
import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from autograd import anomaly, finite, grad_mode
from autograd.graph import topological_order
from autograd.operators import Operators
from autograd.ops import Op

from .checks import flag
from .numpy_math import FLOAT_DTYPES, NumpyMath
from .tensor_ops import MatMul, Mean, SoftmaxCrossEntropy, Sum, TensorOp

__all__ = ["Tensor", "NumpyMath", "unbroadcast", "float_array", "apply_tensor_op"]





def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` down to ``shape``: the vector-Jacobian product of NumPy broadcasting.

    An input of shape (16,) added to a (32, 16) array was used 32 times, once per row, so its
    gradient is the sum of the 32 rows' gradients.

    >>> unbroadcast(np.ones((32, 16)), (16,)).tolist() == [32.0] * 16
    True
    >>> unbroadcast(np.ones((2, 3)), (2, 1)).shape
    (2, 1)
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = np.add.reduce(grad, axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = np.add.reduce(grad, axis=axes, keepdims=True)
    return grad


def _unshared(g: object, node: Tensor, leaf: Tensor) -> bool:
    """Whether ``g``, the contribution of ``node``'s VJP to ``leaf``, can become the leaf's
    grad without a copy: a writable array of the leaf's dtype that nothing else refers to.

    VJPs return new arrays (see ``nn.tensor_ops``), with one exception: an elementwise
    operation whose local derivative is 1 passes the upstream grad itself through.
    """
    return (type(g) is np.ndarray and g is not node.grad and g.base is None
            and g.dtype == leaf.data.dtype and g.flags.writeable)


def _first_non_finite(array: ArrayLike | None) -> str:
    """"" if every element is finite, else e.g. "nan at index (3, 1)" (for anomaly mode)."""
    array = np.asarray(array)
    if np.isfinite(array).all():
        return ""
    index = np.unravel_index(np.flatnonzero(~np.isfinite(array))[0], array.shape)
    return f"{array[index]} at index {tuple(int(i) for i in index)}"


def _check_input_grads(node: Tensor, grads: list[np.ndarray | None]) -> None:
    """Anomaly mode: raise ``anomaly.backward_error`` at the first non-finite gradient that
    ``node``'s VJP gives an input."""
    for position, (input_, g) in enumerate(zip(node.inputs, grads)):
        if g is not None and (problem := _first_non_finite(g)):
            upstream = _first_non_finite(node.grad) or "finite"
            raise anomaly.backward_error(
                f"{node.op.name} (output {_describe_tensor(node)})",
                f"input {position + 1} ({_describe_tensor(input_)})",
                f"{problem}; the upstream gradient is {upstream}", node)


def _backpropagate(order: list[Tensor]) -> None:
    """The chain rule over ``order`` (a topological order), from the seeded root: each node
    passes its vector-Jacobian product to its inputs, where contributions are added."""
    check = anomaly._enabled
    for node in reversed(order):
        if node.op is None or node.grad is None:
            continue
        try:
            grads = node._input_grads()
            if check:
                _check_input_grads(node, grads)
            for input_, g in zip(node.inputs, grads):
                if g is None:
                    continue
                if input_.op is not None:  # intermediate: reset on every call, never exposed
                    input_.grad = g if input_.grad is None else input_.grad + g
                elif input_.grad is None:  # leaf: its own writable array, of its own dtype
                    input_.grad = g if _unshared(g, node, input_) else np.array(
                        g, dtype=input_.data.dtype)
                else:
                    # asarray: NumPy gives a scalar for 0-d + 0-d; the grad stays an array
                    input_.grad = np.asarray(input_.grad + g, dtype=input_.data.dtype)
        except FloatingPointError as exc:
            raise _non_finite_gradient(node, exc) from None


def _non_finite_gradient(node: Tensor, exc: FloatingPointError) -> finite.NonFiniteError:
    """The error for a backward step of ``node`` whose arithmetic made inf or NaN."""
    upstream = _first_non_finite(node.grad) or "finite"
    inputs = ", ".join(_describe_tensor(t) for t in node.inputs)
    return finite.NonFiniteError(
        f"backward: the gradient passed from {node.op.name} (output {_describe_tensor(node)}; "
        f"inputs {inputs}) is not finite: NumPy reports {exc}, although the numbers it is "
        f"made of are finite (the upstream gradient is {upstream}). "
        + finite.HOW_TO_ALLOW[0].upper() + finite.HOW_TO_ALLOW[1:])


def _describe_tensor(t: Tensor) -> str:
    name = f"{t.label} " if t.label else ""
    return f"{name}shape {t.shape}"


def float_array(data: ArrayLike | Tensor, dtype: DTypeLike | None = None,
                what: str = "Tensor data", wider: str = 'pass dtype="float64"') -> np.ndarray:
    """A new float32 (default) or float64 array holding ``data``, with every value kept.

    The usual rounding to the nearest float of ``dtype`` is accepted (0.1 in float32 is
    0.100000001). A value the conversion would change beyond that is refused: a finite number
    too large for the dtype (1e300 in float32 would become inf), a non-zero number too small
    for it (1e-50 in float32 would become 0), or an integer that the dtype cannot hold
    exactly (2**40 + 1 in float32 would become 2**40). NaN and inf given as such are kept.

    Args:
        data: numbers, nested lists, an array or a Tensor (whose data is copied).
        dtype: float32 (None, the default) or float64, in any spelling NumPy accepts.
        what: how to name ``data`` in messages, e.g. "'0.weight'".
        wider: the fix a message offers when float32 cannot hold a value.

    Raises:
        TypeError: the data are not real numbers (text, bools, objects), are ragged, or the
            dtype is not float32/float64.
        OverflowError: a finite value is too large for the dtype.
        ValueError: a value would round to 0 or, for an integer, to another integer.

    >>> float_array([1, 2]).dtype, float_array(3, "float64").shape
    (dtype('float32'), ())
    >>> float_array([1e300])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    OverflowError: Tensor data 1e+300 at index (0,) is too large for float32 ...
    """
    dtype = np.dtype(np.float32 if dtype is None else dtype)
    if dtype not in FLOAT_DTYPES:
        raise TypeError(f"Tensor dtype must be float32 or float64, got {dtype}")
    if isinstance(data, Tensor):
        data = data.data
    try:
        arr = np.asarray(data)
    except ValueError as exc:  # ragged nested lists
        raise TypeError(f"{what} must be a rectangular array of numbers: {exc}") from None
    if arr.dtype.kind not in "iuf":
        hint = ""
        if arr.dtype == object and arr.size and all(isinstance(v, int) for v in arr.flat):
            hint = " (integers too large for int64; convert them to floats yourself)"
        raise TypeError(f"{what} must be real numbers, got dtype {arr.dtype} "
                        f"from {type(data).__name__}{hint}")
    if arr.dtype == dtype:
        return arr.copy()
    info = np.finfo(dtype)
    wider = f" {wider}" if dtype == np.float32 else ""
    if arr.dtype.kind == "f" and arr.dtype.itemsize > dtype.itemsize:
        too_large = _too_large(arr, dtype)  # checked first: the conversion would warn
        if too_large is not None:
            value, index = too_large
            raise OverflowError(f"{what} {value} at index {index} is too large for {dtype} "
                                f"(its largest value is {info.max:.3g}) and would become "
                                f"inf;{wider or ' no Tensor can hold it'}")
    out = arr.astype(dtype)
    if np.count_nonzero(out) != np.count_nonzero(arr):
        value, index = _first(arr, (arr != 0) & (out == 0))
        raise ValueError(f"{what} {value} at index {index} is too small for {dtype} (its "
                         f"smallest positive value is {info.smallest_subnormal:.3g}) and "
                         f"would become 0;{wider or ' scale the data first'}")
    if arr.dtype.kind in "iu":
        inexact = _inexact_integer(arr, out, 2 ** (info.nmant + 1))
        if inexact is not None:
            value, index, becomes = inexact
            raise ValueError(f"{what} {value} at index {index} is an integer that {dtype} "
                             f"cannot hold exactly (it would become {becomes});"
                             f"{wider or ' convert it yourself'}")
    return out


def _too_large(arr: np.ndarray, dtype: np.dtype) -> tuple[Any, tuple[int, ...]] | None:
    """The first finite element of ``arr`` that would round to +-inf in ``dtype``, and its
    index, or None."""
    threshold = _overflow_threshold(arr.dtype, dtype)
    if arr.ndim == 0:  # one number (a constant, as in t * 2): NumPy scalars are quicker
        value = arr[()]
        return (value, ()) if abs(value) >= threshold and np.isfinite(value) else None
    mask = np.abs(arr) >= threshold
    if mask.any():
        mask &= np.isfinite(arr)  # inf and nan given as such are kept
        if mask.any():
            return _first(arr, mask)
    return None


@functools.cache
def _overflow_threshold(wide: np.dtype, narrow: np.dtype) -> np.floating:
    """The smallest number of the ``wide`` dtype that rounds to inf in ``narrow``: its
    largest float plus half the gap below it (numbers closer round down to that float)."""
    info = np.finfo(narrow)
    half_gap = wide.type(2) ** (info.maxexp - 2 - info.nmant)  # float32: 2**103
    return wide.type(info.max) + half_gap


def _inexact_integer(arr: np.ndarray, out: np.ndarray,
                     exact_up_to: int) -> tuple[int, tuple[int, ...], int] | None:
    """The first integer of ``arr`` that ``out`` does not hold exactly: (value, index, what
    it became), or None. Every integer up to ``exact_up_to`` in size is exact."""
    if arr.ndim == 0:
        value, becomes = int(arr), int(out)
        return (value, (), becomes) if abs(value) > exact_up_to and becomes != value else None
    if not arr.size or (arr.max() <= exact_up_to and arr.min() >= -exact_up_to):
        return None
    for i in np.flatnonzero((arr > exact_up_to) | (arr < -exact_up_to)):
        if int(out.flat[i]) != int(arr.flat[i]):
            index = tuple(int(k) for k in np.unravel_index(i, arr.shape))
            return int(arr.flat[i]), index, int(out.flat[i])
    return None


def _first(arr: np.ndarray, mask: np.ndarray) -> tuple[Any, tuple[int, ...]]:
    """The first element of ``arr`` where ``mask`` holds, and its index as a tuple."""
    flat = int(np.flatnonzero(mask)[0])
    index = tuple(int(k) for k in np.unravel_index(flat, arr.shape))
    return arr.flat[flat], index


def _checked_axis(axis: Any, shape: tuple[int, ...]) -> int | tuple[int, ...] | None:
    """``axis`` for a sum or mean over a tensor of ``shape``: None, an int or a tuple of
    distinct ints, each in [-ndim, ndim); else an error naming the shape."""
    if axis is None:
        return None
    axes = axis if isinstance(axis, tuple) else (axis,)
    for ax in axes:
        if isinstance(ax, (bool, np.bool_)) or not isinstance(ax, numbers.Integral):
            raise TypeError(f"axis must be None, an int or a tuple of ints, got {axis!r}")
        if not -len(shape) <= int(ax) < len(shape):
            raise ValueError(f"axis {ax} is out of range for a tensor of shape {shape} "
                             f"(axes {-len(shape)} to {len(shape) - 1})" if shape else
                             f"axis {ax} is out of range for a 0-d tensor, which has no axes")
    if len({ax % len(shape) for ax in axes}) != len(axes):
        raise ValueError(f"axis {axis!r} names an axis twice")
    return axis


def _label(label: object) -> str | None:
    """``label`` if it is a string or None, else a TypeError."""
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a string or None, got {type(label).__name__} {label!r}")
    return label


class Tensor(Operators):
    """An array in a computation graph: ``data`` (a NumPy array), ``grad``, and how it was made.

    The tensor counterpart of ``autograd.Value``, with the same operations and the same
    ``backward()``: ``+ - * / **`` and unary ``-`` with NumPy broadcasting, ``@`` (matmul),
    ``sum``, ``mean``, ``exp``, ``log``, ``tanh``, ``sigmoid``, ``relu``, and
    ``cross_entropy``.

    Args:
        data: numbers, nested lists or an array; copied (see ``float_array`` for the
            values a conversion to float32 refuses instead of changing).
        dtype: float32 (default) or float64.
        requires_grad: True or False: whether ``backward()`` should fill in this tensor's
            ``grad``. True for parameters; inputs and targets leave it False, and operations
            on tensors none of which require a gradient record no graph.
        label: an optional name (a string).

    Attributes:
        data: ``np.ndarray`` of dtype float32 or float64, also for a single number and for
            every operation's result (a 0-d array, never a NumPy scalar).
        grad: array of ``data``'s shape after ``backward()``, or None if no gradient has
            reached this tensor (unlike ``Value.grad``, which starts at 0).
        op, inputs, saved: the operation that made it, its inputs, and what the operation
            kept for backward (the constant of ``x ** c``; the axis of a sum; ...).
            ``parents`` is another name for ``inputs``, kept for code written for 0.1.

    Raises:
        TypeError: the data are not real numbers, the dtype is not float32/float64,
            ``requires_grad`` is not a bool, or ``label`` is not a string.
        OverflowError, ValueError: a value that float32 cannot hold (see ``float_array``).

    >>> w = Tensor([[1.0], [2.0]], dtype="float64", requires_grad=True)   # shape (2, 1)
    >>> x = Tensor([[3.0, 4.0]], dtype="float64")                          # shape (1, 2)
    >>> y = (x @ w).sum()                                                  # 3*1 + 4*2
    >>> y.backward()
    >>> float(y.data), w.grad.ravel().tolist()
    (11.0, [3.0, 4.0])
    """

    __slots__ = ("data", "grad", "label", "op", "inputs", "saved", "requires_grad",
                 "__weakref__")
    # Makes NumPy hand ``array - tensor`` to Tensor.__rsub__ instead of looping over elements.
    __array_ufunc__ = None

    def __init__(self, data: ArrayLike | Tensor, dtype: DTypeLike | None = None,
                 requires_grad: bool = False, label: str | None = None) -> None:
        self.data: np.ndarray = float_array(data, dtype)
        self.grad: np.ndarray | None = None
        self.label: str | None = _label(label)
        # An entry of autograd.OPS (elementwise) or an nn.tensor_ops.TensorOp class (each
        # tells which by ``elementwise``), or None for a leaf.
        self.op: Any = None
        self.inputs: tuple[Tensor, ...] = ()
        self.saved: Any = None
        self.requires_grad: bool = flag("requires_grad", requires_grad)

    @classmethod
    def from_numpy(cls, array: np.ndarray, requires_grad: bool = False,
                   label: str | None = None) -> Tensor:
        """A tensor that shares memory with ``array`` instead of copying it.

        For a training loop's mini-batches (``Tensor.from_numpy(x_train[idx])``), where the
        copy that ``Tensor(...)`` makes would be wasted work. Changing the array afterwards
        changes the tensor.

        Args:
            array: an ``np.ndarray`` of dtype float32 or float64.

        Raises:
            TypeError: ``array`` is not a float32/float64 ndarray (use ``Tensor(data)``,
                which converts), ``requires_grad`` is not a bool, or ``label`` not a string.
            ValueError: ``requires_grad=True`` for a read-only array.

        >>> batch = np.zeros((2, 3), dtype=np.float32)
        >>> Tensor.from_numpy(batch).data is batch
        True
        """
        if type(array) is not np.ndarray or array.dtype not in FLOAT_DTYPES:
            # a subclass (np.matrix, a masked array) has other arithmetic: refused too
            what = (array.dtype if type(array) is np.ndarray else type(array).__name__)
            raise TypeError(f"Tensor.from_numpy needs a float32 or float64 ndarray, got {what}; "
                            "use Tensor(data), which converts (and copies)")
        out = cls._wrap(array)
        if requires_grad is False and label is None:  # a mini-batch: nothing more to check
            return out
        requires_grad = flag("requires_grad", requires_grad)
        if requires_grad and not array.flags.writeable:
            raise ValueError("Tensor.from_numpy(array, requires_grad=True): the array is "
                             "read-only, so an optimizer could not update it in place; pass "
                             "a writable copy, array.copy()")
        out.requires_grad, out.label = requires_grad, _label(label)
        return out

    @classmethod
    def _wrap(cls, data: np.ndarray, op: Any = None, inputs: tuple[Tensor, ...] = (),
              saved: Any = None) -> Tensor:
        """A new tensor holding ``data`` (not copied), recorded as the output of ``op``.

        The graph is recorded only where a gradient can flow: grad mode on and some input
        requiring a gradient.
        """
        if type(data) is not np.ndarray:  # NumPy gives scalars for 0-d results: keep arrays
            data = np.asarray(data)
        out = cls.__new__(cls)
        out.data, out.grad, out.label = data, None, None
        out.op, out.inputs, out.saved, out.requires_grad = None, (), None, False
        if op is not None and grad_mode._enabled:
            for input_ in inputs:
                if input_.requires_grad:
                    out.op, out.inputs, out.saved, out.requires_grad = op, inputs, saved, True
                    break
        if anomaly._enabled and op is not None:
            anomaly.record(out)
            problem = _first_non_finite(data)
            if problem:
                shapes = ", ".join(_describe_tensor(p) for p in inputs)
                raise anomaly.forward_error(op.name, shapes, problem, out)
        return out

    # ----------------------------------------------------------------- shape and display

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of ``data``, e.g. (32, 784)."""
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        """The dtype of ``data``: float32 or float64."""
        return self.data.dtype

    @property
    def size(self) -> int:
        """Number of elements."""
        return self.data.size

    def numpy(self) -> np.ndarray:
        """The data array (not a copy)."""
        return self.data

    @property
    def parents(self) -> tuple[Tensor, ...]:
        """Another name for ``inputs``, kept for code written for tracegrad 0.1."""
        return self.inputs

    @property
    def const(self) -> Any:
        """The plain-number constant of ``t ** c`` (else None), as ``Value.const``."""
        return self.saved if self.op is not None and getattr(self.op, "takes_const", False) \
            else None

    def __repr__(self) -> str:
        made = f", op={self.op.name}" if self.op is not None else ""
        name = f"{self.label}, " if self.label else ""
        return f"Tensor({name}shape={self.shape}, dtype={self.dtype}{made})"

    # ----------------------------------------------------------------- building the graph

    def _lift(self, other: ArrayLike | Tensor) -> Tensor:
        if isinstance(other, Tensor):
            return other
        return Tensor(other, dtype=self.data.dtype)

    @staticmethod
    def _elementwise(op: type[Op], a: Tensor, b: Tensor | None = None,
                     const: int | float | None = None) -> Tensor:
        """Run ``op``'s forward rule from the operation table on the arrays of ``a`` and
        ``b`` (None for a one-input operation; ``const`` is the exponent of ``t ** c``)."""
        if op.restricted:
            problem = op.domain(NumpyMath, *op.arguments(a, b, const))
            if problem is not None:
                error, reason = problem
                shapes = ", ".join(str(t.shape) for t in (a, b) if t is not None)
                what = op.name if op.is_function() else op.expression(
                    "a", *(["b"] if b is not None else [const] if op.takes_const else []))
                raise error(f"{what} of tensors with shapes {shapes} is undefined: {reason}")
        try:  # the rule takes the inputs' arrays (and the constant of ``t ** c``)
            if b is not None:
                data = op.forward(NumpyMath, a.data, b.data)
            elif op.takes_const:
                data = op.forward(NumpyMath, a.data, const)
            else:
                data = op.forward(NumpyMath, a.data)
        except ValueError as exc:  # shapes that do not broadcast
            shapes = " and ".join(str(t.shape) for t in (a, b) if t is not None)
            raise ValueError(f"{op.name}: shapes {shapes} do not broadcast together "
                             "(NumPy broadcasting rules)") from exc
        return Tensor._wrap(data, op, (a,) if b is None else (a, b), const)

    def _binary(self, op: type[Op], other: Any, reflected: bool = False) -> Tensor:
        if not isinstance(other, Tensor):
            other = Tensor(other, dtype=self.data.dtype)
        if reflected:
            return Tensor._elementwise(op, other, self)
        return Tensor._elementwise(op, self, other)

    def _unary(self, op: type[Op]) -> Tensor:
        return Tensor._elementwise(op, self)

    def _with_const(self, op: type[Op], const: object) -> Tensor:
        """``t ** c`` for a plain number c (a Tensor exponent goes through ``_binary``)."""
        if isinstance(const, bool) or not isinstance(const, numbers.Real):
            raise TypeError(f"the exponent must be a number or a Tensor, got {const!r}")
        const = int(const) if isinstance(const, numbers.Integral) else float(const)
        return Tensor._elementwise(op, self, const=const)

    def __matmul__(self, other: ArrayLike | Tensor) -> Tensor:
        return apply_tensor_op(MatMul, self, self._lift(other))

    def __rmatmul__(self, other: ArrayLike | Tensor) -> Tensor:
        return apply_tensor_op(MatMul, self._lift(other), self)

    def sum(self, axis: int | tuple[int, ...] | None = None) -> Tensor:
        """Sum over ``axis`` (int, tuple, or None for all elements); that axis is removed.

        Its vector-Jacobian product hands every summed element the upstream gradient. A sum
        over every element is a 0-d Tensor (its ``data`` a 0-d array).

        Raises:
            TypeError: ``axis`` is not None, an int or a tuple of ints.
            ValueError: an axis out of range for this shape, or named twice.

        >>> t = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> s = t.sum(axis=0)
        >>> s.data.tolist(), s.shape
        ([4.0, 6.0], (2,))
        >>> s.sum().backward(); t.grad.tolist()
        [[1.0, 1.0], [1.0, 1.0]]
        """
        return apply_tensor_op(Sum, self, const=_checked_axis(axis, self.shape))

    def mean(self, axis: int | tuple[int, ...] | None = None) -> Tensor:
        """Mean over ``axis`` (int, tuple, or None for all elements); that axis is removed.

        Each averaged element receives the upstream gradient divided by how many there are.

        Raises:
            TypeError: ``axis`` is not None, an int or a tuple of ints.
            ValueError: an axis out of range for this shape or named twice, or no elements
                to average.

        >>> t = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> m = t.mean()
        >>> float(m.data)
        2.5
        >>> m.backward(); t.grad.tolist()
        [[0.25, 0.25], [0.25, 0.25]]
        """
        return apply_tensor_op(Mean, self, const=_checked_axis(axis, self.shape))

    def cross_entropy(self, labels: ArrayLike | Tensor) -> Tensor:
        """Mean softmax cross-entropy of these logits against integer class labels.

        Shape: self (N, K) logits; labels (N,) ints in [0, K). Returns a 0-d Tensor.

        Raises:
            ValueError: shapes that do not fit, or labels outside [0, K).
        """
        labels = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
        if self.data.ndim != 2 or labels.shape != (self.shape[0],):
            raise ValueError(f"cross_entropy needs logits (N, K) and labels (N,), "
                             f"got {self.shape} and {labels.shape}")
        if labels.dtype.kind not in "iu" or (labels.size and (
                labels.min() < 0 or labels.max() >= self.shape[1])):
            raise ValueError(f"cross_entropy labels must be integers in [0, {self.shape[1]}), "
                             f"got dtype {labels.dtype} with values "
                             f"{labels.min() if labels.size else ''}..."
                             f"{labels.max() if labels.size else ''}")
        return apply_tensor_op(SoftmaxCrossEntropy, self, const=labels)

    # ----------------------------------------------------------------- backpropagation

    def _input_grads(self) -> list[np.ndarray | None]:
        """d loss / d input for each input, from this tensor's grad (the VJP); None for an
        input that needs no gradient."""
        op, g, inputs = self.op, self.grad, self.inputs
        assert g is not None  # backward reaches a node only once its grad is set
        if not op.elementwise:
            return op.vjp(g, self.data, [p.data for p in inputs], self.saved,
                          [p.requires_grad for p in inputs])
        # The local derivatives: the rule takes the output, then the inputs' arrays (and the
        # constant of ``t ** c``).
        if len(inputs) == 2:
            locals_ = op.local(NumpyMath, self.data, inputs[0].data, inputs[1].data)
        elif op.takes_const:
            locals_ = op.local(NumpyMath, self.data, inputs[0].data, self.saved)
        else:
            locals_ = op.local(NumpyMath, self.data, inputs[0].data)
        grads: list[np.ndarray | None] = []
        for input_, local in zip(inputs, locals_):
            if not input_.requires_grad:
                grads.append(None)
            elif type(local) is int and local == 1:  # of +, and of - for its first input
                grads.append(unbroadcast(g, input_.data.shape))
            else:
                grads.append(unbroadcast(local * g, input_.data.shape))
        return grads

    def backward(self, grad: ArrayLike | None = None) -> None:
        """Fill in ``grad`` of every tensor with ``requires_grad`` that this one depends on.

        The chain rule in reverse topological order, as ``Value.backward``: each node passes
        its vector-Jacobian product to its inputs, and contributions arriving along several
        paths are added. Intermediate grads are computed afresh on each call; leaves'
        grads accumulate (call ``zero_grad()`` between training steps).

        Args:
            grad: d(something)/d(self), of self's shape; defaults to 1 for a one-element
                tensor (a loss).

        Raises:
            ValueError: ``grad`` is omitted for a tensor with more than one element, or has
                a different shape.
            autograd.NonFiniteError: an operation of the backward pass made inf or NaN out of
                finite numbers (overflow, 0 * inf, division by 0); it names the operation and
                its inputs' shapes. ``autograd.allow_non_finite()`` lets them through.
        """
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"backward() without a grad needs a one-element tensor (a "
                                 f"loss), but this one has shape {self.shape}; pass "
                                 "grad=np.ones(shape) or reduce it with .sum() or .mean()")
            grad = np.ones(self.data.shape, self.data.dtype)
            seeded = False
        else:
            grad = np.array(grad, dtype=self.data.dtype)
            seeded = True  # the caller's grad: checked below, with the loss
            if grad.shape != self.shape:
                raise ValueError(f"backward(grad): grad has shape {grad.shape} but this tensor "
                                 f"has shape {self.shape}; they must be the same")
        order = topological_order(self)
        for node in order:
            if node.op is not None:
                node.grad = None
        self.grad = grad if (self.op is not None or self.grad is None) else self.grad + grad
        if finite.is_non_finite_allowed() or anomaly._enabled:  # anomaly mode names the edge
            _backpropagate(order)
            return
        problem = ("" if self.data.size == 1 and math.isfinite(self.data.flat[0])
                   else _first_non_finite(self.data)) or (seeded and _first_non_finite(grad))
        if problem:  # NaN or inf that the forward pass made: no gradient of it is finite
            raise finite.NonFiniteError(
                f"backward from {_describe_tensor(self)}, which is not finite ({problem}): "
                "the forward pass made inf or NaN (autograd.detect_anomaly() shows where); "
                + finite.HOW_TO_ALLOW)
        # NumPy raises FloatingPointError the moment an operation makes inf or NaN out of
        # finite numbers: one errstate for the whole pass costs a few microseconds, where
        # checking every gradient array would cost more than the arithmetic of a small step.
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            _backpropagate(order)

    def zero_grad(self) -> None:
        """Set ``grad`` to None on this tensor and every tensor it depends on."""
        if self.op is None:  # a leaf, such as a parameter: nothing to walk
            self.grad = None
            return
        for node in topological_order(self):
            node.grad = None


def apply_tensor_op(op: type[TensorOp], *inputs: Tensor, const: Any = None) -> Tensor:
    """Apply a whole-array operation (an ``nn.tensor_ops.TensorOp``: matmul, a layer's
    affine map, a cost) to Tensors, recording it for backward.

    Args:
        op: the ``TensorOp`` class, e.g. ``nn.tensor_ops.MatMul``.
        *inputs: the Tensors it takes, in its order (``Affine``: x (N, n_in), w (n_in,
            n_out), b (n_out,)).
        const: the plain constant the operation takes, if any (``Sum``: the axis).

    Returns:
        A Tensor whose ``op`` is ``op`` and whose inputs are ``inputs``.

    Raises:
        ValueError: the inputs' shapes do not fit the operation (NumPy's message).

    >>> from nn.tensor_ops import MatMul
    >>> a, b = Tensor([[1.0, 2.0]]), Tensor([[3.0], [4.0]])
    >>> apply_tensor_op(MatMul, a, b).data.tolist()
    [[11.0]]
    """
    data, saved = op.forward([t.data for t in inputs], const)
    return Tensor._wrap(data, op, inputs, saved)
