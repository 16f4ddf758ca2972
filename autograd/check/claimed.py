"""Reading a person's claims: the number as written, and what it is a claim about.

A claimed number keeps how it was written, because that decides how it is judged: ``520``
claims exactly 520, ``33.95`` claims the value rounded to two decimals (anything from 33.945
to 33.955). A claim's target names what the number is: the output's value, a named node's
value, a gradient ``d/dx1``, or an updated parameter ``x1'``.

>>> read_number("33.95", "the claim f").allowed(None)
Fraction(1, 200)
>>> read_number(520, "the claim d/dw1").allowed(None)
Fraction(0, 1)
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass
from fractions import Fraction

from ..expr import ExpressionError, parse_number

__all__ = ["CheckError", "ClaimedNumber", "read_number", "Target", "resolve_target",
           "normal_target"]


class CheckError(ValueError):
    """A claim that cannot be checked: an unknown target, a number that is not one, no lr."""


@dataclass(frozen=True)
class ClaimedNumber:
    """A claimed number: as written, exactly, and the unit of its last written digit.

    Attributes:
        written: the text as given (``"33.95"``).
        exact: the number it stands for, as a Fraction.
        unit: the size of its last written digit (1/100 for 33.95); None for a whole number
            or a fraction, which claim their value exactly.
        exponent: the power of ten of that digit (-2 for 33.95).
    """

    written: str
    exact: Fraction
    unit: Fraction | None
    exponent: int = 0

    def allowed(self, tol: Fraction | None) -> Fraction:
        """How far from the correct value this claim may be: ``tol`` if given, else half its
        last digit (33.95: 0.005), else 0 (a whole number or fraction claims it exactly)."""
        if tol is not None:
            return tol
        return self.unit / 2 if self.unit is not None else Fraction(0)

    def as_given(self, exact: bool):
        """The number as the person gave it: an int, a Fraction, or a float for a decimal."""
        if self.unit is None and self.exact.denominator == 1:
            return int(self.exact)
        if self.unit is None or exact:
            return self.exact
        return float(self.exact)


_INT_TEXT = re.compile(r"[+-]?\d+")
_FRACTION_TEXT = re.compile(r"[+-]?\d+\s*/\s*\d+")


def read_number(number, what: str) -> ClaimedNumber:
    """Read a claimed number: an int, Fraction, float (from its shortest repr), Decimal or text.

    Raises:
        CheckError: not a number (``what`` names the claim in the message).
    """
    if isinstance(number, bool) or not isinstance(number, (int, float, Fraction, str,
                                                           decimal.Decimal)):
        raise CheckError(f"{what} must be a number or text such as '33.95' or '3/4', got "
                         f"{number!r}")
    if isinstance(number, (int, Fraction)):
        return ClaimedNumber(str(number), Fraction(number), None)
    written = repr(number) if isinstance(number, float) else str(number)
    written = written.strip().replace("\u2212", "-")
    try:
        exact = parse_number(written, exact=True, what=what)
    except ExpressionError as exc:
        raise CheckError(str(exc)) from None
    if _INT_TEXT.fullmatch(written) or _FRACTION_TEXT.fullmatch(written):
        return ClaimedNumber(written, exact, None)
    exponent = decimal.Decimal(written).as_tuple().exponent
    return ClaimedNumber(written, exact, Fraction(10) ** exponent, exponent)


def normal_target(target: str) -> str:
    """A target without spaces, with ``∂`` read as ``d`` and ``’`` as ``'``."""
    return re.sub(r"\s+", "", str(target)).replace("∂", "d").replace("’", "'")


@dataclass(frozen=True)
class Target:
    """What a claim is about.

    Attributes:
        given: the target as written (``"d/dx1"``).
        kind: ``"value"``, ``"gradient"`` or ``"update"``.
        node: the Value it names (the input for a gradient or an update).
        name: that node's name.
    """

    given: str
    kind: str
    node: object
    name: str


def resolve_target(target, by_name: dict, root, root_names: set[str], lr) -> Target:
    """The node and kind a claim's target names.

    Args:
        target: the target as written: ``"f"``, ``"u"``, ``"d/dx1"`` (or ``"df/dx1"``),
            ``"x1'"`` (or ``"x1_new"``).
        by_name: the named nodes of the graph, name -> list of nodes with that name.
        root: the output.
        root_names: the names that mean the output (its own, and f, value, output when free).
        lr: the learning rate (None if not given: update claims are then refused).

    Raises:
        CheckError: the target is not text, names nothing in the graph, names two nodes, asks
            for the derivative of something other than the output, or is an update without
            lr or of a computed node.
    """
    if not isinstance(target, str):
        raise CheckError(f"a claim's target is text such as 'f', 'd/dx1' or \"x1'\", got "
                         f"{target!r}")
    text = normal_target(target)
    known = ", ".join(sorted(by_name))

    def node_for(name: str):
        nodes = by_name.get(name)
        if not nodes:
            raise CheckError(f"{target!r}: there is no {name!r} in the graph; the named nodes "
                             f"are {known}")
        if len(nodes) > 1:
            raise CheckError(f"{target!r}: {len(nodes)} nodes are named {name!r}; give them "
                             "different labels")
        return nodes[0]

    if text in by_name:
        return Target(target, "value", node_for(text), text)
    match = re.fullmatch(r"d([^/]*)/d(.+)", text)
    if match:
        top, wrt = match.groups()
        if top and top not in root_names:
            if top in by_name:
                raise CheckError(f"{target!r}: only derivatives of the output are checked "
                                 f"(d/d{wrt} or d{min(root_names)}/d{wrt}); {top} is not "
                                 "the output")
            raise CheckError(f"{target!r}: {top!r} is not the output; write d/d{wrt}")
        return Target(target, "gradient", node_for(wrt), wrt)
    match = re.fullmatch(r"(.+?)(?:'|_new)", text)
    if match:
        name = match.group(1)
        node = node_for(name)
        if node.op is not None:
            raise CheckError(f"{target!r}: a gradient-descent update applies to an input or "
                             f"parameter; {name} is computed from others")
        if lr is None:
            raise CheckError(f"{target!r} is {name} after a gradient-descent step, "
                             f"{name} - lr * d/d{name}: give the learning rate (lr=..., or "
                             "--lr on the command line)")
        return Target(target, "update", node, name)
    if text in root_names:
        return Target(target, "value", root, text)
    raise CheckError(f"unknown claim target {target!r}: use the output's name (f or value), "
                     f"a named node ({known}), d/dNAME for a gradient, or NAME' (NAME_new) for "
                     "an updated parameter")
