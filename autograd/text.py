"""The text every output shares: numbers, node names, definitions, formulas and tables.

One place formats a number (``number``), names the nodes of a graph (``node_names``), writes
how a node was made (``definition``, ``forward_line``), writes a local derivative in the
graph's names (``local_formula``), and lays out a table (``Table``). The trace table, the
stepper, the paths, the checker's reports, the pictures, the command line and the demos all
use these, so the same number or name reads the same everywhere.

A ``Table`` holds data, not text: its cells are numbers, formulas (``autograd.formula``) and
words, and each renderer (``text``, ``markdown``, ``latex``) writes them its own way, so an
exact 5776/81 stays a fraction in every one of them (``\\frac{5776}{81}`` in LaTeX).

>>> from autograd import Value
>>> x = Value(3, label="x")
>>> y = 2 * x + 1
>>> names = node_names(y)
>>> [forward_line(n, names) for n in (y.inputs[0], y)]
['n1 = 2 * x = 2 * 3 = 6', 'n2 = n1 + 1 = 6 + 1 = 7']
>>> number(2 ** 100), number(2 ** 100, exact=True)
('≈1.26765e+30', '1267650600228229401496703205376')
"""

from __future__ import annotations

import html
import math
import os
import sys
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TextIO

from .formula import Formula, FormulaMath, latex, latex_number, number as formula_number, symbol
from .graph import Node, topological_order
from .math_namespaces import Number

if TYPE_CHECKING:  # the operation table reads this module: no import of it at run time
    from .ops import Input, Op

__all__ = ["number", "node_names", "operands", "operand_formulas", "definition",
           "forward_line", "local_formula", "describe", "is_constant", "in_words",
           "Derivative", "derivative_of", "times", "ascii_wanted", "colour_wanted", "Chain",
           "Cell", "Table", "forward_table", "prose", "heading", "FORMATS", "SHORT_DIGITS",
           "EXACT_DIGITS", "TABLE_WIDTH", "ASCII_VARIABLE"]

FORMATS = ("text", "markdown", "latex")
"""The formats every table and report renders to."""

SHORT_DIGITS = 24
"""Digits of a whole number shown in full in the short form; a longer one is shown as
``≈1.26765e+30``."""

EXACT_DIGITS = 4000
"""Digits of a whole number shown in full even in the exact form (Python refuses to print
more than 4,300); a longer one is shown rounded, with its number of digits."""

SHORT_FRACTION = 40
"""Characters of a fraction ``p/q`` shown in full in the short form; a longer one is rounded."""

TABLE_WIDTH = 100
"""Widest line of a text table, in characters: wider formulas wrap inside their column."""

ASCII_VARIABLE = "TRACEGRAD_ASCII"
"""Set this environment variable to 1 for plain ASCII text (``dy/dh1`` instead of ``∂y/∂h1``,
``*`` instead of ``×``), for a terminal whose font lacks ∂."""


# ----------------------------------------------------------------------------- numbers

def number(x: object, exact: bool = False, digits: int = 6, decimal: bool = False) -> str:
    """A number as a person reads it: ``3``, ``-2.0``, ``0.75``, ``3/4``, ``0.333333``.

    The short form (the default) keeps ``digits`` significant digits of a float (its repr if
    that is as short) and shows a whole number or fraction in full unless it is very long
    (``≈1.26765e+30``); ``exact=True`` shows every digit (a float by its shortest exact
    repr), up to ``EXACT_DIGITS``.

    Args:
        x: an int, float, ``Fraction``, NumPy scalar, or a formula.
        exact: the exact form instead of the short one.
        digits: significant digits of a float in the short form.
        decimal: write a fraction as a decimal, as a learner reads a worked example: in full
            when it terminates within 10 characters (3/8 -> 0.375), else to ``digits`` (at
            least 7) significant digits; and a float to ``digits`` significant digits.

    >>> number(0.1 + 0.2), number(0.1 + 0.2, exact=True), number(Fraction(5776, 81))
    ('0.3', '0.30000000000000004', '5776/81')
    >>> number(10 ** 5000)
    '≈1e+5000'
    """
    if isinstance(x, Formula):
        return str(x)
    if hasattr(x, "item") and not isinstance(x, (int, float, Fraction)):  # NumPy scalars
        x = x.item()
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return _whole(x, EXACT_DIGITS if exact else SHORT_DIGITS, exact)
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return number(x.numerator, exact, digits)
        if decimal and not exact:
            return _decimal(x, digits)
        if exact:
            return (f"{_whole(x.numerator, EXACT_DIGITS, True)}/"
                    f"{_whole(x.denominator, EXACT_DIGITS, True)}")
        if _digits(x.numerator) + _digits(x.denominator) + 1 <= SHORT_FRACTION:
            return f"{x.numerator}/{x.denominator}"
        return "≈" + _rounded(x)
    if isinstance(x, float):
        short = repr(x)
        if exact or (len(short) <= digits + 2 and not decimal):
            return short
        return f"{x:.{digits}g}"
    return str(x)


