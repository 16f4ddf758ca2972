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

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from .formula import Formula, FormulaMath, latex, latex_number, number as formula_number, symbol
from .graph import topological_order

__all__ = ["number", "node_names", "operands", "operand_formulas", "definition",
           "forward_line", "local_formula", "describe", "Chain", "Cell", "Table",
           "forward_table", "prose", "heading", "FORMATS", "SHORT_DIGITS", "EXACT_DIGITS",
           "TABLE_WIDTH"]

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


# ----------------------------------------------------------------------------- numbers

def number(x, exact: bool = False, digits: int = 6, decimal: bool = False) -> str:
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


def _rounded(x) -> str:
    """``x`` (an int or Fraction of any size) to six significant digits: 1.26765e+30."""
    if x == 0:
        return "0"
    try:
        return f"{float(x):.6g}"
    except OverflowError:
        pass
    sign = "-" if x < 0 else ""
    x = abs(x)
    if isinstance(x, Fraction):
        exponent = math.log10(x.numerator) - math.log10(x.denominator)
    else:
        exponent = math.log10(x)
    power = math.floor(exponent)
    mantissa = 10 ** (exponent - power)
    return f"{sign}{mantissa:.6g}e{power:+d}"


# ----------------------------------------------------------------------------- names

def node_names(root) -> dict[int, str]:
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
    names = {}
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


def _constant(node):
    """The plain-number constant of ``x ** c`` (a Value's ``const``, a Tensor's too)."""
    return node.const


def operands(node, names: dict[int, str]) -> list:
    """The operands of ``node``'s operation: its inputs' names, then its constant (``x ** 3``).

    >>> from autograd import Value
    >>> x = Value(2.0, label="x"); y = x ** 3
    >>> operands(y, node_names(y))
    ['x', 3]
    """
    found: list = [names[id(i)] for i in node.inputs]
    if node.op.takes_const:
        found.append(_constant(node))
    return found


def _formula_of(node, names: dict[int, str]) -> Formula:
    """A node in a formula: a constant leaf as its number, any other node as its name."""
    if node.op is None and not node.label and not hasattr(node.data, "shape"):
        return formula_number(node.data)
    return symbol(names[id(node)])


def operand_formulas(node, names: dict[int, str]) -> list[Formula]:
    """``operands`` as formulas (names as symbols, constants as numbers)."""
    found = [_formula_of(i, names) for i in node.inputs]
    if node.op.takes_const:
        found.append(formula_number(_constant(node)))
    return found


def definition(node, names: dict[int, str]) -> str:
    """How ``node`` was made, in names: ``"n1 = 2 * x1"``, ``"f = v ** 3"``."""
    return f"{names[id(node)]} = {node.op.expression(*operands(node, names))}"


def forward_line(node, names: dict[int, str], exact: bool = False,
                 decimal: bool = False) -> str:
    """A step of the forward pass in names and in numbers: ``"n1 = 2 * x1 = 2 * 3 = 6"``.

    The numbers part is left out when it is the names part again (``n1 = 2 * 3 = 6``).
    ``exact`` and ``decimal`` choose how the numbers are written (see ``number``).
    """
    in_names = node.op.expression(*operands(node, names))
    values: list = [i.data for i in node.inputs]
    if node.op.takes_const:
        values.append(_constant(node))
    in_numbers = node.op.expression(*(_Shown(number(v, exact, decimal=decimal))
                                      for v in values))
    middle = f" = {in_numbers}" if in_numbers != in_names else ""
    return f"{names[id(node)]} = {in_names}{middle} = {number(node.data, exact, decimal=decimal)}"


class _Shown(str):
    """A number already written as text, so that ``Op.expression`` takes it as an operand
    (parenthesised where a negative number or a fraction needs it)."""


def local_formula(node, position: int, names: dict[int, str]) -> Formula:
    """d node / d input ``position``, as a formula in the graph's names, from the table.

    >>> from autograd import Value
    >>> v = Value(4.0, label="v"); f = v ** 3; f.label = "f"
    >>> str(local_formula(f, 0, node_names(f)))
    '3*v**2'
    """
    rules = node.op.formulas(FormulaMath, symbol(names[id(node)]),
                             *operand_formulas(node, names))
    return formula_number(rules[position])


def describe(op, inputs, const=None) -> str:
    """An operation and its inputs for an error message: ``log(x1=-2.0)``, ``1 / 0``.

    ``inputs`` are the operation's input nodes (None for an absent second input).
    """
    shown: list = [f"{v.label}={number(v.data)}" if getattr(v, "label", None)
                   else _Shown(number(v.data)) for v in inputs if v is not None]
    if op.takes_const:
        shown.append(_Shown(number(const)))
    return op.expression(*shown)


# ----------------------------------------------------------------------------- tables

@dataclass(frozen=True)
class Chain:
    """Parts written one after another with `` = `` between them: ``df/dv = 3*v**2 = 17328``.

    A part that reads the same as the one before it is written once (``dv/dn2 = 1``).
    """

    parts: tuple

    def render(self, cell) -> str:
        shown: list[str] = []
        for part in self.parts:
            text = cell(part)
            if not shown or text != shown[-1]:
                shown.append(text)
        return " = ".join(shown)


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


