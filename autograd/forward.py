"""Forward mode: ``jvp`` carries a derivative along with every number, in one forward pass.

A dual number ``Dual(data, tangent)`` is a number together with its rate of change along one
chosen direction (a + a'ε with ε² = 0). Every operation of the table (``autograd.OPS``, the
ones you register included) computes the output's ``data`` with its forward rule and the
output's ``tangent`` with its local derivatives: the sum over its inputs of d out / d input
times that input's tangent. That is the chain rule applied in the order of the forward pass,
so nothing is recorded and nothing runs backward; one pass gives the derivative along one
direction. Reverse mode (``backward()``) gives the derivative with respect to every input in
one backward pass instead; ``python -m demos.why_backprop`` counts what each costs.

Source: forward-mode differentiation with dual numbers, Griewank and Walther, "Evaluating
Derivatives" (2nd ed., SIAM 2008), chapter 3; Baydin et al., "Automatic differentiation in
machine learning: a survey", JMLR 18 (2018), section 3.1.

>>> x1, x2 = Dual(3, 1), Dual(2, 0)          # the direction: along x1 only
>>> f = ((2 * x1 + x2) ** 2 + 3 * x2 ** 2) ** 3
>>> f.data, f.tangent                        # the lesson's chain-rule function: df/dx1
(438976, 554496)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from fractions import Fraction
from math import isfinite
from typing import Any

from . import finite
from .math_namespaces import Number, Operand, ScalarMath
from .operators import Operators
from .ops import Op
from .text import describe, number
from .value import InexactWarning, as_number

__all__ = ["Dual", "jvp"]


class Dual(Operators):
    """A number and its tangent: ``data`` and d data / d t along one direction t.

    Arithmetic on Duals (``+ - * / **``, unary ``-``, ``abs()``, and a method for each
    operation of the table written as a function: ``exp``, ``log``, ``sin``, ``sigmoid``,
    ``relu``, ...) returns a new Dual. Its ``data`` comes from the operation's forward rule;
    its ``tangent`` is, over the operation's inputs, the sum of the local derivative
    (d out / d input, from the table) times the input's tangent. A plain number beside a Dual
    is a constant: its tangent is 0. No graph is kept.

    Args:
        data: an int, float or ``fractions.Fraction`` (kept exactly as given).
        tangent: its derivative along the direction (default 0, a constant).

    Attributes:
        data: the number, as a Value's ``data`` would be.
        tangent: its derivative; exact on Fractions, like the data.

    Raises:
        TypeError: data or tangent is not a real number; a Value is mixed into the
            arithmetic (forward mode keeps no graph: use its ``data`` as a constant).

    >>> x = Dual(3.0, 1.0)           # x = 3, moving at speed 1
    >>> y = x * x + 2 * x            # dy/dx = 2x + 2 = 8
    >>> y
    Dual(data=15.0, tangent=8.0)
    """

    __slots__ = ("data", "tangent")

    def __init__(self, data: Number, tangent: Number = 0) -> None:
        self.data = as_number(data, "a Dual's data")
        self.tangent = as_number(tangent, "a Dual's tangent")

    @staticmethod
    def _apply(op: type[Op], a: Dual, b: Dual | None = None,
               const: Number | None = None) -> Dual:
        """``op`` on the data of ``a`` and ``b`` (None for a one-input operation; ``const`` is
        the exponent of ``x ** c``), and the tangent of the result by the chain rule."""
        inputs = (a,) if b is None else (a, b)
        args = op.arguments(a, b, const)
        if op.restricted:
            problem = op.domain(ScalarMath, *args)
            if problem is not None:
                error, reason = problem
                raise error(f"{describe(op, inputs, const)} is undefined: {reason}")
        try:
            data = op.forward(ScalarMath, *args)
        except (ArithmeticError, ValueError) as exc:
            raise type(exc)(f"{describe(op, inputs, const)} failed: {exc}") from None
        try:
            locals_ = op.local(ScalarMath, data, *args)
        except (ArithmeticError, ValueError) as exc:
            raise type(exc)(f"the local derivative of {describe(op, inputs, const)} is "
                            f"undefined: {exc}") from None
        # One multiplication per input: its local derivative times its tangent.
        tangent = locals_[0] * a.tangent
        if b is not None:
            tangent = tangent + locals_[1] * b.tangent
        if type(data) is float or type(tangent) is float:
            _check_float(op, inputs, const, data, tangent, locals_)
        out = object.__new__(Dual)
        out.data, out.tangent = data, tangent
        return out

    def _binary(self, op: type[Op], other: Any, reflected: bool = False) -> Dual:
        other = _as_dual(other)
        return Dual._apply(op, other, self) if reflected else Dual._apply(op, self, other)

    def _unary(self, op: type[Op]) -> Dual:
        return Dual._apply(op, self)

    def _with_const(self, op: type[Op], const: Any) -> Dual:
        return Dual._apply(op, self, const=as_number(const, "the exponent"))

    def __repr__(self) -> str:
        return f"Dual(data={number(self.data)}, tangent={number(self.tangent)})"


def _as_dual(x: object) -> Dual:
    """``x`` as an input of a Dual's operation: itself, or a constant (tangent 0)."""
    if isinstance(x, Dual):
        return x
    if isinstance(x, Operators):
        raise TypeError(f"a Dual cannot be combined with a {type(x).__name__} ({x!r}): forward "
                        "mode keeps no graph; use its number (.data) as a constant, or make it "
                        "one of the primals of jvp")
    out = object.__new__(Dual)
    out.data, out.tangent = as_number(x, "the other operand"), 0
    return out