def _decimal(x: Fraction, digits: int) -> str:
    """A fraction as a decimal: all of it if it terminates within 10 characters, else rounded."""
    d = x.denominator
    for factor in (2, 5):
        while d % factor == 0:
            d //= factor
    if d == 1:  # a terminating decimal
        text = f"{float(x):.12f}".rstrip("0")
        if Fraction(text) == x and len(text) <= 10:
            return text
    try:
        return f"{float(x):.{max(digits, 7)}g}"
    except OverflowError:
        return "≈" + _rounded(x)


def _digits(n: int) -> int:
    """How many decimal digits |n| has (without printing it, which fails past 4,300)."""
    n = abs(n)
    if n < 10 ** 18:
        return len(str(n))
    estimate = int(n.bit_length() * math.log10(2))  # within one of the truth
    return estimate + 1 if n >= 10 ** estimate else estimate


def _whole(n: int, limit: int, exact: bool) -> str:
    digits = _digits(n)
    if digits <= limit:
        return str(n)
    shown = "≈" + _rounded(n)
    return f"{shown} (a whole number of {digits:,} digits)" if exact else shown


def _rounded(x: int | Fraction) -> str:
    """``x`` (an int or Fraction of any size) to six significant digits: 1.26765e+30."""
    if x == 0:
        return "0"
    try:
        approx = float(x)
    except OverflowError:
        approx = None
    if approx is not None and approx != 0:
        return f"{approx:.6g}"
    sign = "-" if x < 0 else ""
    x = -x if x < 0 else x
    if isinstance(x, Fraction):
        exponent = math.log10(x.numerator) - math.log10(x.denominator)
    else:
        exponent = math.log10(x)
    power = math.floor(exponent)
    mantissa = 10 ** (exponent - power)
    return f"{sign}{mantissa:.6g}e{power:+d}"


# ----------------------------------------------------------------------------- names

def node_names(root: Node) -> dict[int, str]:
    """A readable, stable name for every node of ``root``'s graph, keyed by ``id(node)``.

    A node's own ``label`` wins; an unlabelled leaf (a constant such as the 2 in ``2 * x``)
    is shown as its number; an unlabelled intermediate is ``n1``, ``n2``, ... in topological
    order, so the same graph always gets the same names.

    >>> from autograd import Value
    >>> x = Value(3, label="x")
    >>> y = 2 * x + 1
    >>> sorted(node_names(y).values())
    ['1', '2', 'n1', 'n2', 'x']
    """
    names: dict[int, str] = {}
    count = 0
    for node in topological_order(root):
        if node.label:
            names[id(node)] = node.label
        elif node.op is None:
            names[id(node)] = number(node.data)
        else:
            count += 1
            names[id(node)] = f"n{count}"
    return names


# ----------------------------------------------------------------------------- notation

def ascii_wanted(stream: TextIO | None = None) -> bool:
    """True when text should be plain ASCII: ``dy/dh1`` instead of ``∂y/∂h1``.

    That is when the environment variable ``TRACEGRAD_ASCII`` is 1, or when ``stream``
    (default ``sys.stdout``) has an encoding that cannot write ∂ (an ASCII or Latin-1
    terminal).
    """
    if os.environ.get(ASCII_VARIABLE, "") not in ("", "0"):
        return True
    stream = sys.stdout if stream is None else stream
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        "∂×".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return True
    return False


