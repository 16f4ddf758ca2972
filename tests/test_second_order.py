"""Derivatives of derivatives: ``autograd.grad(..., create_graph=True)`` and
``backward(create_graph=True)`` build gradients from the table's own local derivatives, as
Values that can be differentiated again."""

from __future__ import annotations

import math
from fractions import Fraction
from functools import partial

import pytest
from hypothesis import given, strategies as st

from autograd import OPS, Op, Value, grad, no_grad, registered
from autograd.draw import draw
from autograd.math_namespaces import ScalarMath
from autograd.trace import trace
from domains import DOMAINS
from gradcheck import PROFILE, central_difference


def hessian(f, xs):
    """The matrix of second derivatives of f at xs, through the public API."""
    leaves = [Value(x, label=f"x{k + 1}") for k, x in enumerate(xs)]
    first = grad(f(*leaves), leaves, create_graph=True)
    return [grad(g, leaves) if isinstance(g, Value) else [0] * len(leaves) for g in first]


def test_the_issues_three_second_derivatives():
    x = Value(3)
    (dy,) = grad(x ** 3, [x], create_graph=True)
    assert dy.data == 27 and grad(dy, [x]) == [18]
    assert hessian(lambda a, b: a ** 2 + 2 * b ** 2, [3, 2]) == [[2, 0], [0, 4]]
    trap = lambda a: a ** 4 - 4 * a ** 2 + a + 1
    (h,) = hessian(trap, [Fraction(1, 2)])
    assert h == [-5] and isinstance(h[0], (int, Fraction))


def test_grad_leaves_every_grad_as_it_was_and_gives_0_for_unused_inputs():
    x, y, z = Value(2.0), Value(5.0), Value(7.0)
    x.grad, y.grad = 1.5, 2.5
    f = x * y
    assert grad(f, [x, y, z]) == [5.0, 2.0, 0]
    assert (x.grad, y.grad, z.grad) == (1.5, 2.5, 0)
    assert repr(z) == "Value(data=7.0, grad=not computed)"        # untouched, not even set
    assert grad(f, x) == [5.0]
    with pytest.raises(TypeError, match="takes the Values to differentiate by"):
        grad(f, [2.0])
    with pytest.raises(TypeError, match="differentiates a Value"):
        grad(3.0, [x])


def test_backward_with_create_graph_gives_differentiable_grads():
    x = Value(0.5, label="x")
    y = x.sin() * x                                   # y' = cos x * x + sin x
    y.backward(create_graph=True)
    first = x.grad
    assert isinstance(first, Value)
    assert first.data == pytest.approx(math.cos(0.5) * 0.5 + math.sin(0.5))
    x.grad = 0
    first.backward()                                   # y'' = -sin x * x + 2 cos x
    assert x.grad == pytest.approx(-math.sin(0.5) * 0.5 + 2 * math.cos(0.5))
    with no_grad(), pytest.raises(RuntimeError, match="inside no_grad"):
        (x * x).backward(create_graph=True)


def _second_rule_point(name, data):
    op = OPS[name]
    args = data.draw(DOMAINS[name].args, label="args")
    inputs, consts = args[:op.arity], args[op.arity:]
    return op, list(inputs), list(consts)


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.filterwarnings("ignore::autograd.InexactWarning")  # a Fraction exponent of a float
@PROFILE
@given(data=st.data())
def test_every_ops_second_derivative_matches_central_differences(name, data):
    """d/dx_j of (d op/d x_i), built by create_graph, against central differences of the
    table's own first derivative: so every local derivative is made of table operations and
    is itself differentiated right."""
    op, inputs, consts = _second_rule_point(name, data)

    def first(i, *xs):
        out = op.forward(ScalarMath, *xs, *consts)
        return op.local(ScalarMath, out, *xs, *consts)[i]

    for i in range(op.arity):
        leaves = [Value(x) for x in inputs]
        out = DOMAINS[name].build(*leaves, *consts)
        gradients = grad(out, leaves, create_graph=True)
        g = gradients[i]
        second = grad(g, leaves) if isinstance(g, Value) else [0] * op.arity
        for j in range(op.arity):
            want = central_difference(partial(first, i), inputs, j)
            assert second[j] == pytest.approx(want, rel=1e-5, abs=1e-6), (i, j)


def test_a_second_order_graph_can_be_traced_and_drawn():
    x = Value(2.0, label="x")
    (dy,) = grad(x ** 3, [x], create_graph=True)
    dy.label = "dy"
    steps = trace(dy)
    assert any(s.input is x for s in steps)
    assert "dy" in str(steps)
    assert "grad" in draw(dy).source


def test_an_op_whose_rule_branches_cannot_be_differentiated_twice():
    class Leaky(Op):
        name = "leaky"

        @staticmethod
        def forward(m, a):
            return m.relu(a) + 0.1 * (a - m.relu(a))

        @staticmethod
        def local(m, out, a):
            return (1.0 if a > 0 else 0.1,)   # compares: fine for numbers, not for a graph

    with registered(Leaky):
        x = Value(2.0)
        assert grad(x.leaky(), [x]) == [1.0]
        with pytest.raises(TypeError, match=r"cannot be built from the table's operations.*"
                                            r"m\.step or m\.sign"):
            grad(x.leaky(), [x], create_graph=True)
