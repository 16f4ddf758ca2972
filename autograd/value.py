"""``Value``: one number in a computation graph, and backpropagation through that graph."""

from __future__ import annotations

import numbers
import os
import sys
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from math import isfinite
from types import FrameType
from typing import TYPE_CHECKING, Any, NamedTuple

from . import anomaly, finite, grad_mode
from .math_namespaces import Number, Operand, ScalarMath
from .operators import Operators
from .ops import OPS, Op
from .text import describe, number

if TYPE_CHECKING:
    import graphviz

__all__ = ["Value", "Edge", "InexactWarning", "apply", "grad", "as_number", "ValueMath",
           "MAX_EXACT_BITS"]


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
    local: Any  # each a number, or a Value with backward(create_graph=True)
    upstream: Any
    grad_before: Any


class InexactWarning(UserWarning):
    """An operation on exact numbers (int, Fraction) had to return a float."""


def as_number(x: object, what: str = "Value data") -> Number:
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
    level = 1
    frame: FrameType | None = sys._getframe(1)
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

    def __init__(self, data: Number, label: str | None = None) -> None:
        self.data: Number = as_number(data)
        # A number, or a Value after backward(create_graph=True): see ``backward``.
        self.grad: Any = 0
        self._grad_set = False  # becomes True once backward() or zero_grad() sets grad
        self.label = label
        self.op: type[Op] | None = None
        self._first: Value | None = None  # the inputs of ``op``; see ``inputs``
        self._second: Value | None = None
        self.const: Number | None = None

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The inputs of ``op`` in argument order: (), (a,) or (a, b)."""
        first, second = self._first, self._second
        if first is None:
            return ()
        return (first,) if second is None else (first, second)

    parents = inputs

    # ----------------------------------------------------------------- building the graph

    @staticmethod
    def _apply(op: type[Op], a: Value, b: Value | None = None,
               const: Number | None = None) -> Value:
        """Run ``op``'s forward rule on the data of its inputs ``a`` and ``b`` (``b`` is None
        for a one-input operation; ``const`` is the exponent of ``x ** c``) and record the
        new node. (The operators and methods made from the table take a faster way to the
        same result: ``Value.operator_method``.)"""
        if op.restricted:
            _check_domain(op, a, b, const)
        try:  # the rule takes the inputs' data (and the constant of ``x ** c``)
            if b is not None:
                data = op.forward(ScalarMath, a.data, b.data)
            elif op.takes_const:
                data = op.forward(ScalarMath, a.data, const)
            else:
                data = op.forward(ScalarMath, a.data)
        except (ArithmeticError, ValueError) as exc:
            raise _forward_failed(exc, op, (a, b), const) from None
        if type(data) is not float or data - data:
            data = _unusual(data, op, a, b, const)
        elif type(a.data) is Fraction or (b is not None and type(b.data) is Fraction):
            _inexact(data, op, a, b, const)
        out = object.__new__(Value)
        out.data, out.grad, out._grad_set, out.label = data, 0, False, None
        if grad_mode._enabled:
            out.op, out._first, out._second, out.const = op, a, b, const
        else:
            out.op, out._first, out._second, out.const = None, None, None, None
        if anomaly._enabled:
            anomaly.record(out)
        return out

    @classmethod
    def operator_method(cls, op: type[Op], reflected: bool = False) -> Callable[..., Value]:
        """The method that applies ``op`` to Values, for ``autograd.operators`` to install
        (``x * y``, ``2 * x`` when ``reflected``, ``x.exp()``).

        It does what ``_apply`` does, in one call: this runs for every operation a network
        makes, and a Python call costs about as much as the arithmetic it wraps.
        """
        forward, restricted = op.forward, op.restricted
        if op.arity == 1:
            def unary(self: Value) -> Value:
                if restricted:
                    _check_domain(op, self, None, None)
                try:
                    data = forward(ScalarMath, self.data)
                except (ArithmeticError, ValueError) as exc:
                    raise _forward_failed(exc, op, (self, None), None) from None
                if type(data) is not float or data - data:
                    data = _unusual(data, op, self, None, None)
                elif type(self.data) is Fraction:
                    _inexact(data, op, self, None, None)
                out = object.__new__(Value)
                out.data, out.grad, out._grad_set, out.label = data, 0, False, None
                if grad_mode._enabled:
                    out.op, out._first, out._second, out.const = op, self, None, None
                else:
                    out.op, out._first, out._second, out.const = None, None, None, None
                if anomaly._enabled:
                    anomaly.record(out)
                return out
            return unary

        def method(self: Value, other: Value | Number) -> Value:  # the two-input form
            if type(other) is not Value:
                other = other if isinstance(other, Value) else Value(
                    as_number(other, "the other operand"))
            if reflected:
                a, b = other, self
            else:
                a, b = self, other
            if restricted:
                _check_domain(op, a, b, None)
            try:
                data = forward(ScalarMath, a.data, b.data)
            except (ArithmeticError, ValueError) as exc:
                raise _forward_failed(exc, op, (a, b), None) from None
            if type(data) is not float or data - data:
                data = _unusual(data, op, a, b, None)
            elif type(a.data) is Fraction or type(b.data) is Fraction:
                _inexact(data, op, a, b, None)
            out = object.__new__(Value)
            out.data, out.grad, out._grad_set, out.label = data, 0, False, None
            if grad_mode._enabled:
                out.op, out._first, out._second, out.const = op, a, b, None
            else:
                out.op, out._first, out._second, out.const = None, None, None, None
            if anomaly._enabled:
                anomaly.record(out)
            return out
        return method

    def _binary(self, op: type[Op], other: Value | Number, reflected: bool = False) -> Value:
        if not isinstance(other, Value):
            other = Value(as_number(other, "the other operand"))
        if reflected:
            return Value._apply(op, other, self)
        return Value._apply(op, self, other)

    def _unary(self, op: type[Op]) -> Value:
        return Value._apply(op, self)

    def _with_const(self, op: type[Op], const: Number) -> Value:
        return Value._apply(op, self, const=as_number(const, "the exponent"))

    # ----------------------------------------------------------------- backpropagation

    def local_derivatives(self) -> tuple[Number, ...]:
        """d self / d input for each input, from the operation table (empty for a leaf).

        Raises:
            ZeroDivisionError, ValueError: the derivative is undefined at these inputs (for
                example d/dx of x ** 0.5 at x = 0), naming the operation and its inputs.
            OverflowError: the derivative is larger than the largest float (unless inf is
                allowed: ``autograd.allow_non_finite``).
        """
        op, first, second = self.op, self._first, self._second
        if op is None or first is None:  # a leaf (an operation's node has its first input)
            return ()
        # The rule takes the output, then the inputs' data (and the constant of ``x ** c``).
        try:
            if second is not None:
                locals_ = op.local(ScalarMath, self.data, first.data, second.data)
            elif op.takes_const:
                locals_ = op.local(ScalarMath, self.data, first.data, self.const)
            else:
                locals_ = op.local(ScalarMath, self.data, first.data)
        except (ArithmeticError, ValueError) as exc:
            raise type(exc)(f"the local derivative of {describe(op, self.inputs, self.const)}"
                            f" is undefined: {exc}") from None
        if op.singular and not finite._allowed:  # the others' are finite where their inputs are
            for local in locals_:
                if type(local) is float and not isfinite(local):
                    raise OverflowError(f"the local derivative of "
                                        f"{describe(op, self.inputs, self.const)} overflows: "
                                        "it is larger than the largest float (about 1.8e308); "
                                        + finite.HOW_TO_ALLOW)
        return locals_

    def local_derivative_values(self) -> tuple[Value | Number, ...]:
        """The local derivatives as Values, built from the table's operations, so that a
        gradient can be differentiated again (``backward(create_graph=True)``).

        Every built-in operation's local derivative is made of table operations (relu's is
        ``step``, abs's is ``sign``, each with local derivative 0).

        Raises:
            TypeError: the operation's rule cannot be written with the table's operations
                (an operation of your own whose ``local`` branches on its inputs' values, or
                uses a function the table lacks); the message says how to fix the rule.
        """
        op = self.op
        if op is None:
            return ()
        operands = list(self.inputs) + ([self.const] if op.takes_const else [])
        try:
            return tuple(op.local(ValueMath, self, *operands))
        except (TypeError, AttributeError) as exc:
            raise TypeError(f"the local derivative of {op.name} cannot be built from the "
                            f"table's operations, so it cannot be differentiated again ({exc}); "
                            "write its local rule with the math namespace's functions, using "
                            "m.step or m.sign instead of comparisons") from None

    def backward(self, create_graph: bool = False) -> None:
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
        (``autograd.grad`` gives gradients without changing any ``grad``.)

        Args:
            create_graph: build the gradients themselves as Values, from the table's
                operations, so that they can be differentiated again: after it, ``x.grad``
                is a Value and ``x.grad.backward()`` gives second derivatives.

        Raises:
            ZeroDivisionError, ValueError, OverflowError: a local derivative is undefined or
                too large (see ``local_derivatives``).
            autograd.NonFiniteError: a gradient contribution is inf or NaN although the
                numbers it is made of are finite (it names the operation, the local derivative
                and the upstream gradient); ``autograd.allow_non_finite()`` lets it through.
            TypeError: ``create_graph`` for an operation whose rule is not made of table
                operations (see ``local_derivative_values``).

        >>> x = Value(2.0); y = x * x
        >>> y.backward(); x.grad
        4.0
        >>> y.backward(); x.grad   # leaves accumulate
        8.0
        >>> y.zero_grad(); y.backward(); x.grad
        4.0
        """
        if create_graph or anomaly._enabled:
            deque(self._chain_rule(record=False, create_graph=create_graph), maxlen=0)
            return
        _chain_rule_plain(self._start_backward(), not finite._allowed)

    def backward_steps(self) -> Iterator[Edge]:
        """``backward()`` one edge at a time: a generator that yields after each chain-rule step.

        Each ``Edge`` says which node passed gradient to which input, the local derivative, the
        upstream gradient, and the input's grad before the addition; the tracer
        (``autograd.trace``) and the stepper turn these into tables. It makes the same steps,
        with the same arithmetic, as ``backward()``. Stopping early leaves the grads as far as
        the steps taken.

        >>> x = Value(3.0, label="x"); y = x * x; y.label = "y"
        >>> [(e.node.label, e.position, e.local, e.upstream) for e in y.backward_steps()]
        [('y', 0, 3.0, 1), ('y', 1, 3.0, 1)]
        >>> x.grad
        6.0
        """
        return self._chain_rule(record=True)

    def _start_backward(self) -> list[Value]:
        """The topological order of this value's graph, with every intermediate grad reset to
        0 (leaves keep theirs, to accumulate) and this value's grad seeded with 1."""
        order = _order(self)
        for node in order:
            node._grad_set = True
            if node.op is not None:
                node.grad = 0
        self.grad = 1 if self.op is not None else self.grad + 1
        return order

    def _chain_rule(self, record: bool, create_graph: bool = False) -> Iterator[Edge]:
        """The chain rule, watched: each step can be recorded (``backward_steps``), checked in
        anomaly mode with the line that made the node, or built as a graph of Values
        (``create_graph``). The same steps and arithmetic as ``_chain_rule_plain``.

        A generator: it yields an ``Edge`` after each chain-rule step when ``record`` is true.
        """
        if create_graph and not grad_mode._enabled:
            raise RuntimeError("backward(create_graph=True) builds the gradients as a graph, "
                               "but no graph is recorded inside no_grad(); call it outside")
        order = self._start_backward()
        check = anomaly._enabled
        refuse = not finite._allowed
        for node in reversed(order):
            if node.op is None:
                continue
            upstream = node.grad
            locals_ = node.local_derivative_values() if create_graph else node.local_derivatives()
            for position, (input_, local) in enumerate(zip(node.inputs, locals_)):
                before = input_.grad
                if create_graph:
                    input_.grad = _plus(before, _times(local, upstream))
                else:
                    input_.grad = before + local * upstream
                value = input_.grad.data if isinstance(input_.grad, Value) else input_.grad
                if _exact_bits(value) > MAX_EXACT_BITS:
                    raise _too_large(f"the gradient passed from "
                                     f"{describe(node.op, node.inputs, node.const)}", value)
                if isinstance(value, float) and not isfinite(value):
                    if check:
                        raise anomaly.backward_error(
                            describe(node.op, node.inputs, node.const),
                            f"input {position + 1} ({input_!r})",
                            f"local derivative {number(_data(local))} * upstream "
                            f"{number(_data(upstream))}", node)
                    if refuse:
                        raise _non_finite_gradient(node, input_, _data(local), _data(upstream),
                                                   _data(before))
                if record:
                    yield Edge(node, position, input_, local, upstream, before)

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on this value and every value it depends on."""
        if self.op is None:  # a leaf, such as a parameter: nothing to walk
            self.grad, self._grad_set = 0, True
            return
        for node in _order(self):
            node.grad, node._grad_set = 0, True

    # ----------------------------------------------------------------- display

    def draw(self, **options: Any) -> graphviz.Digraph:
        """This value's computation graph as a ``graphviz.Digraph``: ``autograd.draw.draw``."""
        from .draw import draw  # imported here so that ``import autograd`` needs no graphviz
        return draw(self, **options)

    def __repr__(self) -> str:
        name = self.label if self.label else "data"
        grad = number(self.grad) if self._grad_set else "not computed"
        return f"Value({name}={number(self.data)}, grad={grad})"


