"""Check a hand calculation: which of a person's numbers are right, and where they go wrong.

``check(expression, values, claims)`` computes the expression with the engine and judges each
claimed number. A claim names a target and gives a number:

======================  =============================================================
target                  meaning
======================  =============================================================
``f`` or ``value``      the value of the output (or its label, e.g. ``E``)
``u``                   the value of a named node (a label in a ``Value`` graph, a
                        variable, or ``n1``, ``n2``, ... as ``autograd.trace`` names
                        unlabelled intermediates)
``d/dx1`` ``df/dx1``    the gradient of the output with respect to x1 (any named node)
``x1'`` ``x1_new``      x1 after one gradient-descent step, x1 - lr * d/dx1 (needs lr)
======================  =============================================================

How a claim is judged (the number as it was written decides):

* a whole number (``520``) or a fraction (``3/4``, ``Fraction(3, 4)``) claims that number
  exactly: 520 is right for 520 and wrong for 519.8 (a checker that accepted ``0`` for 0.3
  would call wrong work right). If you rounded to a whole number, say so with ``tol=0.5``.
* a decimal (``"33.95"``, ``0.948``, ``"1.5e-3"``) claims the correct value rounded to the
  digits written: ``33.95`` is right for anything from 33.945 to 33.955. A float is read from
  its shortest repr (``33.95``, not 33.9500000000000028...), so 520.0 means "to 1 decimal".
* ``tol=T`` replaces both rules: right when ``|yours - correct| <= T``.
* A correct value computed in floats gets a little slack for float rounding (1e-9 relative
  plus 1e-12 absolute); with ``exact=True`` (values as Fractions) there is none.

The report lists the claims in the order the computation produces them (forward values in
topological order, then gradients in the order backward completes them, then updates), marks
the first wrong one as the first divergence, and says of each later wrong claim whether it
follows from the person's own earlier numbers or is a new slip. For every wrong claim it shows
the derivation: the forward computation for a value, and for a gradient the paths of the
chain rule with their products (``autograd.trace.paths``).

>>> report = check("(a + b) * b", {"a": 2, "b": 3}, {"f": 15, "d/da": 3, "d/db": 5})
>>> report.ok, [c.verdict for c in report.claims]
(False, ['right', 'wrong', 'right'])
>>> report["d/db"].correct, report.first_divergence.target
(8, 'd/db')
>>> check("x * y", {"x": 1.5, "y": 2.2}, {"f": "3.3"}).ok     # 3.3000000000000003, written 3.3
True
"""

from __future__ import annotations

import decimal
import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from .expr import Expression, ExpressionError, build, parse, parse_number
from .graph import topological_order
from .ops import ScalarMath
from .trace import Paths, node_names, paths
from .value import InexactWarning, Value, _fmt

__all__ = ["check", "Report", "Claim", "CheckError"]

_FLOAT_RELATIVE = Fraction(1, 10 ** 9)
_FLOAT_ABSOLUTE = Fraction(1, 10 ** 12)
_MAX_PATHS_SHOWN = 20
_MAX_FORWARD_LINES = 60


class CheckError(ValueError):
    """A claim that cannot be checked: an unknown target, a number that is not one, no lr."""


# ----------------------------------------------------------------------------- numbers

@dataclass(frozen=True)
class _Number:
    """A claimed number: as written, exactly, and the unit of its last written digit."""

    written: str
    exact: Fraction
    unit: Fraction | None  # None: a whole number or fraction, claimed exactly
    exponent: int = 0      # of the last written digit (-2 for 33.95)


_INT_TEXT = re.compile(r"[+-]?\d+")
_FRACTION_TEXT = re.compile(r"[+-]?\d+\s*/\s*\d+")


