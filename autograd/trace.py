"""Show the work of backward: the trace table, a stepper, and the paths of the chain rule.

``trace(f)`` runs one backward pass from f and returns every chain-rule step in the order it
happens; it prints as a table. ``Stepper(f)`` takes the same steps one edge at a time in a
REPL or a notebook (``Stepper(f, by="label")``: one labelled node at a time, as the lesson
does). ``paths(f, x)`` lists every path from x to f with the product of its local
derivatives; the products sum to x's gradient (lesson "How networks learn", "Summing the
Blame": the total blame is the sum of the blame from all paths).

Honest numbers: each of these shows one fresh backward pass. Every node, the leaves (inputs,
parameters and constants) included, starts the pass at 0, so the numbers shown are d f/d node
and nothing else; a gradient an earlier ``backward()`` left in a leaf is set aside, and the
header names it ("w1 had grad 520 from an earlier backward; this pass starts it at 0").
Afterwards the leaves hold this pass's gradients: after ``E.backward()``, ``trace(E)`` shows
520 for w1 and ``w1.grad`` is 520 (not 1040). To sum the gradients of several examples, call
``backward()`` on each, or on their sum; the tracing tools show one pass.

All of it is computed by ``Value.backward_steps()``, the engine's one backward loop, and the
formulas come from the operation table (``autograd.ops``), so what is shown is what is run.
On ``Fraction`` data every number shown is exact. Tables print as text (in colour on a colour
terminal, ``dy/dh1`` instead of ``∂y/∂h1`` where ∂ cannot be written), and render as
Markdown, LaTeX or HTML (``trace(f).table().render("latex")``); a notebook shows them, and a
stepper's picture, by themselves.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .formula import Formula, FormulaMath, number as formula_number, symbol
from .graph import Node, topological_order
from .math_namespaces import SympyMath
from .text import (
    TABLE_WIDTH,
    Chain,
    Derivative,
    Table,
    ascii_wanted,
    definition,
    in_words,
    is_constant,
    local_formula,
    node_names,
    number,
    times,
)
from .value import Edge, Value

__all__ = ["node_names", "Step", "NodeStep", "Frame", "Trace", "trace", "Stepper", "Path",
           "Paths", "paths", "PathFinder", "gradient_formula", "MAX_PATHS", "STEP_UNITS"]

MAX_PATHS = 10_000
"""Most paths ``paths`` lists before it refuses (their number can grow exponentially with the
graph's depth: a chain of n diamonds has 2**n paths)."""

STEP_UNITS = ("edge", "label")
"""What one step of a ``Stepper`` is: one chain-rule edge of the engine, or one labelled node
passing its gradient down through the unlabelled operations that make it."""


@dataclass(frozen=True)
class Step:
    """One chain-rule step of backward, with names and formulas for people.

    Prints on one line: ``step 14: n3 = w3 * h1 -> w3: local h1 = 25, upstream 26, grad 650``.

    Attributes:
        index: 1 for the first step of backward, 2 for the next, ...
        node, input: the Values: ``input`` is input ``position`` of ``node``'s operation.
        node_name, input_name: their names (see ``autograd.text.node_names``).
        definition: how ``node`` was made, e.g. ``"f = v ** 3"``.
        local_formula: d node / d input as a formula in the names (``str()`` gives
            ``"3*v**2"``).
        local: its value.
        upstream: the grad of ``node`` in this pass, d(root)/d(node).
        product: ``local * upstream``, what this step adds to ``input.grad``.
        grad_after: the grad of ``input`` in this pass after the addition.
        accumulated: True if ``input`` had already received gradient along another path in
            this backward (the step adds to it: a second path arriving).
        stepper: the ``Stepper`` that took it (a notebook shows its picture at this step).
    """

    index: int
    node: Value
    input: Value
    position: int
    node_name: str
    input_name: str
    definition: str
    local_formula: Formula
    local: Any  # the numbers: each a number, or a Value after backward(create_graph=True)
    upstream: Any
    product: Any
    grad_after: Any
    accumulated: bool
    stepper: Stepper | None = field(default=None, repr=False, compare=False)

    def derivative(self) -> Derivative:
        """The name of d node / d input: ``∂f/∂v`` (``∂n4/∂(constant 3)`` for a constant)."""
        return Derivative(self.node_name, self.input_name, is_constant(self.input))

    @property
    def input_words(self) -> str:
        """The input as a sentence names it: ``w3``, or ``the constant 3``."""
        return f"the constant {self.input_name}" if is_constant(self.input) else \
            self.input_name

    def __repr__(self) -> str:
        local = Chain((self.local_formula, self.local)).render(lambda part: number(part))
        return (f"step {self.index}: {self.definition} -> {self.input_words}: local {local}, "
                f"upstream {number(self.upstream)}, grad {number(self.grad_after)}")

    def _repr_html_(self) -> str:
        if self.stepper is None:
            return steps_table([self]).html()
        return self.stepper.frame(self.index)._repr_html_()


@dataclass(frozen=True)
class NodeStep:
    """One step of ``Stepper(root, by="label")``: a labelled node passing its gradient down
    through the unlabelled operations that make it, as the lesson steps (``∂E/∂h1 =
    ∂E/∂y_pred * w3``).

    Attributes:
        index: 1 for the first such step, 2 for the next, ...
        node: the labelled node (or the root, or an unlabelled node used more than once).
        node_name: its name.
        definition: how it was made, unlabelled operations written out:
            ``"y = w3*h1 + w4*h2 + w5"``.
        upstream: its grad in this pass, d(root)/d(node).
        inputs: one ``(input, name, local formula, local, product, grad after)`` per node it
            passes gradient to (a leaf, or another labelled node), where the local derivative
            is d node / d input through the unlabelled operations between them.
        steps: the engine's chain-rule edges this step is made of (``Step``).
    """

    index: int
    node: Value
    node_name: str
    definition: str
    upstream: Any
    inputs: tuple[tuple[Value, str, Formula, Any, Any, Any], ...]
    steps: tuple[Step, ...]
    stepper: Stepper | None = field(default=None, repr=False, compare=False)

    def table(self) -> Table:
        """The step as a table: one row per input the gradient reaches."""
        rows = [(self.definition if k == 0 else "", name,
                 Chain((Derivative(self.node_name, name, is_constant(input_)), formula, local)),
                 self.upstream, product, grad)
                for k, (input_, name, formula, local, product, grad) in enumerate(self.inputs)]
        title = (f"step {self.index}: {self.node_name} passes its gradient "
                 f"{number(self.upstream)} down ({len(self.steps)} chain-rule edges)")
        return Table(("node", "input", "local derivative", "upstream", "product", "input grad"),
                     rows, numeric=frozenset({3, 4, 5}), title=title, wrap=(0, 2),
                     colours={5: "green"})

    def __repr__(self) -> str:
        reached = ", ".join(f"{name} {number(grad)}"
                            for _, name, _, _, _, grad in self.inputs)
        return (f"step {self.index}: {self.definition}, upstream {number(self.upstream)} -> "
                f"grads {reached}")

    def _repr_html_(self) -> str:
        if self.stepper is None:
            return self.table().html()
        return self.stepper.frame(self.steps[-1].index)._repr_html_()


_HEADER = ("step", "node", "input", "local derivative", "upstream", "product", "input grad",
           "note")


def steps_table(steps: Sequence[Step], title: str = "", preface: Iterable[str] = (),
                earlier: Iterable[Step] = ()) -> Table:
    """The rows of ``steps`` as a ``autograd.text.Table`` (the trace's and the stepper's).

    The last column, ``note``, marks a step that adds to a grad another path reached first:
    ``2nd path``, ``3rd path``, ...; it is left out when no step does. ``earlier`` are the
    steps taken before ``steps`` (not shown; they count the paths that reached an input).

    >>> x = Value(3, label="x"); y = x * x; y.label = "y"
    >>> steps = trace(y).steps
    >>> steps_table(steps[1:], earlier=steps[:1]).rows[0][-1]   # x * x reaches x twice
    '2nd path'
    >>> steps_table(steps[:1]).header[-1]                       # no second path: no note
    'input grad'
    """
    arrivals: dict[int, int] = {}
    for s in earlier:
        arrivals[id(s.input)] = arrivals.get(id(s.input), 0) + 1
    rows: list[tuple[object, ...]] = []
    for s in steps:
        arrivals[id(s.input)] = arrivals.get(id(s.input), 0) + 1
        rows.append((str(s.index), s.definition,
                     f"constant {s.input_name}" if is_constant(s.input) else s.input_name,
                     Chain((s.derivative(), s.local_formula, s.local)), s.upstream, s.product,
                     s.grad_after,
                     f"{_ordinal(arrivals[id(s.input)])} path" if s.accumulated else ""))
    if not any(s.accumulated for s in steps):
        rows = [row[:-1] for row in rows]
    return Table(_HEADER[:len(rows[0])] if rows else _HEADER[:-1], rows,
                 numeric=frozenset({0, 4, 5, 6}), title=title, wrap=(1, 3),
                 preface=list(preface), colours={6: "green", 7: "yellow"})


def _ordinal(n: int) -> str:
    """2nd, 3rd, 4th, 11th, 21st."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _set_aside_text(set_aside: list[tuple[Value, Any]], names: dict[int, str]) -> list[str]:
    """The header line naming the gradients an earlier backward left in the leaves."""
    if not set_aside:
        return []
    parts = [f"{in_words(node, names)} had grad {number(grad)}" for node, grad in set_aside]
    if len(parts) == 1:
        return [f"{parts[0]} from an earlier backward; this pass starts it at 0."]
    return [", ".join(parts) + " from an earlier backward; this pass starts them at 0."]


class Trace:
    """The steps of one backward pass, in order; prints as a table.

    Attributes:
        root: the Value backward started from.
        steps: list of ``Step``.
        names: the node names used (see ``autograd.text.node_names``).
        set_aside: ``(leaf, grad)`` for each gradient an earlier backward had left in a leaf,
            which this pass started at 0.
    """

    def __init__(self, root: Value, steps: list[Step], names: dict[int, str],
                 set_aside: list[tuple[Value, Any]] | None = None) -> None:
        self.root, self.steps, self.names = root, steps, names
        self.set_aside = list(set_aside or [])

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __getitem__(self, i: int) -> Step:
        return self.steps[i]

    def table(self) -> Table:
        """The steps as a ``autograd.text.Table``, one row per edge of the graph; render it as
        text, Markdown, LaTeX or HTML (``.render("markdown")``)."""
        title = (f"backward from {self.names[id(self.root)]} = {number(self.root.data)}: "
                 f"{len(self.steps)} chain-rule steps (input grad += local derivative "
                 f"{times(ascii_wanted())} upstream)")
        return steps_table(self.steps, title, _set_aside_text(self.set_aside, self.names))

    def __str__(self) -> str:
        return str(self.table())

    def __repr__(self) -> str:
        return repr(self.table())

    def _repr_html_(self) -> str:
        return self.table().html()


def trace(root: Value) -> Trace:
    """Run one backward pass from ``root`` and return every chain-rule step it took, in order.

    The pass is fresh: every node starts at 0, leaves included, so each number is this
    pass's (see the module's "Honest numbers"); a gradient an earlier ``backward()`` left in
    a leaf is named in the table's header and set aside. Afterwards every grad holds this
    pass's gradient, as after ``zero_grad()`` then ``backward()``.

    Raises:
        TypeError: ``root`` is not a Value.
        ZeroDivisionError, ValueError, OverflowError, autograd.NonFiniteError: as
            ``backward()``.

    >>> x1, x2 = Value(3, label="x1"), Value(2, label="x2")
    >>> u = 2 * x1 + x2; u.label = "u"
    >>> t = trace(u)
    >>> print(t)
    backward from u = 8: 4 chain-rule steps (input grad += local derivative × upstream)
    step  node         input       local derivative            upstream  product  input grad
    ----  -----------  ----------  --------------------------  --------  -------  ----------
       1  u = n1 + x2  n1          ∂u/∂n1 = 1                         1        1           1
       2  u = n1 + x2  x2          ∂u/∂x2 = 1                         1        1           1
       3  n1 = 2 * x1  constant 2  ∂n1/∂(constant 2) = x1 = 3         1        3           3
       4  n1 = 2 * x1  x1          ∂n1/∂x1 = 2                        1        2           2
    >>> t[3]
    step 4: n1 = 2 * x1 -> x1: local 2, upstream 1, grad 2
    >>> u.backward(); x1.grad                  # a second backward adds to the leaves ...
    4
    >>> print(trace(u).table().preface[0])     # ... a trace sets that aside and starts at 0
    the constant 2 had grad 6, x1 had grad 4, x2 had grad 2 from an earlier backward; this pass starts them at 0.
    >>> x1.grad
    2
    """  # noqa: E501 - the example shows the printed line whole
    return Stepper(root).run()


class Stepper:
    """Step through one backward pass in a REPL or a notebook: one edge (``step()``) or one
    node (``step_node()``) at a time.

    Honest numbers: the stepper shows one fresh pass (see the module's docstring). When it is
    made, every leaf's grad is set to 0, and the header (``print(stepper)``) names any
    gradient an earlier backward had left there; each step then does one ``input.grad +=
    local * upstream`` of the engine's loop, so the Values' grads are always as far as the
    steps taken. Its tables, frames and pictures read the stepper's own record of its pass,
    so a caption and the boxes beside it agree; if the graph's grads are changed while it is
    part-way (another ``backward()``), the next step refuses with a message instead of
    showing numbers from two passes.

    Args:
        root: the Value to backpropagate from.
        by: ``"edge"`` (the default): a step is one chain-rule edge of the engine, as in
            ``trace``. ``"label"``: a step is one labelled node passing its gradient down
            through the unlabelled operations that make it (``y = w3*h1 + w4*h2 + w5``
            passes to w3, h1, w4, h2 and w5 at once), the steps of the lesson; ``step()``
            then returns a ``NodeStep``. The engine's order interleaves those groups, so in
            this mode the first step runs the whole pass and the later ones reveal it.

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: ``by`` is neither "edge" nor "label".

    Print the stepper to see the steps so far; ``grads()`` shows every node's grad at this
    moment; ``frame()`` is the picture of this moment (``autograd.draw``), and in a notebook
    the stepper shows it by itself.

    >>> x = Value(3, label="x")
    >>> y = x * x; y.label = "y"
    >>> s = Stepper(y)
    >>> s.step()
    step 1: y = x * x -> x: local x = 3, upstream 1, grad 3
    >>> s.step().accumulated, x.grad       # the second edge of x * x adds to it
    (True, 6)
    >>> s.step() is None, s.done
    (True, True)
    """

    def __init__(self, root: Value, by: str = "edge") -> None:
        if not isinstance(root, Value):
            raise TypeError(f"Stepper steps through the backward pass of an autograd.Value, got "
                            f"{type(root).__name__} {root!r}")
        if by not in STEP_UNITS:
            raise ValueError(f"by must be 'edge' (one chain-rule edge a step) or 'label' (one "
                             f"labelled node a step), got {by!r}")
        self.root, self.by = root, by
        self.order = topological_order(root)
        self.names = node_names(root)
        self.set_aside: list[tuple[Value, Any]] = []
        self._set_aside_leaves()
        self.steps: list[Step] = []
        self.node_steps: list[NodeStep] = []
        self._reached: set[int] = set()  # ids of the inputs the steps so far passed to
        self._definitions: dict[int, str] = {}  # a node's definition, shared by its edges
        self._edges: Iterator[Edge] | None = None  # the engine's, started at the first step
        self._engine_grads: dict[int, Any] = {id(root): 1}
        if by == "edge":
            self._plan = [(node, position) for node in reversed(self.order)
                          if node.op is not None for position in range(len(node.inputs))]
            self._units = [[k] for k in range(len(self._plan))]
        else:
            self._groups = _label_groups(self.order)
            self._plan = [edge for group in self._groups for edge in group.edges]
            self._units, k = [], 0
            for group in self._groups:
                self._units.append(list(range(k, k + len(group.edges))))
                k += len(group.edges)
            self._pass: dict[tuple[int, int], Edge] = {}
        self._unit_of = {k: u for u, unit in enumerate(self._units) for k in unit}

    def _set_aside_leaves(self) -> None:
        """Start every leaf at 0, recording the gradients an earlier backward left there."""
        for node in self.order:
            if node.op is None and _nonzero(node.grad):
                self.set_aside.append((node, node.grad))
                node.grad = 0

    # ----------------------------------------------------------------- what is known

    @property
    def total(self) -> int:
        """How many chain-rule steps backward takes in all: one per edge of the graph."""
        return len(self._plan)

    @property
    def units(self) -> int:
        """How many ``step()`` calls the whole pass takes: edges, or labelled nodes."""
        return len(self._units)

    @property
    def unit_edges(self) -> list[list[int]]:
        """For each ``step()`` call of the whole pass, the indices (from 0, in
        ``self.steps``) of the chain-rule edges it takes: ``[[0], [1], ...]`` by edge."""
        return [list(unit) for unit in self._units]

    @property
    def done(self) -> bool:
        """True once every step of backward has been taken."""
        return len(self.steps) == self.total

    @property
    def current(self) -> Value | None:
        """The node whose gradient the next step passes down (None when done)."""
        return None if self.done else self._plan[len(self.steps)][0]

    # ----------------------------------------------------------------- stepping

    def step(self) -> Step | NodeStep | None:
        """Take the next step: one chain-rule edge (``Step``), or with ``by="label"`` one
        labelled node (``NodeStep``); None when backward is complete.

        Raises:
            RuntimeError: the graph's grads changed since the last step (another backward()
                or zero_grad() ran): make a new Stepper.
        """
        if self.done:
            if self._edges is None:  # a root with no inputs: backward only seeds its grad
                for _ in self._start():
                    pass
            return None
        if self.by == "label":
            return self._step_label()
        return self._reveal(self._pull())

    def step_node(self) -> list[Step]:
        """Take every step of the next node: pass its grad to all of its inputs."""
        if self.done:
            return []
        if self.by == "label":
            return list(self._step_label().steps)
        node = self.current
        taken = []
        while not self.done and self.current is node:
            taken.append(self._reveal(self._pull()))
        return taken

    def run(self) -> Trace:
        """Take all remaining steps; return the whole trace."""
        while self.step() is not None:
            pass
        return Trace(self.root, self.steps, self.names, self.set_aside)

    def _start(self) -> Iterator[Edge]:
        if self._edges is None:
            self._set_aside_leaves()  # a backward() between making the stepper and now
            self._edges = self.root.backward_steps()
        return self._edges

    def _pull(self) -> Edge:
        """The engine's next edge, checked against this stepper's own record of the pass."""
        edge = next(self._start())
        grads = self._engine_grads
        expected = grads.get(id(edge.input), 0)
        if not _same(edge.upstream, grads.get(id(edge.node), 0)) or \
                not _same(edge.grad_before, expected):
            changed = edge.node if not _same(edge.upstream, grads.get(id(edge.node), 0)) \
                else edge.input
            raise RuntimeError(
                f"the grads of this graph changed while the stepper was part-way: "
                f"{in_words(changed, self.names)} no longer holds this pass's gradient (did "
                f"another backward() or zero_grad() run?); make a new Stepper to see one "
                f"whole pass")
        grads[id(edge.input)] = edge.input.grad
        return edge

    def _reveal(self, edge: Edge, upstream: Any = None, grad_after: Any = None) -> Step:
        """Record ``edge`` as the next step of this stepper's pass."""
        step = Step(
            index=len(self.steps) + 1, node=edge.node, input=edge.input,
            position=edge.position, node_name=self.names[id(edge.node)],
            input_name=self.names[id(edge.input)],
            definition=self._definition(edge.node),
            local_formula=local_formula(edge.node, edge.position, self.names),
            local=edge.local, upstream=edge.upstream if upstream is None else upstream,
            product=edge.local * edge.upstream,
            grad_after=edge.input.grad if grad_after is None else grad_after,
            accumulated=id(edge.input) in self._reached, stepper=self)
        self._reached.add(id(edge.input))
        self.steps.append(step)
        return step

    def _definition(self, node: Value) -> str:
        known = self._definitions.get(id(node))
        if known is None:
            known = self._definitions[id(node)] = definition(node, self.names)
        return known

    def _step_label(self) -> NodeStep:
        """Reveal the next group of edges (the first call runs the engine's whole pass)."""
        if not self._pass:
            while len(self._pass) < self.total:
                edge = self._pull()
                self._pass[(id(edge.node), edge.position)] = edge
        group = self._groups[len(self.node_steps)]
        shown = self.grads_now()
        taken = []
        for node, position in group.edges:
            edge = self._pass[(id(node), position)]
            # The sum in the order shown; the engine's own order can differ in the last bit
            # of a float when three or more paths meet.
            after = shown.get(id(edge.input), 0) + edge.local * edge.upstream
            shown[id(edge.input)] = after
            taken.append(self._reveal(edge, grad_after=after))
        node_step = group.node_step(len(self.node_steps) + 1, taken, self)
        self.node_steps.append(node_step)
        return node_step

    # ----------------------------------------------------------------- showing

    def grads_now(self, k: int | None = None) -> dict[int, Any]:
        """The grad of every node this pass has reached after ``k`` steps (default: the
        steps taken), keyed by ``id(node)``; the root's is 1 from the start."""
        k = len(self.steps) if k is None else k
        grads: dict[int, Any] = {id(self.root): 1}
        for s in self.steps[:k]:
            grads[id(s.input)] = s.grad_after
        return grads

    def frame(self, k: int | None = None) -> Frame:
        """The state of the pass after ``k`` chain-rule steps (default: the steps taken):
        what a picture of this moment shows (``autograd.draw.draw(root, stepper=frame)``).

        Raises:
            ValueError: ``k`` is negative or more than the steps taken so far.
        """
        k = len(self.steps) if k is None else k
        if not 0 <= k <= len(self.steps):
            raise ValueError(f"frame k must be between 0 and {len(self.steps)} (the steps "
                             f"taken so far), got {k}; take more steps first (run())")
        return Frame(self, k)

    def frames(self) -> list[Frame]:
        """One frame for the start and one after each ``step()`` call taken so far (edges,
        or with ``by="label"`` labelled nodes)."""
        ends = [0]
        for unit in self._units:
            if unit[-1] < len(self.steps):
                ends.append(unit[-1] + 1)
        return [Frame(self, k) for k in ends]

    def grads(self) -> Table:
        """Every node's data and grad right now, in topological order, as a table (``-``
        where this pass has not reached yet; the next node to pass its gradient is marked)."""
        grads = self.grads_now()
        current = self.current
        rows, marked = [], set()
        for r, node in enumerate(self.order):
            name = self.names[id(node)]
            if node is current:
                marked.add(r)
            rows.append((f"constant {name}" if is_constant(node) else name, node.data,
                         grads.get(id(node), "-"),
                         "next" if node is current else ""))
        return Table(("node", "data", "grad", ""), rows, numeric=frozenset({1, 2}),
                     title=self.header(), colours={2: "green", 3: "yellow"},
                     marked=frozenset(marked), preface=_set_aside_text(self.set_aside,
                                                                       self.names))

    def header(self) -> str:
        """One line: where the stepper is, and what comes next."""
        root = self.names[id(self.root)]
        unit = "labelled-node steps" if self.by == "label" else "chain-rule steps"
        taken = len(self.node_steps) if self.by == "label" else len(self.steps)
        head = f"Stepper on {root} = {number(self.root.data)}: {taken} of {self.units} {unit}"
        current = self.current
        if current is None:  # done
            return head + " taken (backward complete)"
        if not self.steps:
            return head + f" taken; {root}'s grad is 1 (call .step())"
        return head + f" taken, next: {in_words(current, self.names)}"

    def table(self) -> Table:
        """The steps taken so far, as the trace table."""
        return steps_table(self.steps, self.header(), _set_aside_text(self.set_aside,
                                                                      self.names))

    def __repr__(self) -> str:
        if not self.steps:
            lines = _set_aside_text(self.set_aside, self.names)
            return "\n".join([self.header()] + [wrapped for line in lines
                                                 for wrapped in textwrap.wrap(line, TABLE_WIDTH)])
        return repr(self.table())

    def _repr_html_(self) -> str:
        return self.frame()._repr_html_()