@dataclass
class Table:
    """A table as data: a header, rows of cells, and how each column aligns.

    Cells are words (str), numbers (int, float, Fraction), formulas or ``Chain``s; each
    renderer writes them its own way. ``str(table)`` is the text form.

    Attributes:
        header: the column headings.
        rows: the rows, each a sequence of cells as long as the header.
        numeric: the indices of the columns aligned to the right (numbers).
        title: an optional line above the table.
        wrap: the index of a column whose long cells wrap to fit ``TABLE_WIDTH`` (else None).
        exact: numbers in their exact form.
    """

    header: Sequence[str]
    rows: list
    numeric: frozenset = frozenset()
    title: str = ""
    wrap: int | None = None
    exact: bool = False
    notes: list[str] = field(default_factory=list)

    def _cell(self, value) -> str:
        if isinstance(value, Chain):
            return value.render(self._cell)
        if isinstance(value, Cell):
            return value.text
        if isinstance(value, str):
            return value
        return number(value, self.exact)

    def text(self, width: int = TABLE_WIDTH) -> str:
        """The table as plain text: columns padded to their widest cell, numbers to the right;
        a ``wrap`` column's long cells wrap so that lines fit in ``width`` characters."""
        header = [str(h) for h in self.header]
        cells = [[self._cell(c) for c in row] for row in self.rows]
        widths = [max([len(header[i])] + [len(r[i]) for r in cells])
                  for i in range(len(header))]
        if self.wrap is not None:
            others = sum(w for i, w in enumerate(widths) if i != self.wrap) + 2 * (len(widths) - 1)
            widths[self.wrap] = max(len(header[self.wrap]), 16,
                                    min(widths[self.wrap], width - others))
        lines = [self.title] if self.title else []
        lines.append(self._line(header, widths))
        lines.append("  ".join(("-" if header[i] else " ") * w
                               for i, w in enumerate(widths)).rstrip())
        for row in cells:
            pieces = [textwrap.wrap(c, widths[i], break_long_words=False,
                                    break_on_hyphens=False) or [""]
                      if i == self.wrap and len(c) > widths[i] else [c]
                      for i, c in enumerate(row)]
            for k in range(max(len(p) for p in pieces)):
                lines.append(self._line([p[k] if k < len(p) else "" for p in pieces], widths))
        lines += self.notes
        return "\n".join(lines)

    def _line(self, cells: list[str], widths: list[int]) -> str:
        return "  ".join(c.rjust(w) if i in self.numeric else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    def markdown(self) -> str:
        """The table in Markdown (GitHub's pipe tables), ready to paste into notes."""
        def cell(value) -> str:
            return self._cell(value).replace("|", "\\|")

        align = ["---:" if i in self.numeric else "---" for i in range(len(self.header))]
        lines = [f"**{self.title}**", ""] if self.title else []
        lines.append("| " + " | ".join(cell(h) for h in self.header) + " |")
        lines.append("| " + " | ".join(align) + " |")
        lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in self.rows]
        if self.notes:
            lines += [""] + self.notes
        return "\n".join(lines)

    def latex(self, functions=None) -> str:
        """The table as a LaTeX ``tabular``: numbers and formulas in math mode, fractions as
        ``\\frac``; ``functions`` gives the LaTeX notation of operations (see
        ``autograd.formula.latex``)."""
        def cell(value) -> str:
            if isinstance(value, Chain):
                parts = []
                for part in value.parts:
                    text = cell(part).strip("$")
                    if not parts or text != parts[-1]:
                        parts.append(text)
                return "$" + " = ".join(parts) + "$"
            if isinstance(value, Formula):
                return f"${latex(value, functions)}$"
            if isinstance(value, Cell):
                return value.latex
            if isinstance(value, str):
                return _latex_escape(value)
            return f"${latex_number(value) if not self.exact else _latex_exact(value)}$"

        spec = "".join("r" if i in self.numeric else "l" for i in range(len(self.header)))
        lines = [f"% {self.title}"] if self.title else []
        lines.append(f"\\begin{{tabular}}{{{spec}}}")
        lines.append(" & ".join(_latex_escape(str(h)) for h in self.header) + r" \\")
        lines.append(r"\hline")
        lines += [" & ".join(cell(c) for c in row) + r" \\" for row in self.rows]
        lines.append(r"\end{tabular}")
        return "\n".join(lines)

    def render(self, fmt: str = "text") -> str:
        """The table in ``fmt``: ``"text"``, ``"markdown"`` or ``"latex"``.

        Raises:
            ValueError: another format.
        """
        renderers = {"text": self.text, "markdown": self.markdown, "latex": self.latex}
        if fmt not in renderers:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(renderers)}")
        return renderers[fmt]()

    def __str__(self) -> str:
        return self.text()


def forward_table(nodes, names: dict[int, str], marks: dict[int, str] | None = None,
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

    def shown(x):
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


def _latex_exact(x) -> str:
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