def colour_wanted(stream: TextIO | None = None) -> bool:
    """True when ``stream`` (default ``sys.stdout``) is a terminal that shows colour: not
    piped or redirected, ``NO_COLOR`` not set (https://no-color.org), ``TERM`` not ``dumb``."""
    stream = sys.stdout if stream is None else stream
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def times(ascii: bool = False) -> str:
    """The multiplication sign of a worked step: ``×``, or ``*`` in ASCII."""
    return "*" if ascii else "×"


def is_constant(node: Node) -> bool:
    """True for a constant of a Value graph: an unlabelled leaf, such as the 2 in ``2 * x``."""
    return node.op is None and not node.label and not hasattr(node.data, "shape")


def in_words(node: Node, names: dict[int, str]) -> str:
    """A node as a sentence names it: its name (``w1``, ``n3``), or ``the constant 3``.

    >>> from autograd import Value
    >>> x = Value(3, label="x"); y = 2 * x
    >>> names = node_names(y)
    >>> in_words(x, names), in_words(y.inputs[0], names)
    ('x', 'the constant 2')
    """
    name = names[id(node)]
    return f"the constant {name}" if is_constant(node) else name


@dataclass(frozen=True)
class Derivative:
    """A partial derivative's name, as the lesson writes it: ``∂y/∂h1``.

    A compound name is parenthesised (``∂error/∂(y_true-y_pred)``) and a constant is named
    in words (``∂n4/∂(constant 3)``), so that nothing reads like arithmetic. ``text(ascii=True)``
    gives ``dy/dh1``; ``latex()`` gives ``\\frac{\\partial y}{\\partial h_{1}}``.

    Attributes:
        of: the name of the node differentiated.
        by: the name of the input it is differentiated by.
        constant: True when that input is a constant (its name is its number).
    """

    of: str
    by: str
    constant: bool = False

    def text(self, ascii: bool = False) -> str:
        d = "d" if ascii else "∂"
        by = f"(constant {self.by})" if self.constant else _grouped(self.by)
        return f"{d}{_grouped(self.of)}/{d}{by}"

    def latex(self) -> str:
        by = (f"(\\text{{constant }}{self.by})" if self.constant
              else latex(symbol(self.by)))
        return f"\\frac{{\\partial {latex(symbol(self.of))}}}{{\\partial {by}}}"

    def __str__(self) -> str:
        return self.text(ascii_wanted())


def _grouped(name: str) -> str:
    """A name inside ∂a/∂b: parenthesised when it holds an operator or a space."""
    return f"({name})" if any(ch in name for ch in " +-*/") else name


def derivative_of(node: Node, position: int, names: dict[int, str]) -> Derivative:
    """The name of d node / d its input ``position``: ``∂n3/∂w3``, ``∂n4/∂(constant 3)``.

    >>> from autograd import Value
    >>> h1 = Value(25, label="h1"); y = 3 * h1; y.label = "y"
    >>> names = node_names(y)
    >>> str(derivative_of(y, 1, names)), derivative_of(y, 0, names).text(ascii=True)
    ('∂y/∂h1', 'dy/d(constant 3)')
    """
    input_ = node.inputs[position]
    return Derivative(names[id(node)], names[id(input_)], is_constant(input_))


def _constant(node: Node) -> Number:
    """The plain-number constant of ``x ** c`` (a Value's ``const``, a Tensor's too)."""
    return node.const


def operands(node: Node, names: dict[int, str]) -> list[str | Number]:
    """The operands of ``node``'s operation: its inputs' names, then its constant (``x ** 3``).

    >>> from autograd import Value
    >>> x = Value(2.0, label="x"); y = x ** 3
    >>> operands(y, node_names(y))
    ['x', 3]
    """
    found: list[str | Number] = [names[id(i)] for i in node.inputs]
    if node.op.takes_const:
        found.append(_constant(node))
    return found


def _formula_of(node: Node, names: dict[int, str]) -> Formula:
    """A node in a formula: a constant leaf as its number, any other node as its name."""
    if node.op is None and not node.label and not hasattr(node.data, "shape"):
        return formula_number(node.data)
    return symbol(names[id(node)])