def _nonzero(grad: object) -> bool:
    if isinstance(grad, Value):
        return True
    try:
        return grad != 0
    except TypeError:  # pragma: no cover - an exotic number type
        return True


def _same(a: object, b: object) -> bool:
    """Equal, counting NaN equal to NaN (a pass with ``allow_non_finite`` may hold NaN)."""
    return a is b or a == b or (a != a and b != b)


class Frame:
    """One moment of a stepper's pass: the state after ``k`` chain-rule steps.

    Everything a picture of that moment shows: each node's grad so far (``grads``), which
    nodes and edges are done, current or pending, and a caption naming the last step.
    ``autograd.draw.draw(root, stepper=frame)`` draws it; ``autograd.draw.animate`` and
    ``autograd.explore`` show every frame of a pass.

    Attributes:
        stepper: the ``Stepper`` whose pass it shows.
        k: how many chain-rule steps have been taken (0: backward has just started).
        steps: those steps.
        grads: the grad of each node reached so far, keyed by ``id(node)``.
    """

    def __init__(self, stepper: Stepper, k: int) -> None:
        self.stepper, self.k = stepper, k
        self.steps = stepper.steps[:k]
        self.grads = stepper.grads_now(k)
        plan = stepper._plan
        self.done_edges = {(id(n), p) for n, p in plan[:k]}
        unit = stepper._unit_of.get(k)
        self.next_edges = ({(id(plan[j][0]), plan[j][1]) for j in stepper._units[unit]}
                           if unit is not None else set())
        self.incoming: dict[int, int] = {}
        for node in stepper.order:
            for input_ in node.inputs:
                self.incoming[id(input_)] = self.incoming.get(id(input_), 0) + 1
        self.received: dict[int, int] = {}
        for s in self.steps:
            self.received[id(s.input)] = self.received.get(id(s.input), 0) + 1

    @property
    def root(self) -> Value:
        return self.stepper.root

    @property
    def total(self) -> int:
        return self.stepper.total

    def grad_known(self, node: Value) -> bool:
        """True once this pass has reached ``node`` (its grad is shown)."""
        return id(node) in self.grads

    def node_state(self, node: Value) -> str:
        """``"done"``, ``"current"`` (it passes its gradient down next) or ``"pending"``."""
        key = id(node)
        if node.op is not None:
            if any((key, p) in self.next_edges for p in range(len(node.inputs))):
                return "current"
            passed = all((key, p) in self.done_edges for p in range(len(node.inputs)))
            return "done" if passed else "pending"
        complete = self.received.get(key, 0) == self.incoming.get(key, 0)
        return "done" if complete and (self.k > 0 or node is self.root) else "pending"

    def edge_state(self, node: Value, position: int) -> str:
        """The state of the edge from input ``position`` of ``node``."""
        key = (id(node), position)
        if key in self.done_edges:
            return "done"
        return "current" if key in self.next_edges else "pending"

    def caption(self, ascii: bool = False) -> str:
        """The last step in words: ``step 6 of 11: x2's grad += ∂n3/∂x2 × n3's grad = 4 ×
        51984 = 207936``; with ``by="label"``, ``step 2 of 4: y = w3*h1 + w4*h2 + w5 passes
        its grad 26 down: w5 += 26, w4 += 312, ...``."""
        names, total = self.stepper.names, self.total
        x = times(ascii)
        if not self.steps:
            root = names[id(self.root)]
            count = self.stepper.units if self.stepper.by == "label" else total
            return (f"step 0 of {count}: backward starts: {root}'s grad is 1 "
                    f"({Derivative(root, root).text(ascii)}); nothing passed down yet")
        node_step = self.node_step()
        if node_step is not None:
            reached = ", ".join(f"{name} += {number(product)}"
                                for _, name, _, _, product, _ in node_step.inputs)
            return (f"step {node_step.index} of {self.stepper.units}: {node_step.definition} "
                    f"passes its grad {number(node_step.upstream)} down: {reached}")
        s = self.steps[-1]
        return (f"step {s.index} of {total}: {s.input_words}'s grad += "
                f"{s.derivative().text(ascii)} {x} {s.node_name}'s grad = "
                f"{_factor_text(number(s.local))} {x} {_factor_text(number(s.upstream))} = "
                f"{number(s.product)}"
                + (f" (now {number(s.grad_after)}: another path)" if s.accumulated else ""))

    def node_step(self) -> NodeStep | None:
        """With ``by="label"``, the labelled node's step that ends at this frame (else None)."""
        return next((n for n in self.stepper.node_steps if n.steps[-1].index == self.k), None)

    def row(self) -> Table:
        """The last step as a one-row trace table (empty at step 0)."""
        return steps_table(self.steps[-1:], self.caption(ascii_wanted()),
                           earlier=self.steps[:-1])

    def __repr__(self) -> str:
        return f"Frame({self.caption(ascii_wanted())})"

    def _repr_html_(self) -> str:
        """The picture of this moment (SVG) above the step's row (with ``by="label"``, the
        labelled node's table); the row alone when no Graphviz renderer is installed."""
        stepper = self.stepper
        head = stepper.header() if self.k == len(stepper.steps) else self.caption()
        parts = [f"<p><b>{_html(head)}</b></p>"]
        parts += [f"<p>{_html(line)}</p>"
                  for line in _set_aside_text(stepper.set_aside, stepper.names)]
        try:
            from .draw import draw  # imported here: autograd.draw needs graphviz

            svg = draw(self.root, stepper=self).pipe(format="svg", encoding="utf-8")
            parts.append(svg[svg.index("<svg"):])
        except (ImportError, RuntimeError) as exc:  # no renderer: the numbers still show
            parts.append(f"<p><i>(no picture: {_html(exc)})</i></p>")
        node_step = self.node_step()
        if node_step is not None:
            parts.append(node_step.table().html())
        elif self.steps:
            parts.append(self.row().html())
        else:
            parts.append(f"<p>{_html(self.caption())}</p>")
        return "\n".join(parts)


