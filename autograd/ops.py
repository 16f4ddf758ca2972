"""The operation table: each primitive's forward rule and local derivatives, defined once.

Every operation the engine knows is one class below, registered in ``OPS``. An entry says

* ``forward(m, *inputs)``: the operation's output, computed with the math namespace ``m``;
* ``local(m, out, *inputs)``: the local derivative of the output with respect to each input,
  d out / d input_i, given the output and inputs (the chain rule multiplies these);
* ``formulas(out, *inputs)``: the same local derivatives written as text in the names of the
  output and inputs (for tables and pictures that show the work);
* ``domain(m, *inputs)``: ``None`` when the inputs are allowed, else ``(exception class,
  reason)``, so a domain error is raised before anything silently becomes NaN or complex.

``m`` is a math namespace: ``ScalarMath`` below for Python numbers (``autograd.Value``), a
NumPy one for arrays (``nn.Tensor``). Both engines read this same table, so a rule is written
once and tested once. Operations that take a plain-number constant (``x ** 3``) receive it as
their last input and declare ``takes_const = True``.

The derivative rules are the standard ones (any calculus text; see the lesson
"How networks learn", part "The Chain Rule", for the way the engine multiplies them).
"""

from __future__ import annotations

import math

__all__ = ["Op", "OPS", "ScalarMath", "Add", "Sub", "Mul", "Div", "Neg", "PowConst", "Pow",
           "Exp", "Log", "Tanh", "Sigmoid", "Relu"]


def _power(base: str, exponent) -> str:
    """Text for ``base ** exponent`` that a person would write (x, x**2, 1)."""
    if exponent == 1:
        return base
    if exponent == 0:
        return "1"
    return f"{base}**{_const(exponent)}"


def _const(c) -> str:
    """A constant as text that keeps its meaning next to ``*`` and ``**``: 1/3 -> (1/3)."""
    text = str(c)
    return f"({text})" if "/" in text else text


def _wrap(name: str) -> str:
    """Parenthesise a compound name so it can be multiplied in a formula: a + b, 1/3 and -2
    get parentheses; x1, 2.5 and 1e-10 do not."""
    try:
        float(name)
    except ValueError:
        return f"({name})" if any(ch in name for ch in " +-*/") else name
    return f"({name})" if name.startswith("-") else name


class Op:
    """One primitive operation. Subclasses fill in the class attributes and static methods.

    Attributes:
        name: short identifier, e.g. ``"mul"``.
        symbol: how the operation is written, e.g. ``"*"`` or ``"exp"``.
        arity: number of differentiable inputs (Values or Tensors).
        takes_const: whether a plain-number constant follows the inputs (``x ** c``).
        elementwise: whether the local derivative is per element (true for every scalar op;
            tensor-only operations such as matmul give a vector-Jacobian product instead).
        restricted: whether some inputs are outside the operation's domain, i.e. whether the
            class defines ``domain``; set automatically, so that the engines call ``domain``
            only for the operations that have one.
        singular: whether a local derivative can overflow to inf although the inputs and the
            output are finite (near a singularity: 1/b for tiny b); the scalar engine checks
            the local derivatives of these operations.
    """

    name = ""
    symbol = ""
    arity = 1
    takes_const = False
    elementwise = True
    restricted = False
    singular = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.restricted = cls.domain is not Op.domain

    @staticmethod
    def forward(m, *inputs):  # pragma: no cover - abstract
        """The output, computed with the math namespace ``m`` (``ScalarMath`` or NumPy's)."""
        raise NotImplementedError

    @staticmethod
    def local(m, out, *inputs):  # pragma: no cover - abstract
        """A tuple: d out / d input_i for each input, from the output and the inputs."""
        raise NotImplementedError

    @staticmethod
    def formulas(out, *inputs):  # pragma: no cover - abstract
        """The local derivatives as text, given the names of the output and the inputs."""
        raise NotImplementedError

    @staticmethod
    def domain(m, *inputs):
        """None if the inputs are allowed, else ``(exception class, reason)``."""
        return None

    @classmethod
    def arguments(cls, a, b=None, const=None) -> tuple:
        """The arguments that follow ``m`` in ``forward`` and ``domain``: the ``data`` of the
        inputs ``a`` and ``b`` (Values or Tensors; ``b`` is None for a one-input operation),
        then ``const`` if the operation takes one.

        The engines' hot paths call the rules with these arguments written out, which is
        cheaper than unpacking this tuple; this is for the rest (domain checks, messages).

        >>> from autograd import Value
        >>> Mul.arguments(Value(2.0), Value(3.0)), PowConst.arguments(Value(2.0), const=3)
        ((2.0, 3.0), (2.0, 3))
        """
        if b is not None:
            return (a.data, b.data)
        return (a.data, const) if cls.takes_const else (a.data,)

    @classmethod
    def expression(cls, *names) -> str:
        """The operation applied to input names, e.g. ``a * b`` or ``exp(a)``."""
        if cls.arity == 2:
            return f"{_wrap(names[0])} {cls.symbol} {_wrap(names[1])}"
        if cls.takes_const:
            return f"{_wrap(names[0])} {cls.symbol} {_const(names[1])}"
        if cls.symbol == "-":
            return f"-{_wrap(names[0])}"
        return f"{cls.symbol}({names[0]})"


