"""Explaining the checker's verdicts: derivations, and every text a report shows.

The judge (``autograd.check.judge``) decides right or wrong and ``autograd.check.slips``
which kinds of slip the numbers point to; this module finds how each correct number is
computed (``derive``) and writes all of it, as text, Markdown or LaTeX (``claim_note``,
``report_text``, ``report_render``). The records it reads and makes are in
``autograd.check.records``.
"""

from __future__ import annotations

import decimal
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..formula import derivative, latex, latex_number
from ..text import FORMATS, Cell, Table, forward_line, forward_table, heading, number, prose
from ..trace import Paths
from .claimed import ClaimedNumber
from .records import (
    Claim,
    Derivation,
    GradientDerivation,
    ReducedDerivation,
    Slip,
    UpdateDerivation,
    ValueDerivation,
)
from .slips import within

if TYPE_CHECKING:  # judge.py and work.py write their reports with this module
    from ..value import Value
    from .facts import GraphFacts
    from .judge import Report
    from .work import Target, Work

__all__ = ["shown", "shown_cell", "LONG_FRACTION", "rule_text", "claim_note",
           "claim_explanations", "Voice", "YOU", "derive", "derivation_text", "report_table",
           "report_summary", "report_text", "report_render", "MAX_PATHS_SHOWN",
           "MAX_FORWARD_LINES", "MAX_EXAMPLES_SHOWN"]

MAX_PATHS_SHOWN = 20
"""Most paths a derivation lists; the rest are counted."""

MAX_FORWARD_LINES = 60
"""Most forward steps a report lists; a longer forward pass shows only the claimed steps."""

MAX_EXAMPLES_SHOWN = 5
"""Most examples whose paths a derivation of a summed gradient lists."""


# ----------------------------------------------------------------------------- numbers

LONG_FRACTION = 16
"""Characters of a fraction that ``shown(x, short=True)`` writes in full; a longer one is
written as its decimal, ``≈ 28.65704899``."""


def shown(x: Any, short: bool = False) -> str:
    """A correct value for people: 554496, 33.94503002, 237/250 (= 0.948), 1/3 (≈ 0.333333);
    with ``short``, a fraction longer than ``LONG_FRACTION`` characters as its decimal."""
    if isinstance(x, Fraction) and x.denominator != 1:
        if not _float_range(x):
            return number(x, exact=True)
        if short and len(number(x, exact=True)) > LONG_FRACTION:
            return f"≈ {number(float(x), digits=10)}"
        approx = number(float(x), exact=True)
        if Fraction(approx) == x and len(approx) <= 12:
            return f"{number(x, exact=True)} (= {approx})"
        return f"{number(x, exact=True)} (≈ {number(float(x))})"
    if isinstance(x, float):
        return number(x, digits=10)
    return number(x) if short else number(x, exact=True)  # short: ≈1.32e+477 for a long one


def shown_cell(x: Any) -> Cell:
    """``shown(x, short=True)`` as a table cell: in LaTeX an exact fraction is
    ``\\frac{p}{q}``."""
    text = shown(x, short=True)
    if text.startswith("≈"):
        approx = text.lstrip("≈ ")
        mantissa, _, exponent = approx.partition("e")
        body = f"{mantissa} \\times 10^{{{int(exponent)}}}" if exponent else approx
        return Cell(text, f"$\\approx {body}$")
    if isinstance(x, Fraction) and x.denominator != 1 and _float_range(x):
        sign = "=" if "(=" in text else "\\approx"
        approx = text.split("(", 1)[1].strip("=≈ )")
        return Cell(text, f"${latex_number(x)} {sign} {approx}$")
    if isinstance(x, float) and math.isfinite(x):
        return Cell(text, f"${latex_number(float(text))}$")  # as shown, to 10 digits
    return Cell(text, f"${latex_number(x)}$" if isinstance(x, (int, Fraction)) else
                prose(text, "latex"))