def _html(text: object) -> str:
    import html

    return html.escape(str(text))


@dataclass
class _Group:
    """The edges one ``by="label"`` step takes: a head node and the unlabelled operations
    folded into it."""

    head: Value
    members: list[Value]
    edges: list[tuple[Value, int]]

    def node_step(self, index: int, taken: list[Step], stepper: Stepper) -> NodeStep:
        names = stepper.names
        member_ids = {id(m) for m in self.members}
        folded = _folded_formulas(self.members, member_ids, names)
        # d head / d member, then d head / d input, through the group's own edges only.
        values: dict[int, Any] = {id(self.head): 1}
        formulas: dict[int, Formula] = {id(self.head): formula_number(1)}
        found: list[Value] = []
        products: dict[int, Any] = {}
        for s in taken:
            node, input_ = s.node, s.input
            assert node.op is not None  # a step's node was made by an operation
            rules = node.op.formulas(FormulaMath, folded[id(node)],
                                     *_operand_formulas(node, member_ids, folded, names))
            local_f = formula_number(rules[s.position])
            values[id(input_)] = values.get(id(input_), 0) + values[id(node)] * s.local
            formulas[id(input_)] = (formulas[id(input_)] + formulas[id(node)] * local_f
                                    if id(input_) in formulas else formulas[id(node)] * local_f)
            if id(input_) not in member_ids:
                if id(input_) not in products:
                    found.append(input_)
                products[id(input_)] = products.get(id(input_), 0) + s.product
        after = {id(s.input): s.grad_after for s in taken}
        inputs = tuple((x, names[id(x)], formulas[id(x)], values[id(x)], products[id(x)],
                        after[id(x)]) for x in found)
        head_name = names[id(self.head)]
        return NodeStep(index=index, node=self.head, node_name=head_name,
                        definition=f"{head_name} = {folded[id(self.head)]}",
                        upstream=taken[0].upstream, inputs=inputs, steps=tuple(taken),
                        stepper=stepper)


