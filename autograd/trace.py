"""Show the work of backward: the trace table, a stepper, and the paths of the chain rule.

``trace(f)`` runs ``f.backward()`` and returns every chain-rule step in the order it happens;
it prints as a table. ``Stepper(f)`` advances the same steps one edge (or one node) at a time
in a REPL. ``paths(f, x)`` lists every path from x to f with the product of its local
derivatives; the products sum to ``x.grad`` (lesson "How networks learn", "Summing the
Blame": the total blame is the sum of the blame from all paths).

All of it is computed by ``Value.backward_steps()``, the engine's one backward loop, and the
formulas come from the operation table (``autograd.ops``), so what is shown is what is run.
On ``Fraction`` data every number shown is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

from .graph import topological_order
from .value import Value, _fmt

__all__ = ["node_names", "Step", "Trace", "trace", "Stepper", "Path", "Paths", "paths",
           "gradient_formula"]


def node_names(root: Value) -> dict[int, str]:
    """A readable, stable name for every node of ``root``'s graph, keyed by ``id(node)``.

    A node's own ``label`` wins; an unlabelled leaf (a constant such as the 2 in ``2 * x``)
    is shown as its number; an unlabelled intermediate is ``n1``, ``n2``, ... in topological
    order, so the same graph always gets the same names.

    >>> x = Value(3, label="x")
    >>> y = 2 * x + 1
    >>> sorted(node_names(y).values())
    ['1', '2', 'n1', 'n2', 'x']
    """
    names = {}
    count = 0
    for node in topological_order(root):
        if node.label:
            names[id(node)] = node.label
        elif node.op is None:
            names[id(node)] = _fmt(node.data)
        else:
            count += 1
            names[id(node)] = f"n{count}"
    return names


def _definition(node: Value, names: dict[int, str]) -> str:
    """``v = u ** 2 + n3``-style text: the node's name and the operation that made it."""
    args = [names[id(p)] for p in node.parents]
    if node.op.takes_const:
        args.append(_fmt(node.const))
    return f"{names[id(node)]} = {node.op.expression(*args)}"


def _local_formula(node: Value, position: int, names: dict[int, str]) -> str:
    args = [names[id(p)] for p in node.parents]
    if node.op.takes_const:
        args.append(node.const)
    return node.op.formulas(names[id(node)], *args)[position]


@dataclass(frozen=True)
class Step:
    """One chain-rule step of backward, with names and formulas for people.

    Attributes:
        index: 1 for the first step of backward, 2 for the next, ...
        node, child: the Values: ``child`` is input ``position`` of ``node``'s operation.
        node_name, child_name: their names (see ``node_names``).
        definition: how ``node`` was made, e.g. ``"f = v ** 3"``.
        local_formula: d node / d child as text in the names, e.g. ``"3*v**2"``.
        local: its value.
        upstream: ``node.grad`` at this step, d(root)/d(node).
        product: ``local * upstream``, what this step adds to ``child.grad``.
        grad_after: ``child.grad`` after the addition.
        accumulated: True if ``child`` had already received gradient along another path in
            this backward (the step adds to it: a second path arriving).
    """

    index: int
    node: Value
    child: Value
    position: int
    node_name: str
    child_name: str
    definition: str
    local_formula: str
    local: object
    upstream: object
    product: object
    grad_after: object
    accumulated: bool


