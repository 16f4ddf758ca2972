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
from .math_namespaces import ScalarMath
from .operators import Operators
from .ops import OPS, Op
from .text import describe, number

__all__ = ["Value", "Edge", "InexactWarning", "apply", "as_number"]


class Edge(NamedTuple):
    """One chain-rule step of backward: ``input.grad += local * upstream``.

    Attributes:
        node: the Value whose gradient is passed down (the output of an operation).
        position: which input of ``node.op`` receives it (0 or 1).
        input: that input.
        local: d node / d input, the local derivative from the operation table.
        upstream: ``node.grad``, d(root)/d(node), at this step.
        grad_before: ``input.grad`` before this step added ``local * upstream``.
    """

    node: Value
    position: int
    input: Value
    local: object
    upstream: object
    grad_before: object


class InexactWarning(UserWarning):
    """An operation on exact numbers (int, Fraction) had to return a float."""


def as_number(x, what: str = "Value data"):
    """Check that ``x`` is a real number the engine can keep as given; return it.

    int, float and Fraction are kept as they are. NumPy scalars (np.float32(0.5), np.int64(3))
    become the matching Python number.

    Args:
        x: the number.
        what: how to name it in the error message.

    Raises:
        TypeError: anything else (a str, list, None, array, complex, bool), naming the value
            and what to do instead.

    >>> as_number(3), as_number(Fraction(1, 2))
    (3, Fraction(1, 2))
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


class Value(Operators):
    """One number in a computation graph: its ``data``, its ``grad``, and how it was made.

    Arithmetic on Values (``+ - * / **``, unary ``-``, ``abs()``, and a method for each
    operation of the table written as a function, such as ``exp``, ``log``, ``sqrt``, ``sin``,
    ``tanh``, ``sigmoid``, ``relu``: ``python -m autograd ops`` lists them all) returns new
    Values that remember their ``inputs`` and their operation (``op``, an entry of
    ``autograd.OPS``). ``backward()`` then applies the chain rule through that graph.

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
        inputs: the inputs of that operation, in argument order (``x * x`` has two), as a
            tuple; empty for a leaf. (``parents`` is another name for it, kept for code
            written for tracegrad 0.1.)
        const: the plain-number constant of ``x ** c`` (else None).

    Raises:
        TypeError: ``data`` is not a real number (a str, list, None, array, complex, bool).

    Exact arithmetic: on ``Fraction`` data, ``+ - * /`` and ``** int`` stay exact, and so do
    their gradients (the lesson's hand-worked fractions can be checked with no rounding).
    ``sqrt`` is exact where the root is rational. ``exp``, ``log``, ``tanh``, ``sigmoid``,
    ``sin``, ``cos`` and fractional powers cannot be: on a Fraction they return a float and
    warn with ``InexactWarning``. Plain ints follow Python (``1 / 2`` is 0.5).

    >>> x = Value(3.0, label="x")
    >>> y = x * x + 2 * x        # y = x**2 + 2x, so dy/dx = 2x + 2
    >>> y.backward()
    >>> y.data, x.grad
    (15.0, 8.0)
    >>> Value(Fraction(1, 3)) * 3
    Value(data=1, grad=not computed)
    """

    # A Value keeps its one or two inputs in two slots and builds the ``inputs`` tuple when
    # asked, so each node is one object, not two: Python's cyclic garbage collector, which
    # scans every container object while a program allocates, has half as much to scan
    # (about 150 bytes per node; measured in benchmarks/scalar_engine.py). Graphs of Values
    # hold no reference cycles, so reference counting frees them as soon as they are dropped.
    __slots__ = ("data", "grad", "label", "op", "_first", "_second", "const", "_grad_set",
                 "__weakref__")

    def __init__(self, data, label: str | None = None):
        self.data = as_number(data)
        self.grad = 0
        self._grad_set = False  # becomes True once backward() or zero_grad() sets grad
        self.label = label
        self.op: type[Op] | None = None
        self._first = self._second = None  # the inputs of ``op``; see ``inputs``
        self.const = None

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The inputs of ``op`` in argument order: (), (a,) or (a, b)."""
        if self._second is not None:
            return (self._first, self._second)
        if self._first is not None:
            return (self._first,)
        return ()

    parents = inputs

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
                raise error(f"{describe(op, (a, b), const)} is undefined: {reason}")
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
                              f"{describe(op, (a, b), const)} = {data!r}",
                              InexactWarning, stacklevel=_outside_autograd())
        elif type(data) is complex:  # pragma: no cover - domain() should have caught it
            raise ValueError(f"{describe(op, (a, b), const)} is complex")
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
            other = Value(as_number(other, "the other operand"))
        if reflected:
            return Value._apply(op, other, self)
        return Value._apply(op, self, other)

    def _unary(self, op: type[Op]) -> Value:
        return Value._apply(op, self)

    def _with_const(self, op: type[Op], const) -> Value:
        return Value._apply(op, self, const=as_number(const, "the exponent"))

    # ----------------------------------------------------------------- backpropagation

    def local_derivatives(self) -> tuple:
        """d self / d input for each input, from the operation table (empty for a leaf).

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
            raise type(exc)(f"the local derivative of {describe(op, self.inputs, self.const)}"
                            f" is undefined: {exc}") from None
        if op.singular:  # the others' local derivatives are finite where their inputs are
            for local in locals_:
                if type(local) is float and not isfinite(local):
                    raise OverflowError(f"the local derivative of "
                                        f"{describe(op, self.inputs, self.const)} overflows: "
                                        "it is larger than the largest float (about 1.8e308)")
        return locals_

    def backward(self) -> None:
        """Fill in ``grad`` of every value this one depends on: d self / d value.

        The chain rule, run in reverse topological order: ``self.grad`` is seeded with 1, then
        each node passes ``local derivative * its grad`` to each of its inputs, where it is
        added (``input.grad += local * node.grad``). A value used along several paths
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
                for input_, local in zip(node.inputs, locals_):
                    input_.grad += local * upstream
                continue
            for position, (input_, local) in enumerate(zip(node.inputs, locals_)):
                before = input_.grad
                input_.grad = before + local * upstream  # the same step, watched
                if check and isinstance(input_.grad, float) and not isfinite(input_.grad):
                    raise anomaly.backward_error(
                        describe(node.op, node.inputs, node.const),
                        f"input {position + 1} ({input_!r})",
                        f"local derivative {number(local)} * upstream {number(upstream)}", node)
                if record:
                    yield Edge(node, position, input_, local, upstream, before)

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
        grad = number(self.grad) if self._grad_set else "not computed"
        return f"Value({name}={number(self.data)}, grad={grad})"


