"""Explaining the checker's verdicts: derivations, slips recognised, and every text a report shows.

The judge (``autograd.check.judge``) decides right or wrong; this module finds how each
correct number is computed (``derive``), which kinds of slip the numbers point to
(``find_slips``), and writes all of it as text (``claim_note``, ``report_text``). The records
it reads and makes are in ``autograd.check.records``.
"""

from __future__ import annotations

import decimal
import math
from dataclasses import dataclass
from fractions import Fraction

from ..text import Table, forward_line, number
from ..trace import Paths
from .claimed import ClaimedNumber
from .records import Claim, GradientDerivation, Slip, UpdateDerivation, ValueDerivation

__all__ = ["shown", "rule_text", "claim_note", "claim_explanations", "Voice", "YOU", "derive", "find_slips", "within",
           "as_fraction", "report_table", "report_summary", "report_text",
           "FLOAT_RELATIVE", "FLOAT_ABSOLUTE", "MAX_PATHS_SHOWN", "MAX_FORWARD_LINES"]

FLOAT_RELATIVE = Fraction(1, 10 ** 9)
"""Slack for float rounding in a correct value computed in floats, relative to its size."""

FLOAT_ABSOLUTE = Fraction(1, 10 ** 12)
"""Slack for float rounding, absolute (for values near 0)."""

MAX_PATHS_SHOWN = 20
"""Most paths a derivation lists; the rest are counted."""

MAX_FORWARD_LINES = 60
"""Most forward steps a report lists; a longer forward pass shows only the claimed steps."""


# ----------------------------------------------------------------------------- numbers

