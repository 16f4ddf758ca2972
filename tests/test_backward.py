"""backward(): fan-out, diamonds, the lesson's chain-rule example, backward twice, zero_grad,
determinism, and graphs a million operations deep or wide."""

from __future__ import annotations

import gc
import math
import weakref
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from autograd import Value, topological_order
from gradcheck import PROFILE, central_difference, check_gradients, close


def fractions(lo=-3, hi=3):
    return st.fractions(min_value=lo, max_value=hi, max_denominator=12)


# ----------------------------------------------------------------------------- fan-out

@PROFILE
@given(x0=fractions())
def test_x_times_x_has_two_edges_and_grad_2x(x0):
    x = Value(x0)
    y = x * x
    assert len(y.parents) == 2 and y.parents[0] is x and y.parents[1] is x
    y.backward()
    assert y.data == x0 * x0
    assert x.grad == 2 * x0 and isinstance(x.grad, Fraction)


@PROFILE
@given(x0=fractions())
def test_fan_out_sums_every_use(x0):
    x = Value(x0)
    (x + x).backward()
    assert x.grad == 2
    x = Value(x0)
    (x * x * x).backward()
    assert x.grad == 3 * x0 ** 2
    x = Value(x0)
    (x - x).backward()
    assert x.grad == 0
    if x0 != 0:
        x = Value(x0)
        q = x / x
        q.backward()
        assert q.data == 1 and x.grad == 0          # 1/x + (-x/x**2) = 0, exactly
    x = Value(x0)
    (x + x + x + x * 5).backward()                  # 3 uses in a sum plus one scaled
    assert x.grad == 8


# ----------------------------------------------------------------------------- diamonds

@PROFILE
@given(x0=fractions())
def test_diamond_sums_the_gradient_over_both_paths(x0):
    """x feeds a = x*x and b = x + 2, which rejoin in c = a*b; d = c - a uses a again.

    d = x**2 (x + 2) - x**2 = x**3 + x**2, so dd/dx = 3x**2 + 2x: the sum, over every path
    from d down to x, of the product of the local derivatives along it."""
    x = Value(x0, label="x")
    a = x * x
    b = x + 2
    c = a * b
    d = c - a
    d.backward()
    assert d.data == x0 ** 3 + x0 ** 2
    assert x.grad == 3 * x0 ** 2 + 2 * x0
    # The same total, path by path: d -> c -> a -> x (twice, x*x has two edges),
    # d -> a -> x (twice), d -> c -> b -> x.
    a0, b0 = x0 * x0, x0 + 2
    paths = [1 * b0 * x0, 1 * b0 * x0, -1 * x0, -1 * x0, 1 * a0 * 1]
    assert x.grad == sum(paths)
    # Interior grads: dd/dc = 1, dd/da = b - 1, dd/db = a.
    assert (c.grad, a.grad, b.grad) == (1, b0 - 1, a0)


def test_diamond_with_nonlinear_branches_matches_central_differences():
    def build(x, y):
        u = (x * y).tanh()            # shared
        v = x.exp() / (y * y + 1)
        return u * v + u.sigmoid() - (u * u + v).log() + v ** 2
    for point in ([0.3, -0.7], [1.1, 0.4], [-0.5, 2.0]):
        check_gradients(build, point)


# ----------------------------------------------------------------------------- the lesson's example

def lesson_f(x1, x2):
    return ((2 * x1 + x2) ** 2 + 3 * x2 ** 2) ** 3


def lesson_claims(x1, x2):
    """The lesson's claimed derivatives: df/dx1 = 12 u v**2, df/dx2 = 3 v**2 (2u + 6 x2),
    with u = 2 x1 + x2 and v = u**2 + 3 x2**2, computed here without the engine."""
    u = 2 * x1 + x2
    v = u * u + 3 * x2 * x2
    return v ** 3, 12 * u * v ** 2, 3 * v ** 2 * (2 * u + 6 * x2)


@PROFILE
@given(x1=fractions(-5, 5), x2=fractions(-5, 5))
def test_lesson_chain_rule_example_exact(x1, x2):
    a, b = Value(x1, label="x1"), Value(x2, label="x2")
    f = lesson_f(a, b)
    f.backward()
    want_f, want_1, want_2 = lesson_claims(x1, x2)
    assert isinstance(f.data, Fraction) and f.data == want_f
    assert isinstance(a.grad, Fraction) and a.grad == want_1
    assert isinstance(b.grad, Fraction) and b.grad == want_2