def _claimed(number, what: str) -> _Number:
    """Read a claimed number: int, Fraction, float (from its repr), Decimal or text."""
    if isinstance(number, bool) or not isinstance(number, (int, float, Fraction, str,
                                                           decimal.Decimal)):
        raise CheckError(f"{what} must be a number or text such as '33.95' or '3/4', got "
                         f"{number!r}")
    if isinstance(number, (int, Fraction)):
        return _Number(str(number), Fraction(number), None)
    written = repr(number) if isinstance(number, float) else str(number)
    written = written.strip().replace("\u2212", "-")
    try:
        exact = parse_number(written, exact=True, what=what)
    except ExpressionError as exc:
        raise CheckError(str(exc)) from None
    if _INT_TEXT.fullmatch(written) or _FRACTION_TEXT.fullmatch(written):
        return _Number(written, exact, None)
    exponent = decimal.Decimal(written).as_tuple().exponent
    return _Number(written, exact, Fraction(10) ** exponent, exponent)


def _as_fraction(x) -> Fraction | None:
    """``x`` exactly as a Fraction (floats exactly as stored); None if not finite."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    try:
        return Fraction(x)
    except (TypeError, ValueError):
        return None


def _within(number: _Number, value, allowed: Fraction) -> bool:
    """Is the claimed number within ``allowed`` of ``value`` (plus float slack for floats)?"""
    exact = _as_fraction(value)
    if exact is None:
        return False
    slack = 0
    if isinstance(value, float):
        slack = _FLOAT_RELATIVE * max(abs(exact), abs(number.exact)) + _FLOAT_ABSOLUTE
    return abs(number.exact - exact) <= allowed + slack


def _close(a, b) -> bool:
    """Are two computed numbers the same, up to float rounding?"""
    fa, fb = _as_fraction(a), _as_fraction(b)
    if fa is None or fb is None:
        return False
    if not isinstance(a, float) and not isinstance(b, float):
        return fa == fb
    return abs(fa - fb) <= _FLOAT_RELATIVE * max(abs(fa), abs(fb)) + _FLOAT_ABSOLUTE


def _show(x) -> str:
    """A correct value for people: 554496, 33.94503002, 237/250 (= 0.948), 1/3 (≈ 0.333333)."""
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return str(x.numerator)
        approx = float(x)
        sign = "=" if Fraction(repr(approx)) == x and len(repr(approx)) <= 12 else "≈"
        shown = repr(approx) if sign == "=" else f"{approx:.6g}"
        return f"{x} ({sign} {shown})"
    if isinstance(x, float):
        return repr(x) if len(repr(x)) <= 12 else f"{x:.10g}"
    return _fmt(x)


def _show_difference(d) -> str:
    if isinstance(d, Fraction) and d.denominator != 1:
        return _show(d)
    return _show(d) if not isinstance(d, float) else f"{d:.6g}"


def _half_unit(number: _Number) -> str:
    return format(decimal.Decimal(5).scaleb(number.exponent - 1), "f")


def _tol_text(tol: Fraction) -> str:
    """A tolerance as a decimal when it is one (0.01), else as a fraction (1/3)."""
    if tol.denominator == 1:
        return str(tol.numerator)
    approx = repr(float(tol))
    return approx if Fraction(approx) == tol else str(tol)


def _rule(number: _Number, tol) -> str:
    if tol is not None:
        return f"within tol {_tol_text(tol)}"
    if number.unit is None:
        return "exactly"
    if number.exponent < 0:
        places = -number.exponent
        return f"to {places} decimal{'s' if places > 1 else ''} (±{_half_unit(number)})"
    if number.exponent == 0:
        return "to a whole number (±0.5)"
    return f"to the nearest {10 ** number.exponent} (±{_half_unit(number)})"


# ----------------------------------------------------------------------------- records

@dataclass(frozen=True)
class Claim:
    """One claimed number, judged.

    Attributes:
        target: the target as given, e.g. ``"d/dx1"``.
        kind: ``"value"``, ``"gradient"`` or ``"update"``.
        name: the node the claim is about (``"x1"`` for ``d/dx1`` and ``x1'``).
        written: the number as written (``"33.95"``); ``yours``: that number (a Fraction when
            exact, else an int, float or Fraction as given).
        correct: the engine's number.
        ok: right or wrong; ``verdict`` says it in words.
        rule: how it was judged: ``"exactly"``, ``"to 2 decimals (±0.005)"``, ``"within tol 0.1"``.
        difference: yours - correct.
        note: a short explanation for the table.
        derivation: how the correct number is computed (forward steps, or the chain-rule paths).
        first_divergence: True for the first wrong claim in the order of the computation.
        carried: for a wrong claim after the first divergence, True if it follows from the
            person's own earlier numbers, False if it is a new slip, else None.
        from_yours: what this step gives from the person's own earlier numbers (floats), when
            they differ from the correct ones; else None.
        node: the Value the claim is about.
    """

    target: str
    kind: str
    name: str
    written: str
    yours: object
    correct: object
    ok: bool
    rule: str
    difference: object
    note: str
    derivation: str
    first_divergence: bool = False
    carried: bool | None = None
    from_yours: object = None
    node: Value | None = field(default=None, repr=False, compare=False)

    @property
    def verdict(self) -> str:
        """"right" or "wrong"."""
        return "right" if self.ok else "wrong"


class Report:
    """The judged claims of one ``check``; prints as a table with the derivations of the wrong ones.

    Attributes:
        claims: list of ``Claim``, in the order the computation produces them.
        ok: True if every claim is right.
        first_divergence: the first wrong ``Claim`` (None if all are right).
        root: the output Value; ``names``: the node names used (see ``node_names``).
        title: what was checked; ``notes``: remarks such as inexact arithmetic.
    """

    def __init__(self, title: str, root: Value, claims: list[Claim], names: dict[int, str],
                 forward: list[tuple[Value, str]], notes: list[str]):
        self.title, self.root, self.claims, self.names = title, root, claims, names
        self._forward, self.notes = forward, notes

    @property
    def ok(self) -> bool:
        """True if every claim is right."""
        return all(c.ok for c in self.claims)

    @property
    def first_divergence(self) -> Claim | None:
        """The first wrong claim in the order of the computation (None if all are right)."""
        return next((c for c in self.claims if not c.ok), None)

    @property
    def wrong(self) -> list[Claim]:
        """Every wrong claim, in the order of the computation."""
        return [c for c in self.claims if not c.ok]

    def __len__(self) -> int:
        return len(self.claims)

    def __iter__(self):
        return iter(self.claims)

    def __getitem__(self, target: str) -> Claim:
        """The claim with this target (as given, spaces ignored)."""
        key = _normal(target)
        for claim in self.claims:
            if _normal(claim.target) == key:
                return claim
        raise KeyError(f"no claim {target!r}; the claims are "
                       + ", ".join(c.target for c in self.claims))

    def table(self) -> str:
        """The claims as a table: claim, yours, correct, verdict, note."""
        header = ("claim", "yours", "correct", "verdict", "note")
        rows = [(c.target, c.written, _show(c.correct), c.verdict, c.note) for c in self.claims]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
        lines = []
        for row in [header, *rows]:
            cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1]),
                     row[2].rjust(widths[2]), row[3].ljust(widths[3]), row[4]]
            lines.append("  ".join(cells).rstrip())
        lines.insert(1, "  ".join("-" * w for w in widths) + "  ----")
        return "\n".join(lines)

    def summary(self) -> str:
        """One sentence: how many claims are wrong, and where the first divergence is."""
        n, wrong = len(self.claims), self.wrong
        if not wrong:
            return "The claim is right." if n == 1 else f"All {n} claims right."
        first = wrong[0]
        text = (f"{len(wrong)} of {n} claim{'s' if n > 1 else ''} wrong. First divergence: "
                f"{first.target} (yours {first.written}, correct {_show(first.correct)})")
        before = self.claims.index(first)
        if before == 1:
            text += "; the claim before it is right"
        elif before:
            text += f"; the {before} claims before it are right"
        later = wrong[1:]
        if later and all(c.carried for c in later):
            text += "; every later difference follows from it"
        return text + "."

    def __str__(self) -> str:
        parts = [self.title, "", self.table(), "", self.summary()]
        if not self.ok:
            forward = self._forward_block()
            if forward:
                parts += ["", forward]
            gradients = {id(c.node): c for c in self.claims if c.kind == "gradient"}
            for claim in self.wrong:
                if claim.kind == "value":
                    continue
                derivation = claim.derivation
                same = gradients.get(id(claim.node))
                if claim.kind == "update" and same is not None:  # its gradient is judged above
                    derivation = derivation.splitlines()[0] + (
                        f"\nwhere the gradient is {_show(same.correct)}, "
                        + ("as you have it" if same.ok else f"not {same.written} (see above)"))
                heading = (f"{claim.target}: yours {claim.written}, correct "
                           f"{_show(claim.correct)}")
                parts += ["", heading, _indent(derivation)]
        if self.notes:
            parts += [""] + [f"note: {n}" for n in self.notes]
        return "\n".join(parts).rstrip()

    __repr__ = __str__

    def _forward_block(self) -> str:
        """The forward pass, one line per step, with the person's value claims beside them."""
        marks: dict[int, str] = {}
        for claim in self.claims:
            if claim.kind == "value":
                node_id = id(claim.node)
                mark = f"yours: {claim.written}, {claim.verdict}"
                if claim.first_divergence:
                    mark += " <- first divergence"
                elif claim.carried:
                    mark += " (follows from your earlier numbers)"
                marks[node_id] = mark
        lines = [(id(node), text) for node, text in self._forward]
        if not lines:
            return ""
        shown = lines
        if len(lines) > _MAX_FORWARD_LINES:
            shown = [line for line in lines if line[0] in marks]
        width = max((len(text) for _, text in shown), default=0)
        out = ["forward pass (how each value is computed):"]
        for node_id, text in shown:
            mark = marks.get(node_id)
            out.append("  " + (f"{text.ljust(width)}   {mark}" if mark else text))
        if len(shown) < len(lines):
            out.append(f"  ({len(lines) - len(shown)} other steps not shown; "
                       "autograd.trace.trace(f) lists them all)")
        return "\n".join(out)


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.splitlines())