def _operand_formulas(node: Node, member_ids: set[int], folded: dict[int, Formula],
                      names: dict[int, str]) -> list[Formula]:
    """A node's operands as formulas, with the group's unlabelled members written out."""
    found = [folded[id(i)] if id(i) in member_ids and i.op is not None and not i.label
             else (formula_number(i.data) if is_constant(i) else symbol(names[id(i)]))
             for i in node.inputs]
    if node.op.takes_const:
        found.append(formula_number(node.const))
    return found


def _folded_formulas(members: list[Value], member_ids: set[int],
                     names: dict[int, str]) -> dict[int, Formula]:
    """Each member's expression with the unlabelled members below it written out."""
    folded: dict[int, Formula] = {}
    for node in reversed(members):  # members are in backward order: inputs come later
        assert node.op is not None  # a group's members are made by operations
        folded[id(node)] = node.op.forward(FormulaMath,
                                           *_operand_formulas(node, member_ids, folded, names))
    return folded


def _label_groups(order: list[Value]) -> list[_Group]:
    """The steps of ``by="label"``: each labelled node (and the root, and any unlabelled node
    used by more than one node) with the unlabelled operations below it that feed it alone.

    Groups come in reverse topological order of their heads, a valid backward order: every
    edge out of a group leaves from its head, so a node's users are all done before it.
    """
    users: dict[int, set[int]] = {}
    for node in order:
        for input_ in node.inputs:
            users.setdefault(id(input_), set()).add(id(node))
    root = order[-1]
    owner: dict[int, int] = {}
    groups: dict[int, _Group] = {}
    heads = []
    for node in reversed(order):
        if node.op is None:
            continue
        mine = users.get(id(node), set())
        if node is root or node.label or len(mine) != 1:
            owner[id(node)] = id(node)
            groups[id(node)] = _Group(node, [], [])
            heads.append(node)
        else:
            owner[id(node)] = owner[next(iter(mine))]
        groups[owner[id(node)]].members.append(node)
    for node in reversed(order):
        if node.op is not None:
            group = groups[owner[id(node)]]
            group.edges += [(node, p) for p in range(len(node.inputs))]
    return [groups[id(h)] for h in heads]