_HEADER = ("step", "node", "input", "local derivative", "upstream", "product", "input grad", "")


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...],
           numeric=frozenset({0, 4, 5, 6})) -> str:
    """Columns padded to their widest cell; the ``numeric`` columns right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [cell.rjust(w) if i in numeric else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join(("-" if header[i] else " ") * w
                              for i, w in enumerate(widths)).rstrip())
    return "\n".join(lines)


def _row(step: Step) -> tuple[str, ...]:
    return (str(step.index), step.definition, step.child_name,
            f"d{step.node_name}/d{step.child_name} = {step.local_formula} = {_fmt(step.local)}",
            _fmt(step.upstream), _fmt(step.product), _fmt(step.grad_after),
            "+= another path" if step.accumulated else "")


class Trace:
    """The steps of one backward pass, in order; prints as a table.

    Attributes:
        root: the Value backward started from.
        steps: list of ``Step``.
        names: the node names used (see ``node_names``).
    """

    def __init__(self, root: Value, steps: list[Step], names: dict[int, str]):
        self.root, self.steps, self.names = root, steps, names

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def __getitem__(self, i):
        return self.steps[i]

    def table(self) -> str:
        """The steps as a text table, one row per edge of the graph."""
        title = (f"backward from {self.names[id(self.root)]} = {_fmt(self.root.data)}: "
                 f"{len(self.steps)} chain-rule steps (input grad += local derivative * upstream)")
        return title + "\n" + _table([_row(s) for s in self.steps], _HEADER)

    __str__ = table

    def __repr__(self) -> str:
        return self.table()


class _StepMaker:
    """Turns the engine's ``Edge`` records into ``Step``s (names, formulas, marks)."""

    def __init__(self, root: Value):
        self.names = node_names(root)
        self.reached: set[int] = set()
        self.count = 0

    def __call__(self, edge) -> Step:
        self.count += 1
        accumulated = id(edge.child) in self.reached
        self.reached.add(id(edge.child))
        return Step(
            index=self.count, node=edge.node, child=edge.child, position=edge.position,
            node_name=self.names[id(edge.node)], child_name=self.names[id(edge.child)],
            definition=_definition(edge.node, self.names),
            local_formula=_local_formula(edge.node, edge.position, self.names),
            local=edge.local, upstream=edge.upstream, product=edge.local * edge.upstream,
            grad_after=edge.child.grad, accumulated=accumulated)


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
       1  u = n1 + x2  n1     du/dn1 = 1 = 1           1        1           1
       2  u = n1 + x2  x2     du/dx2 = 1 = 1           1        1           1
       3  n1 = 2 * x1  2      dn1/d2 = x1 = 3          1        3           3
       4  n1 = 2 * x1  x1     dn1/dx1 = 2 = 2          1        2           2
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
        self._total = sum(len(n.parents) for n in self._plan)
        self._at = 0  # index in _plan of the node the next step belongs to
        self.steps: list[Step] = []

    @property
    def names(self) -> dict[int, str]:
        """The node names the steps use, keyed by ``id(node)`` (see ``node_names``)."""
        return self._make.names

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
        if step.position == len(step.node.parents) - 1:
            self._at += 1
        return step

    def step_node(self) -> list[Step]:
        """Take every step of the next node: pass its grad to all of its inputs."""
        first = self.step()
        if first is None:
            return []
        remaining = len(first.node.parents) - 1 - first.position
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

    def grads(self) -> str:
        """Every node's data and grad right now, in topological order, as a table."""
        rows = []
        current = self.current
        for node in topological_order(self.root):
            state = "next" if node is current else ""
            rows.append((self.names[id(node)], _fmt(node.data), _fmt(node.grad), state))
        return _table(rows, ("node", "data", "grad", ""), numeric={1, 2})

    def __repr__(self) -> str:
        head = (f"Stepper at step {len(self.steps)}"
                + (" (backward complete)" if self.done else
                   f", next: {self.names[id(self.current)]}" if self.steps else
                   " (call .step() or .step_node())"))
        if not self.steps:
            return head
        return head + "\n" + _table([_row(s) for s in self.steps], _HEADER)