# ----------------------------------------------------------------------------- targets

def _normal(target: str) -> str:
    return re.sub(r"\s+", "", str(target)).replace("∂", "d").replace("’", "'")


@dataclass(frozen=True)
class _Target:
    given: str
    kind: str
    node: Value
    name: str


def _resolve(target, by_name: dict[str, list[Value]], root: Value, root_names: set[str],
             lr) -> _Target:
    if not isinstance(target, str):
        raise CheckError(f"a claim's target is text such as 'f', 'd/dx1' or \"x1'\", got "
                         f"{target!r}")
    text = _normal(target)
    known = ", ".join(sorted(by_name))

    def node_for(name: str, what: str) -> Value:
        nodes = by_name.get(name)
        if not nodes:
            raise CheckError(f"{target!r}: there is no {name!r} in the graph; the named nodes "
                             f"are {known}{what}")
        if len(nodes) > 1:
            raise CheckError(f"{target!r}: {len(nodes)} nodes are named {name!r}; give them "
                             "different labels")
        return nodes[0]

    if text in by_name:
        return _Target(target, "value", node_for(text, ""), text)
    match = re.fullmatch(r"d([^/]*)/d(.+)", text)
    if match:
        top, wrt = match.groups()
        if top and top not in root_names:
            if top in by_name:
                raise CheckError(f"{target!r}: only derivatives of the output are checked "
                                 f"(d/d{wrt} or d{min(root_names)}/d{wrt}); {top} is not "
                                 "the output")
            raise CheckError(f"{target!r}: {top!r} is not the output; write d/d{wrt}")
        node = node_for(wrt, "")
        return _Target(target, "gradient", node, wrt)
    match = re.fullmatch(r"(.+?)(?:'|_new)", text)
    if match:
        name = match.group(1)
        node = node_for(name, "")
        if node.op is not None:
            raise CheckError(f"{target!r}: a gradient-descent update applies to an input or "
                             f"parameter; {name} is computed from others")
        if lr is None:
            raise CheckError(f"{target!r} is {name} after a gradient-descent step, "
                             f"{name} - lr * d/d{name}: give the learning rate (lr=..., or "
                             "--lr on the command line)")
        return _Target(target, "update", node, name)
    if text in root_names:
        return _Target(target, "value", root, text)
    raise CheckError(f"unknown claim target {target!r}: use the output's name (f or value), "
                     f"a named node ({known}), d/dNAME for a gradient, or NAME' (NAME_new) for "
                     "an updated parameter")


