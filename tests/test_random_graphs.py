"""Property-based tests over random expression graphs.

A ``Graph`` is a list of steps; each step applies one "macro" (an operation of the table in a
form that stays inside its domain, e.g. ``a / (b*b + 1)`` or ``log(a*a + 1)``) to earlier
nodes, so subexpressions are shared (a node may be used by many later steps, or twice by one).
The same graph is evaluated four ways:

* with ``Value`` and ``backward()`` (the engine under test);
* with plain floats, for central differences (``gradcheck``) and to keep ``relu`` off its kink;
* with forward-mode dual numbers written in this file (an independent derivative, in float64
  or exactly in ``Fraction``);
* with ``Value`` over ``Fraction`` inputs, for graphs of rational operations only, where the
  engine's gradient must equal the exact dual-number one.

Hypothesis settings come from ``gradcheck.PROFILE`` (60 examples, no deadline);
``HYPOTHESIS_PROFILE=long python -m pytest tests/test_random_graphs.py`` runs 2000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from gradcheck import PROFILE, check_gradients, close
from hypothesis import assume, given, note
from hypothesis import strategies as st

from autograd import OPS, Value, topological_order

# ----------------------------------------------------------------------------- number kinds


def _sigmoid(a: float) -> float:
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


class FloatLib:
    """The non-operator functions for plain floats."""

    exp, log, tanh = math.exp, math.log, math.tanh
    sigmoid = staticmethod(_sigmoid)

    @staticmethod
    def relu(a):
        return a if a > 0 else 0.0


class ExactLib:
    """relu for Fractions (the only non-operator function in a rational graph)."""

    @staticmethod
    def relu(a):
        return a if a > 0 else a * 0


class ValueLib:
    """The same functions as the methods of ``autograd.Value``."""

    @staticmethod
    def exp(a):
        return a.exp()

    @staticmethod
    def log(a):
        return a.log()

    @staticmethod
    def tanh(a):
        return a.tanh()

    @staticmethod
    def sigmoid(a):
        return a.sigmoid()

    @staticmethod
    def relu(a):
        return a.relu()


class Dual:
    """A forward-mode dual number v + d*eps (eps**2 = 0): d carries d(node)/d(one input).

    The derivative rules here are written independently of ``autograd.ops``; with Fraction
    parts, rational operations stay exact.
    """

    __slots__ = ("d", "v")

    def __init__(self, v, d=0):
        self.v, self.d = v, d

    @staticmethod
    def lift(x):
        return x if isinstance(x, Dual) else Dual(x, 0)

    def __add__(self, o):
        o = Dual.lift(o)
        return Dual(self.v + o.v, self.d + o.d)

    __radd__ = __add__

    def __sub__(self, o):
        o = Dual.lift(o)
        return Dual(self.v - o.v, self.d - o.d)

    def __rsub__(self, o):
        return Dual.lift(o) - self

    def __mul__(self, o):
        o = Dual.lift(o)
        return Dual(self.v * o.v, self.d * o.v + self.v * o.d)

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = Dual.lift(o)
        return Dual(self.v / o.v, (self.d * o.v - self.v * o.d) / (o.v * o.v))

    def __rtruediv__(self, o):
        return Dual.lift(o) / self

    def __neg__(self):
        return Dual(-self.v, -self.d)

    def __pow__(self, o):
        if isinstance(o, Dual):   # a ** b = exp(b log a), a > 0
            out = self.v ** o.v
            return Dual(out, out * (o.d * math.log(self.v) + o.v * self.d / self.v))
        if o == 0:
            return Dual(self.v ** 0, 0 * self.d)
        return Dual(self.v ** o, o * self.v ** (o - 1) * self.d)

    def __rpow__(self, o):
        return Dual.lift(o) ** self


class DualLib:
    @staticmethod
    def exp(a):
        e = math.exp(a.v)
        return Dual(e, e * a.d)

    @staticmethod
    def log(a):
        return Dual(math.log(a.v), a.d / a.v)

    @staticmethod
    def tanh(a):
        t = math.tanh(a.v)
        return Dual(t, (1 - t * t) * a.d)

    @staticmethod
    def sigmoid(a):
        s = _sigmoid(a.v)
        return Dual(s, s * (1 - s) * a.d)

    @staticmethod
    def relu(a):
        # Same convention as the engine at the kink: derivative 0 at exactly 0.
        return Dual(a.v, a.d) if a.v > 0 else Dual(a.v * 0, a.d * 0)


# ----------------------------------------------------------------------------- macros

@dataclass(frozen=True)
class Macro:
    """One graph step: ``apply(lib, *operands, param)``; ``bound`` gives a bound on |result|
    from bounds on |operands| (None when unsafe); ``bits`` estimates the size of an exact
    Fraction result; ``rational`` says whether Fractions in give Fractions out."""

    arity: int
    apply: object
    bound: object
    bits: object
    rational: bool
    params: tuple = (None,)


def _sq1(a):
    return a * a + 1


MACROS: dict[str, Macro] = {
    "add": Macro(2, lambda L, a, b, p: a + b, lambda p, A, B: A + B,
                 lambda p, s, t: s + t, True),
    "sub": Macro(2, lambda L, a, b, p: a - b, lambda p, A, B: A + B,
                 lambda p, s, t: s + t, True),
    "mul": Macro(2, lambda L, a, b, p: a * b, lambda p, A, B: A * B,
                 lambda p, s, t: s + t, True),
    "div": Macro(2, lambda L, a, b, p: a / _sq1(b), lambda p, A, B: A,
                 lambda p, s, t: s + 2 * t + 2, True),
    "neg": Macro(1, lambda L, a, p: -a, lambda p, A: A, lambda p, s: s, True),
    # x ** n for n >= 1 on any base (x ** 0 at x == 0 is a known engine bug, tested in
    # test_ops.py); negative and zero powers on a base >= 1.
    "powi": Macro(1, lambda L, a, n: a ** n, lambda n, A: A ** n, lambda n, s: n * s, True,
                  (1, 2, 3)),
    "powneg": Macro(1, lambda L, a, n: _sq1(a) ** n, lambda n, A: 1.0,
                    lambda n, s: 2 * abs(n) * s + 2, True, (0, -1, -2, -3)),
    "powfrac": Macro(1, lambda L, a, c: _sq1(a) ** c, lambda c, A: (A * A + 1) ** max(c, 0),
                     None, False, (0.5, -0.5, 1.5, 1 / 3)),
    # A differentiable exponent: positive base, bounded exponent; or 2 ** x (reflected).
    "powv": Macro(2, lambda L, a, b, p: (_sq1(a) ** L.tanh(b) if p == "base" else 2 ** L.tanh(b)),
                  lambda p, A, B: A * A + 1 if p == "base" else 2.0, None, False,
                  ("base", "two")),
    "exp": Macro(1, lambda L, a, p: L.exp(a), lambda p, A: math.exp(A) if A <= 6 else None,
                 None, False),
    "log": Macro(1, lambda L, a, p: L.log(_sq1(a)) if p == "sq" else L.log(L.exp(a)),
                 lambda p, A: math.log(A * A + 1) if p == "sq" else (A if A <= 6 else None),
                 None, False, ("sq", "exp")),
    "tanh": Macro(1, lambda L, a, p: L.tanh(a), lambda p, A: 1.0, None, False),
    "sigmoid": Macro(1, lambda L, a, p: L.sigmoid(a), lambda p, A: 1.0, None, False),
    "relu": Macro(1, lambda L, a, p: L.relu(a), lambda p, A: A, lambda p, s: s, True),
}

RATIONAL = sorted(name for name, m in MACROS.items() if m.rational)
ALL = sorted(MACROS)

INPUT_BOUND = 2.0
MAX_BOUND = 1e4        # no intermediate beyond this, so nothing overflows
MAX_BITS = 3000        # Fractions stay small enough to be fast
INPUT_BITS = 10


@dataclass(frozen=True)
class Step:
    macro: str
    args: tuple
    param: object


@dataclass(frozen=True)
class Graph:
    n_inputs: int
    steps: tuple

    def evaluate(self, lib, inputs) -> list:
        """Every node's value: the inputs, then one per step."""
        nodes = list(inputs)
        for step in self.steps:
            macro = MACROS[step.macro]
            nodes.append(macro.apply(lib, *(nodes[i] for i in step.args), step.param))
        return nodes

    def output(self, lib, inputs):
        return self.evaluate(lib, inputs)[-1]

    def relu_operands(self, nodes) -> list:
        return [nodes[s.args[0]] for s in self.steps if s.macro == "relu"]

    def __str__(self):
        names = [f"x{k}" for k in range(self.n_inputs)]
        lines = []
        for k, step in enumerate(self.steps):
            name = f"n{k}"
            args = ", ".join(names[i] for i in step.args)
            lines.append(f"{name} = {step.macro}({args}{'' if step.param is None else ', '}"
                         f"{'' if step.param is None else step.param})")
            names.append(name)
        return "; ".join(lines)


