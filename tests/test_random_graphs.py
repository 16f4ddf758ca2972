"""Property-based tests over random expression graphs, made from the operation table.

A ``Graph`` is a list of steps; each step applies one operation of ``autograd.OPS`` to earlier
nodes, in the form its entry in ``tests/domains.py`` gives (one that stays inside its domain,
e.g. ``a / (b*b + 1)`` or ``log(a*a + 1)``), so subexpressions are shared (a node may be used
by many later steps, or twice by one). An operation added to the table is drawn here as soon
as it has its domain entry. The same graph is checked three ways:

* ``backward()`` against central differences of the graph's own forward pass (float64);
* ``backward()`` against forward mode, ``autograd.jvp`` (the graph's forward pass run again on
  dual numbers, one pass per input), to rounding: the two orders of the chain rule agree;
* over ``Fraction`` inputs, for graphs of rational operations only, where the engine's
  gradient must equal forward mode's exactly, and so must the derivative along a random
  direction (the gradient's dot product with it).

Hypothesis settings come from ``gradcheck.PROFILE`` (60 examples, no deadline);
``HYPOTHESIS_PROFILE=long python -m pytest tests/test_random_graphs.py`` runs 2000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from hypothesis import assume, given, note, strategies as st

from autograd import OPS, Value, jvp, no_grad, topological_order
from domains import DOMAINS
from gradcheck import PROFILE, check_gradients, close

INPUT_BOUND = 2.0
MAX_BOUND = 1e4        # no intermediate beyond this, so nothing overflows
MAX_BITS = 3000        # Fractions stay small enough to be fast
INPUT_BITS = 10


def _rational_params(name: str) -> tuple:
    domain = DOMAINS[name]
    return tuple(p for p in domain.params if domain.bits is not None and domain.rational(p))


@dataclass(frozen=True)
class Step:
    op: str
    args: tuple
    param: object


@dataclass(frozen=True)
class Graph:
    n_inputs: int
    steps: tuple

    def evaluate(self, inputs) -> list:
        """Every node: the inputs (Values), then one per step."""
        nodes = list(inputs)
        for step in self.steps:
            form = DOMAINS[step.op].graph
            nodes.append(form(*(nodes[i] for i in step.args), step.param))
        return nodes

    def output(self, inputs):
        return self.evaluate(inputs)[-1]

    def values(self, xs) -> list:
        """Every node's data at the point ``xs``, without recording a graph."""
        with no_grad():
            return [node.data for node in self.evaluate([Value(x) for x in xs])]

    def kink_distance(self, values) -> float:
        """How close any operand gets to a kink of its operation (inf if none has kinks)."""
        distances = [abs(values[s.args[0]] - kink) for s in self.steps
                     for kink in DOMAINS[s.op].kinks]
        return min(distances, default=math.inf)

    def __str__(self):
        names = [f"x{k}" for k in range(self.n_inputs)]
        lines = []
        for k, step in enumerate(self.steps):
            name = f"n{k}"
            args = ", ".join(names[i] for i in step.args)
            lines.append(f"{name} = {step.op}({args}{'' if step.param is None else ', '}"
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
    names = sorted(n for n in OPS if _rational_params(n)) if rational else sorted(OPS)
    for _ in range(draw(st.integers(1, max_steps), label="n_steps")):
        k = len(bounds)
        name = draw(st.sampled_from(names))
        domain, arity = DOMAINS[name], OPS[name].arity
        # Usually the newest node (so graphs get deep), otherwise any earlier one (sharing).
        args = tuple(draw(st.one_of(st.just(k - 1), st.integers(0, k - 1)))
                     for _ in range(arity))
        param = draw(st.sampled_from(_rational_params(name) if rational else domain.params))
        bound = domain.bound(param, *(bounds[i] for i in args))
        size = domain.bits(param, *(bits[i] for i in args)) if rational else 0
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


def forward_mode_gradient(graph, xs) -> list:
    """d output / d x_k for each input by forward mode: ``autograd.jvp`` along each one-hot
    direction, one pass per input (exact, on Fraction data). Each pass also gives the output's
    value, which must be the one the Values computed, bit for bit (the same forward rules)."""
    grads, values = [], graph.values(xs)
    for k in range(len(xs)):
        direction = [int(i == k) for i in range(len(xs))]
        value, derivative = jvp(lambda *vs: graph.output(vs), list(xs), direction)
        assert value == values[-1]
        grads.append(derivative)
    return grads


def engine_gradient(graph, xs):
    leaves = [Value(x) for x in xs]
    out = graph.output(leaves)
    out.backward()
    return out, leaves, [leaf.grad for leaf in leaves]


# ----------------------------------------------------------------------------- tests

def test_the_graph_forms_use_every_operation_in_the_table():
    """So that a new entry of ``OPS`` is drawn by the random graphs (once it has a domain)."""
    used = set()
    x, y = Value(0.5), Value(-0.75)
    for name, domain in DOMAINS.items():
        for param in domain.params:
            out = domain.graph(*(x, y)[:OPS[name].arity], param)
            used |= {node.op.name for node in topological_order(out) if node.op is not None}
    assert used == set(OPS)


def test_a_fixed_deep_shared_graph():
    """A fixed graph from the strategy's vocabulary: depth 12, with one node used 3 times."""
    steps = (Step("mul", (0, 1), None), Step("tanh", (2,), None), Step("add", (3, 2), None),
             Step("div", (4, 3), None), Step("exp", (5,), None), Step("log", (6,), "sq"),
             Step("pow", (7, 3), "base"), Step("sigmoid", (8,), None),
             Step("sub", (9, 0), None), Step("pow_const", (10,), 2), Step("relu", (11,), None),
             Step("pow_const", (12,), 0.5), Step("sin", (13,), None),
             Step("sqrt", (14,), None))
    graph = Graph(2, steps)
    xs = [0.7, -1.3]
    check_gradients(lambda *vs: graph.output(vs), xs)
    out, leaves, grads = engine_gradient(graph, xs)
    for got, want in zip(grads, forward_mode_gradient(graph, xs)):
        assert close(got, want, rtol=1e-12, atol=1e-15)


def draw_graph_checked_by_forward_mode(data, max_steps: int):
    """Draw a float graph and point, check the engine against forward mode; return both."""
    graph = data.draw(graphs(max_steps=max_steps), label="graph")
    xs = data.draw(float_points(graph.n_inputs), label="xs")
    note(str(graph))
    values = graph.values(xs)
    assume(graph.kink_distance(values) > 1e-4)   # off relu's, abs's, step's kinks
    biggest = max(abs(v) for v in values)

    out, leaves, grads = engine_gradient(graph, xs)
    assert out.data == values[-1]
    for got, want in zip(grads, forward_mode_gradient(graph, xs)):
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
    check_gradients(lambda *vs: graph.output(vs), xs,
                    rtol=1e-6, atol=1e-8 + 1e-14 * biggest / 1e-6)


def _exact(x) -> bool:
    return isinstance(x, (int, Fraction)) and not isinstance(x, bool)


@PROFILE
@given(data=st.data())
def test_rational_graphs_are_exact(data):
    graph = data.draw(graphs(rational=True), label="graph")
    xs = data.draw(fraction_points(graph.n_inputs), label="xs")
    note(str(graph))

    out, leaves, grads = engine_gradient(graph, xs)
    assert _exact(out.data)
    assert all(_exact(g) for g in grads)
    assert grads == forward_mode_gradient(graph, xs)      # exact, both orders of the rule
    direction = data.draw(fraction_points(graph.n_inputs), label="direction")
    value, along = jvp(lambda *vs: graph.output(vs), xs, direction)
    assert value == out.data and _exact(along)
    assert along == sum(g * t for g, t in zip(grads, direction))   # the Jacobian-vector product

    # The same graph in float64 agrees with the exact gradient to rounding (where no operand
    # is at a kink, since rounding could move it across).
    exact = graph.values(xs)
    if graph.kink_distance(exact) > Fraction(1, 10 ** 6):
        biggest = float(max(abs(n) for n in exact))
        _, _, float_grads = engine_gradient(graph, [float(x) for x in xs])
        for f, q in zip(float_grads, grads):
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
    plain, recorded = (graph.evaluate([Value(x) for x in xs]) for _ in range(2))
    plain[-1].backward()
    steps = list(recorded[-1].backward_steps())
    for a, b in zip(topological_order(plain[-1]), topological_order(recorded[-1])):
        assert a.grad == b.grad or (math.isnan(a.grad) and math.isnan(b.grad))
    for step in steps:
        assert step.upstream == step.node.grad
    assert len(steps) == sum(len(n.inputs) for n in topological_order(recorded[-1]))


def _postorder(root) -> list:
    """The topological order by its recursive definition: a node's inputs in argument
    order, each followed by what it needs first, then the node; each node once."""
    order, seen = [], set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        for input_ in node.inputs:
            visit(input_)
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
    root = graph.evaluate([Value(x) for x in xs])[-1]
    order = topological_order(root)
    assert order == _postorder(root) and order[-1] is root
    position = {node: i for i, node in enumerate(order)}
    assert len(position) == len(order)
    assert all(position[p] < position[n] for n in order for p in n.inputs)
    # backward walks the same order, in reverse (it has a sort of its own for Values).
    walked = list(dict.fromkeys(step.node for step in root.backward_steps()))
    assert walked == [n for n in reversed(order) if n.op is not None]