# ----------------------------------------------------------------------------- derivations

def _forward_line(node: Value, names: dict[int, str]) -> str:
    """``n1 = 2 * x1 = 2 * 3 = 6``: a step of the forward pass in names and in numbers."""
    arg_names = [names[id(p)] for p in node.parents]
    arg_numbers = [_fmt(p.data) for p in node.parents]
    if node.op.takes_const:
        arg_names.append(_fmt(node.const))
        arg_numbers.append(_fmt(node.const))
    in_names = node.op.expression(*arg_names)
    in_numbers = node.op.expression(*arg_numbers)
    middle = f" = {in_numbers}" if in_numbers != in_names else ""
    return f"{names[id(node)]} = {in_names}{middle} = {_fmt(node.data)}"


def _paths_text(root: Value, node: Value, names: dict[int, str]) -> str:
    if node is root:
        return (f"d{names[id(root)]}/d{names[id(root)]} = 1: backward starts from the output "
                "with gradient 1")
    try:
        found = paths(root, node)
    except ValueError as exc:
        return f"({exc}; autograd.trace.trace(f) shows the backward steps instead)"
    x, f = names[id(node)], names[id(root)]
    if not found:
        return f"d{f}/d{x} = 0: no path leads from {x} to {f}"
    many = len(found) > 1
    head = (f"d{f}/d{x} = {_fmt(found.total)} by the chain rule: "
            + (f"the sum, over the {len(found)} paths from {x} to {f}, of the product of the "
               "local derivatives along each path" if many else
               f"the product of the local derivatives along the one path from {x} to {f}"))
    if len(found) <= _MAX_PATHS_SHOWN:
        return head + "\n" + str(found)
    shown = str(Paths(root, node, found[:_MAX_PATHS_SHOWN], names)).splitlines()[:-1]
    return "\n".join([head, *shown, f"... and {len(found) - _MAX_PATHS_SHOWN} more paths",
                      f"sum of all {len(found)} products: d{f}/d{x} = {_fmt(found.total)}"])