def as_fraction(x) -> Fraction | None:
    """``x`` exactly as a Fraction (floats exactly as stored); None if not finite."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    try:
        return Fraction(x)
    except (TypeError, ValueError, OverflowError):
        return None


def within(number_: ClaimedNumber, value, allowed: Fraction) -> bool:
    """Is the claimed number within ``allowed`` of ``value`` (plus float slack for floats)?"""
    exact = as_fraction(value)
    if exact is None:
        return False
    slack = 0
    if isinstance(value, float):
        slack = FLOAT_RELATIVE * max(abs(exact), abs(number_.exact)) + FLOAT_ABSOLUTE
    return abs(number_.exact - exact) <= allowed + slack


def shown(x) -> str:
    """A correct value for people: 554496, 33.94503002, 237/250 (= 0.948), 1/3 (≈ 0.333333)."""
    if isinstance(x, Fraction) and x.denominator != 1:
        if not _float_range(x):
            return number(x, exact=True)
        approx = number(float(x), exact=True)
        if Fraction(approx) == x and len(approx) <= 12:
            return f"{number(x, exact=True)} (= {approx})"
        return f"{number(x, exact=True)} (≈ {number(float(x))})"
    if isinstance(x, float):
        return number(x, digits=10)
    return number(x, exact=True)


def _float_range(x: Fraction) -> bool:
    try:
        return math.isfinite(float(x))
    except OverflowError:
        return False


def _difference_text(d) -> str:
    if isinstance(d, Fraction) and d.denominator != 1:
        return shown(d)
    return shown(d) if not isinstance(d, float) else number(d)


def _half_unit(claimed: ClaimedNumber) -> str:
    return format(decimal.Decimal(5).scaleb(claimed.exponent - 1), "f")


def _tol_text(tol: Fraction) -> str:
    """A tolerance as a decimal when it is one (0.01), else as a fraction (1/3)."""
    if tol.denominator == 1:
        return str(tol.numerator)
    approx = repr(float(tol))
    return approx if Fraction(approx) == tol else str(tol)


def rule_text(claim: Claim) -> str:
    """How a claim is judged: ``"exactly"``, ``"to 2 decimals (±0.005)"``, ``"within tol 0.1"``."""
    return _rule(claim.claimed, claim.tol)


def _rule(claimed: ClaimedNumber, tol) -> str:
    if tol is not None:
        return f"within tol {_tol_text(tol)}"
    if claimed.unit is None:
        return "exactly"
    if claimed.exponent < 0:
        places = -claimed.exponent
        return f"to {places} decimal{'s' if places > 1 else ''} (±{_half_unit(claimed)})"
    if claimed.exponent == 0:
        return "to a whole number (±0.5)"
    return f"to the nearest {10 ** claimed.exponent} (±{_half_unit(claimed)})"


# ----------------------------------------------------------------------------- slips

def find_slips(claim_kind: str, node, claimed: ClaimedNumber, correct, allowed: Fraction,
               tol, facts, lr, carried: bool | None, rounded_from=None) -> tuple[Slip, ...]:
    """The kinds of slip a wrong claim's numbers point to, most specific first.

    Each kind is named only when the numbers match it to the claim's written precision (see
    ``autograd.check.records.SLIP_KINDS``). ``rounded_from``: what the person's own earlier
    numbers give, when they are right to the digits written and give this claim (rounding
    carried too far).
    """
    slips: list[Slip] = []
    exact_correct = as_fraction(correct)
    if exact_correct is None:
        return ()
    if rounded_from is not None:
        return (Slip("rounded too early", value=rounded_from),)
    off = abs(claimed.exact - exact_correct)
    if claim_kind == "gradient" and node is not facts.root:
        slips += _missing_path(node, claimed, allowed, facts)
    if carried:  # it follows from earlier numbers: a match below would be a coincidence
        return tuple(slips)
    if claim_kind == "update":
        gradient = facts.gradients()[id(node)]
        if within(claimed, node.data + lr * gradient, allowed):
            slips.append(Slip("wrong direction", value=node.data + lr * gradient))
        elif within(claimed, node.data - gradient, allowed):
            slips.append(Slip("learning rate left out", value=node.data - gradient))
    if claimed.exact != 0 and within(ClaimedNumber("", -claimed.exact, None), correct, allowed):
        slips.append(Slip("sign flipped", value=-exact_correct))
    if tol is None and claimed.unit is None and claimed.exact.denominator == 1 and \
            off <= Fraction(1, 2):
        slips.append(Slip("rounded whole number"))
    elif tol is None and claimed.unit is not None and not carried and \
            off <= 2 * claimed.unit and off <= abs(exact_correct) / 100:
        slips.append(Slip("rounded too early"))
    return tuple(slips)


def _missing_path(node, claimed: ClaimedNumber, allowed: Fraction, facts) -> list[Slip]:
    try:
        found = facts.paths(node)
    except ValueError:  # too many paths to list
        return []
    if len(found) < 2:
        return []
    for path in found:
        if within(claimed, path.product, allowed):
            return [Slip("missing path", path=path, path_count=len(found),
                         value=path.product)]
    return []


def _slip_text(slip: Slip, claim: Claim, root_name: str, voice: Voice) -> str:
    if slip.kind == "missing path":
        return (f"equals the path {' -> '.join(slip.path.names)} alone: {slip.path_count} "
                f"paths lead from {claim.name} to {root_name}, and the gradient is the sum of "
                "their products")
    if slip.kind == "wrong direction":
        return (f"this is {claim.name} + lr * gradient: a gradient-descent step goes against "
                f"the gradient, {claim.name} - lr * gradient")
    if slip.kind == "learning rate left out":
        return "this is the step without the learning rate"
    if slip.kind == "sign flipped":
        return "the sign is flipped"
    if slip.kind == "rounded whole number":
        return (f"the correct value rounds to {claim.written}, but a whole number claims "
                f"exactly that number; if {voice.subject} rounded, {voice.tolerance}")
    if slip.kind == "rounded too early" and slip.value is not None:
        return (f"it is what {voice.possessive} rounded earlier numbers give "
                f"({shown(slip.value)}): keep more digits along the way")
    if slip.kind == "rounded too early":
        return (f"close, but more than rounding {_rule(claim.claimed, None)} allows; if "
                f"{voice.subject} rounded earlier steps, keep more digits along the way")
    return slip.kind  # pragma: no cover - every kind above


# ----------------------------------------------------------------------------- notes

@dataclass(frozen=True)
class Voice:
    """Whom a report speaks to: "you" by default; a demo auditing a textbook speaks of "the
    lesson" instead, from the same data.

    Attributes:
        possessive: "your" ("your earlier numbers").
        subject: "you" ("if you rounded").
        tolerance: what to do about a rounded whole number.
    """

    possessive: str = "your"
    subject: str = "you"
    tolerance: str = "say so with a tolerance (tol=0.5, or --tol 0.5)"


YOU = Voice()
"""The checker's own voice: it speaks to the person whose numbers it judges."""


