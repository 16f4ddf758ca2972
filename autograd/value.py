"""``Value``: one number in a computation graph, and backpropagation through that graph."""

from __future__ import annotations

import numbers
import os
import sys
import warnings
from collections import deque
from collections.abc import Iterator
from fractions import Fraction
from math import isfinite
from typing import NamedTuple

from . import anomaly, grad_mode
from .graph import topological_order
from .operators import Operators
from .ops import Op, Pow, PowConst, ScalarMath

__all__ = ["Value", "Edge", "InexactWarning"]


class Edge(NamedTuple):
    """One chain-rule step of backward: ``child.grad += local * upstream``.

    Attributes:
        node: the Value whose gradient is passed down (the output of an operation).
        position: which input of ``node.op`` the child is (0 or 1).
        child: that input.
        local: d node / d child, the local derivative from the operation table.
        upstream: ``node.grad``, d(root)/d(node), at this step.
        grad_before: ``child.grad`` before this step added ``local * upstream``.
    """

    node: Value
    position: int
    child: Value
    local: object
    upstream: object
    grad_before: object


class InexactWarning(UserWarning):
    """An operation on exact numbers (int, Fraction) had to return a float."""


def _number(x, what: str = "Value data"):
    """Check that ``x`` is a real number the engine can keep as given; return it.

    int, float and Fraction are kept as they are. NumPy scalars (np.float32(0.5), np.int64(3))
    become the matching Python number. Everything else raises TypeError.
    """
    if type(x) is float or type(x) is int:  # the common case first; type(True) is bool, so a
        return x                            # bool goes on to the check below
    if isinstance(x, bool):
        raise TypeError(f"{what} must be a number, got the bool {x!r}; use 1 or 0 instead")
    if type(x).__module__ == "numpy" and isinstance(x, numbers.Real):  # before float:
        return int(x) if isinstance(x, numbers.Integral) else float(x)  # np.float64 is one
    if isinstance(x, (int, float, Fraction)):
        return x
    hint = ""
    if isinstance(x, complex):
        hint = "; this engine works with real numbers only"
    elif hasattr(x, "shape"):
        hint = "; for arrays use nn.Tensor, or make one Value per element"
    elif isinstance(x, str):
        hint = f"; convert it first, e.g. Value(float({x!r}))"
    raise TypeError(f"{what} must be an int, float or fractions.Fraction, "
                    f"got {type(x).__name__} {x!r}{hint}")