# ----------------------------------------------------------------------------- your numbers

def _your_numbers(order: list[Value], root: Value, value_claims: dict[int, Fraction],
                  grad_claims: dict[int, Fraction], lr):
    """The computation redone from the person's own numbers, in floats.

    Where a value (or gradient) is claimed, later steps use the claimed number instead of the
    correct one; ``gives`` holds what each step produces from the numbers before it. Returns
    (gives_value, gives_grad, gives_update) dicts by node id; a step that cannot be computed
    (a claimed number outside an operation's domain, an overflow) is left out.
    """
    data: dict[int, float | None] = {}
    gives_value: dict[int, float] = {}

    def as_float(x):
        try:
            out = float(x)
        except (OverflowError, TypeError, ValueError):
            return None
        return out if math.isfinite(out) else None

    def args_of(node):
        args = [data.get(id(p)) for p in node.parents]
        if node.op.takes_const:
            args.append(float(node.const))
        return None if any(a is None for a in args) else args

    for node in order:
        if node.op is None:
            computed = as_float(node.data)
        else:
            args = args_of(node)
            computed = None
            if args is not None:
                try:
                    if node.op.domain(ScalarMath, *args) is None:
                        computed = as_float(node.op.forward(ScalarMath, *args))
                except (ArithmeticError, ValueError, TypeError):
                    computed = None
        if computed is not None:
            gives_value[id(node)] = computed
        claimed = value_claims.get(id(node))
        data[id(node)] = as_float(claimed) if claimed is not None else computed

    gives_grad: dict[int, float] = {id(root): 1.0}
    grad: dict[int, float | None] = {}
    for node in reversed(order):
        claimed = grad_claims.get(id(node))
        own = gives_grad.get(id(node))
        grad[id(node)] = as_float(claimed) if claimed is not None else own
        if node.op is None:
            continue
        args, g = args_of(node), grad[id(node)]
        if args is None or g is None or data.get(id(node)) is None:
            for p in node.parents:
                gives_grad[id(p)] = None
            continue
        try:
            locals_ = node.op.local(ScalarMath, data[id(node)], *args)
        except (ArithmeticError, ValueError, TypeError):
            locals_ = [None] * len(node.parents)
        for parent, local in zip(node.parents, locals_):
            before = gives_grad.get(id(parent), 0.0)
            if before is None or local is None:
                gives_grad[id(parent)] = None
            else:
                gives_grad[id(parent)] = as_float(before + local * g)

    gives_update: dict[int, float] = {}
    if lr is not None:
        for node in order:
            x, g = data.get(id(node)), grad.get(id(node))
            if node.op is None and x is not None and g is not None:
                gives_update[id(node)] = as_float(x - float(lr) * g)
    clean = {k: v for k, v in gives_grad.items() if v is not None}
    return gives_value, clean, gives_update


