"""Formulas as data: the local derivatives of the operation table, written in the graph's names.

The rules of ``autograd.ops`` are written once, over a math namespace ``m`` (``m.exp(a)``,
``a * b``, ``m.pow(a, c)``). Run them with ``FormulaMath`` on ``Formula`` symbols instead of
numbers and they return the formula itself: ``Mul.local(FormulaMath, y, a, b)`` gives the
formulas ``b`` and ``a``. So the text a table or a picture shows is computed from the very
rule the engine runs, never written a second time.

A ``Formula`` is a small expression tree (a name, a number, or an operation applied to
formulas). It prints as Python-style text (``str``), or as LaTeX (``latex``), and it tidies
itself as it is built (``x * 1`` is ``x``, ``a ** 1`` is ``a``, ``2 * 3`` is ``6``) so the text
reads as a person would write it.

>>> a, b = symbol("a"), symbol("b")
>>> str(3 * FormulaMath.pow(a, 2) * b)
'3*a**2*b'
>>> str(1 - FormulaMath.tanh(a + b) ** 2)
'1 - tanh(a + b)**2'
>>> latex(FormulaMath.pow(symbol("x1"), 2) / 2)
'\\\\frac{x_{1}^{2}}{2}'
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from .math_namespaces import Number

__all__ = ["Formula", "FormulaMath", "symbol", "number", "derivative", "apply_symbol", "latex",
           "latex_number", "expression_text", "LATEX_FUNCTIONS"]

# Python's operator syntax: how tightly each operator binds (higher binds tighter).
_BINARY = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}
_UNARY_MINUS = 3
_ATOM = 5
_FRACTION = 1.5  # between + and *: a + 1/3, but (1/3)*x

LATEX_FUNCTIONS = frozenset({"exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh",
                             "arcsin", "arccos", "arctan"})
"""Function names LaTeX writes as upright operators of its own (``\\exp``, ``\\sin``); any
other function is written ``\\operatorname{name}``."""


class Formula:
    """A formula: a name, a number, or an operation applied to formulas.

    Build them with ``symbol``, ``number`` and the usual operators (``+ - * / **`` and
    unary ``-``), or with ``FormulaMath``'s functions; print them with ``str()`` (Python
    syntax, as the trace table shows them) or ``latex()``.

    Attributes:
        kind: ``"name"``, ``"number"``, ``"call"`` (a function such as ``exp(a)``), ``"neg"``
            or a binary operator (``"+"``, ``"-"``, ``"*"``, ``"/"``, ``"**"``).
        value: the name (str) or the number, for the first two kinds.
        args: the formulas an operation is applied to.
        function: the function's name, for ``"call"``.
    """

    __slots__ = ("kind", "value", "args", "function")
    __array_ufunc__ = None  # so that NumPy never tries to treat a formula as an array

    def __init__(self, kind: str, value: Any = None, args: tuple[Formula, ...] = (),
                 function: str = "") -> None:
        self.kind, self.value, self.args, self.function = kind, value, args, function

    # ----------------------------------------------------------------- building

    def __add__(self, other: Formula | Number) -> Formula:
        return _binary("+", self, other)

    def __radd__(self, other: Formula | Number) -> Formula:
        return _binary("+", other, self)

    def __sub__(self, other: Formula | Number) -> Formula:
        return _binary("-", self, other)

    def __rsub__(self, other: Formula | Number) -> Formula:
        return _binary("-", other, self)

    def __mul__(self, other: Formula | Number) -> Formula:
        return _binary("*", self, other)

    def __rmul__(self, other: Formula | Number) -> Formula:
        return _binary("*", other, self)

    def __truediv__(self, other: Formula | Number) -> Formula:
        return _binary("/", self, other)

    def __rtruediv__(self, other: Formula | Number) -> Formula:
        return _binary("/", other, self)

    def __pow__(self, other: Formula | Number) -> Formula:
        return _binary("**", self, other)

    def __rpow__(self, other: Formula | Number) -> Formula:
        return _binary("**", other, self)

    def __neg__(self) -> Formula:
        if self.kind == "number":
            return number(-self.value)
        if self.kind == "neg":
            return self.args[0]
        return Formula("neg", args=(self,))

    def __bool__(self) -> bool:
        raise TypeError("a formula has no truth value: a rule that branches on its inputs' "
                        "values (if a > 0: ...) cannot be written as a formula; use the "
                        "math namespace's step or sign instead")

    # ----------------------------------------------------------------- reading

    def is_number(self, value: Number | None = None) -> bool:
        """True for a number (equal to ``value``, if given)."""
        return self.kind == "number" and (value is None or self.value == value)

    def names(self) -> set[str]:
        """Every name the formula uses."""
        if self.kind == "name":
            return {self.value}
        return set().union(*(a.names() for a in self.args)) if self.args else set()

    def __str__(self) -> str:
        return _text(self)

    def __repr__(self) -> str:
        return f"Formula({_text(self)!r})"


def symbol(name: str) -> Formula:
    """A name in a formula: ``symbol("x1")``, ``symbol("y_true-y_pred")`` (a compound name is
    parenthesised where it stands next to an operator)."""
    return Formula("name", str(name))


def number(value: Formula | Number) -> Formula:
    """A number in a formula (int, float or Fraction); a formula is returned as it is."""
    if isinstance(value, Formula):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise TypeError(f"a formula holds names and numbers, got {type(value).__name__} "
                        f"{value!r}")
    return Formula("number", value)


def derivative(of: Formula | str, by: Formula | str) -> Formula:
    """The derivative of ``of`` with respect to ``by``: ``df/dx`` (``\\frac{\\partial f}{\\partial
    x}`` in LaTeX).

    >>> str(derivative("f", "x2"))
    'df/dx2'
    """
    top = symbol(of) if isinstance(of, str) else of
    bottom = symbol(by) if isinstance(by, str) else by
    return Formula("derivative", args=(top, bottom))


def apply_symbol(symbol_: str, *args: Formula | Number) -> Formula:
    """An operation written with its table symbol: ``apply_symbol("*", a, b)`` is ``a * b``,
    ``apply_symbol("-", a)`` is ``-a``, ``apply_symbol("exp", a)`` is ``exp(a)``."""
    if len(args) == 2 and symbol_ in _BINARY:
        return _binary(symbol_, *args)
    if len(args) == 1 and symbol_ == "-":
        return -number(args[0])
    return Formula("call", args=tuple(number(a) for a in args), function=symbol_)


def _binary(op: str, a: Formula | Number, b: Formula | Number) -> Formula:
    """``a op b``, tidied: 0 and 1 vanish where they change nothing, numbers are folded."""
    a, b = number(a), number(b)
    if a.kind == "number" and b.kind == "number":
        folded = _fold(op, a.value, b.value)
        if folded is not None:
            return number(folded)
    if op == "+":
        if a.is_number(0):
            return b
        if b.is_number(0):
            return a
        if b.kind == "neg":
            return _binary("-", a, b.args[0])
    elif op == "-":
        if b.is_number(0):
            return a
        if a.is_number(0):
            return -b
        if b.kind == "neg":
            return _binary("+", a, b.args[0])
    elif op == "*":
        if a.is_number(0) or b.is_number(0):
            return number(0)
        if a.is_number(1):
            return b
        if b.is_number(1):
            return a
        if a.is_number(-1):
            return -b
        if b.is_number(-1):
            return -a
        if a.kind == "neg" and b.kind == "neg":
            return _binary("*", a.args[0], b.args[0])
        if b.kind == "/" and b.args[0].is_number(1):  # a * (1/c) is a/c
            return _binary("/", a, b.args[1])
        if b.kind == "neg":
            return -_binary("*", a, b.args[0])
        if a.kind == "neg":
            return -_binary("*", a.args[0], b)
    elif op == "/":
        if b.is_number(1):
            return a
        if a.is_number(0) and not b.is_number(0):
            return number(0)
        if a.kind == "neg":
            return -_binary("/", a.args[0], b)
    elif op == "**":
        if b.is_number(1):
            return a
        if b.is_number(0):
            return number(1)
    return Formula(op, args=(a, b))


def _fold(op: str, a: Number, b: Number) -> Number | None:
    """``a op b`` for two numbers, where it is exact (ints, Fractions); else None."""
    if isinstance(a, float) or isinstance(b, float):
        return None
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0:
                return None
            quotient = Fraction(a) / Fraction(b)
            return quotient.numerator if quotient.denominator == 1 else quotient
        if op == "**" and isinstance(b, int) and abs(b) <= 8 and -10 ** 6 < a < 10 ** 6:
            return Fraction(a) ** b if b < 0 else a ** b
    except (ArithmeticError, TypeError, ValueError):
        return None
    return None


class _FormulaMath:
    """The math namespace of formulas: every function builds the formula of its call.

    ``FormulaMath.exp(a)`` is the formula ``exp(a)``; ``FormulaMath.pow(a, 3)`` is ``a**3``;
    any name works (``FormulaMath.softplus(a)`` is ``softplus(a)``), so the rules of a user's
    own operation print too.
    """

    @staticmethod
    def pow(a: Formula | Number, c: Formula | Number) -> Formula:
        return _binary("**", a, c)

    @staticmethod
    def any(condition: object) -> bool:  # domain checks never run on formulas
        raise TypeError("domain checks need numbers, not formulas")

    def __getattr__(self, name: str) -> Callable[..., Formula]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Formula | Number) -> Formula:
            return apply_symbol(name, *args)

        call.__name__ = name
        return call


FormulaMath = _FormulaMath()


# ------------------------------------------------------------------------- text

def _number_text(x: object) -> str:
    # The exact form, so that a formula's text computes exactly what its rule does.
    from .text import number as format_number  # the one number formatter

    return format_number(x, exact=True)


def _precedence(f: Formula) -> float:
    if f.kind in _BINARY:
        return _BINARY[f.kind]
    if f.kind == "neg":
        return _UNARY_MINUS
    if f.kind == "number":
        text = _number_text(f.value)
        if "/" in text:  # a fraction is parenthesised next to * / ** too: (1/3)*x**(-2/3)
            return _FRACTION
        if text.startswith("-"):
            return _UNARY_MINUS
        return _ATOM
    if f.kind == "name" and not _simple_name(f.value):
        try:  # a number given as text, as error messages write inputs: "-8.0", "≈1e+400"
            float(f.value.lstrip("≈"))
        except ValueError:
            return 0  # a compound label such as "y_true-y_pred": always parenthesised
        return 0 if f.value.startswith("-") else _ATOM  # a negative one always in (...)
    return _ATOM


def _simple_name(name: str) -> bool:
    """Whether a name can stand next to an operator as it is (``x1``, ``w=2.5``, not
    ``y_true-y_pred`` or ``a b``)."""
    return not any(ch in name for ch in " +-*/")


def _text(f: Formula, spaced: bool = False) -> str:
    """Python-style text: spaces around + and -, none around * / ** (``spaced``: around every
    operator at the top level, as in a definition ``n1 = 2 * x1``)."""
    if f.kind == "name":
        return f.value
    if f.kind == "number":
        return _number_text(f.value)
    if f.kind == "call":
        return f"{f.function}({', '.join(_text(a) for a in f.args)})"
    if f.kind == "derivative":
        return f"d{_text(f.args[0])}/d{_text(f.args[1])}"
    if f.kind == "neg":  # -a*b is -(a*b); only a sum, or a negative, needs parentheses
        inner = _precedence(f.args[0])
        text = _text(f.args[0])
        return f"-({text})" if inner < _BINARY["*"] or inner == _UNARY_MINUS else f"-{text}"
    level = _BINARY[f.kind]
    left = _operand(f.args[0], level, right=False, power=f.kind == "**", parent=f.kind)
    right = _operand(f.args[1], level, right=True, power=f.kind == "**", parent=f.kind)
    gap = " " if spaced or f.kind in ("+", "-") else ""
    return f"{left}{gap}{f.kind}{gap}{right}"


def _operand(f: Formula, level: int, right: bool, power: bool = False, parent: str = "") -> str:
    """An operand's text, parenthesised if it binds more loosely than its operator needs."""
    inner = _precedence(f)
    text = _text(f)
    if power and right and _negative_text(f):  # x ** -1, as Python writes it
        return text
    if power:  # ** binds to the right, and -a ** 2 means -(a ** 2)
        need = inner <= level if not right else inner < _UNARY_MINUS
    else:  # a - (b + c) and a / (b * c) keep their parentheses; a * (b * c) needs none
        need = inner < level or (right and inner == level and parent in ("-", "/"))
    return f"({text})" if need else text


