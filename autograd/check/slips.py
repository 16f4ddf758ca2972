"""Recognising slips: which kind of mistake a wrong number's value points to.

For a wrong claim the checker tries the mistakes people make by hand and names each one whose
number the claim matches to its written precision (``autograd.check.records.SLIP_KINDS``, the
most specific first): a path of the chain rule left out, or one factor of a path left out or
taken twice, another input's gradient, the number of another example or of a step before or
after in a descent, an update in the wrong direction or without the learning rate, a flipped
sign, and rounding. Nothing is named from a resemblance: a kind is named only when its number
is the claimed one.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .claimed import MAX_STEPS, CheckError, ClaimedNumber
from .records import SLIP_KINDS, Slip

if TYPE_CHECKING:  # work.py judges with this module's functions
    from ..value import Value
    from .facts import GraphFacts
    from .work import Target, Work

_Matches = Callable[[Any], bool]

__all__ = ["find_slips", "within", "as_fraction", "FLOAT_RELATIVE", "FLOAT_ABSOLUTE"]

FLOAT_RELATIVE = Fraction(1, 10 ** 9)
"""Slack for float rounding in a correct value computed in floats, relative to its size."""

FLOAT_ABSOLUTE = Fraction(1, 10 ** 12)
"""Slack for float rounding, absolute (for values near 0)."""


def as_fraction(x: Any) -> Fraction | None:
    """``x`` exactly as a Fraction (floats exactly as stored); None if not finite."""
    try:
        return Fraction(x)
    except (TypeError, ValueError, OverflowError):
        return None


def within(number_: ClaimedNumber, value: Any, allowed: Fraction) -> bool:
    """Is the claimed number within ``allowed`` of ``value`` (plus float slack for floats)?"""
    exact = as_fraction(value)
    if exact is None:
        return False
    slack: Fraction | int = 0
    if isinstance(value, float):
        slack = FLOAT_RELATIVE * max(abs(exact), abs(number_.exact)) + FLOAT_ABSOLUTE
    return abs(number_.exact - exact) <= allowed + slack


def find_slips(work: Work, target: Target, claimed: ClaimedNumber, correct: Any,
               allowed: Fraction, tol: Fraction | None, carried: bool | None,
               rounded_from: Any = None) -> tuple[Slip, ...]:
    """The kinds of slip a wrong claim's numbers point to, most specific first.

    Args:
        work: the ``autograd.check.work.Work`` the claim is about; ``target``: its ``Target``.
        claimed: the claimed number; ``correct``: the engine's; ``allowed``: how far from a
            number the claim may be and still match it.
        tol: the tolerance given for the check (None: judged by the digits written).
        carried: whether the claim follows from the person's earlier numbers (then only the
            chain rule's own kinds are looked for: the rest would be coincidences).
        rounded_from: what the person's rounded earlier numbers give, when the claim is that
            (rounding carried too early).

    Returns:
        the ``Slip`` records, in the order of ``SLIP_KINDS``; ``check`` puts them in
        ``claim.slips``.

    >>> from autograd.check import check
    >>> claim = check("y = 3 * x**2", {"x": 2}, {"d/dx": 4})["d/dx"]   # 3 * 2x = 12
    >>> [(s.kind, str(s.factor), s.factor_value) for s in claim.slips]
    [('factor left out', '3', 3)]
    """
    exact_correct = as_fraction(correct)
    if exact_correct is None:
        return ()
    if rounded_from is not None:
        return (Slip("rounded too early", value=rounded_from),)
    found: list[Slip] = []

    def matches(candidate: Any) -> bool:
        return candidate is not None and within(claimed, candidate, allowed)

    if target.kind == "gradient":
        found += _path_slips(work, target, correct, matches)
    if not carried:
        if target.kind == "gradient" and target.top is None:
            found += _other_inputs(work, target, matches)
        found += _other_examples(work, target, matches)
        found += _other_steps(work, target, matches)
        if target.kind == "update":
            found += _update_slips(work, target, matches)
        if claimed.exact != 0 and within(ClaimedNumber("", -claimed.exact, None), correct,
                                         allowed):
            found.append(Slip("sign flipped", value=-exact_correct))
        found += _rounding(claimed, exact_correct, tol)
    order = list(SLIP_KINDS)
    return tuple(sorted(found, key=lambda slip: order.index(slip.kind)))


# ----------------------------------------------------------------------------- the chain rule

def _contributions(work: Work, target: Target) -> list[tuple[int | None, GraphFacts, Value,
                                                             Fraction | float]]:
    """(example index, its GraphFacts, the node there, its weight in the claimed number): one
    for a claim about one example, one per example for a gradient summed or averaged."""
    if target.example is not None:
        facts = work.facts(target.step, target.example)
        if target.top is not None:
            facts = facts.sub(target.top)
        return [(None, facts, target.node, 1)]
    weight: Fraction | float = 1
    if work.reduce == "mean" and work.count > 1:
        weight = Fraction(1, work.count) if work.exact else 1 / work.count
    return [(i, work.facts(target.step, i), work.node(work.facts(target.step, i), target.name),
             weight) for i in range(work.count)]


def _path_slips(work: Work, target: Target, total: Any, matches: _Matches) -> list[Slip]:
    """A path left out of the sum, or one factor of one path left out or taken twice: the
    number each gives is the total with that one path's product changed."""
    found: dict[str, Slip] = {}
    for example, facts, node, weight in _contributions(work, target):
        try:
            listed = facts.paths(node)
        except ValueError:  # too many paths to list
            continue
        part = listed.total
        for path in listed:
            others = part - path.product  # what the other paths add
            changes: list[tuple[str, Any, Any, Any]] = []
            if len(listed) >= 2:
                changes.append(("missing path", path.product, None, None))
            for formula, local in zip(path.formulas, path.locals):
                if local in (0, 1, -1):
                    continue
                changes.append(("factor left out", others + _quotient(path.product, local),
                                formula, local))
                changes.append(("factor taken twice", others + path.product * local, formula,
                                local))
            for kind, becomes, formula, local in changes:
                if kind in found:
                    continue
                candidate = total + weight * (becomes - part)
                if matches(candidate):
                    found[kind] = Slip(kind, value=candidate, path=path,
                                       path_count=len(listed), factor=formula,
                                       factor_value=local,
                                       example=None if example is None else example + 1,
                                       instead=None if example is None else (becomes, part))
    return list(found.values())