# ----------------------------------------------------------------------------- check

def _output_name(taken) -> str:
    return next(name for name in ("f", "y", "out", "output", "value_") if name not in taken)


def _gradients(root: Value, order: list[Value]) -> dict[int, object]:
    """d root / d node for every node, without changing any grad in the graph."""
    saved = [node.grad for node in order]
    for node in order:
        node.grad = 0
    try:
        root.backward()
        return {id(node): node.grad for node in order}
    finally:
        for node, grad in zip(order, saved):
            node.grad = grad


def _pairs(claims) -> list[tuple[str, object]]:
    if claims is None:
        raise CheckError("no claims to check: give claims={'f': ..., 'd/dx1': ...}")
    if isinstance(claims, Mapping):
        pairs = list(claims.items())
    else:
        try:
            pairs = [tuple(item) for item in claims]
        except TypeError:
            raise CheckError("claims must be a dict from target to number (or a list of "
                             "(target, number) pairs)") from None
        if any(len(p) != 2 for p in pairs):
            raise CheckError("claims must be (target, number) pairs")
    if not pairs:
        raise CheckError("no claims to check: give claims={'f': ..., 'd/dx1': ...}")
    return pairs


def check(expr_or_root, values: dict | None = None, claims=None, *, tol=None,
          exact: bool = False, lr=None) -> Report:
    """Judge a person's numbers for an expression (or a ``Value`` graph) against the engine.

    Args:
        expr_or_root: an expression (text or ``autograd.expr.Expression``), built at
            ``values``; or the output ``Value`` of a graph already built (its labels name the
            nodes; its grads are left as they were).
        values: the variables' values, for an expression (see ``autograd.expr.build``).
        claims: a dict from target to number (or (target, number) pairs): ``{"f": 438976,
            "d/dx1": "554496", "u": 8, "x1'": "0.948"}``. See the module docstring for the
            targets and for how a number's written precision is judged.
        tol: if given, every claim is right when within this distance of the correct value.
        exact: build the expression with exact Fractions (``"0.1"`` is 1/10), and read lr
            exactly.
        lr: the learning rate, for update claims (``x1'``).

    Returns:
        Report: ``.ok``, ``.claims`` (``Claim`` records), ``.first_divergence``; ``str()`` of
        it is a table with the derivation of every wrong claim.

    Raises:
        ExpressionError: the expression is refused or cannot be built at these values.
        CheckError: no claims, an unknown target, a claimed number that is not a number, an
            update claim without lr, values given with a Value graph, a negative tol, or a
            gradient that is undefined at these values (as d/dx of x ** 0.5 at x = 0).

    >>> r = check("w * x", {"w": 2, "x": 5}, {"d/dw": 5, "w'": "1.5"}, lr="0.1")
    >>> r.ok, r["w'"].correct
    (True, 1.5)
    """
    pairs = _pairs(claims)
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always", InexactWarning)
        if isinstance(expr_or_root, Value):
            if values:
                raise CheckError("values are for an expression; a Value graph already holds "
                                 "its numbers")
            root = expr_or_root
            title = None
        else:
            expression = expr_or_root if isinstance(expr_or_root, Expression) \
                else parse(expr_or_root)
            root, leaves = build(expression, dict(values or {}), exact=exact)
            if root.op is not None and not root.label:
                root.label = _output_name(expression.variables)
            at = ", ".join(f"{name} = {_fmt(leaf.data)}" for name, leaf in leaves.items())
            title = (f"check of {root.label or _fmt(root.data)} = {expression.text}"
                     + (f" at {at}" if at else ""))
        order = topological_order(root)
        names = node_names(root)
        try:
            correct_grads, grad_error = _gradients(root, order), None
        except (ArithmeticError, ValueError) as exc:
            correct_grads, grad_error = {}, exc  # fine if only values are claimed
    for warning in recorded:
        if issubclass(warning.category, InexactWarning):
            if str(warning.message) not in caught:
                caught.append(str(warning.message))
        else:  # not ours to swallow
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)
    if title is None:
        title = f"check of {names[id(root)]} = {_fmt(root.data)} (a graph of {len(order)} nodes)"
    if exact:
        title += ", in exact arithmetic"
    try:
        lr_value = None if lr is None else parse_number(lr, exact=exact, what="lr")
        tol_value = None if tol is None else parse_number(tol, exact=True, what="tol")
    except ExpressionError as exc:
        raise CheckError(str(exc)) from None
    if tol_value is not None and tol_value < 0:
        raise CheckError(f"tol must be 0 or more, got {tol}")
    if lr_value is not None:
        title += f", lr = {_fmt(lr_value)}"

    by_name: dict[str, list[Value]] = {}
    for node in order:
        if node.label or node.op is not None:
            by_name.setdefault(names[id(node)], []).append(node)
    root_names = {names[id(root)]} | ({"f", "value", "output"} - set(by_name))
    position = {id(node): i for i, node in enumerate(order)}

    targets = [_resolve(target, by_name, root, root_names, lr_value) for target, _ in pairs]
    numbers = [_claimed(number, f"the claim {t.given}") for t, (_, number) in zip(targets, pairs)]
    if grad_error is not None and any(t.kind != "value" for t in targets):
        raise CheckError(f"the gradients cannot be computed at these values: {grad_error}")

    def correct_of(t: _Target):
        if t.kind == "value":
            return t.node.data
        grad = correct_grads[id(t.node)]
        if t.kind == "gradient":
            return grad
        return t.node.data - lr_value * grad

    rank = {"value": 0, "gradient": 1, "update": 2}
    items = sorted(zip(targets, numbers), key=lambda tn: (
        rank[tn[0].kind], position[id(tn[0].node)] * (1 if tn[0].kind == "value" else -1)))

    value_claims = {id(t.node): n.exact for t, n in items if t.kind == "value"}
    grad_claims = {id(t.node): n.exact for t, n in items if t.kind == "gradient"}
    gives_value, gives_grad, gives_update = _your_numbers(order, root, value_claims,
                                                          grad_claims, lr_value)
    gives = {"value": gives_value, "gradient": gives_grad, "update": gives_update}
    forward = [(node, _forward_line(node, names)) for node in order if node.op is not None]

    results: list[Claim] = []
    first_seen = False
    for t, number in items:
        correct = correct_of(t)
        allowed = tol_value if tol_value is not None else (
            number.unit / 2 if number.unit is not None else Fraction(0))
        ok = _within(number, correct, allowed)
        exact_correct = _as_fraction(correct)
        difference = None
        if exact_correct is not None:
            difference = number.exact - exact_correct
            if isinstance(correct, float):
                difference = float(difference)
        from_yours = gives[t.kind].get(id(t.node))
        changed = from_yours is not None and not _close(from_yours, correct)
        carried = None
        notes: list[str] = []
        first = False
        if ok:
            notes.append(_right_note(number, correct, difference, tol_value))
        else:
            first = not first_seen
            first_seen = True
            if first:
                notes.append("first divergence")
            if difference is None:
                notes.append("the correct value is not a finite number")
            else:
                notes.append(f"off by {_show_difference(abs(difference))}")
            hints = _hints(t, number, correct, allowed, tol_value, root, names, lr_value,
                           correct_grads)
            if changed:
                carried = _within(number, from_yours, allowed)
                if carried and first:  # only right (rounded) numbers came before it
                    notes.append(f"it is what your rounded earlier numbers give "
                                 f"({_show(from_yours)}): keep more digits along the way")
                    hints = [h for h in hints if not h.startswith("close")]
                elif carried:
                    notes.append("follows from your earlier numbers")
                    hints = [h for h in hints if not h.startswith("close")]
                elif not first and not hints:
                    notes.append(f"a new slip: your own earlier numbers give "
                                 f"{_show(from_yours)}")
            notes += hints
        derivation = _derivation(t, root, order, names, lr_value, correct_grads, correct)
        if number.unit is None and number.exact.denominator == 1:
            yours = int(number.exact)
        elif number.unit is None or exact:
            yours = number.exact
        else:
            yours = float(number.exact)
        results.append(Claim(
            target=t.given, kind=t.kind, name=names[id(t.node)], node=t.node,
            written=number.written, yours=yours,
            correct=correct, ok=ok, rule=_rule(number, tol_value), difference=difference,
            note="; ".join(notes), derivation=derivation, first_divergence=first,
            carried=carried, from_yours=from_yours if changed else None))
    return Report(title, root, results, names, forward, caught)