def _negative_text(f: Formula) -> bool:
    """A negative number given as text (``"-1"``), as error messages write operands."""
    if f.kind != "name" or not f.value.startswith("-"):
        return False
    try:
        float(f.value)
    except ValueError:
        return False
    return True


def expression_text(f: Formula) -> str:
    """The text of one operation applied to its inputs, spaced as a definition is written:
    ``2 * x1``, ``v ** 3``, ``exp(u)``, ``-n1``."""
    return _text(f, spaced=True)


# ------------------------------------------------------------------------- LaTeX

_NAME_PARTS = re.compile(r"([A-Za-z]+)(\d+)$")


def _latex_name(name: str) -> str:
    """``x1`` -> ``x_{1}``, ``y_true`` -> ``y_{\\text{true}}``, ``w`` -> ``w``."""
    match = _NAME_PARTS.fullmatch(name)
    if match:
        return f"{match.group(1)}_{{{match.group(2)}}}"
    if name.isidentifier() and not keyword.iskeyword(name):
        head, _, tail = name.partition("_")
        if tail:
            return f"{_latex_name(head)}_{{\\text{{{tail.replace('_', ' ')}}}}}"
        return name if len(name) == 1 else f"\\mathit{{{name}}}"
    return f"\\text{{{name}}}"