def _float_range(x: Fraction) -> bool:
    try:
        return math.isfinite(float(x))
    except OverflowError:
        return False


def _plain(x: Any) -> str:
    """One of the person's own numbers (floats), as they would write it: 924, 0.9076."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return number(x, digits=10, decimal=True)


def _difference_text(d: Any) -> str:
    return number(d) if isinstance(d, float) else shown(d, short=True)


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


def _rule(claimed: ClaimedNumber, tol: Fraction | None) -> str:
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


def _steps(k: int) -> str:
    return f"{k} step{'s' if k != 1 else ''}"


# ----------------------------------------------------------------------------- slips

def _what(claim: Claim, root_name: str) -> str:
    """What a claim's number is, in words: ``y_pred``, ``dE/dw1``, ``w1'``."""
    if claim.kind == "gradient":
        return f"d{root_name}/d{claim.name}"
    return f"{claim.name}'" if claim.kind == "update" else claim.name


def _slip_text(slip: Slip, claim: Claim, root_name: str, voice: Voice) -> str:
    kind = slip.kind
    # The path kinds carry their path, and a slip in one example of several its ``instead``.
    path_names = " -> ".join(slip.path.names) if slip.path is not None else ""
    becomes, instead = slip.instead if slip.instead is not None else (None, None)
    if kind == "missing path":
        if slip.example is not None:
            return (f"it is the {_reduction(claim)} with example {slip.example}'s gradient taken "
                    f"as the path {path_names} alone ({_plain(becomes)}"
                    f" instead of {shown(instead)}): {slip.path_count} paths lead from "
                    f"{claim.name} to {root_name}, and the gradient is the sum of their products")
        return (f"equals the path {path_names} alone: {slip.path_count} "
                f"paths lead from {claim.name} to {root_name}, and the gradient is the sum of "
                "their products")
    if kind in ("factor left out", "factor taken twice"):
        factor = f"the factor {slip.factor}"
        if str(slip.factor) != number(slip.factor_value):  # a name: give its value too
            factor += f" = {number(slip.factor_value)}"
        how = "without" if kind == "factor left out" else "with"
        twice = " taken twice" if kind == "factor taken twice" else ""
        if slip.example is not None:
            done = "left out of" if kind == "factor left out" else "taken twice in"
            return (f"it is the {_reduction(claim)} with {factor} {done} example "
                    f"{slip.example}'s gradient ({_plain(becomes)} instead of "
                    f"{shown(instead)})")
        if slip.path_count > 1:
            return (f"it is the gradient with {factor}{twice or ' left out'} in the path "
                    f"{path_names}")
        return f"it is the path's product {how} {factor}{twice}"
    if kind == "another input's gradient":
        whose = ("this example's " if claim.example is not None else "")
        of = f"d{root_name}/d{slip.name}" + (f" {_reduction(claim, 'over the examples')}"
                                              if claim.example is None and claim.yours_parts
                                              else "")
        return f"it equals {whose}{of} ({shown(slip.value)}), as if {slip.name}'s formula had " \
               "been used"
    if kind == "another example":
        return (f"it is example {slip.example}'s {_what(claim, root_name)} "
                f"({shown(slip.value)}), not example {claim.example}'s")
    if kind == "another step":
        return (f"it is {_what(claim, root_name)} after {_steps(slip.step or 0)} "
                f"({shown(slip.value)}), not after {claim.step}")
    if kind == "wrong direction":
        return (f"this is {claim.name} + lr * gradient: a gradient-descent step goes against "
                f"the gradient, {claim.name} - lr * gradient")
    if kind == "learning rate left out":
        return "this is the step without the learning rate"
    if kind == "sign flipped":
        return "the sign is flipped"
    if kind == "rounded whole number":
        return (f"the correct value rounds to {claim.written}, but a whole number claims "
                f"exactly that number; if {voice.subject} rounded, {voice.tolerance}")
    if kind == "rounded too early" and slip.value is not None:
        return (f"it is what {voice.possessive} rounded earlier numbers give "
                f"({shown(slip.value)}): keep more digits along the way")
    if kind == "rounded too early":
        return (f"close, but more than rounding {_rule(claim.claimed, None)} allows; if "
                f"{voice.subject} rounded earlier steps, keep more digits along the way")
    return kind  # pragma: no cover - every kind above


def _reduction(claim: Claim, over: str = "") -> str:
    """"sum" or "mean" of a claim about the examples reduced."""
    derivation = claim.derivation
    if isinstance(derivation, UpdateDerivation):
        derivation = derivation.gradient_derivation
    word = "mean" if isinstance(derivation, ReducedDerivation) and \
        derivation.reduce == "mean" else "sum"
    if over:
        return ("averaged " if word == "mean" else "summed ") + over
    return word


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
    if claim.carried and claim.yours_parts and all(p is not None for p in claim.yours_parts):
        parts = " + ".join(_plain(p) for p in claim.yours_parts)
        if _reduction(claim) == "mean":
            parts = f"({parts}) / {len(claim.yours_parts)}"
        notes.append(f"follows from {own} examples' gradients: {parts} = "
                     f"{_plain(claim.from_yours)}")
    elif claim.carried:
        notes.append(f"follows from {own} earlier numbers (they give "
                     f"{_plain(claim.from_yours)})")
    elif claim.carried is False and not claim.first_divergence and not claim.slips:
        notes.append(f"a new slip: {own} own earlier numbers give {shown(claim.from_yours)}")
    root_name = _root_name(claim, root_name)
    return notes + [_slip_text(slip, claim, root_name, voice) for slip in claim.slips]


def _root_name(claim: Claim, default: str) -> str:
    derivation = claim.derivation
    if isinstance(derivation, UpdateDerivation):
        derivation = derivation.gradient_derivation
    if isinstance(derivation, ReducedDerivation):
        return derivation.root_name
    if isinstance(derivation, GradientDerivation):
        return derivation.names.get(id(derivation.root), default)
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

def derive(work: Work, target: Target, correct: Any) -> Derivation:
    """How the correct number of a claim is computed, as data (see ``records``)."""
    step = target.step
    if target.kind == "value":
        if target.reduced:
            return _reduced(work, target, "value")
        facts = work.facts(step, target.example or 0)
        return ValueDerivation(target.node, facts.steps_to(target.node)
                               if target.node.op is not None else (), facts.names)
    if target.kind == "gradient":
        if target.example is None:
            return _reduced(work, target, "gradient")
        facts = work.facts(step, target.example)
        return _gradient_derivation(target.node, facts.sub(target.top)
                                    if target.top is not None else facts)
    gradient = (_reduced(work, target, "gradient") if work.several else
                _gradient_derivation(target.node, work.facts(step, 0)))
    return UpdateDerivation(target.node, work.lr, work.gradient(step, target.name), correct,
                            gradient, work.facts(step, 0).names,
                            value=work.parameter(step, target.name))


def _reduced(work: Work, target: Target, kind: str) -> ReducedDerivation:
    parts: list[GradientDerivation | ValueDerivation] = []
    numbers: list[Any] = []
    for i in range(work.count):
        facts = work.facts(target.step, i)
        if kind == "value":
            parts.append(ValueDerivation(facts.root, facts.steps_to(facts.root), facts.names))
            numbers.append(facts.root.data)
        else:
            node = work.node(facts, target.name)
            parts.append(_gradient_derivation(node, facts))
            numbers.append(facts.gradients()[id(node)])
    facts = work.facts(target.step, 0)
    root_name = facts.names[id(facts.root)]
    return ReducedDerivation(target.name if kind == "gradient" else root_name, kind,
                             work.reduce, tuple(parts), tuple(numbers), work.combine(numbers),
                             root_name, facts.names)


def _gradient_derivation(node: Value, facts: GraphFacts) -> GradientDerivation:
    count = facts.path_count(node)
    try:
        found = facts.paths(node)
    except ValueError:  # too many to list
        return GradientDerivation(node, facts.root, None, count, names=facts.names)
    return GradientDerivation(node, facts.root, found, count, found.total, facts.names)


def derivation_text(derivation: Derivation, names: dict[int, str]) -> str:
    """A derivation as the lines a report prints."""
    if isinstance(derivation, ValueDerivation):
        name = names[id(derivation.node)]
        if not derivation.steps:
            return f"{name} is an input: {name} = {number(derivation.node.data)}"
        return "\n".join(forward_line(n, names) for n in derivation.steps)
    if isinstance(derivation, UpdateDerivation):
        return _update_line(derivation) + "\nwhere " + derivation_text(
            derivation.gradient_derivation, derivation.gradient_derivation.names)
    if isinstance(derivation, ReducedDerivation):
        return _reduced_text(derivation)
    return _paths_text(derivation, names)


def _update_line(derivation: UpdateDerivation) -> str:
    x = derivation.names[id(derivation.node)]
    gradient = derivation.gradient_derivation
    if isinstance(gradient, ReducedDerivation):
        f = gradient.root_name
        how = f" ({'summed' if gradient.reduce == 'sum' else 'averaged'} over the examples)"
    else:
        f, how = gradient.names[id(gradient.root)], ""
    value = derivation.node.data if derivation.value is None else derivation.value
    return (f"{x}' = {x} - lr * d{f}/d{x}{how} = {_operand(value)} - "
            f"{_operand(derivation.lr)} * {_operand(derivation.gradient)} = "
            f"{number(derivation.result)}")


def _reduced_head(derivation: ReducedDerivation) -> str:
    what = (f"d{derivation.root_name}/d{derivation.name}" if derivation.kind == "gradient"
            else derivation.root_name)
    parts = " + ".join(_operand(n) for n in derivation.numbers)
    count = len(derivation.numbers)
    if derivation.reduce == "mean":
        return (f"{what} averaged over the {count} examples = ({parts}) / {count} = "
                f"{number(derivation.total)}")
    return f"{what} summed over the {count} examples = {parts} = {number(derivation.total)}"


def _reduced_text(derivation: ReducedDerivation) -> str:
    lines = [_reduced_head(derivation)]
    if derivation.kind == "gradient":
        for k, part in enumerate(derivation.parts[:MAX_EXAMPLES_SHOWN], start=1):
            lines.append(f"example {k}: " + derivation_text(part, part.names))
        if len(derivation.parts) > MAX_EXAMPLES_SHOWN:
            lines.append(f"... and {len(derivation.parts) - MAX_EXAMPLES_SHOWN} more examples")
    return "\n".join(lines)


def _operand(x: Any) -> str:
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

def report_table(report: Report) -> Table:
    """The claims of a report as a table: claim, yours, correct, verdict, note."""
    root_name = report.names[id(report.root)]
    rows = [(_target_cell(c, root_name), c.written, shown_cell(c.correct), c.verdict,
             claim_note(c, root_name)) for c in report.claims]
    return Table(("claim", "yours", "correct", "verdict", "note"), rows,
                 numeric=frozenset({1, 2}), wrap=4)


def _target_cell(claim: Claim, root_name: str) -> Cell:
    """A claim's target as written; in LaTeX a gradient is a fraction of partials."""
    prefix = claim.target.rsplit(":", 1)[0] + ":" if ":" in claim.target else ""
    if claim.kind == "gradient" and isinstance(claim.derivation, GradientDerivation):
        top = claim.derivation.names[id(claim.derivation.root)]
    elif claim.kind == "gradient":
        top = root_name
    else:
        return Cell(claim.target, prose(claim.target, "latex"))
    return Cell(claim.target, prose(prefix, "latex")
                + f"${latex(derivative(top, claim.name))}$")


