"""The work redone from the person's own numbers: what each step gives from the ones before it.

Where a number is claimed, the steps after it use the claimed number instead of the correct
one: the forward pass of each example, its backward pass, the gradients summed or averaged
over the examples, each update, and the next step's forward pass from the updated parameters.
What a step gives this way tells a wrong claim that follows from earlier wrong numbers (right
arithmetic on the person's own numbers: carried forward) from a new slip. The numbers are
floats: this is for comparing with claims, never for the correct values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..math_namespaces import ScalarMath

if TYPE_CHECKING:  # work.py is built before this module is used
    from ..value import Value
    from .claimed import ClaimedNumber
    from .work import Target, Work

__all__ = ["Yours"]


class Yours:
    """The person's numbers carried through the work.

    Args:
        work: the ``autograd.check.work.Work``.
        targets: the claims' ``Target``s; ``numbers``: their ``ClaimedNumber``s.
    """

    def __init__(self, work: Work, targets: list[Target], numbers: list[ClaimedNumber]) -> None:
        self.work = work
        self.values: dict[tuple[int, int], dict[int, float | None]] = {}
        self.gradients: dict[tuple[int, int], dict[int, float | None]] = {}
        self.reduced_claims: dict[int, dict[str, float | None]] = {}
        self.update_claims: dict[int, dict[str, float | None]] = {}
        steps = max([t.step for t in targets] + [0])
        for target, claimed in zip(targets, numbers):
            self._note(target, _as_float(claimed.exact))
        self.data: dict[tuple[int, int], dict[int, float | None]] = {}
        self.gives_value: dict[tuple[int, int], dict[int, float]] = {}
        self.grad: dict[tuple[int, int], dict[int, float | None]] = {}
        self.gives_grad: dict[tuple[int, int], dict[int, float]] = {}
        self.gives_reduced: dict[int, dict[str, float | None]] = {}
        self.gives_update: dict[int, dict[str, float]] = {}
        wanted = {t.name for t in targets if t.kind == "gradient" and t.example is None}
        parameters: dict[str, float | None] | None = None
        for step in range(steps + 1):
            for example in range(work.count):
                self._example(step, example, parameters)
            parameters = self._descent(step, wanted | set(work.parameters))

    def _note(self, target: Target, claimed: float | None) -> None:
        """File a claimed number where the work uses it."""
        key = target.step
        if target.kind == "update":
            self.update_claims.setdefault(key, {})[target.name] = claimed
        elif target.kind == "gradient" and target.top is None:
            if target.example is None:
                self.reduced_claims.setdefault(key, {})[target.name] = claimed
            else:
                self._claim(self.gradients, key, target.example, target.node, claimed)
        elif target.kind == "value" and not target.reduced:
            examples = [target.example] if target.example is not None else \
                list(range(self.work.count))
            for example in examples:
                node = self.work.node(self.work.facts(key, example), target.name)
                self._claim(self.values, key, example, node, claimed)

    @staticmethod
    def _claim(table: dict[tuple[int, int], dict[int, float | None]], step: int, example: int,
               node: Value, claimed: float | None) -> None:
        table.setdefault((step, example), {})[id(node)] = claimed

    # ----------------------------------------------------------------- one example

    def _example(self, step: int, example: int,
                 parameters: dict[str, float | None] | None) -> None:
        facts = self.work.facts(step, example)
        key = (step, example)
        start: dict[int, float | None] = {}
        if parameters is not None:
            for name, value in parameters.items():
                nodes = facts.by_name.get(name)
                if nodes:
                    start[id(nodes[0])] = value
        data, gives = _forward(facts.order, self.values.get(key, {}), start)
        self.data[key], self.gives_value[key] = data, gives
        self.grad[key], self.gives_grad[key] = _backward(facts.order, facts.root, data,
                                                         self.gradients.get(key, {}))

    def _descent(self, step: int, names: set[str]) -> dict[str, float | None] | None:
        """The gradients reduced over the examples, and (with lr) the updated parameters."""
        work = self.work
        self.gives_reduced[step] = {}
        for name in names:
            if not work.is_shared(name):
                continue
            parts = self.parts(step, name)
            if parts and all(p is not None for p in parts):
                self.gives_reduced[step][name] = _as_float(work.combine(parts))
        if work.lr is None:
            return None
        self.gives_update[step] = {}
        updated: dict[str, float | None] = {}
        claimed = self.update_claims.get(step, {})
        for name in work.parameters:
            gradient = self.reduced_claims.get(step, {}).get(name,
                                                             self.gives_reduced[step].get(name))
            nodes = work.facts(step, 0).by_name.get(name)
            value = self.data[(step, 0)].get(id(nodes[0])) if nodes else None
            gives = None
            if gradient is not None and value is not None:
                gives = _as_float(value - float(work.lr) * gradient)
            if gives is not None:
                self.gives_update[step][name] = gives
            updated[name] = claimed.get(name, gives)
        return updated

    def parts(self, step: int, name: str) -> list[float | None]:
        """Each example's gradient d output / d ``name`` from the person's numbers (claimed,
        or computed from their claims)."""
        found: list[float | None] = []
        for example in range(self.work.count):
            nodes = self.work.facts(step, example).by_name.get(name)
            found.append(self.grad[(step, example)].get(id(nodes[0])) if nodes else None)
        return found

    # ----------------------------------------------------------------- lookups

    def gives(self, target: Target) -> float | None:
        """What the person's own earlier numbers give for a claim's target (None if they
        cannot be carried that far)."""
        step = target.step
        if target.kind == "update":
            return self.gives_update.get(step, {}).get(target.name)
        if target.kind == "gradient":
            if target.top is not None:
                assert target.example is not None  # resolve: a step's top is one example's
                facts = self.work.facts(step, target.example)
                sub = facts.sub(target.top)
                grads, gives = _backward(sub.order, sub.root, self.data[(step, target.example)],
                                         {})
                return gives.get(id(target.node))
            if target.example is None:
                return self.gives_reduced.get(step, {}).get(target.name)
            return self.gives_grad[(step, target.example)].get(id(target.node))
        if target.reduced:
            outputs = [self.data[(step, i)].get(id(self.work.facts(step, i).root))
                       for i in range(self.work.count)]
            return None if None in outputs else _as_float(self.work.combine(outputs))
        example = 0 if target.example is None else target.example
        node = self.work.node(self.work.facts(step, example), target.name) \
            if target.node.op is None else target.node
        return self.gives_value[(step, example)].get(id(node))


def _forward(order: list[Value], claims: dict[int, float | None],
             start: dict[int, float | None],
             ) -> tuple[dict[int, float | None], dict[int, float]]:
    """The forward pass from the person's numbers: (data used, what each step gives)."""
    data: dict[int, float | None] = {}
    gives: dict[int, float] = {}
    for node in order:
        if node.op is None:
            computed = start.get(id(node), _as_float(node.data))
        else:
            computed = _forward_step(node, data)
        if computed is not None:
            gives[id(node)] = computed
        claimed = claims.get(id(node))
        data[id(node)] = claimed if claimed is not None else computed
    return data, gives


