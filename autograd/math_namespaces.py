"""The math namespaces the operation table's rules are computed in.

Every rule of ``autograd.ops`` is written once over a namespace ``m``: ``m.exp(a)``,
``m.sqrt(a)``, ``m.pow(a, c)``, ``m.step(a)``. The same rule then runs on

* ``ScalarMath``: one Python number (int, float or ``fractions.Fraction``; ``autograd.Value``);
* ``nn.numpy_math.NumpyMath``: NumPy arrays (``nn.Tensor``);
* ``SympyMath``: sympy expressions (``autograd.trace.gradient_formula(..., simplify=True)``);
* ``autograd.formula.FormulaMath``: formulas, for the text of tables and pictures.

The standard functions come from each namespace's library under the same names (``exp``,
``log``, ``sqrt``, ``sin``, ``cos``, ``tan``, ``tanh``, ... from ``math``, ``numpy`` and
``sympy``), so a rule that uses them runs everywhere; a few are the engine's own, with the
same meaning in every namespace:

* ``sigmoid(a)``: 1 / (1 + exp(-a)), without overflow;
* ``relu(a)``: a where a > 0, else 0;
* ``step(a)``: 1 where a > 0, else 0 (so relu's derivative is 0 at its kink, as in PyTorch);
* ``sign(a)``: 1, 0 or -1 (so abs's derivative is 0 at its kink);
* ``abs(a)``: |a|;
* ``pow(a, c)``: a ** c;
* ``any(condition)``: whether the condition holds anywhere (for domain checks).

A NaN stays NaN through every one of them (``relu(nan)`` is nan, not 0).

>>> ScalarMath.sqrt(Fraction(9, 4)), ScalarMath.step(-2.0), ScalarMath.relu(Fraction(-1, 2))
(Fraction(3, 2), 0.0, Fraction(0, 1))
>>> ScalarMath.log(Fraction(1, 10 ** 400)) < -921
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from types import ModuleType
from typing import Any, Protocol

__all__ = ["ScalarMath", "SympyMath", "LibraryMath", "MathNamespace", "Number", "Operand",
           "exact_sqrt"]

Number = int | float | Fraction
"""A plain Python number, what ``ScalarMath`` (and so ``autograd.Value``) computes with."""

Operand = Any
"""What a rule of the operation table computes with: a Python number, a NumPy array, a sympy
expression or an ``autograd.formula.Formula``, whichever its namespace works on. One rule is
written for all of them, so to a type checker it is any value."""


class MathNamespace(Protocol):
    """What a rule calls on its namespace ``m``: any function by name (``m.exp(a)``,
    ``m.pow(a, c)``), from the engine or from the namespace's library."""

    def __getattr__(self, name: str) -> Callable[..., Any]: ...


class LibraryMath:
    """A math namespace: the engine's own functions, then a library's under the same names.

    Subclasses define the engine's functions (sigmoid, relu, step, sign, abs, pow, any) as
    methods and name the library (``math``, ``numpy``, ``sympy``) that supplies the rest.
    Looking up a function that neither has raises ``AttributeError`` naming both.
    """

    library_name = ""

    def _library(self) -> ModuleType:  # pragma: no cover - every namespace overrides it
        raise NotImplementedError

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        found = getattr(self._library(), name, None)
        if not callable(found):
            raise AttributeError(f"the {type(self).__name__.lstrip('_')} math namespace has "
                                 f"no function {name!r} (neither its own nor "
                                 f"{self.library_name}'s)")
        self.__dict__[name] = found  # found once; later lookups are plain attribute reads
        return found

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: the engine's functions, then {self.library_name}'s>"


def exact_sqrt(x: Fraction) -> Fraction | None:
    """The square root of a Fraction >= 0 if it is rational (9/4 -> 3/2), else None."""
    p, q = math.isqrt(x.numerator), math.isqrt(x.denominator)
    if p * p == x.numerator and q * q == x.denominator:
        return Fraction(p, q)
    return None


def _to_float(x: Number) -> float:
    """``x`` as a float, saturating at +-inf for ints and Fractions beyond the float range."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


class _ScalarMath(LibraryMath):
    """Math on one Python number (int, float or ``Fraction``), for ``autograd.Value``.

    Rational operations keep a ``Fraction`` exact, and so does ``sqrt`` where the root is
    rational; the other functions give a float (``autograd.Value`` then warns with
    ``InexactWarning``). Functions that saturate (tanh, sigmoid) give their limit for inputs
    beyond the float range (tanh(2**2000) is 1.0), and log works on Fractions too small or
    large for a float (log(10**-400) is -921.03...).
    """

    library_name = "math"

    def _library(self) -> ModuleType:
        return math

    @staticmethod
    def any(condition: object) -> bool:
        return bool(condition)

    @staticmethod
    def pow(a: Any, c: Any) -> Any:
        return a ** c

    @staticmethod
    def log(a: Any) -> float:
        if isinstance(a, Fraction) and a > 0:  # exact parts: no underflow to 0 on the way
            return math.log(a.numerator) - math.log(a.denominator)
        return math.log(a)

    @staticmethod
    def sqrt(a: Any) -> float | Fraction:
        if isinstance(a, Fraction) and a >= 0:
            root = exact_sqrt(a)
            if root is not None:
                return root
        return math.sqrt(a)

    @staticmethod
    def tanh(a: Any) -> float:
        return math.tanh(_to_float(a))

    @staticmethod
    def sigmoid(a: Any) -> float:
        # Two branches so that exp never sees a large positive argument (no overflow).
        a = _to_float(a)
        if a >= 0:
            return 1.0 / (1.0 + math.exp(-a))
        e = math.exp(a)
        return e / (1.0 + e)

    @staticmethod
    def relu(a: Any) -> Any:
        if a > 0:
            return a
        return type(a)(0) if a <= 0 else a  # NaN, neither > 0 nor <= 0, stays NaN

    @staticmethod
    def step(a: Any) -> Any:  # of the input's type: a Fraction stays exact, a float a float
        if a > 0:
            return type(a)(1)
        return type(a)(0) if a <= 0 else a  # NaN stays NaN

    @staticmethod
    def sign(a: Any) -> Any:
        if a > 0:
            return type(a)(1)
        if a < 0:
            return type(a)(-1)
        return type(a)(0) if a == 0 else a  # NaN stays NaN

    @staticmethod
    def abs(a: Any) -> Any:
        return abs(a)


ScalarMath = _ScalarMath()
"""The math namespace of one Python number (see the module docstring)."""


class _SympyMath(LibraryMath):
    """Math on sympy expressions: the rules rebuilt symbolically (sympy is imported on first
    use; ``pip install sympy``)."""

    library_name = "sympy"

    def _library(self) -> ModuleType:
        import sympy

        return sympy

    @staticmethod
    def any(condition: object) -> bool:  # pragma: no cover - domain checks do not run on symbols
        raise TypeError("domain checks need numbers, not sympy expressions")

    @staticmethod
    def pow(a: Any, c: Any) -> Any:
        return a ** c

    def sigmoid(self, a: Any) -> Any:
        return 1 / (1 + self._library().exp(-a))

    def relu(self, a: Any) -> Any:
        sympy = self._library()
        return sympy.Piecewise((a, a > 0), (0, True))

    def step(self, a: Any) -> Any:
        return self._library().Heaviside(a, 0)

    def abs(self, a: Any) -> Any:
        return self._library().Abs(a)


SympyMath = _SympyMath()
"""The math namespace of sympy expressions (see the module docstring)."""