def report_summary(report: Report) -> str:
    """One sentence: how many claims are wrong, and where the first divergence is."""
    claims, wrong = report.claims, report.wrong
    n = len(claims)
    if not wrong:
        return "The claim is right." if n == 1 else f"All {n} claims right."
    first = report.first_divergence
    assert first is not None  # a claim is wrong, so one is the first divergence
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


def report_text(report: Report) -> str:
    """The whole report: title, table, summary, the forward pass and each wrong derivation."""
    parts = [report.title, "", str(report_table(report)), "", report_summary(report)]
    if not report.ok:
        for (step, example), claims in _passes(report):
            forward = _forward_block(report, step, example, claims)
            if forward:
                parts += ["", forward]
        for claim in report.wrong_in_order():
            if claim.kind == "value" and not isinstance(claim.derivation, ReducedDerivation):
                continue
            heading_ = f"{claim.target}: yours {claim.written}, correct {shown(claim.correct)}"
            parts += ["", heading_, _indent(_derivation_of(report, claim))]
    if report.notes:
        parts += [""] + [f"note: {n}" for n in report.notes]
    return "\n".join(parts).rstrip()


def _derivation_of(report: Report, claim: Claim) -> str:
    """A wrong claim's derivation; an update whose gradient is judged too points to it."""
    text = derivation_text(claim.derivation, claim.derivation.names)
    if claim.kind != "update":
        return text
    same = next((c for c in report.claims if c.kind == "gradient" and c.name == claim.name
                 and c.step == claim.step and c.example is None), None)
    if same is None:
        return text
    return text.splitlines()[0] + (f"\nwhere the gradient is {shown(same.correct)}, "
                                   + ("as you have it" if same.ok
                                      else f"not {same.written} (see above)"))


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.splitlines())