@dataclass(frozen=True)
class Path:
    """One path from an input up to the output, and the product of its local derivatives.

    Attributes:
        nodes: the Values along the path, from the input to the output.
        names: their names.
        formulas: the local derivative of each edge, as text (one fewer than ``nodes``).
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

    def __str__(self) -> str:
        x, f = self.names[id(self.x)], self.names[id(self.root)]
        rows = []
        for p in self:
            rows.append((" -> ".join(p.names), " * ".join(f"({s})" if " " in s else s
                                                         for s in p.formulas),
                         " * ".join(_fmt(v) for v in p.locals), _fmt(p.product)))
        header = ("path", "local derivatives", "values", "product")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
        lines = [f"paths from {x} to {f}: {len(self)}"]
        for row in [header, *rows]:
            lines.append("  ".join(c.ljust(w) if i < 3 else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        lines.insert(2, "  ".join("-" * w for w in widths))
        lines.append(f"sum of the products: d{f}/d{x} = {_fmt(self.total)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def paths(root: Value, x: Value, limit: int = 10_000) -> Paths:
    """Every path from ``x`` to ``root`` with the product of its local derivatives.

    The chain rule says d root / d x is the sum, over all paths from x to root, of the product
    of the local derivatives along the path: ``paths(f, x).total == x.grad`` after
    ``f.backward()`` (up to float rounding; exactly, on Fractions). ``x * x`` has two paths
    from x, one per edge.

    Args:
        root: the output.
        x: any Value in its graph (usually an input).
        limit: refuse graphs with more paths than this (their number can grow exponentially).

    Raises:
        ValueError: x is not in root's graph, or there are more than ``limit`` paths.

    >>> x1, x2 = Value(3, label="x1"), Value(2, label="x2")
    >>> u = 2 * x1 + x2; u.label = "u"
    >>> v = u ** 2 + 3 * x2 ** 2; v.label = "v"
    >>> f = v ** 3; f.label = "f"
    >>> ps = paths(f, x2)
    >>> [p.product for p in ps], ps.total
    ([277248, 207936], 485184)
    """
    order = topological_order(root)
    names = node_names(root)
    if not any(node is x for node in order):
        raise ValueError(f"{x!r} is not in the graph of {root!r}: no path leads from it")
    users: dict[int, list[tuple[Value, int]]] = {}
    for node in order:
        for position, parent in enumerate(node.parents):
            users.setdefault(id(parent), []).append((node, position))

    found: list[Path] = []
    # Depth-first over (node, path so far); iterative so long chains need no recursion.
    stack = [(x, (x,), ())]
    while stack:
        node, nodes, edges = stack.pop()
        if node is root:
            formulas = tuple(_local_formula(n, pos, names) for n, pos in edges)
            values = tuple(n.local_derivatives()[pos] for n, pos in edges)
            product = 1
            for value in values:
                product = product * value
            found.append(Path(nodes, tuple(names[id(n)] for n in nodes), formulas, values,
                              product))
            if len(found) > limit:
                raise ValueError(f"more than {limit} paths lead from {names[id(x)]} to "
                                 f"{names[id(root)]}; pass a larger limit= or pick a nearer x")
            continue
        for user, position in reversed(users.get(id(node), [])):
            stack.append((user, nodes + (user,), edges + ((user, position),)))
    return Paths(root, x, found, names)


def _factor(*parts: str) -> str:
    """Multiply formula texts: drop factors of 1, parenthesise sums."""
    kept = [p for p in parts if p != "1"]
    if not kept:
        return "1"
    return "*".join(f"({p})" if " + " in p or " - " in p else p for p in kept)


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
    names = node_names(root)
    users: dict[int, list[tuple[Value, int]]] = {}
    for node in topological_order(root):
        for position, parent in enumerate(node.parents):
            users.setdefault(id(parent), []).append((node, position))

    def all_paths(a: Value, b: Value) -> list[list[tuple[Value, int]]]:
        found, stack = [], [(a, [])]
        while stack:
            node, edges = stack.pop()
            if node is b:
                found.append(edges)
                if len(found) > limit:
                    raise ValueError(f"more than {limit} paths lead from {names[id(x)]} to "
                                     f"{names[id(root)]}; gradient_formula is for small graphs")
                continue
            for user, position in reversed(users.get(id(node), [])):
                stack.append((user, edges + [(user, position)]))
        return found

    def formula(a: Value, b: Value) -> str:
        if a is b:
            return "1"
        found = all_paths(a, b)
        if not found:
            raise ValueError(f"{names.get(id(a), repr(a))} is not in the graph of "
                             f"{names[id(b)]}: no path leads from it")
        # The first node after a that every path passes through (other than b) factors out.
        on_every = set.intersection(*({id(n) for n, _ in edges[:-1]} for edges in found))
        for node, _ in found[0][:-1]:
            if id(node) in on_every:
                return _factor(formula(node, b), formula(a, node))
        terms, seen = [], set()
        for edges in found:
            node, position = edges[0]
            if (id(node), position) in seen:
                continue
            seen.add((id(node), position))
            terms.append(_factor(formula(node, b), _local_formula(node, position, names)))
        return " + ".join(terms)

    return formula(x, root)


def _simplified_gradient(root: Value, x: Value) -> str:
    """d root / d x by sympy, in the inputs' names: the graph rebuilt symbolically."""
    import sympy

    symbols: dict[int, object] = {}
    names = node_names(root)
    rules = {
        "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b, "neg": lambda a: -a, "powv": lambda a, b: a ** b,
        "exp": sympy.exp, "log": sympy.log, "tanh": sympy.tanh,
        "sigmoid": lambda a: 1 / (1 + sympy.exp(-a)),
        "relu": lambda a: sympy.Piecewise((a, a > 0), (0, True)),
    }
    for node in topological_order(root):
        if node.op is None:
            symbols[id(node)] = (sympy.Symbol(names[id(node)]) if node.label or node is x
                                 else sympy.nsimplify(node.data))
        elif node.op.takes_const:
            symbols[id(node)] = symbols[id(node.parents[0])] ** sympy.nsimplify(node.const)
        else:
            symbols[id(node)] = rules[node.op.name](*(symbols[id(p)] for p in node.parents))
    if id(x) not in symbols:
        raise ValueError(f"{x!r} is not in the graph of {root!r}")
    return str(sympy.factor(sympy.diff(symbols[id(root)], symbols[id(x)])))
