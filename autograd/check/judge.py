"""Judging a hand calculation: each claimed number right or wrong, and where the work diverges.

``check(expression, values, claims)`` computes the expression with the engine and judges
each claimed number against it (see ``autograd.check`` for the targets and for how a number's
written precision is judged). Judging is this module; reading the claims is
``autograd.check.claimed``, and explaining them (slips, derivations, text) is
``autograd.check.explain``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from fractions import Fraction

from ..expr import Expression, ExpressionError, build, parse, parse_number
from ..math_namespaces import ScalarMath
from ..text import number
from ..value import InexactWarning, Value
from . import explain
from .claimed import CheckError, ClaimedNumber, Target, normal_target, read_number, \
    resolve_target
from .facts import GraphFacts
from .records import Claim

__all__ = ["check", "Report"]


class Report:
    """The judged claims of one ``check``; prints as a table with the derivations of the
    wrong ones (``str(report)``, or ``report.table()`` to render it as Markdown or LaTeX).

    Attributes:
        claims: list of ``Claim``, in the order they were given.
        ok: True if every claim is right.
        first_divergence: the first wrong ``Claim`` in the order of the computation (None if
            all are right).
        root: the output Value; ``names``: the node names used (see
            ``autograd.text.node_names``); ``forward``: the operations of the forward pass.
        title: what was checked; ``notes``: remarks such as inexact arithmetic.
    """

    def __init__(self, title: str, facts: GraphFacts, claims: list[Claim],
                 computation_order: list[Claim], notes: list[str]):
        self.title, self.claims, self.notes = title, claims, notes
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

    def __iter__(self):
        return iter(self.claims)

    def __getitem__(self, target: str) -> Claim:
        """The claim with this target (as given, spaces ignored)."""
        key = normal_target(target)
        for claim in self.claims:
            if normal_target(claim.target) == key:
                return claim
        raise KeyError(f"no claim {target!r}; the claims are "
                       + ", ".join(c.target for c in self.claims))

    def table(self):
        """The claims as a ``autograd.text.Table``: claim, yours, correct, verdict, note."""
        return explain.report_table(self)

    def summary(self) -> str:
        """One sentence: how many claims are wrong, and where the first divergence is."""
        return explain.report_summary(self)

    def __str__(self) -> str:
        return explain.report_text(self)

    __repr__ = __str__


# ----------------------------------------------------------------------------- your numbers

def _your_numbers(facts: GraphFacts, value_claims: dict[int, Fraction],
                  grad_claims: dict[int, Fraction], lr):
    """The computation redone from the person's own numbers, in floats.

    Where a value (or gradient) is claimed, later steps use the claimed number instead of the
    correct one; ``gives`` holds what each step produces from the numbers before it. Returns
    {"value": ..., "gradient": ..., "update": ...}, each a dict by node id; a step that cannot
    be computed (a claimed number outside an operation's domain, an overflow) is left out.
    """
    order, root = facts.order, facts.root
    data: dict[int, float | None] = {}
    gives_value: dict[int, float] = {}

    def arguments(node):
        args = [data.get(id(i)) for i in node.inputs]
        if node.op.takes_const:
            args.append(float(node.const))
        return None if any(a is None for a in args) else args

    for node in order:
        if node.op is None:
            computed = _as_float(node.data)
        else:
            args = arguments(node)
            computed = None
            if args is not None:
                try:
                    if node.op.domain(ScalarMath, *args) is None:
                        computed = _as_float(node.op.forward(ScalarMath, *args))
                except (ArithmeticError, ValueError, TypeError):
                    computed = None
        if computed is not None:
            gives_value[id(node)] = computed
        claimed = value_claims.get(id(node))
        data[id(node)] = _as_float(claimed) if claimed is not None else computed

    gives_grad: dict[int, float | None] = {id(root): 1.0}
    grad: dict[int, float | None] = {}
    for node in reversed(order):
        claimed = grad_claims.get(id(node))
        grad[id(node)] = _as_float(claimed) if claimed is not None else gives_grad.get(id(node))
        if node.op is None:
            continue
        args, g = arguments(node), grad[id(node)]
        if args is None or g is None or data.get(id(node)) is None:
            for i in node.inputs:
                gives_grad[id(i)] = None
            continue
        try:
            locals_ = node.op.local(ScalarMath, data[id(node)], *args)
        except (ArithmeticError, ValueError, TypeError):
            locals_ = [None] * len(node.inputs)
        for input_, local in zip(node.inputs, locals_):
            before = gives_grad.get(id(input_), 0.0)
            if before is None or local is None:
                gives_grad[id(input_)] = None
            else:
                gives_grad[id(input_)] = _as_float(before + local * g)

    gives_update: dict[int, float] = {}
    if lr is not None:
        for node in order:
            x, g = data.get(id(node)), grad.get(id(node))
            if node.op is None and x is not None and g is not None:
                gives_update[id(node)] = _as_float(x - float(lr) * g)
    clean = {k: v for k, v in gives_grad.items() if v is not None}
    return {"value": gives_value, "gradient": clean, "update": gives_update}


def _as_float(x) -> float | None:
    try:
        out = float(x)
    except (OverflowError, TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _close(a, b) -> bool:
    """Are two computed numbers the same, up to float rounding?"""
    fa, fb = explain.as_fraction(a), explain.as_fraction(b)
    if fa is None or fb is None:
        return False
    if not isinstance(a, float) and not isinstance(b, float):
        return fa == fb
    return abs(fa - fb) <= explain.FLOAT_RELATIVE * max(abs(fa), abs(fb)) + \
        explain.FLOAT_ABSOLUTE


# ----------------------------------------------------------------------------- check

def _output_name(taken) -> str:
    return next(name for name in ("f", "y", "out", "output", "value_") if name not in taken)


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


def _graph(expr_or_root, values, exact: bool) -> tuple[Value, str | None, list[str]]:
    """Build (or take) the graph; return its root, the title (None for a graph given), and
    the inexact-arithmetic notes the build gave."""
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always", InexactWarning)
        if isinstance(expr_or_root, Value):
            if values:
                raise CheckError("values are for an expression; a Value graph already holds "
                                 "its numbers")
            root, title = expr_or_root, None
        else:
            expression = expr_or_root if isinstance(expr_or_root, Expression) \
                else parse(expr_or_root)
            root, leaves = build(expression, dict(values or {}), exact=exact)
            if root.op is not None and not root.label:
                root.label = _output_name(expression.variables)
            at = ", ".join(f"{name} = {number(leaf.data)}" for name, leaf in leaves.items())
            title = (f"check of {root.label or number(root.data)} = {expression.text}"
                     + (f" at {at}" if at else ""))
    for warning in recorded:
        if issubclass(warning.category, InexactWarning):
            if str(warning.message) not in notes:
                notes.append(str(warning.message))
        else:  # not ours to swallow
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)
    return root, title, notes


def check(expr_or_root, values: dict | None = None, claims=None, *, tol=None,
          exact: bool = False, lr=None) -> Report:
    """Judge a person's numbers for an expression (or a ``Value`` graph) against the engine.

    Args:
        expr_or_root: an expression (text or ``autograd.expr.Expression``), built at
            ``values``; or the output ``Value`` of a graph already built (its labels name the
            nodes; its grads are left as they were).
        values: the variables' values, for an expression (see ``autograd.expr.build``).
        claims: a dict from target to number (or (target, number) pairs): ``{"f": 438976,
            "d/dx1": "554496", "u": 8, "x1'": "0.948"}``. See ``autograd.check`` for the
            targets and for how a number's written precision is judged.
        tol: if given, every claim is right when within this distance of the correct value.
        exact: build the expression with exact Fractions (``"0.1"`` is 1/10), and read lr
            exactly.
        lr: the learning rate, for update claims (``x1'``).

    Returns:
        Report: ``.ok``, ``.claims`` (``Claim`` records, in the order given),
        ``.first_divergence``; ``str()`` of it is a table with the derivation of every wrong
        claim.

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
    root, title, notes = _graph(expr_or_root, values, exact)
    facts = GraphFacts(root)
    if title is None:
        title = (f"check of {facts.names[id(root)]} = {number(root.data)} (a graph of "
                 f"{len(facts.order)} nodes)")
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
        title += f", lr = {number(lr_value)}"

    root_names = {facts.names[id(root)]} | ({"f", "value", "output"} - set(facts.by_name))
    targets = [resolve_target(target, facts.by_name, root, root_names, lr_value)
               for target, _ in pairs]
    numbers = [read_number(n, f"the claim {t.given}") for t, (_, n) in zip(targets, pairs)]
    if any(t.kind != "value" for t in targets):
        try:
            facts.gradients()
        except (ArithmeticError, ValueError) as exc:
            raise CheckError(f"the gradients cannot be computed at these values: {exc}") \
                from None
    judged = _judge_all(facts, targets, numbers, tol_value, lr_value, exact)
    typed = [judged[i] for i in range(len(targets))]
    in_order = [judged[i] for i in _computation_order(facts, targets)]
    return Report(title, facts, typed, in_order, notes)


def _computation_order(facts: GraphFacts, targets: list[Target]) -> list[int]:
    """The claims' indices in the order the computation produces them: forward values in
    topological order, then gradients in the order backward completes them, then updates."""
    rank = {"value": 0, "gradient": 1, "update": 2}

    def key(i: int):
        t = targets[i]
        position = facts.position[id(t.node)]
        return rank[t.kind], position if t.kind == "value" else -position

    return sorted(range(len(targets)), key=key)


def _judge_all(facts: GraphFacts, targets: list[Target], numbers: list[ClaimedNumber], tol,
               lr, exact: bool) -> dict[int, Claim]:
    """Judge every claim, walking them in the order of the computation (so the first wrong
    one is the first divergence, and later ones can be told carried or new)."""
    order = _computation_order(facts, targets)
    value_claims = {id(targets[i].node): numbers[i].exact for i in order
                    if targets[i].kind == "value"}
    grad_claims = {id(targets[i].node): numbers[i].exact for i in order
                   if targets[i].kind == "gradient"}
    gives = _your_numbers(facts, value_claims, grad_claims, lr)
    judged: dict[int, Claim] = {}
    diverged = False
    for i in order:
        claim = _judge(facts, targets[i], numbers[i], tol, lr, exact, gives,
                       first=not diverged)
        diverged = diverged or not claim.ok
        judged[i] = claim
    return judged


def _correct(facts: GraphFacts, target: Target, lr):
    if target.kind == "value":
        return target.node.data
    gradient = facts.gradients()[id(target.node)]
    if target.kind == "gradient":
        return gradient
    return target.node.data - lr * gradient


def _judge(facts: GraphFacts, target: Target, claimed: ClaimedNumber, tol, lr, exact: bool,
           gives, first: bool) -> Claim:
    correct = _correct(facts, target, lr)
    allowed = claimed.allowed(tol)
    ok = explain.within(claimed, correct, allowed)
    exact_correct = explain.as_fraction(correct)
    difference = None
    if exact_correct is not None:
        difference = claimed.exact - exact_correct
        if isinstance(correct, float):
            difference = float(difference)
    from_yours = gives[target.kind].get(id(target.node))
    changed = from_yours is not None and not _close(from_yours, correct)
    carried = None
    slips: tuple = ()
    if not ok:
        follows = changed and explain.within(claimed, from_yours, allowed)
        if changed and not first:  # the person's earlier numbers differ: carried, or new
            carried = follows
        slips = explain.find_slips(target.kind, target.node, claimed, correct, allowed, tol,
                                   facts, lr, carried,
                                   rounded_from=from_yours if follows and first else None)
    return Claim(target=target.given, kind=target.kind, name=facts.names[id(target.node)],
                 written=claimed.written, claimed=claimed, yours=claimed.as_given(exact),
                 correct=correct, ok=ok, allowed=allowed, tol=tol, exact=exact,
                 difference=difference,
                 derivation=explain.derive(target.kind, target.node, facts, lr, correct),
                 first_divergence=not ok and first, carried=carried,
                 from_yours=from_yours if changed else None, slips=slips, node=target.node)