def operand_formulas(node: Node, names: dict[int, str]) -> list[Formula]:
    """``operands`` as formulas (names as symbols, constants as numbers)."""
    found = [_formula_of(i, names) for i in node.inputs]
    if node.op.takes_const:
        found.append(formula_number(_constant(node)))
    return found


def definition(node: Node, names: dict[int, str]) -> str:
    """How ``node`` was made, in names: ``"n1 = 2 * x1"``, ``"f = v ** 3"``."""
    return f"{names[id(node)]} = {node.op.expression(*operands(node, names))}"


def forward_line(node: Node, names: dict[int, str], exact: bool = False,
                 decimal: bool = False) -> str:
    """A step of the forward pass in names and in numbers: ``"n1 = 2 * x1 = 2 * 3 = 6"``.

    The numbers part is left out when it is the names part again (``n1 = 2 * 3 = 6``) or
    the result again (``n2 = -n1 = -9``). ``exact`` and ``decimal`` choose how the numbers
    are written (see ``number``).
    """
    in_names = node.op.expression(*operands(node, names))
    values: list = [i.data for i in node.inputs]
    if node.op.takes_const:
        values.append(_constant(node))
    in_numbers = node.op.expression(*(_Shown(number(v, exact, decimal=decimal))
                                      for v in values))
    result = number(node.data, exact, decimal=decimal)
    middle = f" = {in_numbers}" if in_numbers not in (in_names, result) else ""
    return f"{names[id(node)]} = {in_names}{middle} = {result}"


class _Shown(str):
    """A number already written as text, so that ``Op.expression`` takes it as an operand
    (parenthesised where a negative number or a fraction needs it)."""


def local_formula(node: Node, position: int, names: dict[int, str]) -> Formula:
    """d node / d input ``position``, as a formula in the graph's names, from the table.

    >>> from autograd import Value
    >>> v = Value(4.0, label="v"); f = v ** 3; f.label = "f"
    >>> str(local_formula(f, 0, node_names(f)))
    '3*v**2'
    """
    rules = node.op.formulas(FormulaMath, symbol(names[id(node)]),
                             *operand_formulas(node, names))
    return formula_number(rules[position])


def describe(op: type[Op], inputs: Iterable[Input | None], const: Number | None = None) -> str:
    """An operation and its inputs for an error message: ``log(x1=-2.0)``, ``1 / 0``.

    ``inputs`` are the operation's input nodes (None for an absent second input).
    """
    shown: list[str | Number] = [
        f"{label}={number(v.data)}" if (label := getattr(v, "label", None))
        else _Shown(number(v.data)) for v in inputs if v is not None]
    if op.takes_const:
        shown.append(_Shown(number(const)))
    return op.expression(*shown)


# ----------------------------------------------------------------------------- tables

@dataclass(frozen=True)
class Chain:
    """Parts written one after another with `` = `` between them: ``∂f/∂v = 3*v**2 = 17328``.

    A part that reads the same as the one before it is written once (``∂v/∂n2 = 1``).
    """

    parts: tuple[object, ...]

    def render(self, cell: Callable[[object], str]) -> str:
        shown: list[str] = []
        for part in self.parts:
            text = cell(part)
            if not shown or text != shown[-1]:
                shown.append(text)
        return " = ".join(shown)


ANSI = {"bold": "\033[1m", "dim": "\033[2m", "green": "\033[32m", "yellow": "\033[33m",
        "blue": "\033[34m", "reset": "\033[0m"}
"""The terminal colour codes a table uses (plain ANSI escapes, understood by every terminal
that shows colour)."""


@dataclass(frozen=True)
class Cell:
    """A cell written one way in text and Markdown and another in LaTeX: a correct value shown
    as ``5776/81 (≈ 71.3086)`` that LaTeX writes ``\\frac{5776}{81} \\approx 71.3086``.

    Attributes:
        text: the text form (also Markdown's).
        latex: the LaTeX form, in text mode (math inside ``$...$``).
    """

    text: str
    latex: str

    def __str__(self) -> str:
        return self.text