def _passes(report: Report) -> list[tuple[tuple[int, int], list[Claim]]]:
    """The forward passes a report's claims are about, by (step, example index), in order:
    each with its claims."""
    found: dict[tuple[int, int], list[Claim]] = {}
    for claim in report.claims:
        if claim.example is not None:
            found.setdefault((claim.step, claim.example - 1), []).append(claim)
        elif not report.work.several:
            found.setdefault((claim.step, 0), []).append(claim)
    return sorted(found.items())


def _pass_name(report: Report, step: int, example: int) -> str:
    name = "forward pass"
    if report.work.several:
        name += f" of example {example + 1}"
    if step:
        name += f" after {_steps(step)} of gradient descent"
    return name


def _marks(claims: list[Claim], facts: GraphFacts) -> dict[int, str]:
    marks: dict[int, str] = {}
    for claim in claims:
        if claim.kind != "value" or claim.node is None or id(claim.node) not in facts.position:
            continue
        mark = f"yours: {claim.written}, {claim.verdict}"
        if claim.first_divergence:
            mark += " <- first divergence"
        elif claim.carried:
            mark += " (follows from your earlier numbers)"
        marks[id(claim.node)] = mark
    return marks


def _long_fractions(facts: GraphFacts) -> bool:
    """Whether a forward pass holds fractions too long to read (after a few steps of exact
    gradient descent): then it is written in decimals, as a learner writes it."""
    return any(isinstance(node.data, Fraction) and
               len(number(node.data, exact=True)) > LONG_FRACTION for node in facts.order)


