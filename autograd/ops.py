"""The operation table: each primitive's forward rule and local derivatives, defined once.

Every operation the engine knows is one class below, listed in ``OPS`` by name. A class says

* ``forward(m, *inputs)``: the operation's output, computed with the math namespace ``m``;
* ``local(m, out, *inputs)``: the local derivative of the output with respect to each input,
  d out / d input_i, given the output and the inputs (the chain rule multiplies these);
* ``formulas(m, out, *inputs)`` (optional): the same local derivatives as a person writes
  them, if that differs from how they are best computed (d(a/b)/db is computed as -out/b and
  written -a/b**2); by default, ``local`` itself;
* ``domain(m, *inputs)`` (optional): ``None`` when the inputs are allowed, else
  ``(exception class, reason)``, so a domain error is raised before anything silently becomes
  NaN or complex.

``m`` is a math namespace (``autograd.math_namespaces``): ``ScalarMath`` for Python numbers
(``autograd.Value``), NumPy's for arrays (``nn.Tensor``), sympy's for the simplifier, and
``autograd.formula.FormulaMath``, which runs the same rules on names and so gives the text of
every formula shown in tables and pictures. A rule is written once and every engine and every
display reads it. Operations that take a plain-number constant (``x ** 3``) receive it as their
last input and declare ``takes_const = True``.

The derivative rules are the standard ones (any calculus text; the lesson "How networks
learn", part "The Chain Rule", shows how the engine multiplies them). To add an operation of
your own, subclass ``Op`` and register it with ``autograd.register_op``; ``python -m autograd
ops`` lists the table.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Protocol

from .formula import Formula, FormulaMath, expression_text, number, symbol
from .math_namespaces import MathNamespace, Number, Operand

if TYPE_CHECKING:  # the text layer reads this table: at run time it is imported where used
    from .text import Table

__all__ = ["Op", "OPS", "BUILTIN_OPS", "find_op", "operations_table", "Add", "Sub", "Mul", "Div",
           "Neg", "PowConst", "Pow", "Exp", "Log", "Sqrt", "Sin", "Cos", "Tanh", "Sigmoid", "Relu",
           "Step", "Abs", "Sign", "DomainError", "Input"]

DomainError = tuple[type[Exception], str]
"""What ``Op.domain`` returns for inputs outside an operation's domain: the exception class to
raise and the reason, such as ``(ZeroDivisionError, "division by zero: the denominator is 0")``."""


class Input(Protocol):
    """An input of an operation: an ``autograd.Value`` or an ``nn.Tensor``, whose ``data`` the
    rules compute with."""

    data: Any


class Op:
    """One primitive operation. Subclasses fill in the class attributes and static methods.

    Attributes:
        name: short identifier, e.g. ``"mul"``; an operation written as a function
            (``exp(x)``) is called by its name in expressions and as a method (``x.exp()``).
        symbol: how the operation is written: an operator (``"*"``, ``"**"``, ``"-"``) or, for
            a function, its name.
        arity: number of differentiable inputs (Values or Tensors): 1 or 2.
        takes_const: whether a plain-number constant follows the inputs (``x ** c``).
        elementwise: whether the local derivative is per element (true for every scalar op;
            tensor-only operations such as matmul give a vector-Jacobian product instead).
        singular: whether a local derivative can overflow to inf although the inputs and the
            output are finite (near a singularity: 1/b for tiny b); the scalar engine checks
            the local derivatives of these operations.
        latex: how LaTeX writes the operation applied to its input (``"\\\\sqrt{%s}"``), if not
            as ``\\\\name(x)``.
        restricted: whether the class defines ``domain`` (set automatically), so that the
            engines call ``domain`` only for the operations that have one.
        activation: whether a layer may apply it to its weighted sums by name
            (``nn.MLP(..., activation="tanh")``, ``nn.Activation("tanh")``).
    """

    name = ""
    symbol = ""
    arity = 1
    takes_const = False
    elementwise = True
    singular = False
    latex: str | None = None
    restricted = False
    activation = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.restricted = cls.domain is not Op.domain

    @staticmethod
    def forward(m: MathNamespace, *inputs: Operand) -> Operand:  # pragma: no cover - abstract
        """The output, computed with the math namespace ``m``."""
        raise NotImplementedError

    @staticmethod
    def local(m: MathNamespace, out: Operand,
              *inputs: Operand) -> tuple[Operand, ...]:  # pragma: no cover - abstract
        """A tuple: d out / d input_i for each input, from the output and the inputs."""
        raise NotImplementedError

    @classmethod
    def formulas(cls, m: MathNamespace, out: Operand, *inputs: Operand) -> tuple[Operand, ...]:
        """The local derivatives as a person writes them; by default, ``local`` itself."""
        return cls.local(m, out, *inputs)

    @staticmethod
    def domain(m: MathNamespace, *inputs: Operand) -> DomainError | None:
        """None if the inputs are allowed, else ``(exception class, reason)``."""
        return None

    @classmethod
    def is_function(cls) -> bool:
        """Whether the operation is written as a function of its inputs, ``exp(x)``."""
        return cls.symbol.isidentifier()

    @classmethod
    def arguments(cls, a: Input, b: Input | None = None,
                  const: Number | None = None) -> tuple[Operand, ...]:
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
    def applied(cls, *operands: str | Number) -> Formula:
        """The operation applied to its operands (names as text, or numbers), as a formula.

        >>> str(Mul.applied("a", "b")), str(Exp.applied("u")), str(PowConst.applied("x", 3))
        ('a*b', 'exp(u)', 'x**3')
        """
        args = tuple(symbol(x) if isinstance(x, str) else number(x) for x in operands)
        if cls.is_function():
            return Formula("call", args=args, function=cls.symbol)
        if len(args) == 1:
            return Formula("neg", args=args)
        return Formula(cls.symbol, args=args)

    @classmethod
    def expression(cls, *operands: str | Number) -> str:
        """The operation applied to its operands as a definition writes it: ``a * b``,
        ``exp(u)``, ``x ** 3``, ``-n1``.

        >>> Mul.expression("a", "b"), Neg.expression("n1"), PowConst.expression("x", 3)
        ('a * b', '-n1', 'x ** 3')
        """
        return expression_text(cls.applied(*operands))


class Add(Op):
    """a + b: the sum of the two inputs.

    Local derivatives: d(a + b)/da = 1, d(a + b)/db = 1.
    Domain: all real numbers.

    >>> from autograd import Value
    >>> a, b = Value(3.0), Value(4.0)
    >>> y = a + b; y.backward()
    >>> y.data, a.grad, b.grad
    (7.0, 1, 1)
    """

    name, symbol, arity = "add", "+", 2

    @staticmethod
    def forward(m: MathNamespace, a: Operand, b: Operand) -> Operand:
        return a + b

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand, b: Operand) -> tuple[Operand, ...]:
        return 1, 1


class Sub(Op):
    """a - b: the first input minus the second.

    Local derivatives: d(a - b)/da = 1, d(a - b)/db = -1.
    Domain: all real numbers.

    >>> from autograd import Value
    >>> a, b = Value(3.0), Value(4.0)
    >>> y = a - b; y.backward()
    >>> y.data, a.grad, b.grad
    (-1.0, 1, -1)
    """

    name, symbol, arity = "sub", "-", 2

    @staticmethod
    def forward(m: MathNamespace, a: Operand, b: Operand) -> Operand:
        return a - b

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand, b: Operand) -> tuple[Operand, ...]:
        return 1, -1


class Mul(Op):
    """a * b: the product of the two inputs.

    Local derivatives: d(a * b)/da = b, d(a * b)/db = a.
    Domain: all real numbers.

    >>> from autograd import Value
    >>> a, b = Value(3.0), Value(4.0)
    >>> y = a * b; y.backward()
    >>> y.data, a.grad, b.grad
    (12.0, 4.0, 3.0)
    """

    name, symbol, arity = "mul", "*", 2

    @staticmethod
    def forward(m: MathNamespace, a: Operand, b: Operand) -> Operand:
        return a * b

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand, b: Operand) -> tuple[Operand, ...]:
        return b, a


class Div(Op):
    """a / b: the first input divided by the second.

    Local derivatives: d(a / b)/da = 1/b, d(a / b)/db = -a/b**2.
    Domain: b != 0 (ZeroDivisionError otherwise).

    >>> from autograd import Value
    >>> a, b = Value(3.0), Value(2.0)
    >>> y = a / b; y.backward()
    >>> y.data, a.grad, b.grad
    (1.5, 0.5, -0.75)
    """

    name, symbol, arity = "div", "/", 2
    singular = True

    @staticmethod
    def forward(m: MathNamespace, a: Operand, b: Operand) -> Operand:
        return a / b

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand, b: Operand) -> tuple[Operand, ...]:
        return 1 / b, -out / b  # -a/b**2, without b*b underflowing to 0

    @staticmethod
    def formulas(m: MathNamespace, out: Operand, a: Operand, b: Operand) -> tuple[Operand, ...]:
        return 1 / b, -a / m.pow(b, 2)

    @staticmethod
    def domain(m: MathNamespace, a: Operand, b: Operand) -> DomainError | None:
        if m.any(b == 0):
            return ZeroDivisionError, "division by zero: the denominator is 0"
        return None


class Neg(Op):
    """-a: the input with its sign flipped.

    Local derivative: d(-a)/da = -1.
    Domain: all real numbers.

    >>> from autograd import Value
    >>> a = Value(3.0)
    >>> y = -a; y.backward()
    >>> y.data, a.grad
    (-3.0, -1)
    """

    name, symbol = "neg", "-"

    @staticmethod
    def forward(m: MathNamespace, a: Operand) -> Operand:
        return -a

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand) -> tuple[Operand, ...]:
        return (-1,)


class PowConst(Op):
    """a ** c: the input to the power of a plain-number constant c (``x ** 3``).

    Local derivative: d(a ** c)/da = c * a**(c - 1) (and 0 for c = 0).
    Domain: a != 0 when c < 0 (ZeroDivisionError); a >= 0 when c is not a whole number (the
    result would be complex: ValueError). For an exponent that is itself a Value, see ``Pow``.

    >>> from autograd import Value
    >>> a = Value(3.0)
    >>> y = a ** 2; y.backward()
    >>> y.data, a.grad
    (9.0, 6.0)
    """

    name, symbol, takes_const = "pow_const", "**", True
    singular = True

    @staticmethod
    def forward(m: MathNamespace, a: Operand, c: Number) -> Operand:
        return m.pow(a, c)

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand, c: Number) -> tuple[Operand, ...]:
        if c == 0:  # a ** 0 is the constant 1, also at a == 0
            return (_zero(m, a),)
        return (c * m.pow(a, c - 1),)

    @staticmethod
    def domain(m: MathNamespace, a: Operand, c: Number) -> DomainError | None:
        try:
            finite_exponent = math.isfinite(c)
        except OverflowError:  # an int or Fraction beyond the float range
            from .text import number as shown  # here: the text layer reads this table

            return OverflowError, (f"the exponent {shown(c)} is too large: a power of it is "
                                   "larger than any float, or too large to compute exactly")
        if not finite_exponent:
            return ValueError, f"the exponent {c} is not a finite number"
        if c < 0 and m.any(a == 0):
            return ZeroDivisionError, f"0 cannot be raised to the negative power {c}"
        if c != int(c) and m.any(a < 0):
            return ValueError, (f"a negative number to the fractional power {c} is complex; "
                                "this engine works with real numbers only")
        return None


class Pow(Op):
    """a ** b: the first input to the power of the second, both differentiable (``x ** y``).

    Local derivatives: d(a ** b)/da = b * a**(b - 1), d(a ** b)/db = a**b * log(a).
    Domain: a > 0, because of log(a) (ValueError otherwise). For a constant exponent write a
    plain number (``x ** 3``), which is ``PowConst``.

    >>> from autograd import Value
    >>> a, b = Value(2.0), Value(3.0)
    >>> y = a ** b; y.backward()
    >>> y.data, a.grad, round(b.grad, 4)
    (8.0, 12.0, 5.5452)
    """

    name, symbol, arity = "pow", "**", 2
    singular = True

    @staticmethod
    def forward(m: MathNamespace, a: Operand, b: Operand) -> Operand:
        return m.pow(a, b)

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand, b: Operand) -> tuple[Operand, ...]:
        return b * m.pow(a, b - 1), out * m.log(a)

    @staticmethod
    def domain(m: MathNamespace, a: Operand, b: Operand) -> DomainError | None:
        if m.any(a <= 0):
            return ValueError, ("a ** b with a differentiable exponent b needs a positive base "
                                "a (d/db = a**b * log(a)); for a constant exponent write a "
                                "plain number, as in x ** 2")
        return None


class Exp(Op):
    """exp(a): e to the power of the input.

    Local derivative: d exp(a)/da = exp(a), the output itself.
    Domain: all real numbers (OverflowError above about 709.78, where the result would be
    larger than the largest float).

    >>> from autograd import Value
    >>> a = Value(0.0)
    >>> y = a.exp(); y.backward()
    >>> y.data, a.grad
    (1.0, 1.0)
    """

    name = symbol = "exp"

    @staticmethod
    def forward(m: MathNamespace, a: Operand) -> Operand:
        return m.exp(a)

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand) -> tuple[Operand, ...]:
        return (out,)


class Log(Op):
    """log(a): the natural logarithm of the input.

    Local derivative: d log(a)/da = 1/a.
    Domain: a > 0 (ValueError otherwise).

    >>> from autograd import Value
    >>> a = Value(2.0)
    >>> y = a.log(); y.backward()
    >>> round(y.data, 6), a.grad
    (0.693147, 0.5)
    """

    name = symbol = "log"
    singular = True

    @staticmethod
    def forward(m: MathNamespace, a: Operand) -> Operand:
        return m.log(a)

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand) -> tuple[Operand, ...]:
        return (1 / a,)

    @staticmethod
    def domain(m: MathNamespace, a: Operand) -> DomainError | None:
        if m.any(a <= 0):
            return ValueError, "log needs a positive input"
        return None


class Sqrt(Op):
    """sqrt(a): the square root of the input.

    Local derivative: d sqrt(a)/da = 1/(2*sqrt(a)), undefined at a = 0 (ZeroDivisionError in
    backward).
    Domain: a >= 0 (ValueError otherwise). On a Fraction whose root is rational the result is
    exact (sqrt(9/4) = 3/2); otherwise it is a float (with ``InexactWarning`` on a Fraction).

    >>> from autograd import Value
    >>> from fractions import Fraction
    >>> a = Value(Fraction(9, 4))
    >>> y = a.sqrt(); y.backward()
    >>> y.data, a.grad
    (Fraction(3, 2), Fraction(1, 3))
    """

    name = symbol = "sqrt"
    singular = True
    latex = "\\sqrt{%s}"

    @staticmethod
    def forward(m: MathNamespace, a: Operand) -> Operand:
        return m.sqrt(a)

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand) -> tuple[Operand, ...]:
        return (1 / (2 * out),)

    @staticmethod
    def formulas(m: MathNamespace, out: Operand, a: Operand) -> tuple[Operand, ...]:
        return (1 / (2 * m.sqrt(a)),)

    @staticmethod
    def domain(m: MathNamespace, a: Operand) -> DomainError | None:
        if m.any(a < 0):
            return ValueError, ("sqrt needs an input >= 0 (the root of a negative number is "
                                "complex; this engine works with real numbers only)")
        return None


class Sin(Op):
    """sin(a): the sine of the input, in radians.

    Local derivative: d sin(a)/da = cos(a).
    Domain: all real numbers.

    >>> from autograd import Value
    >>> a = Value(0.0)
    >>> y = a.sin(); y.backward()
    >>> y.data, a.grad
    (0.0, 1.0)
    """

    name = symbol = "sin"

    @staticmethod
    def forward(m: MathNamespace, a: Operand) -> Operand:
        return m.sin(a)

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand) -> tuple[Operand, ...]:
        return (m.cos(a),)


class Cos(Op):
    """cos(a): the cosine of the input, in radians.

    Local derivative: d cos(a)/da = -sin(a).
    Domain: all real numbers.

    >>> from autograd import Value
    >>> a = Value(1.0)
    >>> y = a.cos(); y.backward()
    >>> round(y.data, 4), round(a.grad, 4)
    (0.5403, -0.8415)
    """

    name = symbol = "cos"

    @staticmethod
    def forward(m: MathNamespace, a: Operand) -> Operand:
        return m.cos(a)

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand) -> tuple[Operand, ...]:
        return (-m.sin(a),)


class Tanh(Op):
    """tanh(a): the hyperbolic tangent of the input, between -1 and 1.

    Local derivative: d tanh(a)/da = 1 - tanh(a)**2 = 1 - out**2.
    Domain: all real numbers.

    >>> from autograd import Value
    >>> a = Value(0.0)
    >>> y = a.tanh(); y.backward()
    >>> y.data, a.grad
    (0.0, 1.0)
    """

    name = symbol = "tanh"
    activation = True

    @staticmethod
    def forward(m: MathNamespace, a: Operand) -> Operand:
        return m.tanh(a)

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand) -> tuple[Operand, ...]:
        return (1 - out * out,)

    @staticmethod
    def formulas(m: MathNamespace, out: Operand, a: Operand) -> tuple[Operand, ...]:
        return (1 - m.pow(out, 2),)


class Sigmoid(Op):
    """sigmoid(a) = 1 / (1 + exp(-a)): the logistic function, the lesson's "squish".

    Local derivative: d sigmoid(a)/da = sigmoid(a) * (1 - sigmoid(a)) = out * (1 - out).
    Domain: all real numbers (computed without overflow for inputs of any size).

    >>> from autograd import Value
    >>> a = Value(0.0)
    >>> y = a.sigmoid(); y.backward()
    >>> y.data, a.grad
    (0.5, 0.25)
    """

    name = symbol = "sigmoid"
    activation = True
    latex = "\\sigma\\left(%s\\right)"

    @staticmethod
    def forward(m: MathNamespace, a: Operand) -> Operand:
        return m.sigmoid(a)

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand) -> tuple[Operand, ...]:
        return (out * (1 - out),)


class Relu(Op):
    """relu(a) = max(a, 0): the input where it is positive, else 0.

    Local derivative: d relu(a)/da = step(a): 1 where a > 0, else 0 (0 at the kink a = 0,
    the convention PyTorch uses).
    Domain: all real numbers.

    >>> from autograd import Value
    >>> a = Value(-2.0)
    >>> y = a.relu(); y.backward()
    >>> y.data, a.grad
    (0.0, 0.0)
    """

    name = symbol = "relu"
    activation = True

    @staticmethod
    def forward(m: MathNamespace, a: Operand) -> Operand:
        return m.relu(a)

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand) -> tuple[Operand, ...]:
        return (m.step(a),)


class Step(Op):
    """step(a): 1 where the input is positive, else 0 (the derivative of relu).

    Local derivative: d step(a)/da = 0 (at the jump a = 0 it is undefined; 0 is used there,
    so that relu's second derivative is 0 everywhere, as in PyTorch).
    Domain: all real numbers.

    >>> from autograd import Value
    >>> a = Value(2.5)
    >>> y = a.step(); y.backward()
    >>> y.data, a.grad
    (1.0, 0.0)
    """

    name = symbol = "step"

    @staticmethod
    def forward(m: MathNamespace, a: Operand) -> Operand:
        return m.step(a)

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand) -> tuple[Operand, ...]:
        return (_zero(m, a),)


class Abs(Op):
    """abs(a) = |a|: the input without its sign.

    Local derivative: d|a|/da = sign(a): 1 where a > 0, -1 where a < 0, and 0 at the kink
    a = 0 (the convention PyTorch uses).
    Domain: all real numbers.

    >>> from autograd import Value
    >>> a = Value(-3.0)
    >>> y = abs(a); y.backward()
    >>> y.data, a.grad
    (3.0, -1.0)
    """

    name = symbol = "abs"
    latex = "\\left|%s\\right|"

    @staticmethod
    def forward(m: MathNamespace, a: Operand) -> Operand:
        return m.abs(a)

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand) -> tuple[Operand, ...]:
        return (m.sign(a),)


class Sign(Op):
    """sign(a): 1 where the input is positive, -1 where it is negative, 0 at 0 (the
    derivative of abs).

    Local derivative: d sign(a)/da = 0 (at the jump a = 0 it is undefined; 0 is used there).
    Domain: all real numbers.

    >>> from autograd import Value
    >>> a = Value(-0.5)
    >>> y = a.sign(); y.backward()
    >>> y.data, a.grad
    (-1.0, 0.0)
    """

    name = symbol = "sign"

    @staticmethod
    def forward(m: MathNamespace, a: Operand) -> Operand:
        return m.sign(a)

    @staticmethod
    def local(m: MathNamespace, out: Operand, a: Operand) -> tuple[Operand, ...]:
        return (_zero(m, a),)


def _zero(m: MathNamespace, a: Operand) -> Operand:
    """A local derivative of 0 in the input's shape and type (0.0 for a float, zeros for an
    array, Fraction(0) for a Fraction), and NaN where the input is NaN: 0 * |a|, which unlike
    a * 0 is never -0.0."""
    return 0 * m.abs(a)


BUILTIN_OPS: tuple[type[Op], ...] = (Add, Sub, Mul, Div, Neg, PowConst, Pow, Exp, Log, Sqrt,
                                     Sin, Cos, Tanh, Sigmoid, Relu, Step, Abs, Sign)
"""The operations tracegrad ships with, in the order ``python -m autograd ops`` lists them."""

OPS: dict[str, type[Op]] = {op.name: op for op in BUILTIN_OPS}
"""Every scalar primitive by name: the built-in ones, and any registered with
``autograd.register_op``. ``Value`` and ``nn.Tensor`` both compute with these."""


def find_op(symbol_: str, arity: int, takes_const: bool = False) -> type[Op] | None:
    """The operation written with ``symbol_`` taking ``arity`` inputs (and a constant), if any.

    >>> find_op("*", 2).name, find_op("-", 1).name, find_op("**", 1, takes_const=True).name
    ('mul', 'neg', 'pow_const')
    """
    for op in OPS.values():
        if op.symbol == symbol_ and op.arity == arity and op.takes_const == takes_const:
            return op
    return None


def _domain_text(op: type[Op]) -> str:
    """The ``Domain:`` paragraph of an operation's docstring, without its remarks in
    parentheses, up to its first full stop."""
    lines = (op.__doc__ or "").splitlines()
    for k, line in enumerate(lines):
        if line.strip().startswith("Domain:"):
            paragraph = [line.strip()[len("Domain:"):]]
            for more in lines[k + 1:]:
                if not more.strip():
                    break
                paragraph.append(more.strip())
            text = re.sub(r"\s\([^()]*\)", "", " ".join(paragraph)).strip()
            return text.split(". ")[0].rstrip(".")
    return "restricted (see its domain rule)" if op.restricted else "all real numbers"


def operations_table() -> Table:
    """Every operation of the table: how it is written, its local derivatives, its domain.

    Returns:
        an ``autograd.text.Table`` (print it, or ``.render("markdown")``).

    >>> print(operations_table().render("markdown").splitlines()[4])
    | add | a + b | d/da = 1, d/db = 1 | all real numbers |
    """
    from .text import Table  # the text layer reads this table; imported here, not at the top

    rows = []
    for op in OPS.values():
        names = ["a", "b"][:op.arity] + (["c"] if op.takes_const else [])
        operands = [symbol(n) for n in names]
        written = op.expression(*names)
        rules = op.formulas(FormulaMath, symbol("out"), *operands)
        derivatives = ", ".join(f"d/d{name} = {number(rule)}"
                                for name, rule in zip(names[:op.arity], rules))
        rows.append((op.name, written, derivatives, _domain_text(op)))
    return Table(("name", "written", "local derivatives", "domain"), rows, wrap=3,
                 title=f"the operation table: {len(rows)} operations",
                 notes=["(a and b are the inputs, c a plain-number constant, out the output)"])