@dataclass(frozen=True)
class Path:
    """One path from an input up to the output, and the product of its local derivatives.

    Attributes:
        nodes: the Values along the path, from the input to the output.
        names: their names.
        formulas: the local derivative of each edge, as a formula (one fewer than ``nodes``).
        locals: their values.
        product: the product of ``locals``: this path's share of the gradient.
    """

    nodes: tuple[Value, ...]
    names: tuple[str, ...]
    formulas: tuple[Formula, ...]
    locals: tuple[Any, ...]
    product: Any

    def __repr__(self) -> str:
        """One line: ``path x2 -> n3 -> n4 -> v -> f: 2*x2 * 3 * 1 * 3*v**2 = 4 * 3 * 1 *
        17328 = 207936``."""
        formulas = " * ".join(_factor_text(f) for f in self.formulas) or "1"
        values = " * ".join(_factor_text(number(v)) for v in self.locals) or "1"
        return f"path {' -> '.join(self.names)}: {formulas} = {values} = {number(self.product)}"


class Paths(list[Path]):
    """The paths from ``x`` to ``root``; their products sum to ``x.grad``. Prints as a table."""

    def __init__(self, root: Value, x: Value, items: list[Path],
                 names: dict[int, str]) -> None:
        super().__init__(items)
        self.root, self.x, self.names = root, x, names

    @property
    def total(self) -> Any:
        """The sum of the path products: d root / d x."""
        total: Any = 0
        for p in self:
            total = total + p.product
        return total

    def table(self) -> Table:
        """The paths as a ``autograd.text.Table``: path, local derivatives, values, product."""
        x, f = self.names[id(self.x)], self.names[id(self.root)]
        rows = [(" -> ".join(p.names), " * ".join(_factor_text(s) for s in p.formulas),
                 " * ".join(_factor_text(number(v)) for v in p.locals), p.product)
                for p in self]
        total = Derivative(f, x, is_constant(self.x)).text(ascii_wanted())
        return Table(("path", "local derivatives", "values", "product"), rows,
                     numeric=frozenset({3}), title=f"paths from {x} to {f}: {len(self)}",
                     wrap=(0, 1, 2), colours={3: "green"},
                     notes=[f"sum of the products: {total} = {number(self.total)}"])

    def __str__(self) -> str:
        return str(self.table())

    def __repr__(self) -> str:
        return repr(self.table())

    def _repr_html_(self) -> str:
        return self.table().html()