def claim_note(claim: Claim, root_name: str = "the output", voice: Voice = YOU) -> str:
    """The short explanation of a claim in a report's table."""
    if claim.ok:
        return _right_note(claim)
    notes = []
    if claim.first_divergence:
        notes.append("first divergence")
    if claim.difference is None:
        notes.append("the correct value is not a finite number")
    else:
        notes.append(f"off by {_difference_text(abs(claim.difference))}")
    return "; ".join(notes + claim_explanations(claim, root_name, voice))


def claim_explanations(claim: Claim, root_name: str = "the output",
                       voice: Voice = YOU) -> list[str]:
    """Why a wrong claim is wrong, as far as the numbers tell: whether it follows from
    earlier numbers, and each slip recognised (empty for a right claim)."""
    if claim.ok:
        return []
    notes = []
    own = voice.possessive
    if claim.carried:
        notes.append(f"follows from {own} earlier numbers")
    elif claim.carried is False and not claim.first_divergence and not claim.slips:
        notes.append(f"a new slip: {own} own earlier numbers give {shown(claim.from_yours)}")
    root_name = _root_name(claim, root_name)
    return notes + [_slip_text(slip, claim, root_name, voice) for slip in claim.slips]


def _root_name(claim: Claim, default: str) -> str:
    derivation = claim.derivation
    if isinstance(derivation, UpdateDerivation):
        derivation = derivation.gradient_derivation
    if isinstance(derivation, GradientDerivation) and derivation.paths is not None:
        return derivation.paths.names[id(derivation.root)]
    return default


def _right_note(claim: Claim) -> str:
    correct, difference = claim.correct, claim.difference
    if difference == 0 and not isinstance(correct, float):
        return "exact"
    if within(claim.claimed, correct, Fraction(0)):
        return "equal" if difference == 0 else "equal up to float rounding"
    if claim.tol is not None:
        return f"within tol {_tol_text(claim.tol)}"
    value = number(float(correct), digits=10) if isinstance(correct, Fraction) else shown(correct)
    return f"{value} rounds to {claim.written}"


# ----------------------------------------------------------------------------- derivations

def derive(kind: str, node, facts, lr, correct):
    """How the correct number of a claim is computed, as data (see ``records``)."""
    if kind == "value":
        return ValueDerivation(node, facts.steps_to(node) if node.op is not None else (),
                               facts.names)
    gradient = _gradient_derivation(node, facts)
    if kind == "gradient":
        return gradient
    return UpdateDerivation(node, lr, facts.gradients()[id(node)], correct, gradient,
                            facts.names)


def _gradient_derivation(node, facts) -> GradientDerivation:
    count = facts.path_count(node)
    try:
        found = facts.paths(node)
    except ValueError:  # too many to list
        return GradientDerivation(node, facts.root, None, count, names=facts.names)
    return GradientDerivation(node, facts.root, found, count, found.total, facts.names)


def derivation_text(derivation, names: dict[int, str]) -> str:
    """A derivation as the lines a report prints."""
    if isinstance(derivation, ValueDerivation):
        name = names[id(derivation.node)]
        if not derivation.steps:
            return f"{name} is an input: {name} = {number(derivation.node.data)}"
        return "\n".join(forward_line(n, names) for n in derivation.steps)
    if isinstance(derivation, UpdateDerivation):
        gradient = derivation.gradient_derivation
        f, x = names[id(gradient.root)], names[id(derivation.node)]
        line = (f"{x}' = {x} - lr * d{f}/d{x} = {_operand(derivation.node.data)} - "
                f"{_operand(derivation.lr)} * {_operand(derivation.gradient)} = "
                f"{number(derivation.result)}")
        return line + "\nwhere " + derivation_text(gradient, names)
    return _paths_text(derivation, names)


def _operand(x) -> str:
    """A number to be written inside a formula: (1/2) and (-3) get parentheses."""
    text = number(x)
    return f"({text})" if "/" in text or text.startswith("-") else text