def _right_note(number: _Number, correct, difference, tol) -> str:
    if difference == 0 and not isinstance(correct, float):
        return "exact"
    if _within(number, correct, Fraction(0)):
        return "equal" if difference == 0 else "equal up to float rounding"
    if tol is not None:
        return f"within tol {_tol_text(tol)}"
    shown = f"{float(correct):.10g}" if isinstance(correct, Fraction) else _show(correct)
    return f"{shown} rounds to {number.written}"


def _hints(t: _Target, number: _Number, correct, allowed, tol, root, names, lr,
           grads) -> list[str]:
    """Likely causes of a wrong claim that can be recognised from the numbers alone."""
    hints = []
    exact_correct = _as_fraction(correct)
    if exact_correct is None:
        return hints
    if tol is None and number.unit is None and number.exact.denominator == 1 and \
            abs(number.exact - exact_correct) <= Fraction(1, 2):
        hints.append(f"the correct value rounds to {number.written}, but a whole number claims "
                     "exactly that number; if you rounded, say so with a tolerance "
                     "(tol=0.5, or --tol 0.5)")
    elif tol is None and number.unit is not None and \
            abs(number.exact - exact_correct) <= 2 * number.unit and \
            abs(number.exact - exact_correct) <= abs(exact_correct) / 100:
        hints.append(f"close, but more than rounding {_rule(number, None)} allows; if you "
                     "rounded earlier steps, keep more digits along the way")
    if number.exact != 0 and _within(_Number("", -number.exact, None), correct, allowed):
        hints.append("the sign is flipped")
    if t.kind == "gradient" and t.node is not root:
        try:
            found = paths(root, t.node)
        except ValueError:
            found = []
        if len(found) > 1:
            for p in found:
                if _within(number, p.product, allowed):
                    hints.append(f"equals the path {' -> '.join(p.names)} alone: "
                                 f"{len(found)} paths lead from {t.name} to "
                                 f"{names[id(root)]}, and the gradient is the sum of their "
                                 "products")
                    break
    if t.kind == "update":
        grad = grads[id(t.node)]
        if _within(number, t.node.data + lr * grad, allowed):
            hints.append(f"this is {t.name} + lr * gradient: a gradient-descent step goes "
                         f"against the gradient, {t.name} - lr * gradient")
        elif _within(number, t.node.data - grad, allowed):
            hints.append("this is the step without the learning rate")
    return hints


def _operand(x) -> str:
    """A number to be written inside a formula: (1/2) and (-3) get parentheses."""
    text = _fmt(x)
    return f"({text})" if "/" in text or text.startswith("-") else text


def _derivation(t: _Target, root, order, names, lr, grads, correct) -> str:
    if t.kind == "value":
        if t.node.op is None:
            return f"{t.name} is an input: {t.name} = {_fmt(t.node.data)}"
        wanted = {id(n) for n in topological_order(t.node)}
        return "\n".join(_forward_line(n, names) for n in order
                         if n.op is not None and id(n) in wanted)
    if t.kind == "gradient":
        return _paths_text(root, t.node, names)
    f, x, grad = names[id(root)], t.name, grads[id(t.node)]
    line = (f"{x}' = {x} - lr * d{f}/d{x} = {_operand(t.node.data)} - {_operand(lr)} * "
            f"{_operand(grad)} = {_fmt(correct)}")
    return line + "\nwhere " + _paths_text(root, t.node, names)
