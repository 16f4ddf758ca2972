"""The costs: binary cross-entropy (stable for any logit, its VJP checked), and what every
cost refuses (a mini-batch of no examples, NaN or inf outputs)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from autograd import NonFiniteError, no_grad
from nn import Tensor, binary_cross_entropy, cross_entropy, mlp, one_hot, quadratic_cost
from test_tensor import central_difference

F64 = np.float64
REDUCTIONS = ("mean", "sum", "batch")


def unfused(z: Tensor, y: Tensor, reduction: str) -> Tensor:
    """The textbook graph: -[y log a + (1 - y) log(1 - a)] with a = sigmoid(z), reduced."""
    a = z.sigmoid()
    elementwise = -(y * a.log() + (1 - y) * (1 - a).log())
    total = elementwise.sum()
    return {"sum": total, "mean": total / z.size, "batch": total / z.shape[0]}[reduction]


def reference_loss(z: np.ndarray, y: np.ndarray, reduction: str) -> float:
    """The same cost in plain float64 math, one element at a time, from the definition
    -[y log sigmoid(z) + (1 - y) log sigmoid(-z)] with log sigmoid(x) = -log1p(exp(-x))."""
    def log_sigmoid(x):
        return -math.log1p(math.exp(-x)) if x >= 0 else x - math.log1p(math.exp(x))
    total = sum(-(yi * log_sigmoid(zi) + (1 - yi) * log_sigmoid(-zi))
                for zi, yi in zip(z.ravel().tolist(), y.ravel().tolist()))
    return total / {"sum": 1, "mean": z.size, "batch": z.shape[0]}[reduction]


# ----------------------------------------------------------------- binary cross-entropy


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_gradients_against_central_differences_in_float64(reduction):
    rng = np.random.default_rng(0)
    z = rng.normal(scale=3.0, size=(4, 3))
    y = rng.uniform(0, 1, size=(4, 3))              # soft targets: the y gradient matters
    zt, yt = Tensor(z, dtype=F64, requires_grad=True), Tensor(y, dtype=F64, requires_grad=True)
    loss = binary_cross_entropy(zt, yt, reduction=reduction)
    (loss * 1.7).backward()

    def f():
        with no_grad():
            return 1.7 * float(binary_cross_entropy(Tensor(z, dtype=F64), Tensor(y, dtype=F64),
                                                    reduction=reduction).data)

    want_z, want_y = central_difference(f, [z, y])
    np.testing.assert_allclose(zt.grad, want_z, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(yt.grad, want_y, rtol=1e-6, atol=1e-9)
    assert float(loss.data) == pytest.approx(reference_loss(z, y, reduction), rel=1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_matches_the_unfused_graph(reduction):
    rng = np.random.default_rng(1)
    z, y = rng.normal(scale=2.0, size=(5, 4)), (rng.random((5, 4)) < 0.5).astype(float)
    fused = [Tensor(z, dtype=F64, requires_grad=True), Tensor(y, dtype=F64, requires_grad=True)]
    plain = [Tensor(z, dtype=F64, requires_grad=True), Tensor(y, dtype=F64, requires_grad=True)]
    a = binary_cross_entropy(*fused, reduction=reduction)
    b = unfused(*plain, reduction)
    a.backward()
    b.backward()
    assert float(a.data) == pytest.approx(float(b.data), rel=1e-13)
    for f, p in zip(fused, plain):
        np.testing.assert_allclose(f.grad, p.grad, rtol=1e-11, atol=1e-15)


def test_bce_reductions_divide_the_sum_by_their_count():
    z = Tensor(np.random.default_rng(2).normal(size=(6, 10)), dtype=F64)
    y = np.eye(10)[[0, 1, 2, 3, 4, 5]]
    total = float(binary_cross_entropy(z, y, reduction="sum").data)
    assert float(binary_cross_entropy(z, y).data) == pytest.approx(total / 60, rel=1e-15)
    assert float(binary_cross_entropy(z, y, reduction="batch").data) == pytest.approx(
        total / 6, rel=1e-15)


@pytest.mark.parametrize("z", [16.7, 20.0, 30.0, 50.0, 88.0, 89.0, 200.0, 1e4])
def test_bce_in_float32_where_the_sigmoid_rounds_to_1(z):
    """float32(sigmoid(z)) == 1 for z > 16.6: log(1 - a) would be log 0. The fused loss and
    its gradient keep their relative precision (against float64 math)."""
    assert np.float32(1) / (np.float32(1) + np.exp(np.float32(-z))) == 1.0
    for target in (1.0, 0.0):
        t = Tensor([[z, -z]], requires_grad=True)               # float32
        y = np.array([[target, 1 - target]], dtype=np.float32)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loss = binary_cross_entropy(t, y, reduction="sum")
            loss.backward()
        want = reference_loss(np.array([z, -z]), np.array([target, 1 - target]), "sum")
        assert float(loss.data) == pytest.approx(want, rel=1e-6)
        # d/dz = sigmoid(z) - y: -exp(-z)/(1+exp(-z)) for y = 1 (tiny, not 0), 1 - tiny for 0
        tiny = math.exp(-z) / (1 + math.exp(-z))
        want_grad = [-tiny, tiny] if target == 1.0 else [1 - tiny, -(1 - tiny)]
        np.testing.assert_allclose(t.grad[0], want_grad, rtol=1e-6, atol=1e-45)
        if target == 1.0 and z < 80:
            assert t.grad[0, 0] < 0  # a gradient of exactly 0 would be the rounded sigmoid's


def test_bce_of_extreme_logits_is_finite_in_both_dtypes():
    for dtype in (np.float32, np.float64):
        z = Tensor([[1e30, -1e30, 0.0]], dtype=dtype, requires_grad=True)
        loss = binary_cross_entropy(z, [[0.0, 1.0, 0.5]], reduction="sum")
        loss.backward()
        assert float(loss.data) == pytest.approx(2e30 + math.log(2), rel=1e-6)
        np.testing.assert_allclose(z.grad, [[1.0, -1.0, 0.0]], atol=1e-7)


def test_bce_takes_one_logit_per_example():
    z = Tensor([0.0, 2.0, -1.0], dtype=F64)
    y = [1.0, 1.0, 0.0]
    batch = float(binary_cross_entropy(z, y, reduction="batch").data)
    assert batch == pytest.approx(reference_loss(z.data, np.array(y), "mean"), rel=1e-15)


def test_bce_keeps_float32_and_trains_a_sigmoid_free_output_layer():
    net = mlp(2, [8, 1], activation=["tanh", "linear"], seed=0)
    x = Tensor(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32))
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    from nn import SGD
    opt = SGD(net.parameters(), lr=0.5)
    losses = []
    for _ in range(400):
        loss = binary_cross_entropy(net(x), y)
        assert loss.dtype == np.float32
        losses.append(float(loss.data))
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert losses[-1] < 0.1 * losses[0]
    assert np.array_equal(net(x).data > 0, y > 0.5)


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: binary_cross_entropy(np.zeros((2, 2)), np.zeros((2, 2))), TypeError,
     r"takes a Tensor of logits, got ndarray"),
    (lambda: binary_cross_entropy(Tensor(np.zeros((2, 2))), np.zeros((2, 3))), ValueError,
     r"logits and targets of one shape, got \(2, 2\) and \(2, 3\)"),
    (lambda: binary_cross_entropy(Tensor(np.zeros((2, 2))), np.full((2, 2), 1.5)), ValueError,
     r"targets must be in \[0, 1\], got values from 1.5 to 1.5"),
    (lambda: binary_cross_entropy(Tensor(np.zeros((2, 2))), -np.ones((2, 2))), ValueError,
     r"targets must be in \[0, 1\]"),
    (lambda: binary_cross_entropy(Tensor(np.zeros((1, 2))), [[0.5, np.nan]]), NonFiniteError,
     r"the targets hold nan at index \(0, 1\)"),
    (lambda: binary_cross_entropy(Tensor([[0.0, np.inf]]), [[1, 1]]), NonFiniteError,
     r"the logits hold inf at index \(0, 1\); the network's numbers overflowed"),
    (lambda: binary_cross_entropy(Tensor(np.zeros((0, 10))), np.zeros((0, 10))), ValueError,
     r"mini-batch of no examples \(logits of shape \(0, 10\)\)"),
    (lambda: binary_cross_entropy(Tensor(np.zeros((2, 2))), np.zeros((2, 2)), "avg"),
     ValueError, r"reduction must be one of 'mean', 'sum', 'batch', got 'avg'"),
    (lambda: binary_cross_entropy(Tensor(0.0), 1.0), ValueError, r"no examples"),
])
def test_bce_refuses_bad_input_by_name(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


# ----------------------------------------------------------------- every cost


@pytest.mark.parametrize("cost", [
    lambda out: quadratic_cost(out, np.zeros(out.shape, np.float32)),
    lambda out: cross_entropy(out, np.zeros(out.shape[0], int)),
    lambda out: binary_cross_entropy(out, np.zeros(out.shape, np.float32)),
])
def test_a_mini_batch_of_no_examples_is_refused_not_nan(cost):
    net = mlp(784, [16, 10], seed=0)
    outputs = net(Tensor(np.zeros((0, 784))))          # the network itself is fine with it
    assert outputs.shape == (0, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                 # no 0/0 RuntimeWarning first
        with pytest.raises(ValueError, match=r"mini-batch of no examples"):
            cost(outputs)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("cost, name", [
    (lambda out: quadratic_cost(out, np.zeros((2, 3), np.float32)), "quadratic_cost: the outputs"),
    (lambda out: cross_entropy(out, [0, 1]), "cross_entropy: the logits"),
])
def test_costs_refuse_outputs_that_are_not_finite(bad, cost, name):
    if bad == -np.inf and name.startswith("cross_entropy"):
        pytest.skip("a logit of -inf is a probability of 0: the cost is finite and defined")
    outputs = Tensor(np.zeros((2, 3)), requires_grad=True)
    outputs.data[1, 2] = bad
    with pytest.raises(NonFiniteError,
                       match=rf"{name} hold {bad} at index \(1, 2\); the network's"):
        cost(outputs)


def test_quadratic_cost_refuses_targets_that_are_not_finite():
    with pytest.raises(NonFiniteError, match=r"the targets hold nan at index \(0, 0\)"):
        quadratic_cost(Tensor(np.zeros((1, 2))), [[np.nan, 0.0]])


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: one_hot([1, 2], 0), ValueError, r"num_classes must be at least 1, got 0"),
    (lambda: one_hot([1, 2], -1), ValueError, r"num_classes must be at least 1"),
    (lambda: one_hot([1, 2], 2.5), TypeError, r"num_classes must be a whole number"),
    (lambda: one_hot([[1], [2]], 3), ValueError, r"one row of class numbers, shape \(N,\), "
                                                 r"got shape \(2, 1\)"),
    (lambda: one_hot([True, False], 2), ValueError, r"labels must be integers"),
])
def test_one_hot_refuses_bad_input_by_name(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_a_logit_of_minus_infinity_is_a_probability_of_zero():
    """Cross-entropy stays defined when a logit not of the label is -inf: that class gets
    probability 0, the cost and its gradient are finite (checked at the cost, not refused)."""
    logits = Tensor([[0.0, -np.inf], [1.0, 0.0]], dtype="float64", requires_grad=True)
    loss = cross_entropy(logits, [0, 1])
    assert float(loss.data) == pytest.approx((0.0 + np.log(1 + np.e)) / 2)
    loss.backward()
    assert np.isfinite(logits.grad).all() and logits.grad[0, 1] == 0.0
