"""Honest numbers: trace, Stepper, frames and tables show one fresh backward pass.

After ``E.backward()``, ``trace(E)`` shows 520 for w1 (not 1040), names the gradient it set
aside, and leaves w1.grad at 520; a Stepper made after a trace starts every leaf at 0; a
table's running grads equal a fresh backward's (``autograd.grad``) on random graphs.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from autograd import Value, grad, topological_order
from autograd.trace import Stepper, paths, trace
from examples import five_weight_network

LESSON = {"w1": 520, "w2": 156, "w3": 650, "w4": 312, "w5": 26}  # "Computing All Gradients"


def last_grads(steps) -> dict[int, object]:
    """The grad each input holds after its last step in ``steps``."""
    return {id(s.input): s.grad_after for s in steps}


def test_trace_after_backward_shows_the_lessons_numbers_and_names_what_it_set_aside():
    net = five_weight_network()
    E = net["E"]
    E.backward()
    assert net["w1"].grad == 520
    t = trace(E)
    grads = last_grads(t)
    assert {w: grads[id(net[w])] for w in LESSON} == LESSON
    assert {w: net[w].grad for w in LESSON} == LESSON  # one backward's worth afterwards
    text = str(t)
    assert "w1 had grad 520" in text and "this pass starts them at 0" in text
    assert "1040" not in text and "1300" not in text
    again = trace(E)  # a trace after a trace sets aside the trace's own pass
    assert {w: last_grads(again)[id(net[w])] for w in LESSON} == LESSON


def test_one_set_aside_gradient_is_named_alone():
    x = Value(3, label="x")
    y = x * 2
    y.label = "y"
    y.backward()
    assert trace(y).table().preface == [
        "x had grad 2, the constant 2 had grad 3 from an earlier backward; this pass starts "
        "them at 0."]
    w = Value(5, label="w")
    z = w * w
    z.backward()
    assert trace(z).table().preface == [
        "w had grad 10 from an earlier backward; this pass starts it at 0."]
    assert trace(z).table().preface == [
        "w had grad 10 from an earlier backward; this pass starts it at 0."]
    fresh = Value(1, label="fresh")
    assert trace(fresh * 3).table().preface == []  # nothing to set aside


def test_a_stepper_after_a_trace_has_not_reached_w1_at_step_3():
    net = five_weight_network()
    E = net["E"]
    trace(E)
    s = Stepper(E)
    for _ in range(3):
        s.step()
    assert net["w1"].grad == 0  # the Value itself: this pass has not reached it
    rows = {row[0]: row[2] for row in s.grads().rows}
    assert rows["w1"] == "-" and rows["y"] == 26 and rows["E"] == 1
    assert "w1 had grad 520" in repr(s)
    s.run()
    assert {w: net[w].grad for w in LESSON} == LESSON


def test_a_stepper_refuses_to_go_on_when_another_backward_ran_part_way():
    net = five_weight_network()
    E = net["E"]
    s = Stepper(E)
    for _ in range(5):
        s.step()
    E.backward()
    with pytest.raises(RuntimeError, match=r"changed while the stepper was part-way.*make a "
                                           r"new Stepper"):
        s.run()


def test_a_backward_between_making_a_stepper_and_its_first_step_is_set_aside_too():
    net = five_weight_network()
    E = net["E"]
    s = Stepper(E)
    E.backward()
    s.run()
    assert {w: net[w].grad for w in LESSON} == LESSON
    assert any(node is net["w1"] and g == 520 for node, g in s.set_aside)


def test_each_step_adds_its_product_to_the_grad_the_table_showed_before():
    net = five_weight_network()
    E = net["E"]
    E.backward()
    E.backward()
    shown = {id(E): 1}
    for s in trace(E):
        assert s.upstream == shown[id(s.node)]
        assert s.product == s.local * s.upstream
        assert s.grad_after == shown.get(id(s.input), 0) + s.product
        assert s.accumulated == (id(s.input) in shown)
        shown[id(s.input)] = s.grad_after


def test_the_one_line_repr_of_a_step_reads_as_the_issue_shows():
    t = trace(five_weight_network()["E"])
    assert repr(t[13]) == "step 14: n3 = w3 * h1 -> w3: local h1 = 25, upstream 26, grad 650"
    assert max(len(repr(s)) for s in t) < 100


def test_by_label_steps_are_the_lessons_steps():
    net = five_weight_network()
    E = net["E"]
    E.backward()  # set aside, as in every mode
    s = Stepper(E, by="label")
    taken = []
    while (node_step := s.step()) is not None:
        taken.append(node_step)
    assert [n.node_name for n in taken] == ["E", "y", "h2", "h1"]
    assert [n.definition for n in taken] == ["E = (y_true - y)**2", "y = w3*h1 + w4*h2 + w5",
                                             "h2 = w2*x1*x2", "h1 = (x1 + w1*x2)**2"]
    rows = {(n.node_name, name): (str(formula), local, product, after)
            for n in taken for _, name, formula, local, product, after in n.inputs}
    # "Actual Calculations": dE/dy_pred = 26; dE/dw3 = 26 x 25; dE/dh1 = 26 x 1; dE/dw1 = 520.
    assert rows[("E", "y")] == ("-2*(y_true - y)", 26, 26, 26)
    assert rows[("y", "w3")] == ("h1", 25, 650, 650)
    assert rows[("y", "h1")] == ("w3", 1, 26, 26)
    assert rows[("h1", "w1")] == ("2*(x1 + w1*x2)*x2", 20, 520, 520)
    assert rows[("h2", "w2")][1:] == (6, 156, 156)
    assert {w: net[w].grad for w in LESSON} == LESSON
    assert sum(len(n.steps) for n in taken) == s.total == 20
    assert [len(f.steps) for f in s.frames()] == [0, 3, 11, 15, 20]
    assert "y = w3*h1 + w4*h2 + w5, upstream 26 -> grads w5 26, w4 312" in repr(taken[1])


def test_by_label_refuses_other_units_and_non_values():
    with pytest.raises(ValueError, match=r"by must be 'edge'.*or 'label'"):
        Stepper(Value(1.0) * 2, by="node")
    with pytest.raises(TypeError, match=r"autograd\.Value, got float"):
        Stepper(1.5)


# Random graphs: every table shows one fresh pass, whatever ran before it.

OPS = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b,
       lambda a, b: a / (b * b + 1), lambda a, b: a.tanh() + b, lambda a, b: a.sigmoid() * b]


@st.composite
def random_graph(draw):
    """1-3 inputs, then 1-10 operations each reusing earlier nodes (shared subexpressions);
    some intermediates labelled, so that by="label" folds the others."""
    n_inputs = draw(st.integers(1, 3))
    values = [Value(draw(st.floats(-2, 2)), label=f"x{i}") for i in range(n_inputs)]
    nodes = list(values)
    for k in range(draw(st.integers(1, 10))):
        op = draw(st.sampled_from(OPS))
        a = nodes[draw(st.integers(0, len(nodes) - 1))]
        b = nodes[draw(st.integers(0, len(nodes) - 1))]
        node = op(a, b)
        if draw(st.booleans()):
            node.label = f"h{k}"
        nodes.append(node)
    return values, nodes[-1], draw(st.integers(0, 2))


@settings(max_examples=60, deadline=None)
@given(random_graph())
def test_every_table_shows_a_fresh_pass_on_random_graphs(graph):
    inputs, root, earlier = graph
    order = topological_order(root)
    fresh = dict(zip((id(n) for n in order), grad(root, order)))
    for _ in range(earlier):
        root.backward()  # leaves accumulate; the tracing tools must set that aside
    steps = trace(root).steps
    for s in steps:
        assert math.isclose(s.upstream, fresh[id(s.node)], rel_tol=1e-12, abs_tol=1e-300)
    for key, value in last_grads(steps).items():
        assert math.isclose(value, fresh[key], rel_tol=1e-9, abs_tol=1e-12)
    for x in inputs:
        if id(x) in fresh:  # an input the root does not depend on is not in its graph
            assert math.isclose(x.grad, fresh[id(x)], rel_tol=1e-9, abs_tol=1e-12)
    for _ in range(earlier):
        root.backward()
    labelled = Stepper(root, by="label")
    labelled.run()
    for key, value in labelled.grads_now().items():
        assert math.isclose(value, fresh[key], rel_tol=1e-9, abs_tol=1e-12)
    by_edge = {(id(s.node), s.position) for s in steps}
    assert {(id(s.node), s.position) for s in labelled.steps} == by_edge


def test_paths_sum_to_the_gradient_a_trace_shows_exactly_on_fractions():
    net = five_weight_network(weights=(Fraction(1, 3), 2, Fraction(-1, 2), 1, Fraction(1, 7)))
    E = net["E"]
    E.backward()
    grads = last_grads(trace(E))
    for name in ("x1", "x2", "w1", "w3"):
        assert paths(E, net[name]).total == grads[id(net[name])] == net[name].grad