def _forward_failed(exc: Exception, op: type[Op], inputs: tuple[Value | None, ...],
                    const: Number | None) -> Exception:
    """The error to raise when ``op``'s forward rule raised ``exc``, naming the operation."""
    if isinstance(exc, OverflowError):
        return OverflowError(f"{describe(op, inputs, const)} overflows: the result is larger "
                             "than the largest float (about 1.8e308)")
    return type(exc)(f"{describe(op, inputs, const)} failed: {exc}")


def _check_domain(op: type[Op], a: Value, b: Value | None, const: Number | None) -> None:
    """Raise the table's domain error if ``op`` is undefined at these inputs."""
    problem = op.domain(ScalarMath, *op.arguments(a, b, const))
    if problem is not None:
        error, reason = problem
        raise error(f"{describe(op, (a, b), const)} is undefined: {reason}")


MAX_EXACT_BITS = 100_000
"""Largest exact number (an int, or a Fraction's numerator and denominator together) a value
or a gradient may have: about 30,000 decimal digits. Past it, exact arithmetic is slow enough
to look like a hang; floats overflow on their own (and say so)."""


def _exact_bits(x: object) -> int:
    if type(x) is int:
        return x.bit_length()
    if type(x) is Fraction:
        return x.numerator.bit_length() + x.denominator.bit_length()
    return 0