@st.composite
def graphs(draw, rational: bool = False, max_steps: int = 30):
    """A random DAG over 1-3 inputs, up to ``max_steps`` steps, reusing earlier nodes."""
    n_inputs = draw(st.integers(1, 3), label="n_inputs")
    bounds = [INPUT_BOUND] * n_inputs
    bits = [INPUT_BITS] * n_inputs
    steps = []
    names = RATIONAL if rational else ALL
    for _ in range(draw(st.integers(1, max_steps), label="n_steps")):
        k = len(bounds)
        name = draw(st.sampled_from(names))
        macro = MACROS[name]
        # Usually the newest node (so graphs get deep), otherwise any earlier one (sharing).
        args = tuple(draw(st.one_of(st.just(k - 1), st.integers(0, k - 1)))
                     for _ in range(macro.arity))
        param = draw(st.sampled_from(macro.params))
        bound = macro.bound(param, *(bounds[i] for i in args))
        size = macro.bits(param, *(bits[i] for i in args)) if rational else 0
        if bound is None or bound > MAX_BOUND or size > MAX_BITS:
            # Unsafe here: squash instead (tanh), or negate in a rational graph.
            name, args, param = ("neg" if rational else "tanh"), (args[0],), None
            bound = bounds[args[0]] if rational else 1.0
            size = bits[args[0]]
        steps.append(Step(name, args, param))
        bounds.append(bound)
        bits.append(size)
    return Graph(n_inputs, tuple(steps))