def _check_float(op: type[Op], inputs: tuple[Dual, ...], const: Number | None, data: Number,
                 tangent: Number, locals_: tuple[Operand, ...]) -> None:
    """Refuse a result or tangent that is not finite (unless inf and NaN are allowed), and
    warn when an operation on exact numbers had to give a float."""
    if not (_finite(data) and _finite(tangent)) and not finite.is_non_finite_allowed():
        _refuse(op, inputs, const, data, tangent, locals_)
    if type(data) is float and any(type(x.data) is Fraction for x in inputs):
        # stacklevel 5: this function, _apply, _binary/_unary/_with_const, the operator or
        # method (or autograd.apply) that the user's line called, then that line.
        warnings.warn(f"{op.name} of an exact number returns a float: "
                      f"{describe(op, inputs, const)} = {data!r}", InexactWarning,
                      stacklevel=5)


def _refuse(op: type[Op], inputs: tuple[Dual, ...], const: Number | None, data: Number,
            tangent: Number, locals_: tuple[Operand, ...]) -> None:
    """Raise the error for an operation whose result, local derivative or tangent is inf or
    NaN, naming the operation and how that number was made."""
    where = describe(op, inputs, const)
    came_in_finite = all(_finite(x.data) and _finite(x.tangent) for x in inputs)
    if not _finite(data) and came_in_finite:
        raise OverflowError(f"{where} overflows: the result is larger than the largest float "
                            f"(about 1.8e308); {finite.HOW_TO_ALLOW}")
    if not _finite(data) and _finite(tangent):
        return  # inf or NaN that came in with the inputs travels on, as it does for Values
    if came_in_finite and not all(_finite(local) for local in locals_):
        raise OverflowError(f"the local derivative of {where} overflows: it is larger than the "
                            f"largest float (about 1.8e308); {finite.HOW_TO_ALLOW}")
    made = " + ".join(f"local derivative {number(local)} * tangent {number(x.tangent)}"
                      for local, x in zip(locals_, inputs))
    why = ("although the numbers it is made of are finite: a float cannot hold it"
           if came_in_finite else "because the inputs already held inf or NaN")
    raise finite.NonFiniteError(f"jvp: the tangent of {where} is not finite ({made}), {why}. "
                                + finite.HOW_TO_ALLOW[0].upper() + finite.HOW_TO_ALLOW[1:])


def _finite(x: object) -> bool:
    return not isinstance(x, float) or isfinite(x)