def _too_large(what: str, x: Number) -> OverflowError:
    return OverflowError(f"{what} is an exact number of {_exact_bits(x):,} bits ({number(x)}); "
                         f"exact numbers are limited to {MAX_EXACT_BITS:,} bits (about "
                         f"{int(MAX_EXACT_BITS * 0.30103):,} digits). Work in floats (give "
                         "float values, or drop --exact), or use a smaller computation")


def _unusual(data: Any, op: type[Op], a: Value, b: Value | None,
             const: Number | None) -> Number:
    """The forward result when it is not a finite float: an int or Fraction (kept, unless
    larger than ``MAX_EXACT_BITS``), a float that is not finite (see ``_not_finite``), or
    complex (refused)."""
    if _exact_bits(data) > MAX_EXACT_BITS:
        raise _too_large(f"{describe(op, (a, b), const)}", data)
    if type(data) is float:
        _not_finite(data, op, (a, b), const, op.arguments(a, b, const))
        if type(a.data) is Fraction or (b is not None and type(b.data) is Fraction):
            _inexact(data, op, a, b, const)
    elif type(data) is complex:  # pragma: no cover - domain() should have caught it
        raise ValueError(f"{describe(op, (a, b), const)} is complex")
    return data


def _inexact(data: float, op: type[Op], a: Value, b: Value | None,
             const: Number | None) -> None:
    """Warn that an operation on an exact number (a Fraction) had to return a float."""
    warnings.warn(f"{op.name} of an exact number returns a float: "
                  f"{describe(op, (a, b), const)} = {data!r}",
                  InexactWarning, stacklevel=_outside_autograd())