@dataclass(repr=False)
class Table:
    """A table as data: a header, rows of cells, and how each column aligns.

    Cells are words (str), numbers (int, float, Fraction), formulas, ``Derivative``s or
    ``Chain``s; each renderer (``text``, ``markdown``, ``latex``, ``html``) writes them its
    own way. ``str(table)`` is the plain text form; in a REPL the table echoes as that text
    (in colour on a colour terminal), and in a notebook as HTML.

    Attributes:
        header: the column headings.
        rows: the rows, each a sequence of cells as long as the header.
        numeric: the indices of the columns aligned to the right (numbers).
        title: an optional line above the table.
        wrap: the index of a column whose long cells wrap to fit ``TABLE_WIDTH``, or a tuple
            of such indices (else None).
        exact: numbers in their exact form.
        notes: lines below the table.
        preface: lines between the title and the table (each wrapped to the width).
        colours: a colour (a key of ``ANSI``) for a column's cells in a colour terminal.
        marked: indices of rows shown in bold in a colour terminal (and in HTML).
    """

    header: Sequence[str]
    rows: list[Any]
    numeric: frozenset[int] = frozenset()
    title: str = ""
    wrap: int | tuple[int, ...] | None = None
    exact: bool = False
    notes: list[str] = field(default_factory=list)
    preface: list[str] = field(default_factory=list)
    colours: dict[int, str] = field(default_factory=dict)
    marked: frozenset[int] = frozenset()

    def _cell(self, value: object, ascii: bool = False) -> str:
        if isinstance(value, Chain):
            return value.render(lambda part: self._cell(part, ascii))
        if isinstance(value, Derivative):
            return value.text(ascii)
        if isinstance(value, Cell):
            return value.text
        if isinstance(value, str):
            return value
        return number(value, self.exact)

    def _wrapped(self) -> set[int]:
        if self.wrap is None:
            return set()
        return {self.wrap} if isinstance(self.wrap, int) else set(self.wrap)

    def text(self, width: int = TABLE_WIDTH, ascii: bool | None = None,
             colour: bool = False) -> str:
        """The table as plain text: columns padded to their widest cell, numbers to the right;
        the ``wrap`` columns' long cells wrap so that lines fit in ``width`` characters.

        Args:
            width: the widest line wanted.
            ascii: plain ASCII derivatives (``dy/dh1``); None decides by ``ascii_wanted()``.
            colour: add terminal colour codes (``ANSI``): bold headings, coloured columns.
        """
        ascii = ascii_wanted() if ascii is None else ascii
        header = [str(h) for h in self.header]
        cells = [[self._cell(c, ascii) for c in row] for row in self.rows]
        widths = [max([len(header[i])] + [len(r[i]) for r in cells])
                  for i in range(len(header))]
        self._fit(widths, header, width)
        paint = _painter(colour)
        lines = [paint(self.title, "bold")] if self.title else []
        lines += [line for text in self.preface
                  for line in textwrap.wrap(text, width, break_on_hyphens=False)]
        lines.append(paint(self._line(header, widths), "bold"))
        lines.append("  ".join(("-" if header[i] else " ") * w
                               for i, w in enumerate(widths)).rstrip())
        wrapped = self._wrapped()
        for r, row in enumerate(cells):
            pieces = [textwrap.wrap(c, widths[i], break_long_words=False,
                                    break_on_hyphens=False) or [""]
                      if i in wrapped and len(c) > widths[i] else [c]
                      for i, c in enumerate(row)]
            for k in range(max(len(p) for p in pieces)):
                line = [p[k] if k < len(p) else "" for p in pieces]
                lines.append(self._line(line, widths, paint, bold=r in self.marked))
        lines += self.notes
        return "\n".join(lines)

    def _fit(self, widths: list[int], header: list[str], width: int) -> None:
        """Narrow the wrapping columns, the widest first, one character at a time (never
        below their heading or 16 characters), until a line fits in ``width``."""
        wrapped = self._wrapped()
        if not wrapped:
            return
        floors = {i: max(len(header[i]), 16) for i in wrapped}
        while sum(widths) + 2 * (len(widths) - 1) > width:
            narrowable = [i for i in wrapped if widths[i] > floors[i]]
            if not narrowable:
                return
            widest = max(narrowable, key=lambda i: widths[i])
            widths[widest] -= 1

    def _line(self, cells: list[str], widths: list[int],
              paint: Callable[[str, str | None], str] | None = None, bold: bool = False) -> str:
        padded = [c.rjust(w) if i in self.numeric else c.ljust(w)
                  for i, (c, w) in enumerate(zip(cells, widths))]
        if paint is not None:
            padded = [paint(p, self.colours.get(i)) if p.strip() else p
                      for i, p in enumerate(padded)]
            if bold:
                padded = [paint(p, "bold") if p.strip() else p for p in padded]
        return "  ".join(padded).rstrip()

    def markdown(self) -> str:
        """The table in Markdown (GitHub's pipe tables), ready to paste into notes."""
        def cell(value: object) -> str:
            return self._cell(value).replace("|", "\\|")

        align = ["---:" if i in self.numeric else "---" for i in range(len(self.header))]
        lines = [f"**{self.title}**", ""] if self.title else []
        if self.preface:
            lines += [*self.preface, ""]
        lines.append("| " + " | ".join(cell(h) for h in self.header) + " |")
        lines.append("| " + " | ".join(align) + " |")
        lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in self.rows]
        if self.notes:
            lines += ["", *self.notes]
        return "\n".join(lines)

    def latex(self, functions: Mapping[str, str] | None = None) -> str:
        """The table as a LaTeX ``tabular``: numbers and formulas in math mode, fractions as
        ``\\frac``; ``functions`` gives the LaTeX notation of operations (see
        ``autograd.formula.latex``)."""
        def cell(value: object) -> str:
            if isinstance(value, Chain):
                parts: list[str] = []
                for part in value.parts:
                    text = cell(part).strip("$")
                    if not parts or text != parts[-1]:
                        parts.append(text)
                return "$" + " = ".join(parts) + "$"
            if isinstance(value, Derivative):
                return f"${value.latex()}$"
            if isinstance(value, Formula):
                return f"${latex(value, functions)}$"
            if isinstance(value, Cell):
                return value.latex
            if isinstance(value, str):
                return _latex_escape(value)
            return f"${latex_number(value) if not self.exact else _latex_exact(value)}$"

        spec = "".join("r" if i in self.numeric else "l" for i in range(len(self.header)))
        lines = [f"% {self.title}"] if self.title else []
        lines += [f"% {line}" for line in self.preface]
        lines.append(f"\\begin{{tabular}}{{{spec}}}")
        lines.append(" & ".join(_latex_escape(str(h)) for h in self.header) + r" \\")
        lines.append(r"\hline")
        lines += [" & ".join(cell(c) for c in row) + r" \\" for row in self.rows]
        lines.append(r"\end{tabular}")
        return "\n".join(lines)

    def html(self) -> str:
        """The table as an HTML ``<table>`` (what a notebook shows): the title in bold above
        it, numbers aligned right, marked rows in bold, every cell escaped."""
        def row_html(cells: Sequence[object], tag: str, bold: bool = False) -> str:
            out = []
            for i, c in enumerate(cells):
                style = ' style="text-align:right"' if i in self.numeric else \
                    ' style="text-align:left"'
                text = html.escape(self._cell(c) if tag == "td" else str(c))
                out.append(f"<{tag}{style}>{text}</{tag}>")
            weight = ' style="font-weight:bold"' if bold else ""
            return f"<tr{weight}>" + "".join(out) + "</tr>"

        parts = ['<div class="tracegrad-table">']
        if self.title:
            parts.append(f"<p><b>{html.escape(self.title)}</b></p>")
        parts += [f"<p>{html.escape(line)}</p>" for line in self.preface]
        parts.append("<table>")
        parts.append("<thead>" + row_html(self.header, "th") + "</thead><tbody>")
        parts += [row_html(row, "td", r in self.marked) for r, row in enumerate(self.rows)]
        parts.append("</tbody></table>")
        parts += [f"<p>{html.escape(line)}</p>" for line in self.notes]
        parts.append("</div>")
        return "\n".join(parts)

    def render(self, fmt: str = "text") -> str:
        """The table in ``fmt``: ``"text"``, ``"markdown"``, ``"latex"`` or ``"html"``.

        Raises:
            ValueError: another format.
        """
        renderers = {"text": self.text, "markdown": self.markdown, "latex": self.latex,
                     "html": self.html}
        if fmt not in renderers:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(renderers)}")
        return renderers[fmt]()

    def print(self, file: TextIO | None = None) -> None:
        """Print the text form to ``file`` (default ``sys.stdout``), in colour when that is a
        colour terminal (see ``colour_wanted``) and in ASCII where ∂ cannot be written."""
        file = sys.stdout if file is None else file
        print(self.text(ascii=ascii_wanted(file), colour=colour_wanted(file)), file=file)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return self.text(colour=colour_wanted())

    def _repr_html_(self) -> str:
        return self.html()


