"""The checker's verdicts as data: a judged claim, the slips recognised in it, its derivation.

Everything a report says is computed from these fields (``autograd.check.explain`` writes the
text), so a program can read them instead of the English: ``claim.carried``,
``claim.slips[0].kind == "missing path"``, ``claim.derivation.paths``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..formula import Formula
    from ..trace import Path, Paths
    from ..value import Value
    from .claimed import ClaimedNumber

__all__ = ["Claim", "Slip", "SLIP_KINDS", "ValueDerivation", "GradientDerivation",
           "ReducedDerivation", "UpdateDerivation"]

SLIP_KINDS = {
    "rounded too early": "close, but off by more than the rounding written allows (or what "
                         "earlier numbers, rounded, give)",
    "missing path": "the product of one path, where several paths lead to the output",
    "factor left out": "a path's product with one of its factors left out",
    "factor taken twice": "a path's product with one of its factors taken twice",
    "another input's gradient": "the gradient of another input, as if its formula were used",
    "another example": "the same number for another of the examples",
    "another step": "the same number one step earlier or later in the descent",
    "wrong direction": "an update that moved up the gradient instead of down",
    "learning rate left out": "an update by the whole gradient, without the learning rate",
    "sign flipped": "the right size with the wrong sign",
    "rounded whole number": "a whole number was claimed for a value that only rounds to it",
}
"""The kinds of slip the checker recognises from the numbers, with what each means, the most
specific first (a claim's ``slips`` come in this order)."""


@dataclass(frozen=True)
class Slip:
    """A kind of slip recognised in a wrong claim, from the numbers alone.

    Attributes:
        kind: one of ``SLIP_KINDS``.
        value: the number the slip gives (which the claim matches to its written precision).
        path: for the path kinds, the ``autograd.trace.Path`` concerned.
        path_count: for ``"missing path"``, how many paths there are.
        factor: for ``"factor left out"`` and ``"factor taken twice"``, the factor's formula
            (``x2``); ``factor_value``: its value.
        example: the example concerned (from 1): the one whose path it is, or, for
            ``"another example"``, the one whose number was claimed; None if not one.
        step: for ``"another step"``, after how many steps of the descent the number is.
        name: for ``"another input's gradient"``, the other input.
        instead: for a slip in one example of a sum over several, (what that example's part
            becomes, what it is).
    """

    kind: str
    value: Any = None
    path: Path | None = None
    path_count: int = 0
    factor: Formula | None = None
    factor_value: Any = None
    example: int | None = None
    step: int | None = None
    name: str = ""
    instead: tuple[Any, Any] | None = None


def _written_out(derivation: Derivation) -> str:
    """A derivation as the lines a report prints (written by ``autograd.check.explain``)."""
    from .explain import derivation_text  # the text is written in one place

    return derivation_text(derivation, derivation.names)


@dataclass(frozen=True)
class ValueDerivation:
    """How a value is computed: the forward steps from the inputs to ``node``.

    Attributes:
        node: the Value.
        steps: the operations that lead to it, in the order they run (empty for an input).
        names: the graph's node names; ``str()`` writes the derivation with them.
    """

    node: Value
    steps: tuple[Value, ...]
    names: dict[int, str] = field(default_factory=dict, repr=False, compare=False)

    __str__ = _written_out


@dataclass(frozen=True)
class GradientDerivation:
    """How a gradient d root / d node is computed: the chain rule's paths.

    Attributes:
        node: the Value the gradient is taken with respect to.
        root: the output.
        paths: the ``autograd.trace.Paths`` (None when they are too many to list).
        path_count: how many paths lead from ``node`` to ``root``.
        total: the sum of the path products (the gradient), when the paths were listed.
    """

    node: Value
    root: Value
    paths: Paths | None
    path_count: int
    total: Any = None
    names: dict[int, str] = field(default_factory=dict, repr=False, compare=False)

    __str__ = _written_out


@dataclass(frozen=True)
class ReducedDerivation:
    """A number summed or averaged over the examples: a gradient of the batch, or its output.

    Attributes:
        name: what is reduced (``"w1"`` for a gradient d/dw1, the output's name for its value).
        kind: ``"gradient"`` or ``"value"``.
        reduce: ``"sum"`` or ``"mean"``.
        parts: the derivation of each example's number (``GradientDerivation`` or
            ``ValueDerivation``), in order.
        numbers: each example's number.
        total: their sum or mean.
        root_name: the output's name.
    """

    name: str
    kind: str
    reduce: str
    parts: tuple[GradientDerivation | ValueDerivation, ...]
    numbers: tuple[Any, ...]
    total: Any
    root_name: str = "f"
    names: dict[int, str] = field(default_factory=dict, repr=False, compare=False)

    __str__ = _written_out


@dataclass(frozen=True)
class UpdateDerivation:
    """A gradient-descent step: ``node' = node - lr * gradient``.

    Attributes:
        node: the parameter.
        lr: the learning rate.
        gradient: the gradient used (summed or averaged over the examples, if several).
        result: the updated value.
        gradient_derivation: how the gradient is computed (``GradientDerivation``, or
            ``ReducedDerivation`` over several examples).
        value: the parameter's value before the step.
    """

    node: Value
    lr: Any
    gradient: Any
    result: Any
    gradient_derivation: GradientDerivation | ReducedDerivation
    names: dict[int, str] = field(default_factory=dict, repr=False, compare=False)
    value: Any = None

    __str__ = _written_out


Derivation = ValueDerivation | GradientDerivation | ReducedDerivation | UpdateDerivation
"""How a claim's correct number is computed: one of the four derivations above."""


@dataclass(frozen=True)
class Claim:
    """One claimed number, judged.

    Attributes:
        target: the target as given, e.g. ``"d/dx1"``.
        kind: ``"value"``, ``"gradient"`` or ``"update"``.
        name: the node the claim is about (``"x1"`` for ``d/dx1`` and ``x1'``).
        written: the number as written (``"33.95"``); ``claimed``: it read as a
            ``ClaimedNumber``; ``yours``: that number (an int or a Fraction when exact, else a
            float).
        correct: the engine's number.
        ok: right or wrong; ``verdict`` says it in words.
        allowed: how far from ``correct`` the claim may be (half its last written digit, the
            tolerance given, or 0 for a whole number or fraction).
        tol: the tolerance given for the whole check (None: judged by the digits written).
        exact: whether the check ran in exact arithmetic.
        difference: yours - correct.
        derivation: how the correct number is computed: a ``ValueDerivation``,
            ``GradientDerivation`` or ``UpdateDerivation``.
        first_divergence: True for the first wrong claim in the order of the computation.
        carried: for a wrong claim after the first divergence whose inputs the person also got
            wrong: True if it follows from the person's own earlier (wrong) numbers, False if
            it is a new slip; else None.
        from_yours: what this step gives from the person's own earlier numbers, when that
            differs from the correct value; else None.
        slips: the kinds of slip recognised, most specific first (empty for a right claim).
        node: the Value the claim is about.
        example: the example the claim is about (from 1), or None (one example only, or a
            number of all of them: a reduced gradient, the output summed, an update, a shared
            parameter).
        step: after how many steps of gradient descent (0: at the start).
        yours_parts: for a number reduced over the examples, each example's number as the
            person's own numbers give it (claimed, or computed from their claims).
    """

    target: str
    kind: str
    name: str
    written: str
    claimed: ClaimedNumber
    yours: Any
    correct: Any
    ok: bool
    allowed: Fraction
    tol: Fraction | None
    exact: bool
    difference: Any
    derivation: Derivation
    first_divergence: bool = False
    carried: bool | None = None
    from_yours: Any = None
    slips: tuple[Slip, ...] = ()
    node: Value | None = field(default=None, repr=False, compare=False)
    example: int | None = None
    step: int = 0
    yours_parts: tuple[Any, ...] = ()

    @property
    def verdict(self) -> str:
        """"right" or "wrong"."""
        return "right" if self.ok else "wrong"

    @property
    def rule(self) -> str:
        """How it was judged: ``"exactly"``, ``"to 2 decimals (±0.005)"``, ``"within tol
        0.1"``."""
        from .explain import rule_text  # the text is written in one place

        return rule_text(self)

    @property
    def note(self) -> str:
        """The short explanation a report's table shows."""
        from .explain import claim_note

        return claim_note(self)