def _not_finite(data: float, op: type[Op], inputs: tuple[Value | None, ...],
                const: Number | None, args: tuple[Operand, ...]) -> None:
    """Decide about a forward result that is inf or NaN.

    Raises OverflowError when the inputs were finite (the operation overflowed), unless inf
    and NaN are allowed (``autograd.allow_non_finite``); inf or NaN that came in with the
    inputs passes on, unless anomaly mode is on, which stops there.
    """
    if all(not isinstance(a, float) or isfinite(a) for a in args) and not finite._allowed:
        raise OverflowError(f"{describe(op, inputs, const)} overflows: the result is larger "
                            "than the largest float (about 1.8e308); " + finite.HOW_TO_ALLOW)
    if anomaly._enabled:
        raise anomaly.forward_error(op.name, describe(op, inputs, const), number(data))


def apply(op: str | type[Op], *inputs: object, const: Number | None = None) -> Any:
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
        return first._binary(op, b) if a is first else first._binary(op, a, reflected=True)
    if op.takes_const:
        return first._with_const(op, const)
    return first._unary(op)


def _data(x: Value | Number) -> Number:
    """A gradient's number: its data if it is a Value (``create_graph``), else itself."""
    return x.data if isinstance(x, Value) else x


def _times(local: Value | Number, upstream: Value | Number) -> Value | Number:
    """local * upstream for gradients built as Values (``create_graph``); multiplying by 1
    builds no node."""
    if not isinstance(local, Value) and local == 1:
        return upstream
    if not isinstance(upstream, Value) and upstream == 1:
        return local
    return local * upstream