class Add(Op):
    """a + b; local derivatives 1 and 1."""

    name, symbol, arity = "add", "+", 2

    @staticmethod
    def forward(m, a, b):
        return a + b

    @staticmethod
    def local(m, out, a, b):
        return 1, 1

    @staticmethod
    def formulas(out, a, b):
        return "1", "1"


class Sub(Op):
    """a - b; local derivatives 1 and -1."""

    name, symbol, arity = "sub", "-", 2

    @staticmethod
    def forward(m, a, b):
        return a - b

    @staticmethod
    def local(m, out, a, b):
        return 1, -1

    @staticmethod
    def formulas(out, a, b):
        return "1", "-1"


class Mul(Op):
    """a * b; local derivatives b and a."""

    name, symbol, arity = "mul", "*", 2

    @staticmethod
    def forward(m, a, b):
        return a * b

    @staticmethod
    def local(m, out, a, b):
        return b, a

    @staticmethod
    def formulas(out, a, b):
        return b, a


class Div(Op):
    """a / b; local derivatives 1/b and -a/b**2. Undefined where b == 0."""

    name, symbol, arity = "div", "/", 2
    singular = True

    @staticmethod
    def forward(m, a, b):
        return a / b

    @staticmethod
    def local(m, out, a, b):
        return 1 / b, -out / b  # -a/b**2, without b*b underflowing to 0

    @staticmethod
    def formulas(out, a, b):
        return f"1/{_wrap(b)}", f"-{_wrap(a)}/{_wrap(b)}**2"

    @staticmethod
    def domain(m, a, b):
        if m.any(b == 0):
            return ZeroDivisionError, "division by zero: the denominator is 0"
        return None


class Neg(Op):
    """-a; local derivative -1."""

    name, symbol = "neg", "-"

    @staticmethod
    def forward(m, a):
        return -a

    @staticmethod
    def local(m, out, a):
        return (-1,)

    @staticmethod
    def formulas(out, a):
        return ("-1",)


class PowConst(Op):
    """a ** c for a plain-number constant c; local derivative c * a**(c-1).

    Undefined for a == 0 with c < 0 (division by zero) and for a < 0 with a c that is not a
    whole number (the result would be complex).
    """

    name, symbol, takes_const = "pow", "**", True
    singular = True

    @staticmethod
    def forward(m, a, c):
        return m.pow(a, c)

    @staticmethod
    def local(m, out, a, c):
        if c == 0:  # a ** 0 is the constant 1, also at a == 0
            return (a * 0,)
        return (c * m.pow(a, c - 1),)

    @staticmethod
    def formulas(out, a, c):
        if c == 1:
            return ("1",)
        return (f"{_const(c)}*{_power(_wrap(a), c - 1)}",)

    @staticmethod
    def domain(m, a, c):
        if not math.isfinite(c):
            return ValueError, f"the exponent {c} is not a finite number"
        if c < 0 and m.any(a == 0):
            return ZeroDivisionError, f"0 cannot be raised to the negative power {c}"
        if c != int(c) and m.any(a < 0):
            return ValueError, (f"a negative number to the fractional power {c} is complex; "
                                "this engine works with real numbers only")
        return None