def _forward_failed(exc: Exception, op: type[Op], inputs, const) -> Exception:
    """The error to raise when ``op``'s forward rule raised ``exc``, naming the operation."""
    if isinstance(exc, OverflowError):
        return OverflowError(f"{describe(op, inputs, const)} overflows: the result is larger "
                             "than the largest float (about 1.8e308)")
    return type(exc)(f"{describe(op, inputs, const)} failed: {exc}")


def _not_finite(data: float, op: type[Op], inputs, const, args) -> None:
    """Decide about a forward result that is inf or NaN.

    Raises OverflowError when the inputs were finite (the operation overflowed); inf or NaN
    that came in with the inputs passes on, unless anomaly mode is on, which stops there.
    """
    if all(not isinstance(a, float) or isfinite(a) for a in args):
        raise OverflowError(f"{describe(op, inputs, const)} overflows: the result is larger "
                            "than the largest float (about 1.8e308)")
    if anomaly._enabled:
        raise anomaly.forward_error(op.name, describe(op, inputs, const), number(data))


def apply(op, *inputs, const=None):
    """Apply the operation ``op`` (its name, or the class) to ``inputs``: Values or Tensors,
    or plain numbers beside them.

    This is how a two-input operation registered with ``autograd.register_op`` is used from
    Python (one-input ones are methods as well: ``x.cube()``).

    Args:
        op: an operation's name in ``autograd.OPS`` (``"mul"``), or the ``Op`` class.
        *inputs: as many as the operation's ``arity``; at least one a Value (or Tensor).
        const: the plain-number constant of an operation that takes one (``pow_const``).

    Returns:
        a Value (or a Tensor, for Tensor inputs).

    Raises:
        KeyError: no operation of that name.
        TypeError: the wrong number of inputs, or none of them a Value or Tensor.

    >>> x = Value(3.0)
    >>> apply("mul", x, 2).data, apply("pow_const", x, const=2).data
    (6.0, 9.0)
    """
    if isinstance(op, str):
        if op not in OPS:
            raise KeyError(f"no operation named {op!r}; the table has {', '.join(OPS)}")
        op = OPS[op]
    if len(inputs) != op.arity:
        raise TypeError(f"{op.name} takes {op.arity} input{'s' if op.arity > 1 else ''}, got "
                        f"{len(inputs)}")
    if op.takes_const and const is None:
        raise TypeError(f"{op.name} takes a constant: pass const=...")
    first = next((x for x in inputs if isinstance(x, Operators)), None)
    if first is None:
        raise TypeError(f"apply({op.name!r}, ...) needs a Value or Tensor among its inputs, got "
                        + ", ".join(type(x).__name__ for x in inputs))
    if op.arity == 2:
        a, b = inputs
        return a._binary(op, b) if a is first else b._binary(op, a, reflected=True)
    if op.takes_const:
        return first._with_const(op, const)
    return first._unary(op)
