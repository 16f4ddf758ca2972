"""Judging a hand calculation: each claimed number right or wrong, and where the work diverges.

``check(expression, values, claims)`` computes the expression with the engine and judges
each claimed number against it (see ``autograd.check`` for the targets and for how a number's
written precision is judged). Judging is this module; reading the claims is
``autograd.check.claimed``, the worked example's graphs are ``autograd.check.work``, the
person's own numbers carried through it ``autograd.check.yours``, the slips
``autograd.check.slips``, and explaining them (derivations, text) ``autograd.check.explain``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any, TypeVar

from ..expr import Expression, ExpressionError, parse, parse_number
from ..text import Table
from ..value import Value
from . import explain
from .claimed import CheckError, ClaimedNumber, normal_target, read_number, read_target
from .records import Claim, Slip
from .slips import FLOAT_ABSOLUTE, FLOAT_RELATIVE, as_fraction, find_slips, within
from .work import Target, Work
from .yours import Yours

__all__ = ["check", "Report"]


class Report:
    """The judged claims of one ``check``; prints as a table with the derivations of the
    wrong ones (``str(report)``, or ``report.render("markdown")`` or ``"latex"``;
    ``report.table()`` is the table alone).

    Attributes:
        claims: list of ``Claim``, in the order they were given.
        ok: True if every claim is right.
        first_divergence: the first wrong ``Claim`` in the order of the computation (None if
            all are right).
        work: the ``autograd.check.work.Work`` checked (the graphs of every example and step).
        root: the output Value (of the first example, at the start); ``names``: the node names
            used (see ``autograd.text.node_names``); ``forward``: the operations of the
            forward pass.
        title: what was checked; ``notes``: remarks such as inexact arithmetic.
    """

    def __init__(self, title: str, work: Work, claims: list[Claim],
                 computation_order: list[Claim], notes: list[str]) -> None:
        self.title, self.claims, self.notes, self.work = title, claims, notes, work
        facts = work.facts(0, 0)
        self.root, self.names = facts.root, facts.names
        self.forward = [node for node in facts.order if node.op is not None]
        self._order = {id(c): i for i, c in enumerate(computation_order)}

    @property
    def ok(self) -> bool:
        """True if every claim is right."""
        return all(c.ok for c in self.claims)

    @property
    def first_divergence(self) -> Claim | None:
        """The first wrong claim in the order of the computation (None if all are right)."""
        return next((c for c in self.claims if c.first_divergence), None)

    @property
    def wrong(self) -> list[Claim]:
        """Every wrong claim, in the order given."""
        return [c for c in self.claims if not c.ok]

    def wrong_in_order(self) -> list[Claim]:
        """Every wrong claim, in the order of the computation."""
        return sorted(self.wrong, key=lambda c: self._order[id(c)])

    def computed_before(self, a: Claim, b: Claim) -> bool:
        """Whether claim ``a`` comes before claim ``b`` in the order of the computation."""
        return self._order[id(a)] < self._order[id(b)]

    def __len__(self) -> int:
        return len(self.claims)

    def __iter__(self) -> Iterator[Claim]:
        return iter(self.claims)

    def __getitem__(self, target: str) -> Claim:
        """The claim with this target (as given, spaces ignored)."""
        key = normal_target(target)
        for claim in self.claims:
            if normal_target(claim.target) == key:
                return claim
        raise KeyError(f"no claim {target!r}; the claims are "
                       + ", ".join(c.target for c in self.claims))

    def table(self) -> Table:
        """The claims as a ``autograd.text.Table``: claim, yours, correct, verdict, note."""
        return explain.report_table(self)

    def render(self, fmt: str = "text") -> str:
        """The whole report in ``fmt``: ``"text"`` (as ``str``), ``"markdown"`` or
        ``"latex"``: the verdicts as a table, then the forward pass and the paths of each
        wrong claim as tables a teacher can paste into notes (exact numbers stay fractions;
        the LaTeX is ASCII and needs ``\\usepackage{amsmath}``).

        >>> r = check("x * y", {"x": "1/3", "y": 3}, {"d/dx": 3}, exact=True)
        >>> print(r.render("markdown").splitlines()[4])
        | d/dx | 3 | 3 | right | exact |

        Raises:
            ValueError: another format.
        """
        return explain.report_render(self, fmt)

    def summary(self) -> str:
        """One sentence: how many claims are wrong, and where the first divergence is."""
        return explain.report_summary(self)

    def __str__(self) -> str:
        return explain.report_text(self)

    __repr__ = __str__

    def _repr_html_(self) -> str:  # a notebook shows the verdicts as an HTML table
        return (f"<p><b>{html.escape(self.title)}</b></p>\n" + self.table().html()
                + f"\n<p>{html.escape(self.summary())}</p>")


# ----------------------------------------------------------------------------- check

def _close(a: Any, b: Any) -> bool:
    """Are two computed numbers the same, up to float rounding?"""
    fa, fb = as_fraction(a), as_fraction(b)
    if fa is None or fb is None:
        return False
    if not isinstance(a, float) and not isinstance(b, float):
        return fa == fb
    return abs(fa - fb) <= FLOAT_RELATIVE * max(abs(fa), abs(fb)) + FLOAT_ABSOLUTE


def _pairs(claims: Any) -> list[tuple[Any, ...]]:  # checked here: anything may come
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


_T = TypeVar("_T")


def _computed(compute: Callable[[], _T]) -> _T:
    """Run ``compute()``; an undefined derivative at these values is the person's to fix."""
    try:
        return compute()
    except (CheckError, ExpressionError):
        raise
    except (ArithmeticError, ValueError) as exc:
        raise CheckError(f"the gradients cannot be computed at these values: {exc}") from None


