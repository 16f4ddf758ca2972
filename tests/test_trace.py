"""The tracer: trace steps (order, values, accumulation marks), the stepper, and paths."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from autograd import Value, topological_order
from autograd.trace import Stepper, gradient_formula, node_names, paths, trace
from examples import chain_example


def test_trace_replays_backward_edge_by_edge():
    x1, x2, u, v, f = chain_example(Fraction(3), Fraction(1, 2))
    steps = list(trace(f))
    # One step per edge of the graph, each edge exactly once.
    edges = {(id(n), i) for n in topological_order(f) for i in range(len(n.parents))}
    assert {(id(s.node), s.position) for s in steps} == edges
    assert len(steps) == len(edges)
    # The first step is the root passing its seed grad 1 to v, with d(v**3)/dv = 3 v**2.
    first = steps[0]
    assert (first.node, first.input, first.upstream) == (f, v, 1)
    assert str(first.local_formula) == "3*v**2" and first.local == 3 * v.data ** 2
    assert first.definition == "f = v ** 3"
    for step in steps:
        # Each step's numbers are consistent: product = local * upstream, and the upstream is
        # the node's final gradient (a node passes its grad down only once it is complete).
        assert step.product == step.local * step.upstream
        assert step.upstream == step.node.grad
        assert isinstance(step.product, (int, Fraction))  # exact all the way
    # Reverse topological order: no node passes gradient down after one of its inputs did.
    position = {}
    for i, step in enumerate(steps):
        position.setdefault(id(step.node), i)
    for step in steps:
        if id(step.input) in position:
            assert position[id(step.input)] > position[id(step.node)]


def test_accumulation_is_marked_exactly_when_a_second_path_arrives():
    x1, x2, u, v, f = chain_example(3.0, 2.0)
    steps = trace(f).steps
    into_x2 = [s for s in steps if s.input is x2]
    assert len(into_x2) == 2  # through u, and through x2**2
    assert [s.accumulated for s in into_x2] == [False, True]
    assert into_x2[1].grad_after == pytest.approx(into_x2[0].product + into_x2[1].product)
    assert into_x2[1].grad_after == x2.grad
    assert not any(s.accumulated for s in steps if s.input is not x2)
    assert "2nd path" in str(trace(f))


def test_x_times_x_has_two_edges_in_the_trace():
    x = Value(5, label="x")
    y = x * x
    steps = trace(y).steps
    assert [(s.input is x, s.position, s.local) for s in steps] == [(True, 0, 5), (True, 1, 5)]
    assert [s.accumulated for s in steps] == [False, True]
    assert x.grad == 10


def test_table_names_every_node_and_shows_the_numbers():
    x1, x2, u, v, f = chain_example(Fraction(3), Fraction(2))
    table = str(trace(f))
    for text in ("f = v ** 3", "∂f/∂v = 3*v**2 = " + str(3 * v.data ** 2), "x1", "x2", "u"):
        assert text in table
    assert table.splitlines()[0].startswith(f"backward from f = {f.data}")


def test_node_names_are_stable_and_prefer_labels():
    x1, x2, u, v, f = chain_example(3, 2)
    first, second = node_names(f), node_names(f)
    assert first == second
    assert first[id(u)] == "u" and first[id(x1)] == "x1"
    unlabelled = sorted(name for name in first.values() if name.startswith("n"))
    assert unlabelled == [f"n{i}" for i in range(1, len(unlabelled) + 1)]


def test_stepper_takes_the_same_steps_as_trace():
    x1, x2, u, v, f = chain_example(Fraction(3), Fraction(2))
    expected = [(s.node, s.input, s.product) for s in trace(f)]
    x1.grad = x2.grad = 0
    stepper = Stepper(f)
    assert stepper.current is f and not stepper.done
    taken = []
    while (group := stepper.step_node()):
        assert all(s.node is group[0].node for s in group)
        assert len(group) == len(group[0].node.parents)
        taken += group
    assert [(s.node, s.input, s.product) for s in taken] == expected
    assert stepper.done and stepper.current is None and stepper.step() is None
    assert x1.grad == 12 * u.data * v.data ** 2


def test_stepper_leaves_grads_as_far_as_the_steps_taken():
    x = Value(3, label="x")
    y = x * x
    stepper = Stepper(y)
    assert "call .step()" in repr(stepper)
    stepper.step()
    assert x.grad == 3  # one edge of x * x, not yet the second
    assert "next" in str(stepper.grads())
    stepper.step()
    assert x.grad == 6 and stepper.done


def test_lesson_summing_the_blame_paths_for_x2():
    """The two paths from x2 (through u, and through x2**2) sum to the gradient."""
    x1, x2, u, v, f = chain_example(Fraction(3), Fraction(2))
    f.backward()
    ps = paths(f, x2)
    assert len(ps) == 2
    through_u = next(p for p in ps if u in p.nodes)
    direct = next(p for p in ps if u not in p.nodes)
    # Computed here independently: d v/d x2 along each path, times d f/d v = 3 v**2.
    assert through_u.product == 2 * u.data * 3 * v.data ** 2
    assert direct.product == 6 * x2.data * 3 * v.data ** 2
    assert ps.total == x2.grad == 3 * v.data ** 2 * (2 * u.data + 6 * x2.data)
    assert "sum of the products: ∂f/∂x2" in str(ps)


def test_paths_refuse_a_value_outside_the_graph_and_too_many_paths():
    x = Value(2.0)
    with pytest.raises(ValueError, match="not in the graph"):
        paths(x * 3, Value(1.0))
    y = x
    for _ in range(12):  # each level doubles the paths: 2**12 of them
        y = y * 1 + y
    with pytest.raises(ValueError, match="more than limit=100"):
        paths(y, x, limit=100)


# Random graphs: paths sum to the gradient, and the stepper agrees with backward.

OPS = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b,
       lambda a, b: a / (b * b + 1), lambda a, b: (a * a + 1) ** Fraction(1, 1) * b,
       lambda a, b: a.tanh() + b, lambda a, b: a.sigmoid() * b]


@st.composite
def random_graph(draw):
    """1-3 inputs, then 1-10 operations each reusing earlier nodes (shared subexpressions)."""
    n_inputs = draw(st.integers(1, 3))
    values = [Value(draw(st.floats(-2, 2)), label=f"x{i}") for i in range(n_inputs)]
    nodes = list(values)
    for _ in range(draw(st.integers(1, 10))):
        op = draw(st.sampled_from(OPS))
        a = nodes[draw(st.integers(0, len(nodes) - 1))]
        b = nodes[draw(st.integers(0, len(nodes) - 1))]
        nodes.append(op(a, b))
    return values, nodes[-1]


@settings(max_examples=60, deadline=None)
@given(random_graph())
def test_path_products_sum_to_the_gradient_on_random_graphs(graph):
    inputs, root = graph
    root.backward()
    for x in inputs:
        if root is x:
            continue
        try:
            ps = paths(root, x)
        except ValueError:  # x does not reach root
            assert x.grad == 0
            continue
        assert math.isclose(ps.total, x.grad, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=40, deadline=None)
@given(random_graph())
def test_stepper_and_backward_give_the_same_grads_on_random_graphs(graph):
    inputs, root = graph
    root.backward()
    expected = [x.grad for x in inputs]
    root.zero_grad()
    Stepper(root).run()
    assert [x.grad for x in inputs] == expected


# Gradient formulas: evaluated back at the graph's numbers, they give the gradient.

def evaluate(formula: str, root: Value) -> float:
    """Evaluate a formula written in node names (tests only: the text is our own output)."""
    import math as _math

    namespace = {name: node.data for node in topological_order(root)
                 for name in [node_names(root)[id(node)]] if name.isidentifier()}
    namespace.update(exp=_math.exp, log=_math.log, tanh=_math.tanh)
    return eval(formula, {"__builtins__": {}}, namespace)


def test_lesson_formula_is_factored_along_the_paths():
    x1, x2, u, v, f = chain_example(Fraction(3), Fraction(2))
    f.backward()
    dx2 = gradient_formula(f, x2)
    assert dx2.startswith("3*v**2*(")  # the blame of v times the sum over x2's paths to v
    assert " + " in dx2
    assert evaluate(dx2, f) == x2.grad
    assert evaluate(gradient_formula(f, x1), f) == x1.grad


@settings(max_examples=40, deadline=None)
@given(random_graph())
def test_gradient_formulas_evaluate_to_the_gradient_on_random_graphs(graph):
    inputs, root = graph
    root.backward()
    for x in inputs:
        if root is x or not any(n is x for n in topological_order(root)):
            continue
        text = gradient_formula(root, x)
        value = evaluate(text, root)
        assert math.isclose(value, x.grad, rel_tol=1e-9, abs_tol=1e-12), text


def test_simplified_formula_is_in_the_inputs_only():
    sympy = pytest.importorskip("sympy", reason="sympy is the optional extra for simplify=True")
    x1, x2, u, v, f = chain_example(3, 2)
    f.backward()
    text = gradient_formula(f, x2, simplify=True)
    assert set(str(s) for s in sympy.sympify(text).free_symbols) == {"x1", "x2"}
    assert sympy.sympify(text).subs({"x1": 3, "x2": 2}) == x2.grad


def test_the_trace_of_a_leaf_is_no_step_and_gives_it_grad_1():
    # d x / d x = 1: backward from a leaf only seeds its grad, whatever an earlier pass left
    x = Value(3, label="x")
    x.grad = 5
    t = trace(x)
    assert len(t) == 0 and x.grad == 1
    assert "x had grad 5 from an earlier backward" in str(t) and "note" not in str(t)
