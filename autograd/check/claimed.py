"""Reading a person's claims: the number as written, and what it is a claim about.

A claimed number keeps how it was written, because that decides how it is judged: ``520``
claims exactly 520, ``33.95`` claims the value rounded to two decimals (anything from 33.945
to 33.955). A claim's target names what the number is: the output's value, a named node's
value, a gradient ``d/dx1`` (or ``dh1/dw1``, a step's), or an updated parameter ``x1'``;
prefixes say which example (``2:d/dw1``, ``all:E``) and after how many steps of gradient
descent (``after:1:y``, ``after 3:x``).

>>> read_number("33.95", "the claim f").allowed(None)
Fraction(1, 200)
>>> read_number(520, "the claim d/dw1").allowed(None)
Fraction(0, 1)
>>> t = read_target("after:2:d/dw1")
>>> t.kind, t.name, t.example, t.step
('gradient', 'w1', 2, 1)
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass
from fractions import Fraction

from ..expr import ExpressionError, parse_number

__all__ = ["CheckError", "ClaimedNumber", "read_number", "TargetText", "read_target",
           "normal_target", "MAX_STEPS"]

MAX_STEPS = 1000
"""Most steps of gradient descent a claim may be about (``after 1000:x``)."""


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

    def as_given(self, exact: bool) -> int | Fraction | float:
        """The number as the person gave it: an int, a Fraction, or a float for a decimal."""
        if self.unit is None and self.exact.denominator == 1:
            return int(self.exact)
        if self.unit is None or exact:
            return self.exact
        return float(self.exact)


_INT_TEXT = re.compile(r"[+-]?\d+")
_FRACTION_TEXT = re.compile(r"[+-]?\d+\s*/\s*\d+")


def read_number(number: object, what: str) -> ClaimedNumber:
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
    assert isinstance(exponent, int)  # a finite decimal: parse_number refused the rest
    return ClaimedNumber(written, exact, Fraction(10) ** exponent, exponent)


def normal_target(target: str) -> str:
    """A target without spaces, with ``∂`` read as ``d`` and ``’`` as ``'``."""
    return re.sub(r"\s+", "", str(target)).replace("∂", "d").replace("’", "'")


@dataclass(frozen=True)
class TargetText:
    """A claim's target as written, read before any graph is consulted.

    Attributes:
        given: the target as written (``"after:1:d/dw1"``).
        kind: ``"value"``, ``"gradient"`` or ``"update"``.
        name: the node it names (the input for a gradient or an update): ``"w1"``.
        top: for a gradient ``dTOP/dNAME``, TOP as written (``""`` for ``d/dNAME``).
        example: the example's number (from 1), ``"all"`` (the examples reduced), or None.
        step: after how many steps of gradient descent (0: at the start).
        spelled: the target without its prefixes, as written (``"w1_new"``).
    """

    given: str
    kind: str
    name: str
    top: str = ""
    example: int | str | None = None
    step: int = 0
    spelled: str = ""

    def body(self) -> str:
        """The target without its prefixes: ``"d/dw1"``, ``"y"``, ``"w1'"``."""
        if self.kind == "gradient":
            return f"d{self.top}/d{self.name}"
        return f"{self.name}'" if self.kind == "update" else self.name

    def moved(self, example: int | str | None = None, step: int | None = None) -> TargetText:
        """The same target about another example or another step."""
        return TargetText(self.given, self.kind, self.name, self.top,
                          self.example if example is None else example,
                          self.step if step is None else step, self.spelled)


_AFTER = re.compile(r"after(\d*)(?:steps?)?:(.*)")
_EXAMPLE = re.compile(r"(\d+|all):(.*)")
_GRADIENT = re.compile(r"d([^/]*)/d(.+)")
_UPDATE = re.compile(r"(.+?)(?:'|_new)")

TARGET_FORMS = ("the output's name (f or value), a named node, d/dNAME for a gradient, "
                "dSTEP/dNAME for a step's, NAME' (NAME_new) for an updated parameter; prefixed "
                "with N: for example N, all: for the examples summed or averaged, after: or "
                "after K: for after one or K steps of gradient descent")
"""What a claim's target may be, for error messages."""


def read_target(target: object) -> TargetText:
    """Read a claim's target: its prefixes (``after K:``, ``N:`` or ``all:``) and its kind.

    Raises:
        CheckError: not text, an unknown prefix, prefixes in the wrong order, a step number
            out of range, or nothing left to name.
    """
    if not isinstance(target, str):
        raise CheckError(f"a claim's target is text such as 'f', 'd/dx1' or \"x1'\", got "
                         f"{target!r}")
    text = normal_target(target)
    step = 0
    after = _AFTER.fullmatch(text)
    if after:
        step = int(after.group(1)) if after.group(1) else 1
        if step > MAX_STEPS:
            raise CheckError(f"{target!r}: at most {MAX_STEPS} steps of gradient descent can be "
                             f"checked, not {step}")
        text = after.group(2)
    example: int | str | None = None
    prefixed = _EXAMPLE.fullmatch(text)
    if prefixed:
        example = prefixed.group(1) if prefixed.group(1) == "all" else int(prefixed.group(1))
        text = prefixed.group(2)
    if ":" in text:
        prefix = text.split(":")[0]
        hint = (f"write after:...:{text.split(':', 1)[1]} with after: first"
                if prefix.startswith("after") else "the prefixes are N:, all: and after K:")
        raise CheckError(f"{target!r}: unknown prefix {prefix + ':'!r}; {hint}")
    if not text:
        raise CheckError(f"{target!r} names nothing after its prefix; use {TARGET_FORMS}")
    gradient = _GRADIENT.fullmatch(text)
    if gradient:
        return TargetText(target, "gradient", gradient.group(2), gradient.group(1), example,
                          step, text)
    update = _UPDATE.fullmatch(text)
    if update:
        return TargetText(target, "update", update.group(1), "", example, step, text)
    return TargetText(target, "value", text, "", example, step, text)
