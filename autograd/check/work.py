"""The worked example a check is about: its examples, its parameters and its gradient descent.

A person working the lesson's network by hand computes it on several examples with shared
parameters, adds (or averages) the examples' gradients, takes a gradient-descent step and runs
the forward pass again. ``Work`` holds all of that: the graph of each example at each step of
the descent, built once (one ``GraphFacts`` each, the parameters the same leaf Values in every
example's graph), the gradients reduced over the examples, and the updates. ``resolve`` finds
what a claim's target names in it.

With one example and no learning rate it is the single graph ``check`` has always judged.

>>> from autograd.expr import parse
>>> work = Work(parse("y = w * x"), {"w": 2}, [{"x": 3}, {"x": 5}], lr="0.1")
>>> work.gradient(0, "w"), work.parameter(1, "w")     # 3 + 5; 2 - 0.1 * 8
(8, 1.2)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..expr import Expression, ExpressionError, build, parse_number
from ..text import number
from ..value import InexactWarning, Value
from .claimed import TARGET_FORMS, CheckError, TargetText
from .facts import GraphFacts

__all__ = ["Work", "Target", "REDUCTIONS", "MAX_EXAMPLES"]

REDUCTIONS = ("sum", "mean")
"""How the examples' gradients combine: summed (the lesson's batch learning) or averaged
(mini-batch learning)."""

MAX_EXAMPLES = 1000
"""Most examples one check may hold."""

_OUTPUT_NAMES = ("f", "y", "out", "output", "value_")


@dataclass(frozen=True)
class Target:
    """What a claim is about, found in the work.

    Attributes:
        given: the target as written; ``text``: it read (``TargetText``).
        kind: ``"value"``, ``"gradient"`` or ``"update"``.
        name: the node's name.
        node: the Value (in the graph of ``example``, or of the first example when the claim
            is about all of them).
        example: the example's index from 0, or None when the claim is about the examples
            reduced (a gradient summed over them, the output summed, an update) or about a
            parameter they share.
        step: after how many steps of gradient descent.
        top: for ``dTOP/dNAME``, the node TOP (None: the output).
    """

    given: str
    text: TargetText
    kind: str
    name: str
    node: Value
    example: int | None
    step: int = 0
    top: Value | None = None

    @property
    def reduced(self) -> bool:
        """Whether the claim is about the examples reduced (summed or averaged)."""
        return self.example is None and self.kind != "update" and not self.shared

    @property
    def shared(self) -> bool:
        """Whether the claim is a value every example shares (a parameter's)."""
        return self.example is None and self.kind == "value" and self.node.op is None


class Work:
    """The graphs of a worked example: each example, at each step of gradient descent.

    Args:
        source: an ``autograd.expr.Expression``, or the output ``Value`` of a graph already
            built (then there is one example and no descent beyond one update).
        values: the values shared by every example (the parameters), by name.
        examples: one dict of values per example (the inputs that differ); None for one
            example made of ``values`` alone.
        exact: read every value and lr as exact Fractions.
        lr: the learning rate (None: no updates).
        reduce: ``"sum"`` or ``"mean"``: how the examples' gradients combine.
        params: the parameters an update changes; by default the values given outside the
            examples, or, with no examples, every input.
        output: the step that is the output (named steps only).

    Raises:
        CheckError: examples that are not dicts, or give a value twice, or miss one; an
            unknown reduction; params that are not shared inputs; lr not a positive number.
        ExpressionError: the expression cannot be built at these values.
    """

    expression: Expression | None
    output: str | None
    shared: dict[str, Any]
    examples: list[dict[str, Any]]
    parameters: tuple[str, ...]

    def __init__(self, source: Expression | Value, values: dict[str, Any] | None = None,
                 examples: Iterable[dict[str, Any]] | None = None, *, exact: bool = False,
                 lr: object = None, reduce: str = "sum",
                 params: str | Iterable[str] | None = None, output: str | None = None) -> None:
        self.exact = exact
        self.notes: list[str] = []
        self.lr = _learning_rate(lr, exact)
        if reduce not in REDUCTIONS:
            raise CheckError(f"unknown reduction {reduce!r}: the examples' gradients are "
                             "summed (sum, the lesson's batch learning) or averaged (mean, "
                             "mini-batch learning)")
        self.reduce = reduce
        self._facts: dict[tuple[int, int], GraphFacts] = {}
        self._leaves: dict[int, dict[str, Value]] = {}
        if isinstance(source, Value):
            self._from_graph(source, values, examples, params, output)
        else:
            self._from_expression(source, dict(values or {}), examples, params, output)

    # ----------------------------------------------------------------- setting up

    def _from_graph(self, root: Value, values: dict[str, Any] | None,
                    examples: Iterable[dict[str, Any]] | None,
                    params: str | Iterable[str] | None, output: str | None) -> None:
        if values or examples is not None or output is not None:
            raise CheckError("values are for an expression; a Value graph already holds "
                             "its numbers")
        self.expression, self.output, self.shared, self.examples = None, None, {}, [{}]
        self._facts[(0, 0)] = facts = GraphFacts(root)
        leaves = [n for n in facts.order if n.op is None and n.label]
        self.parameters = tuple(dict.fromkeys(facts.names[id(n)] for n in leaves))
        if params is not None:
            self.parameters = self._chosen_parameters(params, self.parameters)

    def _from_expression(self, expression: Expression, values: dict[str, Any],
                         examples: Iterable[dict[str, Any]] | None,
                         params: str | Iterable[str] | None, output: str | None) -> None:
        self.expression, self.output = expression, output
        self.shared = values
        given_examples = examples is not None
        self.examples = _examples(examples, expression, values) if given_examples else [{}]
        inputs = expression.variables
        missing = [n for n in inputs if n not in values
                   and not all(n in example for example in self.examples)]
        if given_examples and missing:
            k = next(i for i, e in enumerate(self.examples) if missing[0] not in e)
            raise CheckError(f"example {k + 1} gives no value for {missing[0]}, which is not "
                             f"given outside the examples either; give it in every example, "
                             f"or once for all")
        shared_inputs = tuple(n for n in inputs if n in values)
        default = shared_inputs if given_examples else inputs
        self.parameters = (default if params is None
                           else self._chosen_parameters(params, shared_inputs if given_examples
                                                        else inputs))
        self.facts(0, 0)  # build it now: an expression that cannot be built is refused here

    def _chosen_parameters(self, params: str | Iterable[str],
                           allowed: tuple[str, ...]) -> tuple[str, ...]:
        if isinstance(params, str):
            params = [p.strip() for p in params.split(",") if p.strip()]
        chosen = tuple(params)
        if not chosen:
            raise CheckError("params is empty: name the parameters an update changes, e.g. "
                             "w1,w2")
        for name in chosen:
            if not isinstance(name, str) or name not in allowed:
                where = ("the values given outside the examples (each example has its own "
                         "inputs)" if len(self.examples) > 1 or self.shared else "the inputs")
                raise CheckError(f"params: {name!r} cannot be a parameter; the parameters are "
                                 f"chosen from {where}: {', '.join(allowed) or 'none'}")
        return tuple(dict.fromkeys(chosen))

    # ----------------------------------------------------------------- the graphs

    @property
    def count(self) -> int:
        """How many examples."""
        return len(self.examples)

    @property
    def several(self) -> bool:
        """Whether there is more than one example."""
        return len(self.examples) > 1

    def facts(self, step: int, example: int) -> GraphFacts:
        """The graph of example ``example`` (from 0) after ``step`` steps of gradient descent,
        built once.

        Raises:
            CheckError: a step without a learning rate or on a Value graph, or arithmetic
                that fails at the updated parameters.
        """
        key = (step, example)
        if key not in self._facts:
            if self.expression is None:
                raise CheckError("claims after a gradient-descent step need an expression: a "
                                 "Value graph cannot be rebuilt at the updated parameters")
            values = {**self.shared, **self.examples[example], **self.leaves(step)}
            self._facts[key] = GraphFacts(self._build(values, step, example))
        return self._facts[key]

    def _build(self, values: dict[str, Any], step: int, example: int) -> Value:
        assert self.expression is not None  # facts() builds only from an expression
        with warnings.catch_warnings(record=True) as recorded:
            warnings.simplefilter("always", InexactWarning)
            try:
                root, _ = build(self.expression, values, exact=self.exact, output=self.output)
            except ExpressionError as exc:
                if step == 0 and example == 0:
                    raise
                where = (f"after {step} step{'s' if step > 1 else ''} of gradient descent"
                         if step else "")
                if self.several:
                    where += (", " if where else "") + f"example {example + 1}"
                raise CheckError(f"{where}: {exc}") from None
        for warning in recorded:
            if issubclass(warning.category, InexactWarning):
                if str(warning.message) not in self.notes:
                    self.notes.append(str(warning.message))
            else:  # not ours to swallow
                warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                       warning.lineno)
        if root.op is not None and not root.label:
            root.label = next(n for n in _OUTPUT_NAMES if n not in self.expression.variables)
        return root

    def leaves(self, step: int) -> dict[str, Value]:
        """The parameters' leaf Values after ``step`` steps, shared by every example's graph
        (each step computed once, from the one before: a loop, however many steps)."""
        if 0 not in self._leaves:
            given = {**self.examples[0], **self.shared}  # a missing one: build says so
            self._leaves[0] = {p: Value(parse_number(given[p], self.exact, f"the value of {p}"),
                                        label=p) for p in self.parameters if p in given}
        if step and self.lr is None:
            raise CheckError("claims after a gradient-descent step need the learning rate "
                             "(lr=..., or --lr on the command line)")
        for k in range(max(self._leaves) + 1, step + 1):
            self._leaves[k] = {p: Value(self.update(k - 1, p), label=p)
                               for p in self.parameters}
        return self._leaves[step]

    def parameter(self, step: int, name: str) -> Any:
        """Parameter ``name``'s number after ``step`` steps of gradient descent."""
        if self.expression is None:
            return self.node(self.facts(0, 0), name).data
        return self.leaves(step)[name].data

    @staticmethod
    def node(facts: GraphFacts, name: str) -> Value:
        """The one node called ``name`` in a graph (CheckError if none or several)."""
        nodes = facts.by_name.get(name)
        if not nodes:
            raise CheckError(f"there is no {name!r} in the graph; the named nodes are "
                             f"{', '.join(sorted(facts.by_name))}")
        if len(nodes) > 1:
            raise CheckError(f"{len(nodes)} nodes are named {name!r}; give them different "
                             "labels")
        return nodes[0]

    # ----------------------------------------------------------------- numbers

    def combine(self, numbers: list[Any]) -> Any:
        """The examples' numbers reduced: their sum, or their mean."""
        total = numbers[0]
        for x in numbers[1:]:
            total = total + x
        if self.reduce == "sum" or len(numbers) == 1:
            return total
        if isinstance(total, (int, Fraction)) and self.exact:
            return Fraction(total) / len(numbers)
        return total / len(numbers)

    def example_gradient(self, step: int, example: int, name: str,
                         top: Value | None = None) -> Any:
        """d output / d ``name`` in one example's graph (d top / d name for a step ``top``)."""
        facts = self.facts(step, example)
        node = self.node(facts, name)
        if top is not None:
            facts = facts.sub(top)
            if id(node) not in facts.position:  # no path leads from node to top
                return node.data * 0
        return facts.gradients()[id(node)]

    def gradient(self, step: int, name: str) -> Any:
        """d output / d ``name`` reduced over the examples (for a value they share)."""
        return self.combine([self.example_gradient(step, i, name) for i in range(self.count)])

    def output_value(self, step: int) -> Any:
        """The output reduced over the examples (the batch's total error, with sum)."""
        return self.combine([self.facts(step, i).root.data for i in range(self.count)])

    def update(self, step: int, name: str) -> Any:
        """Parameter ``name`` after one more step: ``name - lr * gradient``."""
        return self.parameter(step, name) - self.lr * self.gradient(step, name)

    def correct(self, target: Target) -> Any:
        """The engine's number for a claim's target."""
        if target.kind == "value":
            if target.reduced:
                return self.output_value(target.step)
            return target.node.data
        if target.kind == "update":
            return self.update(target.step, target.name)
        if target.example is None:
            return self.gradient(target.step, target.name)
        return self.example_gradient(target.step, target.example, target.name, target.top)

    # ----------------------------------------------------------------- claims

    def is_shared(self, name: str) -> bool:
        """Whether every example has the same leaf ``name`` (a value given once for all)."""
        return not self.several or name in self.shared

    def resolve(self, text: TargetText) -> Target:
        """What a claim's target names in the work.

        Raises:
            CheckError: the target names nothing here, names an example that does not
                exist, is ambiguous with several examples, asks for a derivative that is
                not one, or is an update without lr or of something that is no parameter.
        """
        given = text.given
        if text.step and self.lr is None and self.expression is not None:
            raise CheckError(f"{given!r} is about the work after {text.step} step"
                             f"{'s' if text.step > 1 else ''} of gradient descent: give the "
                             "learning rate (lr=..., or --lr on the command line)")
        example = self._example_index(text)
        facts = self.facts(text.step, 0 if example is None else example)
        if text.kind == "value":
            return self._value(text, facts, example)
        if text.kind == "update":
            return self._update(text, facts, example)
        return self._gradient(text, facts, example)

    def _example_index(self, text: TargetText) -> int | None:
        if not isinstance(text.example, int):  # None, or "all"
            return None
        if not 1 <= text.example <= self.count:
            there = (f"the examples are 1 to {self.count}" if self.several
                     else "there is one example (give more with --example)")
            raise CheckError(f"{text.given!r}: there is no example {text.example}; {there}")
        return text.example - 1

    def _names_of_output(self, facts: GraphFacts) -> set[str]:
        return {facts.names[id(facts.root)]} | ({"f", "value", "output"} - set(facts.by_name))

    def _lookup(self, text: TargetText, facts: GraphFacts, name: str) -> Value:
        if name in facts.by_name:
            return self.node(facts, name)
        if name in self._names_of_output(facts):
            return facts.root
        raise CheckError(f"unknown claim target {text.given!r}: there is no {name!r} in the "
                         f"graph; the named nodes are {', '.join(sorted(facts.by_name))}; a "
                         f"target is {TARGET_FORMS}")

    def _value(self, text: TargetText, facts: GraphFacts, example: int | None) -> Target:
        node = self._lookup(text, facts, text.name)
        if text.example == "all":
            if node is not facts.root:
                raise CheckError(f"{text.given!r}: all: is for the output, "
                                 f"{facts.names[id(facts.root)]} "
                                 f"({'summed' if self.reduce == 'sum' else 'averaged'} over the "
                                 "examples), and its gradients; for one example's value write "
                                 f"1:{text.name}")
            return Target(text.given, text, "value", facts.names[id(node)], node, None,
                          text.step)
        if example is None and not self.several:
            example = 0
        if example is None:
            if node is facts.root:
                raise CheckError(f"{text.given!r} is ambiguous with {self.count} examples: "
                                 f"write 1:{text.name} for example 1's, or all:{text.name} for "
                                 f"the {self.reduce} over the examples")
            if not (node.op is None and self.is_shared(facts.names[id(node)])):
                raise CheckError(f"{text.given!r} is ambiguous with {self.count} examples: "
                                 f"{text.name} differs from example to example; write "
                                 f"1:{text.name}, 2:{text.name}, ... for one example's")
        return Target(text.given, text, "value", facts.names[id(node)], node, example,
                      text.step)

    def _gradient(self, text: TargetText, facts: GraphFacts, example: int | None) -> Target:
        top = None
        if text.top and text.top not in self._names_of_output(facts):
            top = self._lookup(text, facts, text.top)
            if top is facts.root:
                top = None
            elif top.op is None:
                raise CheckError(f"{text.given!r}: {text.top} is an input, computed from "
                                 f"nothing; a derivative is of the output or of a step "
                                 f"(d/d{text.name}, or dSTEP/d{text.name})")
        node = self._lookup(text, facts, text.name)
        name = facts.names[id(node)]
        if top is not None:
            sub = facts.sub(top)
            if id(node) not in sub.position and facts.position[id(node)] > \
                    facts.position[id(top)]:
                raise CheckError(f"{text.given!r}: {name} is computed after "
                                 f"{text.top}, from it; write d{name}/d{text.top}, or "
                                 f"d/d{name} for the output's gradient")
        if example is None and self.several:
            if top is not None:
                raise CheckError(f"{text.given!r}: {text.top} differs from example to "
                                 f"example; write 1:{text.given.split(':')[-1]} for example "
                                 f"1's")
            if not (node.op is None and self.is_shared(name)):
                raise CheckError(f"{text.given!r}: {name} differs from example to example, so "
                                 f"its gradient is not {self.reduce}med over them; write "
                                 f"1:d/d{name}, 2:d/d{name}, ... for one example's")
        if example is None and not self.several:
            example = 0
        return Target(text.given, text, "gradient", name, node, example, text.step, top)

    def _update(self, text: TargetText, facts: GraphFacts, example: int | None) -> Target:
        if text.spelled in facts.by_name:  # a node called w_new is a value, not an update
            return self._value(TargetText(text.given, "value", text.spelled, "", text.example,
                                          text.step, text.spelled), facts, example)
        node = self._lookup(text, facts, text.name)
        name = facts.names[id(node)]
        if node.op is not None:
            raise CheckError(f"{text.given!r}: a gradient-descent update applies to an input or "
                             f"parameter; {name} is computed from others")
        if self.lr is None:
            raise CheckError(f"{text.given!r} is {name} after a gradient-descent step, "
                             f"{name} - lr * d/d{name}: give the learning rate (lr=..., or --lr "
                             "on the command line)")
        if text.example is not None:
            raise CheckError(f"{text.given!r}: an update uses the gradient "
                             + ("over all the examples" if self.several else "")
                             + f"; write {text.body()} without an example number")
        if name not in self.parameters:
            raise CheckError(f"{text.given!r}: {name} is not a parameter, so no update changes "
                             f"it; the parameters are {', '.join(self.parameters) or 'none'} "
                             "(the values given outside the examples, or those of --params)")
        return Target(text.given, text, "update", name, node, None, text.step)

    # ----------------------------------------------------------------- words

    def title(self) -> str:
        """What is checked, in one line or a few."""
        facts = self.facts(0, 0)
        root_name = facts.names[id(facts.root)]
        if self.expression is None:
            head = (f"check of {root_name} = {number(facts.root.data)} (a graph of "
                    f"{len(facts.order)} nodes)")
        elif len(self.expression.steps) == 1 and self.output is None:
            head = f"check of {self.expression.steps[0]}"
        elif self.expression.steps:
            head = f"check of {root_name}, from the steps {self.expression.one_line()}"
        else:
            head = f"check of {root_name} = {self.expression.text}"
        shared = ", ".join(f"{n} = {number(leaf)}" for n, leaf in self._shown_values().items())
        extras = (["in exact arithmetic"] if self.exact else []) + \
            ([f"lr = {number(self.lr)}"] if self.lr is not None else [])
        if not self.several:
            return head + (f" at {shared}" if shared else "") + "".join(f", {e}" for e in extras)
        lines = [head, ", ".join(([f"shared values: {shared}"] if shared else []) + extras)]
        lines.append(f"{self.count} examples, gradients "
                     f"{'summed' if self.reduce == 'sum' else 'averaged'}: "
                     + "; ".join(f"{i + 1}: " + ", ".join(f"{n} = {number(v)}" for n, v in
                                                          self._example_values(i).items())
                                 for i in range(self.count)))
        return "\n".join(line for line in lines if line)

    def _shown_values(self) -> dict[str, Any]:
        """The values every example shares, as numbers, in the order the expression uses them."""
        if self.expression is None:
            return {}
        facts = self.facts(0, 0)
        names = self.expression.variables if not self.several else \
            [n for n in self.expression.variables if n in self.shared]
        return {n: self.node(facts, n).data for n in names}

    def _example_values(self, example: int) -> dict[str, Any]:
        facts = self.facts(0, example)
        assert self.expression is not None  # several examples come from an expression
        return {n: self.node(facts, n).data for n in self.expression.variables
                if n not in self.shared}