@pytest.mark.parametrize("x1, x2", [(3, 2)])
def test_lesson_example_with_ints(x1, x2):
    a, b = Value(x1), Value(x2)
    f = lesson_f(a, b)
    f.backward()
    assert (f.data, a.grad, b.grad) == lesson_claims(x1, x2)
    assert all(type(n) is int for n in (f.data, a.grad, b.grad))


@PROFILE
@given(x1=st.floats(-2, 2), x2=st.floats(-2, 2))
def test_lesson_claims_and_engine_agree_with_central_differences(x1, x2):
    f = lambda p, q: float(lesson_f(p, q))
    _, claim_1, claim_2 = lesson_claims(x1, x2)
    scale = 1e-9 * max(1.0, abs(f(x1, x2)))   # central differences' rounding, ~1e-10 |f|
    assert close(claim_1, central_difference(f, [x1, x2], 0), atol=scale)
    assert close(claim_2, central_difference(f, [x1, x2], 1), atol=scale)
    report = check_gradients(lesson_f, [x1, x2])
    # Below about 1e-300 the gradients are subnormal (few significant bits), so two correct
    # evaluation orders can differ by more than 1e-12 relative: hence the absolute floor.
    tiny = 1e-12 * abs(f(x1, x2)) + 1e-300
    assert close(report.rows[0].analytic, claim_1, rtol=1e-12, atol=tiny)
    assert close(report.rows[1].analytic, claim_2, rtol=1e-12, atol=tiny)


# ----------------------------------------------------------------------------- backward twice

def test_backward_twice_interior_grads_reset_leaf_grads_accumulate():
    x0, y0 = Fraction(2, 3), Fraction(-3, 2)
    x, y = Value(x0, label="x"), Value(y0, label="y")
    h = x * y                        # interior, used twice below
    out = h * h + h
    h0 = x0 * y0
    dh = 2 * h0 + 1                  # d out / d h
    out.backward()
    assert (out.grad, h.grad, x.grad, y.grad) == (1, dh, dh * y0, dh * x0)
    out.backward()
    assert out.grad == 1 and h.grad == dh                   # interior: computed afresh
    assert (x.grad, y.grad) == (2 * dh * y0, 2 * dh * x0)   # leaves: accumulated
    out.backward()
    assert h.grad == dh and (x.grad, y.grad) == (3 * dh * y0, 3 * dh * x0)


def test_two_outputs_sharing_an_interior_node():
    """Leaves sum the gradients of several outputs (as a batch does); a shared interior node
    holds the gradient of the most recent backward only."""
    x0 = Fraction(5, 2)
    x = Value(x0)
    h = x * x
    y1, y2 = h * 2, h * 3
    y1.backward()
    assert h.grad == 2 and x.grad == 2 * 2 * x0
    y2.backward()
    assert h.grad == 3 and x.grad == 2 * 2 * x0 + 3 * 2 * x0


def test_zero_grad_resets_the_whole_graph():
    x, y = Value(1.5), Value(-2.0)
    h = x * y
    out = h.tanh() + h
    out.backward()
    out.backward()
    out.zero_grad()
    assert [n.grad for n in topological_order(out)] == [0] * len(topological_order(out))
    out.backward()
    expected = (1 - math.tanh(-3.0) ** 2 + 1)
    assert x.grad == pytest.approx(expected * -2.0, rel=1e-15)
    assert y.grad == pytest.approx(expected * 1.5, rel=1e-15)


def test_zero_grad_on_a_leaf_resets_only_that_leaf():
    x, y = Value(2.0), Value(3.0)
    out = x * y
    out.backward()
    x.zero_grad()
    assert (x.grad, y.grad, out.grad) == (0, 2.0, 1)


def test_backward_from_a_leaf():
    x = Value(4.0)
    x.backward()
    assert x.grad == 1
    x.backward()                     # a leaf accumulates, even as the root
    assert x.grad == 2
    x.zero_grad()
    x.backward()
    assert x.grad == 1