def _arguments(node: Value, data: dict[int, float | None]) -> list[Any] | None:
    args: list[Any] = [data.get(id(i)) for i in node.inputs]
    if node.const is not None:  # the constant of x ** c (a Value has one only there)
        args.append(float(node.const))
    return None if any(a is None for a in args) else args


def _forward_step(node: Value, data: dict[int, float | None]) -> float | None:
    args = _arguments(node, data)
    if args is None or node.op is None:
        return None
    try:
        if node.op.domain(ScalarMath, *args) is None:
            return _as_float(node.op.forward(ScalarMath, *args))
    except (ArithmeticError, ValueError, TypeError):
        return None
    return None


def _backward(order: list[Value], root: Value, data: dict[int, float | None],
              claims: dict[int, float | None],
              ) -> tuple[dict[int, float | None], dict[int, float]]:
    """The backward pass from the person's numbers: (gradients used, what each gives)."""
    gives: dict[int, float | None] = {id(root): 1.0}
    grad: dict[int, float | None] = {}
    for node in reversed(order):
        claimed = claims.get(id(node))
        grad[id(node)] = claimed if claimed is not None else gives.get(id(node))
        if node.op is None:
            continue
        args, g = _arguments(node, data), grad[id(node)]
        if args is None or g is None or data.get(id(node)) is None:
            for i in node.inputs:
                gives[id(i)] = None
            continue
        locals_: Sequence[Any]
        try:
            locals_ = node.op.local(ScalarMath, data[id(node)], *args)
        except (ArithmeticError, ValueError, TypeError):
            locals_ = [None] * len(node.inputs)
        for input_, local in zip(node.inputs, locals_):
            before = gives.get(id(input_), 0.0)
            if before is None or local is None:
                gives[id(input_)] = None
            else:
                gives[id(input_)] = _as_float(before + local * g)
    return grad, {k: v for k, v in gives.items() if v is not None}


def _as_float(x: Any) -> float | None:
    try:
        out = float(x)
    except (OverflowError, TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None