def _learning_rate(lr: object, exact: bool) -> Any:
    if lr is None:
        return None
    try:
        value = parse_number(lr, exact=exact, what="lr")
    except ExpressionError as exc:
        raise CheckError(str(exc)) from None
    if value <= 0:
        raise CheckError(f"the learning rate must be positive, got {lr}: gradient descent "
                         "steps against the gradient by lr times it")
    return value


def _examples(examples: object, expression: Expression,
              shared: dict[str, Any]) -> list[dict[str, Any]]:
    """The examples, checked: a list of dicts of values for inputs not given outside them."""
    if isinstance(examples, dict) or not hasattr(examples, "__iter__"):
        raise CheckError("examples must be a list of dicts of values, one per example, e.g. "
                         "[{'x1': 3, 'x2': 2}, {'x1': 1, 'x2': 4}]")
    found = list(examples)
    if not found:
        raise CheckError("examples is empty: give one dict of values per example")
    if len(found) > MAX_EXAMPLES:
        raise CheckError(f"{len(found):,} examples; at most {MAX_EXAMPLES:,} can be checked at "
                         "once")
    inputs = expression.variables
    for k, example in enumerate(found, start=1):
        if not isinstance(example, dict):
            raise CheckError(f"example {k} must be a dict of values such as "
                             f"{{'x1': 3, 'x2': 2}}, got {example!r}")
        for name in example:
            if expression.step(str(name)) is not None:
                raise CheckError(f"example {k} gives a value for {name}, but {name} is a step "
                                 f"({expression.step(name)}), not an input")
            if name not in inputs:
                raise CheckError(f"example {k} gives a value for {name}, which the expression "
                                 f"does not use; it uses {', '.join(inputs) or 'no variables'}")
            if name in shared:
                raise CheckError(f"{name} is given both for all the examples and in example "
                                 f"{k}; give it in one place")
    return found