def check(expr_or_root: str | Expression | Value, values: dict[str, Any] | None = None,
          claims: Mapping[str, object] | Iterable[tuple[str, object]] | None = None, *,
          tol: object = None, exact: bool = False, lr: object = None,
          examples: Iterable[dict[str, Any]] | None = None, reduce: str = "sum",
          params: str | Iterable[str] | None = None, output: str | None = None) -> Report:
    """Judge a person's numbers for an expression (or a ``Value`` graph) against the engine.

    Args:
        expr_or_root: an expression (text or ``autograd.expr.Expression``, one expression or
            named steps ``"h = x**2; y = 3*h"``), built at ``values``; or the output ``Value``
            of a graph already built (its labels name the nodes; its grads are left as they
            were).
        values: the variables' values, for an expression (see ``autograd.expr.build``); with
            ``examples``, the values every example shares (the parameters).
        claims: a dict from target to number (or (target, number) pairs): ``{"f": 438976,
            "d/dx1": "554496", "u": 8, "x1'": "0.948", "2:d/dw1": 380, "after:1:y": "30.45"}``.
            See ``autograd.check`` for the targets and for how a number's written precision
            is judged.
        tol: if given, every claim is right when within this distance of the correct value.
        exact: build the expression with exact Fractions (``"0.1"`` is 1/10), and read lr
            exactly.
        lr: the learning rate, for update claims (``x1'``) and claims after a step
            (``after:y``).
        examples: one dict of values per example (the inputs that differ), for a check of
            several examples at once; their gradients are combined by ``reduce``.
        reduce: ``"sum"`` (the default: the lesson's batch learning) or ``"mean"``
            (mini-batch learning): how the examples' gradients combine.
        params: the parameters an update changes (names); by default the values outside
            ``examples``, or every input when there are no examples.
        output: for named steps, the step that is the output (by default the last).

    Returns:
        Report: ``.ok``, ``.claims`` (``Claim`` records, in the order given),
        ``.first_divergence``; ``str()`` of it is a table with the derivation of every wrong
        claim.

    Raises:
        ExpressionError: the expression is refused or cannot be built at these values.
        CheckError: no claims, an unknown target or example, an ambiguous claim, a claimed
            number that is not a number, an update claim (or a claim after a step) without lr,
            values given with a Value graph, a negative tol, bad examples or params, or a
            gradient that is undefined at these values (as d/dx of x ** 0.5 at x = 0).

    >>> r = check("w * x", {"w": 2, "x": 5}, {"d/dw": 5, "w'": "1.5"}, lr="0.1")
    >>> r.ok, r["w'"].correct
    (True, 1.5)
    >>> batch = check("y = w * x", {"w": 2}, {"1:d/dw": 3, "d/dw": 8, "w'": "1.2"},
    ...               examples=[{"x": 3}, {"x": 5}], lr="0.1")
    >>> [(c.target, c.correct, c.verdict) for c in batch]
    [('1:d/dw', 3, 'right'), ('d/dw', 8, 'right'), ("w'", 1.2, 'right')]
    """
    pairs = _pairs(claims)
    if not isinstance(expr_or_root, (Value, Expression)):
        expr_or_root = parse(expr_or_root)
    work = Work(expr_or_root, values, examples, exact=exact, lr=lr, reduce=reduce,
                params=params, output=output)
    try:
        tol_value = None if tol is None else parse_number(tol, exact=True, what="tol")
    except ExpressionError as exc:
        raise CheckError(str(exc)) from None
    if tol_value is not None and tol_value < 0:
        raise CheckError(f"tol must be 0 or more, got {tol}")
    texts = [read_target(target) for target, _ in pairs]
    targets = _computed(lambda: [work.resolve(text) for text in texts])
    numbers = [read_number(n, f"the claim {t.given}") for t, (_, n) in zip(targets, pairs)]
    corrects = _computed(lambda: [work.correct(t) for t in targets])
    judged = _computed(lambda: _judge_all(work, targets, numbers, corrects, tol_value))
    typed = [judged[i] for i in range(len(targets))]
    in_order = [judged[i] for i in _computation_order(work, targets)]
    return Report(work.title(), work, typed, in_order, work.notes)