def _factor_text(formula: object) -> str:
    """A factor of a product written out: parenthesised if it is a sum or negative."""
    text = str(formula)
    return f"({text})" if " " in text or text.startswith("-") else text


def paths(root: Value, x: Value, limit: int = MAX_PATHS) -> Paths:
    """Every path from ``x`` to ``root`` with the product of its local derivatives.

    The chain rule says d root / d x is the sum, over all paths from x to root, of the product
    of the local derivatives along the path: ``paths(f, x).total == x.grad`` after
    ``f.backward()`` (up to float rounding; exactly, on Fractions). ``x * x`` has two paths
    from x, one per edge. Time and memory grow with the graph's size plus the length of the
    paths listed (a 100,000-deep chain takes well under a second).

    Args:
        root: the output.
        x: any Value in its graph (usually an input).
        limit: refuse graphs with more paths than this (their number can grow exponentially).

    Raises:
        ValueError: x is not in root's graph, or there are more than ``limit`` paths (the
            message says how to see the gradient without listing them).

    >>> x1, x2 = Value(3, label="x1"), Value(2, label="x2")
    >>> u = 2 * x1 + x2; u.label = "u"
    >>> v = u ** 2 + 3 * x2 ** 2; v.label = "v"
    >>> f = v ** 3; f.label = "f"
    >>> ps = paths(f, x2)
    >>> [p.product for p in ps], ps.total
    ([277248, 207936], 485184)
    """
    return PathFinder(root).paths(x, limit)