def _painter(colour: bool) -> Callable[[str, str | None], str]:
    """A function that wraps text in the colour codes of ``ANSI[name]`` (or leaves it)."""
    def paint(text: str, name: str | None) -> str:
        if not colour or name is None:
            return text
        return f"{ANSI[name]}{text}{ANSI['reset']}"
    return paint


def forward_table(nodes: Iterable[Node], names: dict[int, str],
                  marks: dict[int, str] | None = None,
                  title: str = "", decimal: bool = False) -> Table:
    """The forward pass as a table: each computed node, how it is computed (in names, then in
    numbers) and its value, with an optional mark per node (``marks``, by ``id``);
    ``decimal`` writes fractions as decimals (see ``number``), as a learner reads them.

    >>> from autograd import Value
    >>> x = Value(3, label="x"); y = 2 * x + 1; y.label = "y"
    >>> names = node_names(y)
    >>> print(forward_table([y.inputs[0], y], names).render("markdown"))
    | node | computed as | value |
    | --- | --- | ---: |
    | n1 | 2*x = 2*3 | 6 |
    | y | n1 + 1 = 6 + 1 | 7 |
    """
    marks = marks or {}

    def shown(x: Any) -> Any:
        if decimal and isinstance(x, Fraction) and x.denominator != 1:
            return float(number(x, decimal=True))
        return x

    rows = []
    for node in nodes:
        args: list = [i.data for i in node.inputs]
        if node.op.takes_const:
            args.append(_constant(node))
        how = Chain((node.op.applied(*operand_formulas(node, names)),
                     node.op.applied(*(formula_number(shown(a)) for a in args))))
        row = [names[id(node)], how, shown(node.data)]
        if marks:
            row.append(marks.get(id(node), ""))
        rows.append(row)
    header = ["node", "computed as", "value"] + (["yours"] if marks else [])
    return Table(header, rows, numeric=frozenset({2}), title=title, wrap=1)