def _plus(grad: Value | Number, contribution: Value | Number) -> Value | Number:
    """grad + contribution for gradients built as Values; adding to 0 builds no node."""
    if not isinstance(grad, Value) and grad == 0:
        return contribution
    return grad + contribution


def _non_finite_gradient(node: Value, input_: Value, local: Number, upstream: Number,
                         before: Number) -> Exception:
    """The error for a chain-rule step whose contribution (or the sum it makes with the
    input's grad ``before`` it) is not finite."""
    product = local * upstream
    assert node.op is not None  # the node that passes gradient was made by an operation
    where = describe(node.op, node.inputs, node.const)
    if isinstance(product, float) and not isfinite(product):
        made = (f"local derivative {number(local)} * upstream {number(upstream)} = "
                f"{number(product)}")
    else:
        made = (f"its grad {number(before)} + local derivative {number(local)} * "
                f"upstream {number(upstream)} is not finite")
    if input_.label:
        name = input_.label
    elif input_.op is not None:
        name = f"its input ({describe(input_.op, input_.inputs, input_.const)})"
    else:
        name = f"its input {number(input_.data)}"
    if _finite_number(local) and _finite_number(upstream) and _finite_number(before):
        why = "although the numbers it is made of are finite: a float cannot hold it"
    else:
        why = ("because the forward pass already held inf or NaN (autograd.detect_anomaly() "
               "shows where it came from)")
    return finite.NonFiniteError(
        f"backward: the gradient passed from {where} to {name} is not finite ({made}), {why}. "
        + finite.HOW_TO_ALLOW[0].upper() + finite.HOW_TO_ALLOW[1:])


def _finite_number(x: object) -> bool:
    return not isinstance(x, float) or isfinite(x)


class _ValueMath:
    """The math namespace of Values: each function applies the table's operation of that
    name, so a local-derivative rule run on it builds the derivative as a graph."""

    @staticmethod
    def pow(a: Value, c: Value | Number) -> Value:
        return a ** c

    @staticmethod
    def any(condition: object) -> bool:
        raise TypeError("domain checks need numbers, not Values")

    def __getattr__(self, name: str) -> Callable[..., Value]:
        op = OPS.get(name)
        if op is None or not op.is_function() or name.startswith("_"):
            raise AttributeError(f"{name} is not an operation of the table")

        def call(*inputs: Value | Number) -> Value:
            return apply(op, *inputs)

        return call


ValueMath = _ValueMath()
"""The math namespace of Values (``create_graph``): ``ValueMath.exp(x)`` is ``x.exp()``."""