def float_points(n):
    return st.lists(st.floats(-INPUT_BOUND, INPUT_BOUND), min_size=n, max_size=n)


def fraction_points(n):
    return st.lists(st.fractions(-INPUT_BOUND, INPUT_BOUND, max_denominator=9),
                    min_size=n, max_size=n)


def dual_gradient(graph, xs) -> list:
    """d output / d x_k for each k, by forward mode (one pass per input)."""
    grads = []
    for k in range(len(xs)):
        duals = [Dual(x, type(x)(1) if j == k else type(x)(0)) for j, x in enumerate(xs)]
        grads.append(Dual.lift(graph.output(DualLib, duals)).d)
    return grads


def engine_gradient(graph, xs):
    leaves = [Value(x) for x in xs]
    out = graph.output(ValueLib, leaves)
    out.backward()
    return out, [leaf.grad for leaf in leaves]


# ----------------------------------------------------------------------------- tests

def test_the_macros_use_every_operation_in_the_table():
    """So that a new entry of ``OPS`` fails here until the random graphs use it."""
    used = set()
    x, y = Value(0.5), Value(-0.75)
    for macro in MACROS.values():
        for param in macro.params:
            out = macro.apply(ValueLib, *(x, y)[:macro.arity], param)
            used |= {node.op.name for node in topological_order(out) if node.op is not None}
    assert used == set(OPS)


def test_the_strategy_builds_deep_shared_graphs():
    """A fixed graph from the strategy's vocabulary: depth 12, with one node used 3 times."""
    steps = (Step("mul", (0, 1), None), Step("tanh", (2,), None), Step("add", (3, 2), None),
             Step("div", (4, 3), None), Step("exp", (5,), None), Step("log", (6,), "sq"),
             Step("powv", (7, 3), "base"), Step("sigmoid", (8,), None), Step("sub", (9, 0), None),
             Step("powi", (10,), 2), Step("relu", (11,), None), Step("powfrac", (12,), 0.5))
    graph = Graph(2, steps)
    check_gradients(lambda *vs: graph.output(ValueLib, vs), [0.7, -1.3])
    xs = [0.7, -1.3]
    _, grads = engine_gradient(graph, xs)
    for got, want in zip(grads, dual_gradient(graph, xs)):
        assert close(got, want, rtol=1e-12, atol=1e-15)


def draw_graph_checked_by_forward_mode(data, max_steps: int):
    """Draw a float graph and point, check the engine against forward mode; return both."""
    graph = data.draw(graphs(max_steps=max_steps), label="graph")
    xs = data.draw(float_points(graph.n_inputs), label="xs")
    note(str(graph))
    nodes = graph.evaluate(FloatLib, xs)
    assume(all(abs(a) > 1e-4 for a in graph.relu_operands(nodes)))   # off relu's kink
    biggest = max(abs(n) for n in nodes)

    out, grads = engine_gradient(graph, xs)
    assert out.data == nodes[-1]
    # Forward mode in float64: an independent derivative, accurate to rounding.
    for got, want in zip(grads, dual_gradient(graph, xs)):
        assert close(got, want, rtol=1e-9, atol=1e-12 * max(1.0, biggest)), (got, want)
    return graph, xs, biggest