def _paths_text(derivation: GradientDerivation, names: dict[int, str]) -> str:
    root, node = derivation.root, derivation.node
    x, f = names[id(node)], names[id(root)]
    if node is root:
        return f"d{f}/d{f} = 1: backward starts from the output with gradient 1"
    if derivation.paths is None:
        return (f"{derivation.path_count:,} paths lead from {x} to {f}, too many to list; "
                "autograd.trace.trace(f) shows the backward steps instead")
    found = derivation.paths
    if not found:
        return f"d{f}/d{x} = 0: no path leads from {x} to {f}"
    many = len(found) > 1
    head = (f"d{f}/d{x} = {number(found.total)} by the chain rule: "
            + (f"the sum, over the {len(found)} paths from {x} to {f}, of the product of the "
               "local derivatives along each path" if many else
               f"the product of the local derivatives along the one path from {x} to {f}"))
    if len(found) <= MAX_PATHS_SHOWN:
        return head + "\n" + str(found)
    shown_paths = Paths(root, node, found[:MAX_PATHS_SHOWN], names)
    lines = str(shown_paths).splitlines()[:-1]
    return "\n".join([head, *lines, f"... and {len(found) - MAX_PATHS_SHOWN} more paths",
                      f"sum of all {len(found)} products: d{f}/d{x} = {number(found.total)}"])


# ----------------------------------------------------------------------------- reports

def report_table(report) -> Table:
    """The claims of a report as a table: claim, yours, correct, verdict, note."""
    root_name = report.names[id(report.root)]
    rows = [(c.target, c.written, shown(c.correct), c.verdict, claim_note(c, root_name))
            for c in report.claims]
    return Table(("claim", "yours", "correct", "verdict", "note"), rows,
                 numeric=frozenset({1, 2}), wrap=4)


def report_summary(report) -> str:
    """One sentence: how many claims are wrong, and where the first divergence is."""
    claims, wrong = report.claims, report.wrong
    n = len(claims)
    if not wrong:
        return "The claim is right." if n == 1 else f"All {n} claims right."
    first = report.first_divergence
    text = (f"{len(wrong)} of {n} claim{'s' if n > 1 else ''} wrong. First divergence: "
            f"{first.target} (yours {first.written}, correct {shown(first.correct)})")
    before = sum(1 for c in claims if c.ok and report.computed_before(c, first))
    if before == 1:
        text += "; the claim before it is right"
    elif before:
        text += f"; the {before} claims before it are right"
    later = [c for c in wrong if c is not first]
    if later and all(c.carried for c in later):
        text += "; every later difference follows from it"
    return text + "."


def report_text(report) -> str:
    """The whole report: title, table, summary, the forward pass and each wrong derivation."""
    parts = [report.title, "", str(report_table(report)), "", report_summary(report)]
    if not report.ok:
        forward = _forward_block(report)
        if forward:
            parts += ["", forward]
        gradients = {id(c.node): c for c in report.claims if c.kind == "gradient"}
        for claim in report.wrong_in_order():
            if claim.kind == "value":
                continue
            text = derivation_text(claim.derivation, report.names)
            same = gradients.get(id(claim.node))
            if claim.kind == "update" and same is not None:  # its gradient is judged above
                text = text.splitlines()[0] + (
                    f"\nwhere the gradient is {shown(same.correct)}, "
                    + ("as you have it" if same.ok else f"not {same.written} (see above)"))
            heading = f"{claim.target}: yours {claim.written}, correct {shown(claim.correct)}"
            parts += ["", heading, _indent(text)]
    if report.notes:
        parts += [""] + [f"note: {n}" for n in report.notes]
    return "\n".join(parts).rstrip()


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.splitlines())


def _forward_block(report) -> str:
    """The forward pass, one line per step, with the person's value claims beside them."""
    marks: dict[int, str] = {}
    for claim in report.claims:
        if claim.kind == "value":
            mark = f"yours: {claim.written}, {claim.verdict}"
            if claim.first_divergence:
                mark += " <- first divergence"
            elif claim.carried:
                mark += " (follows from your earlier numbers)"
            marks[id(claim.node)] = mark
    lines = [(id(node), forward_line(node, report.names)) for node in report.forward]
    if not lines:
        return ""
    shown_lines = lines
    if len(lines) > MAX_FORWARD_LINES:
        shown_lines = [line for line in lines if line[0] in marks]
    width = max((len(text) for _, text in shown_lines), default=0)
    out = ["forward pass (how each value is computed):"]
    for node_id, text in shown_lines:
        mark = marks.get(node_id)
        out.append("  " + (f"{text.ljust(width)}   {mark}" if mark else text))
    if len(shown_lines) < len(lines):
        out.append(f"  ({len(lines) - len(shown_lines)} other steps not shown; "
                   "autograd.trace.trace(f) lists them all)")
    return "\n".join(out)