def prose(text: str, fmt: str = "text") -> str:
    """A sentence or a few, in ``fmt``: as it is in text and Markdown, escaped in LaTeX.

    >>> print(prose("10% of η", "latex"))
    10\\% of $\\eta$
    """
    return _latex_escape(text) if fmt == "latex" else text


def heading(text: str, fmt: str = "text") -> str:
    """A heading above a table, in ``fmt``: the line itself in text, bold in Markdown and
    LaTeX.

    >>> print(heading("paths", "markdown"), heading("paths", "latex"))
    **paths** \\noindent\\textbf{paths}
    """
    if fmt == "markdown":
        return f"**{text}**"
    if fmt == "latex":
        return f"\\noindent\\textbf{{{_latex_escape(text)}}}"
    return text


def _latex_exact(x: object) -> str:
    return latex_number(x) if isinstance(x, Fraction) else number(x, exact=True)


_LATEX_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
                  "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                  "\\": r"\textbackslash{}",
                  # Unicode a report writes, so that the LaTeX compiles with any engine.
                  "≈": r"$\approx$", "±": r"$\pm$", "×": r"$\times$", "·": r"$\cdot$",
                  "→": r"$\to$", "←": r"$\leftarrow$", "∂": r"$\partial$", "−": "-",
                  "η": r"$\eta$", "σ": r"$\sigma$", "²": r"\textsuperscript{2}",
                  "…": r"\dots{}", "✓": r"$\surd$", "✗": r"$\times$", "’": "'",
                  "₁": r"\textsubscript{1}", "₂": r"\textsubscript{2}",
                  # < and > are other letters in LaTeX's default font encoding (a path's ->)
                  "<": r"$<$", ">": r"$>$"}


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)