def _computation_order(work: Work, targets: list[Target]) -> list[int]:
    """The claims' indices in the order the computation produces them: step by step of the
    descent, the forward values of each example in topological order, then its gradients in
    the order backward completes them, then the gradients reduced over the examples, then
    the updates."""
    def key(i: int) -> tuple[Any, ...]:
        t = targets[i]
        example = t.example if t.example is not None else 0
        position = work.facts(t.step, example).position.get(id(t.node), 0)
        if t.kind == "value":
            return t.step, 0, example if not t.reduced else work.count, position
        if t.kind == "gradient":  # a step's own derivative dh1/dw1 before dE/dw1 uses it
            phase = 2 if t.example is None and work.several else 1
            return t.step, phase, example, -position, t.top is None
        return t.step, 3, 0, position

    return sorted(range(len(targets)), key=key)


def _judge_all(work: Work, targets: list[Target], numbers: list[ClaimedNumber],
               corrects: list[Any], tol: Fraction | None) -> dict[int, Claim]:
    """Judge every claim, walking them in the order of the computation (so the first wrong
    one is the first divergence, and later ones can be told carried or new)."""
    yours = Yours(work, targets, numbers)
    judged: dict[int, Claim] = {}
    diverged = False
    for i in _computation_order(work, targets):
        claim = _judge(work, targets[i], numbers[i], corrects[i], tol, yours,
                       first=not diverged)
        diverged = diverged or not claim.ok
        judged[i] = claim
    return judged


def _judge(work: Work, target: Target, claimed: ClaimedNumber, correct: Any,
           tol: Fraction | None, yours: Yours, first: bool) -> Claim:
    allowed = claimed.allowed(tol)
    ok = within(claimed, correct, allowed)
    exact_correct = as_fraction(correct)
    difference: Fraction | float | None = None
    if exact_correct is not None:
        difference = claimed.exact - exact_correct
        if isinstance(correct, float):
            difference = float(difference)
    from_yours = yours.gives(target)
    changed = from_yours is not None and not _close(from_yours, correct)
    carried = None
    slips: tuple[Slip, ...] = ()
    if not ok:
        follows = changed and within(claimed, from_yours, allowed)
        if changed and not first:  # the person's earlier numbers differ: carried, or new
            carried = follows
        slips = find_slips(work, target, claimed, correct, allowed, tol, carried,
                           rounded_from=from_yours if follows and first else None)
    parts: tuple[float | None, ...] = ()
    if target.kind == "gradient" and target.example is None and work.several:
        parts = tuple(yours.parts(target.step, target.name))
    return Claim(target=target.given, kind=target.kind, name=target.name,
                 written=claimed.written, claimed=claimed, yours=claimed.as_given(work.exact),
                 correct=correct, ok=ok, allowed=allowed, tol=tol, exact=work.exact,
                 difference=difference, derivation=explain.derive(work, target, correct),
                 first_divergence=not ok and first, carried=carried,
                 from_yours=from_yours if changed else None, slips=slips, node=target.node,
                 example=target.example + 1 if target.example is not None and work.several
                 else None,
                 step=target.step, yours_parts=parts)