def grad(output: Value, inputs: Value | Iterable[Value],
         create_graph: bool = False) -> list[Value | Number]:
    """d output / d input for each of ``inputs``, without changing any ``grad``.

    The functional form of ``backward()``: the same chain rule, but the gradients are
    returned instead of stored, and every ``grad`` in the graph is left as it was. With
    ``create_graph=True`` the gradients are Values in a graph of their own, built from the
    operation table's local derivatives, so they can be differentiated again (second
    derivatives, Hessians, Newton's method).

    Args:
        output: the Value to differentiate.
        inputs: a Value, or a sequence of Values.
        create_graph: return the gradients as Values that can be differentiated again.

    Returns:
        list: one gradient per input, in order (0 for an input the output does not depend
        on): numbers, or Values with ``create_graph``.

    Raises:
        TypeError: ``output`` or an input is not a Value; an operation whose rule cannot be
            built from table operations, with ``create_graph``.
        autograd.NonFiniteError, ValueError, ZeroDivisionError, OverflowError: as
            ``backward()``.

    >>> x = Value(3.0)
    >>> (dy,) = grad(x ** 3, [x], create_graph=True)       # 3 x**2 = 27
    >>> dy.data, grad(dy, [x])                            # d2/dx2 = 6 x = 18
    (27.0, [18.0])
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad() differentiates a Value, got {type(output).__name__}; for "
                        "nn.Tensor use backward()")
    wanted = [inputs] if isinstance(inputs, Value) else list(inputs)
    for x in wanted:
        if not isinstance(x, Value):
            raise TypeError(f"grad() takes the Values to differentiate by, got "
                            f"{type(x).__name__} {x!r}")
    order = _order(output)
    saved = [(node.grad, node._grad_set) for node in order]
    for node in order:
        node.grad = 0  # leaves too: a fresh pass, not an accumulation
    try:
        output.backward(create_graph=create_graph)
        found = {id(node): node.grad for node in order}
    finally:
        for node, (before, was_set) in zip(order, saved):
            node.grad, node._grad_set = before, was_set
    return [found.get(id(x), 0) for x in wanted]


def _order(root: Value) -> list[Value]:
    # The topological order of ``graph.topological_order`` (the same list: a property test
    # checks it), specialised to Values for backward's hot path: it reads the two input slots
    # directly instead of building each node's ``inputs`` tuple and an iterator over it. A
    # node stays on the stack until both of its inputs have been seen; a leaf goes straight
    # into the order.
    order: list[Value] = []
    seen = {root}
    stack = [root]
    while stack:
        node = stack[-1]
        first = node._first
        if first is not None and first not in seen:
            seen.add(first)
            if first._first is None:
                order.append(first)
            else:
                stack.append(first)
            continue
        second = node._second
        if second is not None and second not in seen:
            seen.add(second)
            if second._first is None:
                order.append(second)
            else:
                stack.append(second)
            continue
        stack.pop()
        order.append(node)
    return order


def _chain_rule_plain(order: list[Value], refuse: bool) -> None:
    # backward()'s loop: the chain-rule step ``input.grad += local * upstream`` for each edge,
    # in reverse topological order, with the local derivatives from the table, called with
    # their arguments written out (cheaper than building ``inputs`` and unpacking it), and
    # each new grad checked for being finite (x - x is 0 for a finite x, NaN otherwise).
    # ``Value._chain_rule`` makes the same steps when they are watched.
    scalar = ScalarMath
    for node in reversed(order):
        op, first = node.op, node._first
        if op is None or first is None:  # a leaf (an operation's node has its first input)
            continue
        upstream, second = node.grad, node._second
        try:
            if second is not None:
                local_first, local_second = op.local(scalar, node.data, first.data,
                                                      second.data)
            elif op.takes_const:
                local_first, = op.local(scalar, node.data, first.data, node.const)
            else:
                local_first, = op.local(scalar, node.data, first.data)
        except (ArithmeticError, ValueError):
            node.local_derivatives()  # raises the same error, naming the operation
            raise
        if op.singular and refuse and (local_first - local_first or (
                second is not None and local_second - local_second)):
            node.local_derivatives()  # raises the OverflowError naming the operation
        grad = first.grad + local_first * upstream
        if type(grad) is not float and _exact_bits(grad) > MAX_EXACT_BITS:
            raise _too_large(f"the gradient passed from {describe(op, node.inputs, node.const)}",
                             grad)
        if refuse and grad - grad:
            raise _non_finite_gradient(node, first, local_first, upstream, first.grad)
        first.grad = grad
        if second is not None:
            grad = second.grad + local_second * upstream
            if type(grad) is not float and _exact_bits(grad) > MAX_EXACT_BITS:
                raise _too_large(f"the gradient passed from "
                                 f"{describe(op, node.inputs, node.const)}", grad)
            if refuse and grad - grad:
                raise _non_finite_gradient(node, second, local_second, upstream, second.grad)
            second.grad = grad
