"""Show the work of backward: the trace table, a stepper, and the paths of the chain rule.

``trace(f)`` runs ``f.backward()`` and returns every chain-rule step in the order it happens;
it prints as a table. ``Stepper(f)`` advances the same steps one edge (or one node) at a time
in a REPL. ``paths(f, x)`` lists every path from x to f with the product of its local
derivatives; the products sum to ``x.grad`` (lesson "How networks learn", "Summing the
Blame": the total blame is the sum of the blame from all paths).

All of it is computed by ``Value.backward_steps()``, the engine's one backward loop, and the
formulas come from the operation table (``autograd.ops``), so what is shown is what is run.
On ``Fraction`` data every number shown is exact. Tables print as text, and also as Markdown
or LaTeX (``trace(f).table().render("latex")``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .formula import Formula, derivative
from .graph import topological_order
from .math_namespaces import SympyMath
from .text import Chain, Table, definition, local_formula, node_names, number
from .value import Value

__all__ = ["node_names", "Step", "Trace", "trace", "Stepper", "Path", "Paths", "paths",
           "gradient_formula", "MAX_PATHS"]

MAX_PATHS = 10_000
"""Most paths ``paths`` lists before it refuses (their number can grow exponentially with the
graph's depth: a chain of n diamonds has 2**n paths)."""


@dataclass(frozen=True)
class Step:
    """One chain-rule step of backward, with names and formulas for people.

    Attributes:
        index: 1 for the first step of backward, 2 for the next, ...
        node, input: the Values: ``input`` is input ``position`` of ``node``'s operation.
        node_name, input_name: their names (see ``autograd.text.node_names``).
        definition: how ``node`` was made, e.g. ``"f = v ** 3"``.
        local_formula: d node / d input as a formula in the names (``str()`` gives
            ``"3*v**2"``).
        local: its value.
        upstream: ``node.grad`` at this step, d(root)/d(node).
        product: ``local * upstream``, what this step adds to ``input.grad``.
        grad_after: ``input.grad`` after the addition.
        accumulated: True if ``input`` had already received gradient along another path in
            this backward (the step adds to it: a second path arriving).
    """

    index: int
    node: Value
    input: Value
    position: int
    node_name: str
    input_name: str
    definition: str
    local_formula: Formula
    local: object
    upstream: object
    product: object
    grad_after: object
    accumulated: bool

    def derivative(self) -> Formula:
        """d node / d input, as a formula: ``df/dv``."""
        return derivative(self.node_name, self.input_name)


_HEADER = ("step", "node", "input", "local derivative", "upstream", "product", "input grad", "")


def steps_table(steps, title: str = "") -> Table:
    """The rows of ``steps`` as a ``autograd.text.Table`` (the trace's and the stepper's)."""
    rows = [(str(s.index), s.definition, s.input_name,
             Chain((s.derivative(), s.local_formula, s.local)), s.upstream, s.product,
             s.grad_after, "+= another path" if s.accumulated else "") for s in steps]
    return Table(_HEADER, rows, numeric=frozenset({0, 4, 5, 6}), title=title, wrap=3)


class Trace:
    """The steps of one backward pass, in order; prints as a table.

    Attributes:
        root: the Value backward started from.
        steps: list of ``Step``.
        names: the node names used (see ``autograd.text.node_names``).
    """

    def __init__(self, root: Value, steps: list[Step], names: dict[int, str]):
        self.root, self.steps, self.names = root, steps, names

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def __getitem__(self, i):
        return self.steps[i]

    def table(self) -> Table:
        """The steps as a ``autograd.text.Table``, one row per edge of the graph; render it as
        text, Markdown or LaTeX (``.render("markdown")``)."""
        title = (f"backward from {self.names[id(self.root)]} = {number(self.root.data)}: "
                 f"{len(self.steps)} chain-rule steps (input grad += local derivative * upstream)")
        return steps_table(self.steps, title)

    def __str__(self) -> str:
        return str(self.table())

    __repr__ = __str__


class _StepMaker:
    """Turns the engine's ``Edge`` records into ``Step``s (names, formulas, marks)."""

    def __init__(self, root: Value):
        self.names = node_names(root)
        self.reached: set[int] = set()
        self.count = 0

    def __call__(self, edge) -> Step:
        self.count += 1
        accumulated = id(edge.input) in self.reached
        self.reached.add(id(edge.input))
        return Step(
            index=self.count, node=edge.node, input=edge.input, position=edge.position,
            node_name=self.names[id(edge.node)], input_name=self.names[id(edge.input)],
            definition=definition(edge.node, self.names),
            local_formula=local_formula(edge.node, edge.position, self.names),
            local=edge.local, upstream=edge.upstream, product=edge.local * edge.upstream,
            grad_after=edge.input.grad, accumulated=accumulated)


def trace(root: Value) -> Trace:
    """Run ``root.backward()`` and return every chain-rule step it took, in order.

    Same semantics as ``backward()`` (intermediate grads afresh, leaf grads accumulate).

    >>> x1, x2 = Value(3, label="x1"), Value(2, label="x2")
    >>> u = 2 * x1 + x2; u.label = "u"
    >>> t = trace(u)
    >>> print(t)
    backward from u = 8: 4 chain-rule steps (input grad += local derivative * upstream)
    step  node         input  local derivative  upstream  product  input grad
    ----  -----------  -----  ----------------  --------  -------  ----------
       1  u = n1 + x2  n1     du/dn1 = 1               1        1           1
       2  u = n1 + x2  x2     du/dx2 = 1               1        1           1
       3  n1 = 2 * x1  2      dn1/d2 = x1 = 3          1        3           3
       4  n1 = 2 * x1  x1     dn1/dx1 = 2              1        2           2
    """
    make = _StepMaker(root)
    steps = [make(edge) for edge in root.backward_steps()]
    return Trace(root, steps, make.names)


class Stepper:
    """Step through backward in a REPL, one edge (``step()``) or one node (``step_node()``).

    Nothing runs until the first step; the grads of the graph are then reset as by
    ``backward()``, and each step does one ``input.grad += local * upstream``. Print the
    stepper to see the steps so far; ``grads()`` shows every node's grad at this moment.

    >>> x = Value(3, label="x")
    >>> y = x * x; y.label = "y"
    >>> s = Stepper(y)
    >>> s.step().product, x.grad
    (3, 3)
    >>> s.step().accumulated, x.grad       # the second edge of x * x adds to it
    (True, 6)
    >>> s.step() is None, s.done
    (True, True)
    """

    def __init__(self, root: Value):
        self.root = root
        self._edges = root.backward_steps()
        self._make = _StepMaker(root)
        # The nodes that pass gradient down, in the order backward visits them.
        self._plan = [n for n in reversed(topological_order(root)) if n.op is not None]
        self._total = sum(len(n.inputs) for n in self._plan)
        self._at = 0  # index in _plan of the node the next step belongs to
        self.steps: list[Step] = []

    @property
    def names(self) -> dict[int, str]:
        """The node names the steps use, keyed by ``id(node)`` (see ``node_names``)."""
        return self._make.names

    @property
    def total(self) -> int:
        """How many steps backward takes in all: one per edge of the graph."""
        return self._total

    @property
    def done(self) -> bool:
        """True once every step of backward has been taken."""
        return len(self.steps) == self._total

    def step(self) -> Step | None:
        """Take the next chain-rule step (one edge); None when backward is complete."""
        if self.done:
            return None
        step = self._make(next(self._edges))
        self.steps.append(step)
        if step.position == len(step.node.inputs) - 1:
            self._at += 1
        return step

    def step_node(self) -> list[Step]:
        """Take every step of the next node: pass its grad to all of its inputs."""
        first = self.step()
        if first is None:
            return []
        remaining = len(first.node.inputs) - 1 - first.position
        return [first] + [self.step() for _ in range(remaining)]

    def run(self) -> Trace:
        """Take all remaining steps; return the whole trace."""
        while self.step() is not None:
            pass
        return Trace(self.root, self.steps, self.names)

    @property
    def current(self) -> Value | None:
        """The node whose gradient the next step passes down (None when done)."""
        return None if self.done else self._plan[self._at]

    def grads(self) -> Table:
        """Every node's data and grad right now, in topological order, as a table."""
        rows = []
        current = self.current
        for node in topological_order(self.root):
            state = "next" if node is current else ""
            rows.append((self.names[id(node)], node.data, node.grad, state))
        return Table(("node", "data", "grad", ""), rows, numeric=frozenset({1, 2}))

    def __repr__(self) -> str:
        head = (f"Stepper at step {len(self.steps)}"
                + (" (backward complete)" if self.done else
                   f", next: {self.names[id(self.current)]}" if self.steps else
                   " (call .step() or .step_node())"))
        if not self.steps:
            return head
        return head + "\n" + str(steps_table(self.steps))


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

    nodes: tuple
    names: tuple
    formulas: tuple
    locals: tuple
    product: object


class Paths(list):
    """The paths from ``x`` to ``root``; their products sum to ``x.grad``. Prints as a table."""

    def __init__(self, root: Value, x: Value, items: list[Path], names: dict[int, str]):
        super().__init__(items)
        self.root, self.x, self.names = root, x, names

    @property
    def total(self):
        """The sum of the path products: d root / d x."""
        total = 0
        for p in self:
            total = total + p.product
        return total

    def table(self) -> Table:
        """The paths as a ``autograd.text.Table``: path, local derivatives, values, product."""
        x, f = self.names[id(self.x)], self.names[id(self.root)]
        rows = [(" -> ".join(p.names), " * ".join(_factor_text(s) for s in p.formulas),
                 " * ".join(_factor_text(number(v)) for v in p.locals), p.product)
                for p in self]
        return Table(("path", "local derivatives", "values", "product"), rows,
                     numeric=frozenset({3}), title=f"paths from {x} to {f}: {len(self)}",
                     wrap=1, notes=[f"sum of the products: d{f}/d{x} = {number(self.total)}"])

    def __str__(self) -> str:
        return str(self.table())

    def __repr__(self) -> str:
        return str(self)


def _factor_text(formula) -> str:
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

    def __init__(self, root: Value, names: dict[int, str] | None = None):
        self.root = root
        self.order = topological_order(root)
        self.names = names if names is not None else node_names(root)
        self.users: dict[int, list[tuple[Value, int]]] = {}
        for node in self.order:
            for position, input_ in enumerate(node.inputs):
                self.users.setdefault(id(input_), []).append((node, position))
        self._locals: dict[int, tuple] = {}
        self._counts: dict[int, int] | None = None

    def local(self, node: Value, position: int):
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
        nodes = (x,) + tuple(user for user, _ in edges)
        formulas = tuple(local_formula(user, position, self.names) for user, position in edges)
        values = tuple(self.local(user, position) for user, position in edges)
        product = 1
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
    found, stack = [], [(a, [])]
    while stack:
        node, edges = stack.pop()
        if node is b:
            found.append(edges)
            continue
        for user, position in reversed(finder.users.get(id(node), [])):
            stack.append((user, edges + [(user, position)]))
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