class PathFinder:
    """The paths of one graph to its root, for many starting nodes without walking it again.

    Computes the topological order, the names and the users of every node once; each
    ``paths(x)`` then costs the part of the graph between x and the root plus the paths it
    lists. Local derivatives are computed once per node.
    """

    def __init__(self, root: Value, names: dict[int, str] | None = None) -> None:
        self.root = root
        self.order = topological_order(root)
        self.names = names if names is not None else node_names(root)
        self.users: dict[int, list[tuple[Value, int]]] = {}
        for node in self.order:
            for position, input_ in enumerate(node.inputs):
                self.users.setdefault(id(input_), []).append((node, position))
        self._locals: dict[int, tuple[Any, ...]] = {}
        self._counts: dict[int, int] | None = None

    def local(self, node: Value, position: int) -> Any:
        """d node / d its input ``position`` (computed once per node)."""
        key = id(node)
        if key not in self._locals:
            self._locals[key] = node.local_derivatives()
        return self._locals[key][position]

    def count(self, x: Value) -> int:
        """How many paths lead from ``x`` to the root, without listing them."""
        if self._counts is None:
            counts = {id(self.root): 1}
            for node in reversed(self.order):  # users come after their inputs
                if node is not self.root:
                    counts[id(node)] = sum(counts.get(id(user), 0)
                                           for user, _ in self.users.get(id(node), ()))
            self._counts = counts
        return self._counts.get(id(x), 0)

    def paths(self, x: Value, limit: int = MAX_PATHS) -> Paths:
        """Every path from ``x`` to the root (see ``autograd.trace.paths``)."""
        if not any(node is x for node in self.order):
            raise ValueError(f"{x!r} is not in the graph of {self.root!r}: no path leads "
                             "from it")
        total = self.count(x)
        if total > limit:
            x_name, f_name = self.names[id(x)], self.names[id(self.root)]
            raise ValueError(f"{total:,} paths lead from {x_name} to {f_name}, more than "
                             f"limit={limit:,}: pass a larger limit= or pick a nearer x; the "
                             f"gradient itself needs no paths ({f_name}.backward(), then "
                             f"{x_name}.grad, or trace({f_name}))")
        found: list[Path] = []
        # Depth first with one shared path: edges[k] is (user, position) of the k-th step.
        edges: list[tuple[Value, int]] = []
        stack = [iter(self.users.get(id(x), ())) if x is not self.root else iter(())]
        if x is self.root:
            found.append(self._path(x, []))
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                if edges:
                    edges.pop()
                continue
            edges.append(step)
            user = step[0]
            if user is self.root:
                found.append(self._path(x, edges))
                edges.pop()
                continue
            stack.append(iter(self.users.get(id(user), ())))
        return Paths(self.root, x, found, self.names)

    def _path(self, x: Value, edges: list[tuple[Value, int]]) -> Path:
        nodes = (x, *(user for user, _ in edges))
        formulas = tuple(local_formula(user, position, self.names) for user, position in edges)
        values = tuple(self.local(user, position) for user, position in edges)
        product: Any = 1
        for value in values:
            product = product * value
        return Path(nodes, tuple(self.names[id(n)] for n in nodes), formulas, values, product)