def latex_number(x: object) -> str:
    """A number in LaTeX: fractions as ``\\frac{p}{q}``, others as the trace shows them."""
    if isinstance(x, Fraction) and x.denominator != 1:
        sign = "-" if x < 0 else ""
        return f"{sign}\\frac{{{abs(x.numerator)}}}{{{x.denominator}}}"
    text = _number_text(x)
    if "e" in text and not text.startswith(("in", "-in")) and "nan" not in text:
        mantissa, _, exponent = text.partition("e")
        return f"{mantissa} \\times 10^{{{int(exponent)}}}"
    return text


def latex(f: Formula, functions: Mapping[str, str] | None = None) -> str:
    """The formula in LaTeX: ``\\frac`` for division, ``\\cdot`` for products, superscript
    powers; ``functions`` maps a function's name to a template such as ``\\sqrt{%s}`` (the
    operation table's own notation), else ``\\exp``-style or ``\\operatorname{name}``."""
    if f.kind == "name":
        return _latex_name(f.value)
    if f.kind == "number":
        return latex_number(f.value)
    if f.kind == "call":
        args = ", ".join(latex(a, functions) for a in f.args)
        template = (functions or {}).get(f.function)
        if template:
            return template.replace("%s", args)
        head = (f"\\{f.function}" if f.function in LATEX_FUNCTIONS
                else f"\\operatorname{{{f.function}}}")
        return f"{head}\\left({args}\\right)"
    if f.kind == "derivative":
        top, bottom = (latex(a, functions) for a in f.args)
        return f"\\frac{{\\partial {top}}}{{\\partial {bottom}}}"
    if f.kind == "neg":
        inner, level = latex(f.args[0], functions), _precedence(f.args[0])
        if level < _BINARY["*"] or level == _UNARY_MINUS:
            return f"-\\left({inner}\\right)"
        return f"-{inner}"
    a, b = f.args
    if f.kind == "/":
        return f"\\frac{{{latex(a, functions)}}}{{{latex(b, functions)}}}"
    if f.kind == "**":
        base = latex(a, functions)
        if _precedence(a) < _ATOM or a.kind == "call":
            base = f"\\left({base}\\right)"
        return f"{base}^{{{latex(b, functions)}}}"
    level = _BINARY[f.kind]

    def side(g: Formula, right: bool) -> str:
        text = latex(g, functions)
        inner = _precedence(g) if g.kind != "/" else _ATOM  # a fraction bar groups by itself
        need = inner < level or (right and inner == level and f.kind == "-")
        return f"\\left({text}\\right)" if need else text

    operator = {"+": " + ", "-": " - ", "*": " \\cdot "}[f.kind]
    return side(a, False) + operator + side(b, True)