def _quotient(a: Any, b: Any) -> Any:
    """a / b, exactly when both are exact."""
    if isinstance(a, (int, Fraction)) and isinstance(b, (int, Fraction)):
        quotient = Fraction(a) / Fraction(b)
        return quotient.numerator if quotient.denominator == 1 else quotient
    return a / b


# ----------------------------------------------------------------------------- other numbers

def _other_inputs(work: Work, target: Target, matches: _Matches) -> list[Slip]:
    """Another input's gradient (as if its formula had been used)."""
    facts = work.facts(target.step, 0 if target.example is None else target.example)
    found = []
    for node in facts.order:
        name = facts.names[id(node)]
        if node.op is not None or not node.label or node is target.node or \
                len(facts.by_name.get(name, ())) != 1:
            continue
        if target.example is None:
            if not work.is_shared(name):
                continue
            candidate = work.gradient(target.step, name)
        else:
            candidate = facts.gradients()[id(node)]
        if matches(candidate):
            found.append(Slip("another input's gradient", value=candidate, name=name))
    return found


def _other_examples(work: Work, target: Target, matches: _Matches) -> list[Slip]:
    """The same target in another example."""
    if target.example is None or not work.several or target.shared or \
            (target.kind == "value" and target.node.op is None and
             work.is_shared(target.name)):
        return []
    found = []
    for other in range(work.count):
        if other == target.example:
            continue
        candidate = _correct_elsewhere(work, target, example=other + 1)
        if matches(candidate):
            found.append(Slip("another example", value=candidate, example=other + 1))
    return found


def _other_steps(work: Work, target: Target, matches: _Matches) -> list[Slip]:
    """The same target one step earlier or later in the descent."""
    if work.lr is None or work.expression is None:
        return []
    found = []
    for step in (target.step - 1, target.step + 1):
        if 0 <= step <= MAX_STEPS:
            candidate = _correct_elsewhere(work, target, step=step)
            if matches(candidate):
                found.append(Slip("another step", value=candidate, step=step))
    return found


def _correct_elsewhere(work: Work, target: Target, example: int | None = None,
                       step: int | None = None) -> Any:
    """The engine's number for the same target in another example or at another step (None
    if it cannot be computed there)."""
    text = target.text.moved(example=example, step=step)
    try:
        return work.correct(work.resolve(text))
    except (CheckError, ArithmeticError, ValueError):
        return None


def _update_slips(work: Work, target: Target, matches: _Matches) -> list[Slip]:
    value = work.parameter(target.step, target.name)
    gradient = work.gradient(target.step, target.name)
    if matches(value + work.lr * gradient):
        return [Slip("wrong direction", value=value + work.lr * gradient)]
    if matches(value - gradient):
        return [Slip("learning rate left out", value=value - gradient)]
    return []


def _rounding(claimed: ClaimedNumber, correct: Fraction, tol: Fraction | None) -> list[Slip]:
    off = abs(claimed.exact - correct)
    if tol is None and claimed.unit is None and claimed.exact.denominator == 1 and \
            off <= Fraction(1, 2):
        return [Slip("rounded whole number")]
    if tol is None and claimed.unit is not None and off <= 2 * claimed.unit and \
            off <= abs(correct) / 100:
        return [Slip("rounded too early")]
    return []