@PROFILE
@given(data=st.data())
def test_random_graph_gradients_match_central_differences_and_forward_mode(data):
    # Depth 12: deeper graphs can scale their input by 2**30, where the truncation error of a
    # central difference (h**2 / 6 times the third derivative) outgrows any fair tolerance;
    # depth 30 is checked against forward mode alone below.
    graph, xs, biggest = draw_graph_checked_by_forward_mode(data, max_steps=12)
    # Central differences of the graph's forward pass. Rounding in f(x +- h) is about
    # 1e-16 * (largest intermediate) / h, so that is the absolute floor.
    check_gradients(lambda *vs: graph.output(ValueLib, vs), xs,
                    rtol=1e-6, atol=1e-8 + 1e-14 * biggest / 1e-6)


@PROFILE
@given(data=st.data())
def test_rational_graphs_are_exact(data):
    graph = data.draw(graphs(rational=True), label="graph")
    xs = data.draw(fraction_points(graph.n_inputs), label="xs")
    note(str(graph))

    out, grads = engine_gradient(graph, xs)
    exact = graph.evaluate(ExactLib, xs)
    assert isinstance(out.data, Fraction) and out.data == exact[-1]
    assert all(isinstance(g, (int, Fraction)) and not isinstance(g, bool) for g in grads)
    assert grads == dual_gradient(graph, xs)          # exact, by forward mode in Fractions

    # The same graph in float64 agrees with the exact gradient to rounding (where relu is
    # not at its kink, since rounding could move it across).
    if all(abs(a) > Fraction(1, 10 ** 6) for a in graph.relu_operands(exact)):
        biggest = float(max(abs(n) for n in exact))
        _, float_grads = engine_gradient(graph, [float(x) for x in xs])
        for f, q in zip(float_grads, grads):
            assert isinstance(f, float) or f == q
            assert close(float(f), float(q), rtol=1e-9, atol=1e-12 * max(1.0, biggest))


@PROFILE
@given(data=st.data())
def test_random_graphs_up_to_depth_30_match_forward_mode(data):
    draw_graph_checked_by_forward_mode(data, max_steps=30)


@PROFILE
@given(data=st.data())
def test_backward_and_backward_steps_give_identical_grads(data):
    """``backward()`` runs the chain-rule loop without recording; ``backward_steps()`` (which
    the tracer, the stepper and anomaly mode use) records every edge. Same graph, same
    point: every node's grad must be the same number, bit for bit, and each recorded step
    must say exactly what was added."""
    graph = data.draw(graphs(max_steps=30), label="graph")
    xs = data.draw(float_points(graph.n_inputs), label="xs")
    note(str(graph))
    plain, recorded = (graph.evaluate(ValueLib, [Value(x) for x in xs]) for _ in range(2))
    plain[-1].backward()
    steps = list(recorded[-1].backward_steps())
    for a, b in zip(topological_order(plain[-1]), topological_order(recorded[-1])):
        assert a.grad == b.grad or (math.isnan(a.grad) and math.isnan(b.grad))
    for step in steps:
        assert step.upstream == step.node.grad
    assert len(steps) == sum(len(n.parents) for n in topological_order(recorded[-1]))


def _postorder(root) -> list:
    """The topological order by its recursive definition: a node's parents in argument
    order, each followed by what it needs first, then the node; each node once."""
    order, seen = [], set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(root)
    return order


@PROFILE
@given(data=st.data())
def test_topological_order_is_the_recursive_postorder(data):
    """The iterative sort (with its shortcut for leaves) lists every node exactly once, each
    after all of its inputs, the root last, in the same order as the recursive definition."""
    graph = data.draw(graphs(max_steps=30), label="graph")
    xs = data.draw(float_points(graph.n_inputs), label="xs")
    root = graph.evaluate(ValueLib, [Value(x) for x in xs])[-1]
    order = topological_order(root)
    assert order == _postorder(root) and order[-1] is root
    position = {node: i for i, node in enumerate(order)}
    assert len(position) == len(order)
    assert all(position[p] < position[n] for n in order for p in n.parents)