def gradient_formula(root: Value, x: Value, simplify: bool = False, limit: int = 1_000) -> str:
    """d root / d x as a formula in the names of the graph, factored along its paths.

    Where every path from x to root passes through a node d, the chain rule factors:
    d root/dx = (d root/dd) * (dd/dx); where paths split, their terms are summed. For the
    lesson's f = v**3, v = u**2 + 3*x2**2, u = 2*x1 + x2 this gives df/dx2 =
    ``3*v**2*(2*u + 3*2*x2)``: the blame of v, times the sum of x2's two paths to v.

    Args:
        root: the output.
        x: a Value in its graph.
        simplify: also substitute every intermediate by its definition and simplify with
            sympy (an optional dependency: ``pip install sympy``); the result is then in the
            inputs' names only.
        limit: refuse graphs with more paths than this (see ``paths``).

    Returns:
        the formula as text (Python syntax; evaluate it with the names' data to get x.grad).

    Raises:
        ValueError: x is not in root's graph, or the graph has too many paths.
        ImportError: ``simplify=True`` without sympy installed.

    >>> x1, x2 = Value(3, label="x1"), Value(2, label="x2")
    >>> u = 2 * x1 + x2; u.label = "u"
    >>> v = u ** 2 + 3 * x2 ** 2; v.label = "v"
    >>> f = v ** 3; f.label = "f"
    >>> gradient_formula(f, x1), gradient_formula(f, x2)
    ('3*v**2*2*u*2', '3*v**2*(2*u + 3*2*x2)')
    """
    if simplify:
        return _simplified_gradient(root, x)
    finder = PathFinder(root)
    if not any(node is x for node in finder.order):
        raise ValueError(f"{x!r} is not in the graph of {root!r}: no path leads from it")
    total = finder.count(x)
    if total > limit:
        raise ValueError(f"{total:,} paths lead from {finder.names[id(x)]} to "
                         f"{finder.names[id(root)]}, more than limit={limit:,}; "
                         "gradient_formula is for small graphs")
    return str(_factored(finder, x, root))


def _factored(finder: PathFinder, a: Value, b: Value) -> Formula | int:
    """d b / d a, factored: a node every path passes through splits the product there."""
    if a is b:
        return 1
    found = _edge_lists(finder, a, b)
    if not found:
        raise ValueError(f"{finder.names.get(id(a), repr(a))} is not in the graph of "
                         f"{finder.names[id(b)]}: no path leads from it")
    # The first node after a that every path passes through (other than b) factors out.
    on_every = set.intersection(*({id(n) for n, _ in edges[:-1]} for edges in found))
    for node, _ in found[0][:-1]:
        if id(node) in on_every:
            return _factored(finder, node, b) * _factored(finder, a, node)
    total: Formula | int = 0
    seen = set()
    for edges in found:
        node, position = edges[0]
        if (id(node), position) in seen:
            continue
        seen.add((id(node), position))
        total = total + _factored(finder, node, b) * local_formula(node, position,
                                                                   finder.names)
    return total


def _edge_lists(finder: PathFinder, a: Value, b: Value) -> list[list[tuple[Value, int]]]:
    """Every path from a to b, as lists of (user, position) edges."""
    found: list[list[tuple[Value, int]]] = []
    stack: list[tuple[Value, list[tuple[Value, int]]]] = [(a, [])]
    while stack:
        node, edges = stack.pop()
        if node is b:
            found.append(edges)
            continue
        for user, position in reversed(finder.users.get(id(node), [])):
            stack.append((user, [*edges, (user, position)]))
    return found


def _simplified_gradient(root: Value, x: Value) -> str:
    """d root / d x by sympy, in the inputs' names: each operation's own forward rule run on
    sympy expressions (``SympyMath``), then differentiated and factored."""
    import sympy

    names = node_names(root)
    symbols: dict[int, object] = {}
    for node in topological_order(root):
        if node.op is None:
            symbols[id(node)] = (sympy.Symbol(names[id(node)]) if node.label or node is x
                                 else sympy.nsimplify(node.data))
            continue
        inputs = [symbols[id(i)] for i in node.inputs]
        if node.op.takes_const:
            inputs.append(sympy.nsimplify(node.const))
        try:
            symbols[id(node)] = node.op.forward(SympyMath, *inputs)
        except (TypeError, AttributeError) as exc:
            raise ValueError(f"the operation {node.op.name} cannot be written symbolically "
                             f"(its forward rule, run on sympy expressions, failed: {exc})") \
                from None
    if id(x) not in symbols:
        raise ValueError(f"{x!r} is not in the graph of {root!r}")
    return str(sympy.factor(sympy.diff(symbols[id(root)], symbols[id(x)])))