def jvp(f: Callable[..., Any], primals: Sequence[Number],
        tangents: Sequence[Number]) -> tuple[Number, Number] | tuple[list[Number], list[Number]]:
    """f's value at ``primals`` and its derivative along ``tangents``, in one forward pass.

    The derivative along the direction t is Σ_i ∂f/∂x_i · t_i (the Jacobian-vector product):
    a one-hot direction such as [0, 1, 0] gives one partial derivative, ∂f/∂x_2. ``f`` runs
    once on dual numbers (``Dual``), each carrying its tangent, so the derivative comes out
    with the value. Getting every partial derivative this way takes one pass per input;
    ``backward()`` gets them all in one pass backwards.

    Args:
        f: a function of ``len(primals)`` arguments made of the table's operations, as a
            function of Values is (``x * y + y.exp()``); it must not make Values of its own.
            It returns a number, or a list or tuple of numbers.
        primals: the point: a list or tuple of numbers (int, float, ``Fraction``).
        tangents: the direction: as many numbers.

    Returns:
        tuple: ``(value, derivative)``: f's result and its derivative along ``tangents`` as
        numbers (exact on Fractions wherever the operations are rational), or as two lists
        when f returns a list or tuple.

    Raises:
        TypeError: ``primals`` or ``tangents`` is not a list or tuple of real numbers (a
            Value or Tensor among them too); f returns something other than numbers; f mixes
            a Value into the arithmetic.
        ValueError: ``primals`` and ``tangents`` differ in length.
        ValueError, ZeroDivisionError, OverflowError, autograd.NonFiniteError: as for Values:
            an input outside an operation's domain (log of -1), an overflow, a local
            derivative that is undefined, or a tangent a float cannot hold
            (``autograd.allow_non_finite()`` lets inf and NaN through).

    Tensors: not supported. nn.Tensor's array operations (matmul, ``nn.Linear``'s affine
    map, sum, mean, the quadratic cost and cross-entropy, in ``nn/tensor_ops.py``) define
    only a vector-Jacobian product, the rule reverse mode needs; forward mode would need a
    Jacobian-vector product for each of them, a second definition of every one. For a
    network, one loss of many parameters, reverse mode is also the cheaper order:
    ``python -m demos.why_backprop`` counts the multiplications of both.

    >>> jvp(lambda x: x ** 3, [3], [1])                  # x**3 = 27, 3 x**2 = 27
    (27, 27)
    >>> bowl = lambda x1, x2: x1 ** 2 + 2 * x2 ** 2      # df/dx1 = 2 x1, df/dx2 = 4 x2
    >>> jvp(bowl, [3, 2], [1, 0]), jvp(bowl, [3, 2], [3, 4])   # 6; then 3*6 + 4*8
    ((17, 6), (17, 50))
    """
    points = _numbers(primals, "primals")
    directions = _numbers(tangents, "tangents")
    if len(points) != len(directions):
        raise ValueError(f"jvp got {_count(points, 'primal')} but {_count(directions, 'tangent')}"
                         ": give one tangent per primal (the direction to differentiate along)")
    result = f(*(Dual(x, t) for x, t in zip(points, directions)))
    if isinstance(result, (list, tuple)):
        pairs = [_value_and_tangent(r) for r in result]
        return [v for v, _ in pairs], [t for _, t in pairs]
    return _value_and_tangent(result)


def _numbers(xs: object, name: str) -> list[Number]:
    """``xs`` (primals or tangents) as a list of numbers, or a TypeError saying what to pass."""
    if not isinstance(xs, (list, tuple)):
        raise TypeError(f"jvp takes {name} as a list or tuple of numbers, one per argument of "
                        f"f (e.g. [3.0]), got {type(xs).__name__} {xs!r}")
    for i, x in enumerate(xs):
        if isinstance(x, Operators):
            raise TypeError(f"{name}[{i}] is a {type(x).__name__} ({x!r}); jvp takes plain "
                            "numbers (its dual numbers carry the derivative): pass its .data")
    return [as_number(x, f"{name}[{i}]") for i, x in enumerate(xs)]


def _value_and_tangent(result: object) -> tuple[Number, Number]:
    """One output of f as (value, derivative): a constant's derivative is 0."""
    if isinstance(result, Dual):
        return result.data, result.tangent
    if isinstance(result, Operators):
        raise TypeError(f"f returned a {type(result).__name__} ({result!r}); under jvp it "
                        "must compute with the dual numbers it is given, not make Values")
    try:
        return as_number(result, "f's result"), 0
    except TypeError:
        raise TypeError(f"f returned {type(result).__name__} {result!r}; jvp needs f to return "
                        "a number, or a list or tuple of numbers") from None


def _count(xs: list[Number], noun: str) -> str:
    return f"{len(xs)} {noun}{'' if len(xs) == 1 else 's'}"