def _forward_block(report: Report, step: int, example: int, claims: list[Claim]) -> str:
    """The forward pass, one line per step, with the person's value claims beside them."""
    facts = report.work.facts(step, example)
    marks = _marks(claims, facts)
    forward = [node for node in facts.order if node.op is not None]
    decimal = _long_fractions(facts)
    lines = [(id(node), forward_line(node, facts.names, decimal=decimal)) for node in forward]
    if not lines:
        return ""
    shown_lines = lines
    if len(lines) > MAX_FORWARD_LINES:
        shown_lines = [line for line in lines if line[0] in marks]
    width = max((len(text) for _, text in shown_lines), default=0)
    out = [_pass_name(report, step, example) + " (how each value is computed):"]
    for node_id, text in shown_lines:
        mark = marks.get(node_id)
        out.append("  " + (f"{text.ljust(width)}   {mark}" if mark else text))
    if len(shown_lines) < len(lines):
        out.append(f"  ({len(lines) - len(shown_lines)} other steps not shown; "
                   "autograd.trace.trace(f) lists them all)")
    return "\n".join(out)


# ----------------------------------------------------------------------------- other formats

def report_render(report: Report, fmt: str = "text") -> str:
    """The report in ``fmt`` (``"text"``, ``"markdown"`` or ``"latex"``): in Markdown and
    LaTeX the title, the verdicts as a table, the summary, each forward pass with claims as a
    table, and the paths of each wrong gradient as a table.

    Raises:
        ValueError: another format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "text":
        return report_text(report)
    first, _, rest = report.title.partition("\n")
    blocks = [heading(first, fmt)] + ([_lines(rest, fmt)] if rest else []) + [
              report_table(report).render(fmt),
              prose(report_summary(report), fmt)]
    if not report.ok:
        for (step, example), claims in _passes(report):
            facts = report.work.facts(step, example)
            forward = [node for node in facts.order if node.op is not None]
            if forward and len(forward) <= MAX_FORWARD_LINES:
                blocks += [heading(_pass_name(report, step, example), fmt),
                           forward_table(forward, facts.names, _marks(claims, facts),
                                         decimal=_long_fractions(facts)).render(fmt)]
        for claim in report.wrong_in_order():
            if claim.kind == "value" and not isinstance(claim.derivation, ReducedDerivation):
                continue
            blocks.append(heading(f"{claim.target}: yours {claim.written}, correct "
                                  f"{shown(claim.correct)}", fmt))
            blocks += _derivation_blocks(report, claim, fmt)
    if report.notes:
        blocks.append(_lines("\n".join(f"note: {n}" for n in report.notes), fmt))
    return "\n\n".join(blocks)


def _lines(text: str, fmt: str) -> str:
    """Several lines of prose that keep their line breaks."""
    rows = [prose(line, fmt) for line in text.splitlines()]
    if fmt == "latex":
        return " \\\\\n".join(rows)
    return "  \n".join(rows)


def _derivation_blocks(report: Report, claim: Claim, fmt: str) -> list[str]:
    derivation = claim.derivation
    blocks: list[str] = []
    if isinstance(derivation, UpdateDerivation):
        blocks.append(prose(_derivation_of(report, claim).splitlines()[0], fmt))
        derivation = derivation.gradient_derivation
        if "(see above)" in _derivation_of(report, claim) or \
                "as you have it" in _derivation_of(report, claim):
            return blocks
    if isinstance(derivation, ReducedDerivation):
        blocks.append(prose(_reduced_head(derivation), fmt))
        if derivation.kind == "value":
            return blocks
        for k, part in enumerate(derivation.parts[:MAX_EXAMPLES_SHOWN], start=1):
            if isinstance(part, GradientDerivation):  # a reduced gradient's parts are
                blocks += _paths_blocks(part, fmt, f"example {k}: ")
        return blocks
    assert isinstance(derivation, GradientDerivation)  # report_render skips value claims
    return blocks + _paths_blocks(derivation, fmt)


def _paths_blocks(derivation: GradientDerivation, fmt: str, where: str = "") -> list[str]:
    if derivation.paths is None or not derivation.paths or \
            derivation.node is derivation.root or len(derivation.paths) > MAX_PATHS_SHOWN:
        return [prose(where + _paths_text(derivation, derivation.names).splitlines()[0], fmt)]
    table = derivation.paths.table()
    table.title = where + table.title
    if fmt == "markdown":  # its notes give the sum; LaTeX leaves notes out
        return [table.render(fmt)]
    f, x = derivation.names[id(derivation.root)], derivation.names[id(derivation.node)]
    return [table.render(fmt),
            prose(f"sum of the products: d{f}/d{x} = {number(derivation.paths.total)}", fmt)]