class Pow(Op):
    """a ** b where the exponent b is itself differentiable.

    Local derivatives b * a**(b-1) and a**b * log(a). Because of log(a), the base must be
    positive; for a constant exponent use a plain number (``x ** 3``), which is ``PowConst``.
    """

    name, symbol, arity = "powv", "**", 2
    singular = True

    @staticmethod
    def forward(m, a, b):
        return m.pow(a, b)

    @staticmethod
    def local(m, out, a, b):
        return b * m.pow(a, b - 1), out * m.log(a)

    @staticmethod
    def formulas(out, a, b):
        return f"{_wrap(b)}*{_wrap(a)}**({b} - 1)", f"{_wrap(out)}*log({a})"

    @staticmethod
    def domain(m, a, b):
        if m.any(a <= 0):
            return ValueError, ("a ** b with a differentiable exponent b needs a positive base "
                                "a (d/db = a**b * log(a)); for a constant exponent write a "
                                "plain number, as in x ** 2")
        return None


class Exp(Op):
    """exp(a); local derivative exp(a), which is the output itself."""

    name, symbol = "exp", "exp"

    @staticmethod
    def forward(m, a):
        return m.exp(a)

    @staticmethod
    def local(m, out, a):
        return (out,)

    @staticmethod
    def formulas(out, a):
        return (out,)


class Log(Op):
    """Natural logarithm log(a); local derivative 1/a. Undefined for a <= 0."""

    name, symbol = "log", "log"
    singular = True

    @staticmethod
    def forward(m, a):
        return m.log(a)

    @staticmethod
    def local(m, out, a):
        return (1 / a,)

    @staticmethod
    def formulas(out, a):
        return (f"1/{_wrap(a)}",)

    @staticmethod
    def domain(m, a):
        if m.any(a <= 0):
            return ValueError, "log needs a positive input"
        return None


class Tanh(Op):
    """tanh(a); local derivative 1 - tanh(a)**2 = 1 - out**2."""

    name, symbol = "tanh", "tanh"

    @staticmethod
    def forward(m, a):
        return m.tanh(a)

    @staticmethod
    def local(m, out, a):
        return (1 - out * out,)

    @staticmethod
    def formulas(out, a):
        return (f"1 - {_wrap(out)}**2",)


class Sigmoid(Op):
    """The logistic sigmoid 1 / (1 + exp(-a)), the lesson's "squish".

    Local derivative sigmoid(a) * (1 - sigmoid(a)) = out * (1 - out). Computed without
    overflow for inputs of any magnitude.
    """

    name, symbol = "sigmoid", "sigmoid"

    @staticmethod
    def forward(m, a):
        return m.sigmoid(a)

    @staticmethod
    def local(m, out, a):
        return (out * (1 - out),)

    @staticmethod
    def formulas(out, a):
        return (f"{_wrap(out)}*(1 - {_wrap(out)})",)


class Relu(Op):
    """relu(a) = max(a, 0); local derivative 1 where a > 0, else 0 (0 at the kink a = 0)."""

    name, symbol = "relu", "relu"

    @staticmethod
    def forward(m, a):
        return m.relu(a)

    @staticmethod
    def local(m, out, a):
        return (m.step(a),)

    @staticmethod
    def formulas(out, a):
        return (f"(1 if {a} > 0 else 0)",)


OPS: dict[str, type[Op]] = {
    op.name: op for op in (Add, Sub, Mul, Div, Neg, PowConst, Pow, Exp, Log, Tanh, Sigmoid, Relu)
}
"""Every scalar primitive by name. ``Value`` and ``nn.Tensor`` both compute with these."""


class ScalarMath:
    """Math on one Python number (int, float or ``Fraction``) for the operation table.

    Rational operations keep a ``Fraction`` exact. ``exp``, ``log``, ``tanh`` and ``sigmoid``
    have no exact rational result: on a ``Fraction`` they return a ``float`` (and
    ``autograd.Value`` warns with ``InexactWarning`` when that happens).
    """

    any = staticmethod(bool)
    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    tanh = staticmethod(math.tanh)

    @staticmethod
    def pow(a, c):
        return a ** c

    @staticmethod
    def sigmoid(a):
        # Two branches so that exp never sees a large positive argument (no overflow).
        if a >= 0:
            return 1.0 / (1.0 + math.exp(-a))
        e = math.exp(a)
        return e / (1.0 + e)

    @staticmethod
    def relu(a):
        return a if a > 0 else type(a)(0)

    @staticmethod
    def step(a):
        return 1 if a > 0 else 0

