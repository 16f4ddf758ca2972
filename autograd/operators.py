"""The operators ``Value`` and ``nn.Tensor`` share, each mapped to its entry of the table.

``x + y`` is ``Add``, ``x / y`` is ``Div``, ``x.exp()`` is ``Exp``, and so on (see
``autograd.ops``). A class that mixes ``Operators`` in supplies ``_binary(op, other,
reflected)`` (``reflected`` for ``2 * x``, where x is on the right) and ``_unary(op)``.
"""

from __future__ import annotations

from .ops import Add, Div, Exp, Log, Mul, Neg, Relu, Sigmoid, Sub, Tanh

__all__ = ["Operators"]


class Operators:
    """Mixin: ``+ - * /`` (and their reflected forms), unary ``-``, and the methods ``exp``,
    ``log``, ``tanh``, ``sigmoid``, ``relu``."""

    __slots__ = ()

    def __add__(self, other):
        return self._binary(Add, other)

    def __radd__(self, other):
        return self._binary(Add, other, reflected=True)

    def __sub__(self, other):
        return self._binary(Sub, other)

    def __rsub__(self, other):
        return self._binary(Sub, other, reflected=True)

    def __mul__(self, other):
        return self._binary(Mul, other)

    def __rmul__(self, other):
        return self._binary(Mul, other, reflected=True)

    def __truediv__(self, other):
        return self._binary(Div, other)

    def __rtruediv__(self, other):
        return self._binary(Div, other, reflected=True)

    def __neg__(self):
        return self._unary(Neg)

    def exp(self):
        """e ** x; local derivative exp(x)."""
        return self._unary(Exp)

    def log(self):
        """Natural logarithm; local derivative 1/x. Raises ValueError where x <= 0."""
        return self._unary(Log)

    def tanh(self):
        """tanh(x); local derivative 1 - tanh(x)**2."""
        return self._unary(Tanh)

    def sigmoid(self):
        """1 / (1 + exp(-x)), the lesson's squish; local derivative s * (1 - s).

        Computed without overflow for inputs of any magnitude. On a Tensor, where the true
        value is below the smallest normal float (x < -88.72 in float32, -709.78 in float64)
        the result stays at 2.9e-39 (5.6e-309) instead of falling further towards 0."""
        return self._unary(Sigmoid)

    def relu(self):
        """max(x, 0); local derivative 1 where x > 0, else 0."""
        return self._unary(Relu)