def test_backward_from_an_interior_node_of_a_larger_graph():
    x = Value(3.0)
    h = x * x
    out = h * 10
    out.backward()
    assert x.grad == 60.0
    h.backward()                     # restart from h: h.grad = 1, x accumulates 2x
    assert h.grad == 1 and x.grad == 66.0


# ----------------------------------------------------------------------------- determinism

def _graph():
    x1, x2 = Value(0.5, label="x1"), Value(-1.25, label="x2")
    u = x1 * x2 + x1.exp()
    v = (u * u + x2).tanh()
    w = v / (x1 * x1 + 1) - u.sigmoid() + (x2 * x2 + 1).log()
    return w, (x1, x2)


def _signature(order):
    index = {id(n): k for k, n in enumerate(order)}
    return [(n.op.name if n.op else None, n.label, n.data, tuple(index[id(p)] for p in n.parents))
            for n in order]


def test_same_graph_same_order_and_same_grads():
    runs = []
    for _ in range(3):
        out, leaves = _graph()
        order = topological_order(out)
        out.backward()
        runs.append((_signature(order), [leaf.grad for leaf in leaves],
                     [n.grad for n in order]))
    assert runs[0] == runs[1] == runs[2]


def test_topological_order_properties():
    out, (x1, _) = _graph()
    order = topological_order(out)
    position = {id(n): k for k, n in enumerate(order)}
    assert len(position) == len(order)                       # each node once
    assert order[-1] is out and order[0] is x1               # first parent first, root last
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]


# ----------------------------------------------------------------------------- big graphs

def test_a_chain_of_a_million_operations():
    """y = x; then 250,000 times: y = ((y + x) * c - x) / c, i.e. 1,000,000 operations in one
    chain. Each round adds x - x/c to y, so with n rounds

        y = x + n (x - x/c),   dy/dx = 1 + n (1 - 1/c),   dy/dc = n x / c**2.

    With x = 3 and c = 2 every intermediate is exact in float64."""
    x, c = Value(3.0, label="x"), Value(2.0, label="c")
    rounds = 250_000
    y = x
    for _ in range(rounds):
        y = y + x
        y = y * c
        y = y - x
        y = y / c
    nodes = topological_order(y)
    assert len(nodes) == 4 * rounds + 2
    del nodes
    y.backward()                                    # no RecursionError
    assert y.data == 3.0 + rounds * (3.0 - 3.0 / 2.0)
    assert x.grad == 1 + rounds * (1 - 1 / 2.0)
    assert c.grad == rounds * 3.0 / 2.0 ** 2
    probe = weakref.ref(y)
    del y                                           # a million-deep deallocation
    gc.collect()
    assert probe() is None
    assert x.grad == 125_001.0                      # leaves survive the graph


def test_a_wide_sum_of_1_000_000_terms():
    """sum() of 1,000,000 leaves (Python's sum starts at 0, so 0 + x0 uses __radd__), and a
    balanced pairwise sum of the same leaves: every leaf gets gradient 1."""
    n = 1_000_000
    leaves = [Value(float(k % 1000 - 500)) for k in range(n)]
    total = sum(leaves)
    total.backward()
    assert total.data == sum(float(k % 1000 - 500) for k in range(n))
    assert all(leaf.grad == 1 for leaf in leaves)

    for leaf in leaves:
        leaf.zero_grad()
    level = leaves
    while len(level) > 1:
        pairs = [level[k] + level[k + 1] for k in range(0, len(level) - 1, 2)]
        level = pairs + ([level[-1]] if len(level) % 2 else [])
    root = level[0]
    root.backward()
    assert root.data == total.data
    assert all(leaf.grad == 1 for leaf in leaves)
    assert len(topological_order(root)) == 2 * n - 1


def test_a_graph_is_freed_by_reference_counting_alone():
    """No closures and no back-references: nothing in a graph forms a cycle, so dropping the
    last reference frees it at once, with Python's cyclic garbage collector switched off."""
    x = Value(2.0, label="x")
    gc.disable()
    try:
        hidden = x * x
        y = (hidden + 1).tanh()
        y.backward()
        probes = [weakref.ref(node) for node in (hidden, y)]
        del hidden, y
        assert [p() for p in probes] == [None, None]
    finally:
        gc.enable()
    assert x.grad != 0  # the leaf keeps its gradient