def _outside_autograd() -> int:
    """The warnings stacklevel of the first caller outside this package (the user's line)."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _fmt(x) -> str:
    """A number as a person reads it: 3, -2.0, 0.75, 3/4, 0.333333, 1.23457e+06."""
    if isinstance(x, float):
        short = repr(x)
        return short if len(short) <= 8 else f"{x:.6g}"
    return str(x)


class Value(Operators):
    """One scalar in a computation graph: its ``data``, its ``grad``, and how it was made.

    Arithmetic on Values (``+ - * / **``, unary ``-``, and the methods ``exp``, ``log``,
    ``tanh``, ``sigmoid``, ``relu``) returns new Values that remember their inputs
    (``parents``, an ordered tuple) and their operation (``op``, an entry of
    ``autograd.ops.OPS``). ``backward()`` then applies the chain rule through that graph.

    Args:
        data: an int, float or ``fractions.Fraction``, kept exactly as given (NumPy scalars
            are converted to the matching Python number).
        label: an optional name shown in reprs, tables and pictures, e.g. ``"x1"``.

    Attributes:
        data: the number computed by the forward pass.
        grad: d(output)/d(this value) after ``output.backward()``; starts at 0, and the repr
            shows ``grad=not computed`` until a backward() (or zero_grad()) has set it.
        label: the name given, or None.
        op: the operation that made this value (None for a leaf: an input or parameter).
        parents: the inputs of that operation, in argument order (``x * x`` has two), as a
            tuple; empty for a leaf.
        const: the plain-number constant of ``x ** c`` (else None).

    Memory: about 150 bytes per node. A Value keeps its (one or two) inputs in two slots and
    builds the ``parents`` tuple when asked, so each node is one object, not two: Python's
    cyclic garbage collector, which scans every container object while a program allocates,
    has half as much to scan (measured in ``benchmarks/scalar_engine.py``). Graphs of Values
    hold no reference cycles, so they are freed as soon as they are dropped.

    Raises:
        TypeError: ``data`` is not a real number (a str, list, None, array, complex, bool).

    Exact arithmetic: on ``Fraction`` data, ``+ - * /`` and ``** int`` stay exact, and so do
    their gradients (the lesson's hand-worked fractions can be checked with no rounding).
    ``exp``, ``log``, ``tanh``, ``sigmoid`` and fractional powers cannot: on a Fraction they
    return a float and warn with ``InexactWarning``. Plain ints follow Python (``1 / 2`` is
    0.5).

    >>> x = Value(3.0, label="x")
    >>> y = x * x + 2 * x        # y = x**2 + 2x, so dy/dx = 2x + 2
    >>> y.backward()
    >>> y.data, x.grad
    (15.0, 8.0)
    >>> Value(Fraction(1, 3)) * 3
    Value(data=1, grad=not computed)
    """

    __slots__ = ("data", "grad", "label", "op", "_first", "_second", "const", "_grad_set",
                 "__weakref__")

    def __init__(self, data, label: str | None = None):
        self.data = _number(data)
        self.grad = 0
        self._grad_set = False  # becomes True once backward() or zero_grad() sets grad
        self.label = label
        self.op: type[Op] | None = None
        self._first = self._second = None  # the inputs of ``op``; see ``parents``
        self.const = None

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of ``op`` in argument order: (), (a,) or (a, b)."""
        if self._second is not None:
            return (self._first, self._second)
        if self._first is not None:
            return (self._first,)
        return ()

    # ----------------------------------------------------------------- building the graph

    @staticmethod
    def _apply(op: type[Op], a: Value, b: Value | None = None, const=None) -> Value:
        """Run ``op``'s forward rule on the data of its inputs ``a`` and ``b`` (``b`` is None
        for a one-input operation; ``const`` is the exponent of ``x ** c``) and record the
        new node.

        This runs for every operation, so it tests the common case (a finite float) first
        and leaves the rare ones (errors, inf, NaN) to helpers.
        """
        if op.restricted:
            problem = op.domain(ScalarMath, *op.arguments(a, b, const))
            if problem is not None:
                error, reason = problem
                raise error(f"{_describe(op, (a, b), const)} is undefined: {reason}")
        try:  # the rule takes the inputs' data (and the constant of ``x ** c``)
            if b is not None:
                data = op.forward(ScalarMath, a.data, b.data)
            elif op.takes_const:
                data = op.forward(ScalarMath, a.data, const)
            else:
                data = op.forward(ScalarMath, a.data)
        except (ArithmeticError, ValueError) as exc:
            raise _forward_failed(exc, op, (a, b), const) from None
        if type(data) is float:
            if not isfinite(data):
                _not_finite(data, op, (a, b), const, op.arguments(a, b, const))
            if type(a.data) is Fraction or (b is not None and type(b.data) is Fraction):
                warnings.warn(f"{op.name} of an exact number returns a float: "
                              f"{_describe(op, (a, b), const)} = {data!r}",
                              InexactWarning, stacklevel=_outside_autograd())
        elif type(data) is complex:  # pragma: no cover - domain() should have caught it
            raise ValueError(f"{_describe(op, (a, b), const)} is complex")
        out = object.__new__(Value)
        out.data, out.grad, out._grad_set, out.label = data, 0, False, None
        if grad_mode._enabled:
            out.op, out._first, out._second, out.const = op, a, b, const
        else:
            out.op, out._first, out._second, out.const = None, None, None, None
        if anomaly._enabled:
            anomaly.record(out)
        return out

    def _binary(self, op: type[Op], other, reflected: bool = False) -> Value:
        if not isinstance(other, Value):
            other = Value(_number(other, "the other operand"))
        if reflected:
            return Value._apply(op, other, self)
        return Value._apply(op, self, other)

    def _unary(self, op: type[Op]) -> Value:
        return Value._apply(op, self)

    def __pow__(self, other):
        """``x ** c`` for a plain number c (PowConst), or ``x ** y`` for a Value y (Pow)."""
        if isinstance(other, Value):
            return self._binary(Pow, other)
        return Value._apply(PowConst, self, const=_number(other, "the exponent"))

    def __rpow__(self, other):
        return self._binary(Pow, other, reflected=True)

    # ----------------------------------------------------------------- backpropagation

    def local_derivatives(self) -> tuple:
        """d self / d parent for each parent, from the operation table (empty for a leaf).

        Raises:
            ZeroDivisionError, ValueError: the derivative is undefined at these inputs (for
                example d/dx of x ** 0.5 at x = 0), naming the operation and its inputs.
            OverflowError: the derivative is larger than the largest float.
        """
        op = self.op
        if op is None:
            return ()
        # The rule takes the output, then the inputs' data (and the constant of ``x ** c``).
        try:
            if self._second is not None:
                locals_ = op.local(ScalarMath, self.data, self._first.data, self._second.data)
            elif op.takes_const:
                locals_ = op.local(ScalarMath, self.data, self._first.data, self.const)
            else:
                locals_ = op.local(ScalarMath, self.data, self._first.data)
        except (ArithmeticError, ValueError) as exc:
            raise type(exc)(f"the local derivative of {_describe(op, self.parents, self.const)}"
                            f" is undefined: {exc}") from None
        if op.singular:  # the others' local derivatives are finite where their inputs are
            for local in locals_:
                if type(local) is float and not isfinite(local):
                    raise OverflowError(f"the local derivative of "
                                        f"{_describe(op, self.parents, self.const)} overflows: "
                                        "it is larger than the largest float (about 1.8e308)")
        return locals_

    def backward(self) -> None:
        """Fill in ``grad`` of every value this one depends on: d self / d value.

        The chain rule, run in reverse topological order: ``self.grad`` is seeded with 1, then
        each node passes ``local derivative * its grad`` to each of its parents, where it is
        added (``parent.grad += local * node.grad``). A value used along several paths
        (``x * x``, or x feeding both u and v) therefore receives the sum over all paths.
        Iterative, so graphs a million operations deep work.

        Calling it twice: every intermediate value's grad is reset and computed afresh on each
        call, while the grads of leaves (inputs and parameters, which have no ``op``)
        accumulate, so two calls give leaves twice the gradient, the way a batch sums the
        gradients of its examples. Call ``zero_grad()`` first to start from 0.

        Raises:
            ZeroDivisionError, ValueError, OverflowError: a local derivative is undefined or
                too large (see ``local_derivatives``).

        >>> x = Value(2.0); y = x * x
        >>> y.backward(); x.grad
        4.0
        >>> y.backward(); x.grad   # leaves accumulate
        8.0
        >>> y.zero_grad(); y.backward(); x.grad
        4.0
        """
        deque(self._chain_rule(record=False), maxlen=0)

    def backward_steps(self) -> Iterator[Edge]:
        """``backward()`` one edge at a time: a generator that yields after each chain-rule step.

        Each ``Edge`` says which node passed gradient to which input, the local derivative, the
        upstream gradient, and the input's grad before the addition; the tracer
        (``autograd.trace``) and the stepper turn these into tables. It runs the same loop as
        ``backward()``, so the steps are exactly what backward does. Stopping early leaves the
        grads as far as the steps taken.

        >>> x = Value(3.0, label="x"); y = x * x; y.label = "y"
        >>> [(e.node.label, e.position, e.local, e.upstream) for e in y.backward_steps()]
        [('y', 0, 3.0, 1), ('y', 1, 3.0, 1)]
        >>> x.grad
        6.0
        """
        return self._chain_rule(record=True)

    def _chain_rule(self, record: bool) -> Iterator[Edge]:
        """The engine's one backward loop, shared by ``backward()`` and ``backward_steps()``.

        A generator: it yields an ``Edge`` after each chain-rule step when ``record`` is true,
        and nothing otherwise (``backward()`` just runs it to the end). In anomaly mode each
        contribution is checked as it is added.
        """
        order = topological_order(self)
        for node in order:  # intermediate grads start afresh; leaves accumulate
            node._grad_set = True
            if node.op is not None:
                node.grad = 0
        self.grad = 1 if self.op is not None else self.grad + 1
        check = anomaly._enabled
        watched = record or check
        for node in reversed(order):
            if node.op is None:
                continue
            upstream = node.grad
            locals_ = node.local_derivatives()
            if not watched:  # the chain-rule step alone, for each input of this node
                for parent, local in zip(node.parents, locals_):
                    parent.grad += local * upstream
                continue
            for position, (parent, local) in enumerate(zip(node.parents, locals_)):
                before = parent.grad
                parent.grad = before + local * upstream  # the same step, watched
                if check and isinstance(parent.grad, float) and not isfinite(parent.grad):
                    raise anomaly.backward_error(
                        _describe(node.op, node.parents, node.const),
                        f"input {position + 1} ({parent!r})",
                        f"local derivative {_fmt(local)} * upstream {_fmt(upstream)}", node)
                if record:
                    yield Edge(node, position, parent, local, upstream, before)

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on this value and every value it depends on."""
        if self.op is None:  # a leaf, such as a parameter: nothing to walk
            self.grad, self._grad_set = 0, True
            return
        for node in topological_order(self):
            node.grad, node._grad_set = 0, True

    # ----------------------------------------------------------------- display

    def draw(self, **options):
        """This value's computation graph as a ``graphviz.Digraph``: ``autograd.draw.draw``."""
        from .draw import draw  # imported here so that ``import autograd`` needs no graphviz
        return draw(self, **options)

    def __repr__(self) -> str:
        name = self.label if self.label else "data"
        grad = _fmt(self.grad) if self._grad_set else "not computed"
        return f"Value({name}={_fmt(self.data)}, grad={grad})"


def _describe(op: type[Op], inputs, const) -> str:
    """``log(x1=-2.0)``-style text naming an operation and its inputs, for error messages."""
    names = [f"{v.label}={_fmt(v.data)}" if v.label else _fmt(v.data)
             for v in inputs if v is not None]
    if op.takes_const:
        names.append(_fmt(const))
    return op.expression(*names)


def _forward_failed(exc: Exception, op: type[Op], inputs, const) -> Exception:
    """The error to raise when ``op``'s forward rule raised ``exc``, naming the operation."""
    if isinstance(exc, OverflowError):
        return OverflowError(f"{_describe(op, inputs, const)} overflows: the result is larger "
                             "than the largest float (about 1.8e308)")
    return type(exc)(f"{_describe(op, inputs, const)} failed: {exc}")


def _not_finite(data: float, op: type[Op], inputs, const, args) -> None:
    """Decide about a forward result that is inf or NaN.

    Raises OverflowError when the inputs were finite (the operation overflowed); inf or NaN
    that came in with the inputs passes on, unless anomaly mode is on, which stops there.
    """
    if all(not isinstance(a, float) or isfinite(a) for a in args):
        raise OverflowError(f"{_describe(op, inputs, const)} overflows: the result is larger "
                            "than the largest float (about 1.8e308)")
    if anomaly._enabled:
        raise anomaly.forward_error(op.name, _describe(op, inputs, const), _fmt(data))
