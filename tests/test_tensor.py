"""The NumPy backend ``nn.Tensor``: every rule against central differences in float64.

Elementwise operations are taken from the one operation table (``autograd.ops.OPS``), so an
operation added there is checked here without editing this file (``call_op`` fails loudly if
it does not know how to call a new operation on a Tensor).
"""

from __future__ import annotations

import operator
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from autograd import OPS, Value, no_grad, topological_order
from domains import DOMAINS
from nn import Linear, Tensor, cross_entropy, mlp, quadratic_cost
from nn.numpy_math import EXP_CAP, NumpyMath
from nn.tensor import apply_tensor_op, unbroadcast
from nn.tensor_ops import Affine

F64 = np.float64
BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
          "**": operator.pow}
CONSTS = (2, 3, 0, 1, -1, 0.5, -1.5)  # exponents for operations that take a constant
UNARY_OPS = [op for op in OPS.values() if op.arity == 1 and not op.takes_const]
BINARY_OPS = [op for op in OPS.values() if op.arity == 2]
CONST_OPS = [op for op in OPS.values() if op.takes_const]



def reference(op, *arrays, const=None):
    """The forward rule of ``op`` written independently of the table (``tests/domains.py``),
    applied element by element."""
    rule = DOMAINS[op.name].reference
    args = list(np.broadcast_arrays(*arrays))
    out = np.vectorize(lambda *xs: rule(*xs, *([const] if op.takes_const else [])),
                       otypes=[float])(*args)
    return out


def call_op(op, *inputs, const=None):
    """Apply table entry ``op`` to Tensors the way a user writes it (``a + b``, ``t.exp()``)."""
    if op.arity == 2:
        return BINARY[op.symbol](*inputs)
    (a,) = inputs
    if op.takes_const:
        assert op.symbol == "**", f"no way to call {op.name} on a Tensor: extend call_op"
        return a ** const
    if op.symbol == "-":
        return -a
    method = getattr(Tensor, op.name, None)
    if method is None:
        pytest.fail(f"Tensor has no method {op.name!r} for the table's operation {op.name}")
    return method(a)


def test_every_table_entry_is_covered():
    assert set(OPS) == {op.name for op in UNARY_OPS + BINARY_OPS + CONST_OPS}
    for op in OPS.values():
        assert op.elementwise


def draw(rng, shape, low=0.3, high=2.0):
    """Numbers with |x| in [low, high], random signs: off every kink (relu at 0, 1/x at 0)."""
    magnitude = rng.uniform(low, high, size=shape)
    return np.array(np.where(rng.random(shape) < 0.5, -magnitude, magnitude))


def inputs_for(op, shapes, rng, const=None):
    """Float64 arrays inside ``op``'s domain: signs are dropped if the table says so."""
    arrays = [draw(rng, s) for s in shapes]
    args = arrays + ([const] if op.takes_const else [])
    if op.domain(NumpyMath, *args) is not None:
        arrays = [np.array(np.abs(a)) for a in arrays]  # 0-d stays an array
        args = arrays + ([const] if op.takes_const else [])
    assert op.domain(NumpyMath, *args) is None
    return arrays


def central_difference(f, arrays, eps=1e-6):
    """d f / d array for each array, one element at a time: (f(x+eps) - f(x-eps)) / 2eps."""
    grads = []
    for x in arrays:
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            orig = x[idx]
            x[idx] = orig + eps
            up = f()
            x[idx] = orig - eps
            down = f()
            x[idx] = orig
            g[idx] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def check_gradients(build, arrays, rng, rtol=1e-6, atol=1e-8):
    """Compare backward() of loss = (build(*tensors) * R).sum() with central differences.

    Also returns the forward output so callers can check it against a reference.
    """
    tensors = [Tensor(a, dtype=F64, requires_grad=True) for a in arrays]
    out = build(*tensors)
    assert out.dtype == F64
    weights = rng.normal(size=out.shape)
    loss = (out * Tensor(weights, dtype=F64)).sum()
    assert loss.shape == ()
    loss.backward()

    def f():
        with no_grad():
            t = build(*[Tensor(a, dtype=F64) for a in arrays])
        return float((t.data * weights).sum())

    numeric = central_difference(f, arrays)
    for t, want in zip(tensors, numeric):
        assert t.grad is not None
        assert t.grad.shape == t.shape
        assert t.grad.dtype == F64
        np.testing.assert_allclose(t.grad, want, rtol=rtol, atol=atol)
    return out


# ----------------------------------------------------------------- elementwise, from the table


@pytest.mark.parametrize("shape", [(), (5,), (2, 3)])
@pytest.mark.parametrize("op", UNARY_OPS, ids=lambda op: op.name)
def test_unary_op_gradient(op, shape):
    rng = np.random.default_rng(0)
    (x,) = inputs_for(op, [shape], rng)
    out = check_gradients(lambda t: call_op(op, t), [x], rng)
    assert out.shape == shape
    np.testing.assert_allclose(out.data, reference(op, x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("const", CONSTS)
@pytest.mark.parametrize("op", CONST_OPS, ids=lambda op: op.name)
def test_const_op_gradient(op, const):
    rng = np.random.default_rng(1)
    (x,) = inputs_for(op, [(2, 3)], rng, const)
    out = check_gradients(lambda t: call_op(op, t, const=const), [x], rng)
    np.testing.assert_allclose(out.data, reference(op, x, const=const), rtol=1e-12, atol=1e-15)


BROADCASTS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((3, 1), (1, 4)),
              ((2, 3, 4), (3, 1)), ((3, 1), (2, 3, 4)), ((), (2, 3)), ((2, 3), ()),
              ((1,), (5,))]


@pytest.mark.parametrize("shapes", BROADCASTS, ids=str)
@pytest.mark.parametrize("op", BINARY_OPS, ids=lambda op: op.name)
def test_binary_op_gradient_with_broadcasting(op, shapes):
    rng = np.random.default_rng(2)
    a, b = inputs_for(op, shapes, rng)
    out = check_gradients(lambda s, t: call_op(op, s, t), [a, b], rng)
    assert out.shape == np.broadcast_shapes(*shapes)
    np.testing.assert_allclose(out.data, reference(op, a, b), rtol=1e-12, atol=1e-15)


@settings(max_examples=25, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       seed=st.integers(0, 2**32 - 1), op=st.sampled_from(BINARY_OPS))
def test_binary_op_gradient_any_broadcast(shapes, seed, op):
    rng = np.random.default_rng(seed)
    a, b = inputs_for(op, shapes.input_shapes, rng)
    out = check_gradients(lambda s, t: call_op(op, s, t), [a, b], rng)
    assert out.shape == shapes.result_shape


SCALAR_SIDES = [
    ("2*t", lambda t: 2 * t, lambda x: 2 * x),
    ("t*2", lambda t: t * 2, lambda x: x * 2),
    ("2+t", lambda t: 2 + t, lambda x: 2 + x),
    ("t+2.5", lambda t: t + 2.5, lambda x: x + 2.5),
    ("2-t", lambda t: 2 - t, lambda x: 2 - x),
    ("t-2", lambda t: t - 2, lambda x: x - 2),
    ("1/t", lambda t: 1 / t, lambda x: 1 / x),
    ("t/4", lambda t: t / 4, lambda x: x / 4),
    ("2**t", lambda t: 2 ** t, lambda x: 2.0 ** x),
    ("t**2", lambda t: t ** 2, lambda x: x ** 2),
    ("-t", lambda t: -t, lambda x: -x),
    ("3-2/t*t", lambda t: 3 - 2 / t * t, lambda x: 3 - 2 / x * x),
]


@pytest.mark.parametrize("expr, build, reference", SCALAR_SIDES, ids=[s[0] for s in SCALAR_SIDES])
def test_python_numbers_on_either_side(expr, build, reference):
    rng = np.random.default_rng(3)
    x = draw(rng, (2, 3))
    out = check_gradients(build, [x], rng)
    np.testing.assert_allclose(out.data, reference(x), rtol=1e-14)


def test_same_tensor_on_both_sides_sums_both_paths():
    x = np.array([0.5, -1.5, 2.0])
    t = Tensor(x, dtype=F64, requires_grad=True)
    (t * t + t / t).sum().backward()  # d/dx (x^2 + 1) = 2x
    np.testing.assert_allclose(t.grad, 2 * x, rtol=1e-15)


# ----------------------------------------------------------------- matmul, sum, mean


def test_matmul_gradient_and_value():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    out = check_gradients(lambda s, t: s @ t, [a, b], rng)
    np.testing.assert_allclose(out.data, a @ b, rtol=1e-14)


def test_matmul_vjp_formulas():
    rng = np.random.default_rng(5)
    a, b, g = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=(3, 2))
    ta, tb = Tensor(a, dtype=F64, requires_grad=True), Tensor(b, dtype=F64, requires_grad=True)
    (ta @ tb).backward(g)
    np.testing.assert_allclose(ta.grad, g @ b.T, rtol=1e-14)
    np.testing.assert_allclose(tb.grad, a.T @ g, rtol=1e-14)


def test_matmul_with_a_constant_side():
    rng = np.random.default_rng(6)
    x = Tensor(rng.normal(size=(3, 4)), dtype=F64)  # an input: no gradient wanted
    w = Tensor(rng.normal(size=(4, 2)), dtype=F64, requires_grad=True)
    (x @ w).sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(w.grad, x.data.T @ np.ones((3, 2)), rtol=1e-14)


AXES = [None, 0, 1, -1, (0, 1)]
AXES_3D = [None, 0, 2, -1, (0, 2), (0, 1, 2), (1,)]


@pytest.mark.parametrize("reduce", ["sum", "mean"])
@pytest.mark.parametrize("shape, axis", [((3, 4), a) for a in AXES]
                         + [((2, 3, 4), a) for a in AXES_3D], ids=str)
def test_sum_and_mean(reduce, shape, axis):
    rng = np.random.default_rng(7)
    x = rng.normal(size=shape)
    out = check_gradients(lambda t: getattr(t, reduce)(axis=axis), [x], rng)
    want = getattr(np, reduce)(x, axis=axis)
    assert out.shape == np.shape(want)
    np.testing.assert_allclose(out.data, want, rtol=1e-14)


def test_sum_and_mean_gradients_by_hand():
    x = Tensor(np.ones((2, 5)), dtype=F64, requires_grad=True)
    x.mean().backward()
    np.testing.assert_array_equal(x.grad, np.full((2, 5), 1 / 10))
    x.zero_grad()
    x.mean(axis=1).backward(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(x.grad, [[1 / 5] * 5, [2 / 5] * 5])
    x.zero_grad()
    x.sum(axis=0).backward(np.arange(5.0))
    np.testing.assert_array_equal(x.grad, [np.arange(5.0)] * 2)


def test_mean_over_no_elements_raises():
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"shape \(0, 3\).*averages no elements"):
        x.mean()
    assert x.mean(axis=1).shape == (0,)   # zero means of three elements each: fine


# ----------------------------------------------------------------- a layer's x @ w + b


@pytest.mark.parametrize("needs", [(True, True, True), (False, True, True),
                                   (True, False, False)], ids=str)
def test_affine_gradients_against_central_differences(needs):
    """Linear layers record x @ w + b as one operation; its VJP must be the chain rule
    through the matmul and the broadcast add."""
    rng = np.random.default_rng(11)
    x, w, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    tensors = [Tensor(a, dtype=F64, requires_grad=n) for a, n in zip((x, w, b), needs)]
    weights = rng.normal(size=(5, 3))
    out = apply_tensor_op(Affine, *tensors)
    np.testing.assert_allclose(out.data, x @ w + b, rtol=1e-14)
    (out * Tensor(weights, dtype=F64)).sum().backward()
    arrays = [x, w, b]

    def f():
        return float(((arrays[0] @ arrays[1] + arrays[2]) * weights).sum())

    numeric = central_difference(f, arrays)
    for t, want, need in zip(tensors, numeric, needs):
        if need:
            np.testing.assert_allclose(t.grad, want, rtol=1e-6, atol=1e-8)
        else:
            assert t.grad is None


def test_linear_layer_matches_matmul_then_add():
    rng = np.random.default_rng(12)
    layer = Linear(4, 3, rng=rng, dtype=F64)
    x = Tensor(rng.normal(size=(5, 4)), dtype=F64, requires_grad=True)
    layer(x).sum().backward()
    fused = [t.grad.copy() for t in (x, layer.weight, layer.bias)]
    for t in (x, layer.weight, layer.bias):
        t.zero_grad()
    (x @ layer.weight + layer.bias).sum().backward()
    for got, t in zip(fused, (x, layer.weight, layer.bias)):
        np.testing.assert_allclose(got, t.grad, rtol=1e-14)


# ----------------------------------------------------------------- the quadratic cost


def test_quadratic_cost_against_the_formula_and_central_differences():
    rng = np.random.default_rng(13)
    a, y = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    ta, ty = (Tensor(v, dtype=F64, requires_grad=True) for v in (a, y))
    loss = quadratic_cost(ta, ty)
    assert loss.shape == ()
    np.testing.assert_allclose(loss.data, ((a - y) ** 2).sum(axis=1).mean(), rtol=1e-14)
    loss.backward()
    arrays = [a, y]
    numeric = central_difference(lambda: float(((arrays[0] - arrays[1]) ** 2).sum(axis=1).mean()),
                                 arrays)
    np.testing.assert_allclose(ta.grad, numeric[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ty.grad, numeric[1], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ta.grad, 2 * (a - y) / 6, rtol=1e-14)


def test_quadratic_cost_matches_its_four_steps():
    rng = np.random.default_rng(14)
    a, y = rng.random((5, 3)), rng.random((5, 3))
    t = Tensor(a, dtype=F64, requires_grad=True)
    quadratic_cost(t * 1.0, y).backward()
    fused = t.grad.copy()
    t.zero_grad()
    ((t - Tensor(y, dtype=F64)) ** 2).sum(axis=1).mean().backward()
    np.testing.assert_allclose(fused, t.grad, rtol=1e-14)


# ----------------------------------------------------------------- softmax cross-entropy


def naive_cross_entropy(z, labels):
    """mean over n of -log(softmax(z[n])[y[n]]), straight from the definition."""
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(labels)), labels])), p


def test_cross_entropy_against_the_formula_and_central_differences():
    rng = np.random.default_rng(8)
    z = rng.normal(scale=2.0, size=(4, 5))
    labels = np.array([0, 3, 4, 3])
    out = check_gradients(lambda t: t.cross_entropy(labels), [z], rng)
    loss, p = naive_cross_entropy(z, labels)
    assert out.shape == ()
    assert float(out.data) == pytest.approx(loss, rel=1e-13)
    # the VJP: (softmax - one_hot) / N, times the upstream gradient
    t = Tensor(z, dtype=F64, requires_grad=True)
    (3.0 * cross_entropy(t, labels)).backward()
    onehot = np.eye(5)[labels]
    np.testing.assert_allclose(t.grad, 3.0 * (p - onehot) / 4, rtol=1e-12, atol=1e-15)


def test_cross_entropy_of_equal_logits_is_log_k():
    t = Tensor(np.zeros((3, 7)), dtype=F64)
    assert float(t.cross_entropy([0, 6, 2]).data) == pytest.approx(np.log(7), rel=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_with_huge_logits_is_finite(dtype):
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 500.0], [1000.0, 1000.0, -3.0]])
    labels = np.array([0, 2, 1])
    t = Tensor(z, dtype=dtype, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings either
        loss = t.cross_entropy(labels)
        loss.backward()
    assert np.isfinite(loss.data)
    assert np.all(np.isfinite(t.grad))
    # independent stable reference: log-sum-exp by np.logaddexp
    lse = np.logaddexp.reduce(z, axis=1)
    want = np.mean(lse - z[np.arange(3), labels])  # (0 + 500 + log 2) / 3
    assert float(loss.data) == pytest.approx(want, rel=1e-6)
    p = np.exp(z - lse[:, None])
    np.testing.assert_allclose(t.grad, (p - np.eye(3)[labels]) / 3, atol=1e-6)


def test_cross_entropy_bad_labels():
    t = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"labels \(N,\), got \(2, 3\) and \(3,\)"):
        t.cross_entropy([0, 1, 2])
    with pytest.raises(ValueError, match=r"integers in \[0, 3\)"):
        t.cross_entropy([0, 3])
    with pytest.raises(ValueError, match=r"integers in \[0, 3\)"):
        t.cross_entropy([0.0, 1.0])


# ----------------------------------------------------------------- sigmoid at the extremes


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_of_plus_minus_1000_is_finite(dtype):
    t = Tensor([-1000.0, -30.0, 0.0, 30.0, 1000.0], dtype=dtype, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = t.sigmoid()
        s.sum().backward()
    assert np.all(np.isfinite(s.data)) and np.all(np.isfinite(t.grad))
    # sigmoid(-1000) is about 5e-435: the result is 0 or a subnormal float, never a normal one
    assert 0.0 <= s.data[0] < np.finfo(dtype).tiny
    assert s.data[-1] == 1.0 and s.data[2] == 0.5
    x = np.array([-30.0, 30.0])
    np.testing.assert_allclose(s.data[[1, 3]], 1 / (1 + np.exp(-x)), rtol=1e-6)
    np.testing.assert_allclose(t.grad, s.data * (1 - s.data), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_never_warns_and_is_monotone_through_the_exp_cap(dtype):
    """Around the largest x whose exp is finite, the sigmoid neither warns about overflow nor
    rises as its input falls, and it matches the scalar engine where the true value is a
    normal float (the scalar engine computes exp(a) / (1 + exp(a)) there)."""
    cap = float(EXP_CAP[np.dtype(dtype)])
    a = np.sort(np.concatenate([np.linspace(-cap - 30, -cap + 30, 2001), [-np.inf, -1e30]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = NumpyMath.sigmoid(a.astype(dtype))
    assert s.dtype == dtype and np.all(np.diff(s) >= 0) and np.all(s >= 0)
    tiny = np.finfo(dtype).tiny
    exact = np.array([Value(float(v)).sigmoid().data for v in a[2:]])
    normal = exact >= tiny
    np.testing.assert_allclose(s[2:][normal], exact[normal], rtol=1e-5)
    assert np.all(s[2:][~normal] < tiny) and np.all(s[:2] < tiny)


# ----------------------------------------------------------------- unbroadcast


def unbroadcast_by_loop(grad, shape):
    """Each element of grad added to the element of ``shape`` that broadcasting copied."""
    out = np.zeros(shape)
    extra = grad.ndim - len(shape)
    for idx in np.ndindex(grad.shape):
        target = tuple(0 if n == 1 else i for i, n in zip(idx[extra:], shape))
        out[target] += grad[idx]
    return out


@pytest.mark.parametrize("grad_shape, shape", [
    ((3, 4), (4,)), ((3, 4), (3, 1)), ((3, 4), (1, 4)), ((3, 4), (1, 1)), ((3, 4), ()),
    ((2, 3, 4), (3, 1)), ((2, 3, 4), (1, 3, 1)), ((2, 3, 4), (4,)), ((5,), (1,)),
    ((2, 1, 4), (1, 4)), ((3, 4), (3, 4))], ids=str)
def test_unbroadcast(grad_shape, shape):
    grad = np.random.default_rng(9).normal(size=grad_shape)
    got = unbroadcast(grad, shape)
    assert got.shape == shape
    np.testing.assert_allclose(got, unbroadcast_by_loop(grad, shape), rtol=1e-13)
    assert float(np.sum(got)) == pytest.approx(float(np.sum(grad)), rel=1e-12)


def test_unbroadcast_32_rows_into_a_bias():
    np.testing.assert_array_equal(unbroadcast(np.ones((32, 16)), (16,)), np.full(16, 32.0))


# ----------------------------------------------------------------- dtypes


def test_float32_by_default():
    assert Tensor([1.0, 2.0]).dtype == np.float32
    assert Tensor(np.arange(3.0)).dtype == np.float32  # a float64 array is converted
    assert Tensor(3).dtype == np.float32
    assert Tensor([[1, 2]]).data.tolist() == [[1.0, 2.0]]


@pytest.mark.parametrize("spelling", [np.float64, "float64", np.dtype("float64")])
def test_float64_on_request(spelling):
    assert Tensor([1.0], dtype=spelling).dtype == np.float64


def test_tensor_copies_its_data():
    a = np.array([1.0, 2.0])
    t = Tensor(a, dtype=F64)
    a[0] = 99.0
    assert t.data[0] == 1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_results_and_grads_keep_the_dtype(dtype):
    rng = np.random.default_rng(10)
    x = Tensor(rng.uniform(0.5, 1.5, size=(3, 4)), dtype=dtype, requires_grad=True)
    w = Tensor(rng.normal(size=(4, 2)), dtype=dtype, requires_grad=True)
    b = Tensor(rng.normal(size=(2,)), dtype=dtype, requires_grad=True)
    steps = [x * 2, 2 - x, 1 / x, 2 ** x, x ** 2, x ** 0.5, -x, x.exp(), x.log(), x.tanh(),
             x.sigmoid(), x.relu(), x / x, x ** x, x @ w + b, x.sum(axis=0), x.mean(axis=1)]
    for step in steps:
        assert step.dtype == dtype, step
    logits = (x @ w + b).tanh()
    loss = logits.cross_entropy([0, 1, 1]) + x.mean() + sum(s.sum() for s in steps)
    assert loss.dtype == dtype
    loss.backward()
    for p in (x, w, b):
        assert p.grad.dtype == dtype
        assert p.grad.shape == p.shape


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize("data, pattern", [
    ("abc", r"real numbers, got dtype <U3 from str"),
    (1 + 2j, r"real numbers, got dtype complex128"),
    ([1.0, 2j], r"real numbers, got dtype complex128"),
    (None, r"real numbers, got dtype object"),
    ([[1.0, 2.0], [3.0]], r"rectangular"),
])
def test_bad_data_raises_type_error(data, pattern):
    with pytest.raises(TypeError, match=pattern):
        Tensor(data)


@pytest.mark.parametrize("dtype", [int, np.int32, "float16", np.complex128])
def test_bad_dtype_raises_type_error(dtype):
    with pytest.raises(TypeError, match=r"dtype must be float32 or float64"):
        Tensor([1.0], dtype=dtype)


def test_matmul_shape_mismatch_names_the_op_and_shapes():
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"matmul .*\(2, 3\) @ \(2, 3\).*inner sizes 3 and 2"):
        a @ b
    with pytest.raises(ValueError, match=r"matmul .*\(3,\) @ \(3,\)"):
        Tensor(np.ones(3)) @ Tensor(np.ones(3))


@pytest.mark.parametrize("op", BINARY_OPS, ids=lambda op: op.name)
def test_broadcast_mismatch_names_the_op_and_shapes(op):
    a, b = Tensor(np.full((2, 3), 2.0)), Tensor(np.full((4,), 2.0))
    with pytest.raises(ValueError, match=rf"{op.name}: shapes \(2, 3\) and \(4,\) do not "
                                         r"broadcast"):
        call_op(op, a, b)


def test_log_of_a_non_positive_element():
    for bad in ([1.0, 0.0], [2.0, -1.0]):
        with pytest.raises(ValueError, match=r"log of tensors with shapes \(2,\) is undefined"):
            Tensor(bad).log()


def test_division_by_an_array_with_a_zero():
    with pytest.raises(ZeroDivisionError, match=r"a / b of tensors with shapes \(2, 3\), \(3,\)"):
        Tensor(np.ones((2, 3))) / Tensor([1.0, 0.0, 2.0])
    with pytest.raises(ZeroDivisionError, match=r"a / b of tensors with shapes \(\), \(2,\)"):
        1 / Tensor([0.0, 1.0])


def test_fractional_power_of_a_negative_element():
    with pytest.raises(ValueError,
                       match=r"a \*\* 0\.5 of tensors with shapes \(2,\).*fractional power"):
        Tensor([4.0, -1.0]) ** 0.5


def test_backward_on_a_non_scalar_needs_a_grad():
    t = Tensor([1.0, 2.0], requires_grad=True)
    y = t * 3
    with pytest.raises(ValueError, match=r"one-element tensor.*shape \(2,\).*\.sum\(\)"):
        y.backward()
    y.backward(np.ones(2))  # with the grad given it works
    np.testing.assert_array_equal(t.grad, [3.0, 3.0])


def test_backward_on_a_one_element_tensor_without_grad():
    t = Tensor([[2.0]], dtype=F64, requires_grad=True)
    (t * t).backward()
    assert t.grad.shape == (1, 1) and t.grad[0, 0] == 4.0


# ----------------------------------------------------------------- graph semantics


def test_input_without_requires_grad_gets_no_grad():
    x = Tensor([1.0, 2.0], dtype=F64)
    w = Tensor([3.0, -1.0], dtype=F64, requires_grad=True)
    y = (x * w).sum()
    assert y.requires_grad
    y.backward()
    assert x.grad is None
    np.testing.assert_array_equal(w.grad, x.data)


def test_ops_without_any_requires_grad_build_no_graph():
    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    for y in (a * b + 1, a.exp(), a.sum(), 2 ** a,
              Tensor(np.ones((2, 2))) @ Tensor(np.ones((2, 2))),
              Tensor(np.zeros((1, 3))).cross_entropy([1])):
        assert y.op is None and y.parents == () and not y.requires_grad
    assert not Tensor([1.0]).requires_grad


def test_requires_grad_flows_to_results():
    w = Tensor([1.0], requires_grad=True)
    y = (Tensor([2.0]) * w).exp()
    assert y.requires_grad and y.op is not None
    assert y.parents[0].parents[1] is w


def test_backward_twice_leaves_accumulate_interior_recomputed():
    x = Tensor([1.0, -2.0, 0.5], dtype=F64, requires_grad=True)
    h = x * x                       # interior
    loss = (h * 3.0).sum()          # d loss / d x = 6x, d loss / d h = 3
    loss.backward()
    np.testing.assert_array_equal(x.grad, 6 * x.data)
    np.testing.assert_array_equal(h.grad, [3.0, 3.0, 3.0])
    loss.backward()
    np.testing.assert_array_equal(x.grad, 12 * x.data)          # leaf: accumulated
    np.testing.assert_array_equal(h.grad, [3.0, 3.0, 3.0])      # interior: afresh
    assert float(loss.grad) == 1.0


def test_zero_grad():
    x = Tensor([1.0, -2.0], dtype=F64, requires_grad=True)
    h = x.exp()
    loss = h.sum()
    loss.backward()
    loss.zero_grad()
    assert x.grad is None and h.grad is None and loss.grad is None
    loss.backward()
    np.testing.assert_allclose(x.grad, np.exp(x.data), rtol=1e-15)
    x.zero_grad()  # a leaf on its own
    assert x.grad is None


def test_no_grad_builds_no_graph_for_tensors():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = (x * 2).sum()
        with no_grad():
            z = x.exp()
        assert z.op is None
        w = x + 1  # still off after the inner block ends
    for t in (y, z, w):
        assert t.op is None and t.parents == () and not t.requires_grad
    np.testing.assert_array_equal(y.data, 6.0)
    assert (x * 2).op is not None  # on again after the block


# ----------------------------------------------------------------- library bugs found
# Each test below fails on the library as written; see the report for the proposed fix.


def test_numpy_array_on_the_left_gives_a_tensor():
    """``np_array + t`` must defer to Tensor.__radd__ (as ``2 + t`` does), not build an
    object array of one-element Tensors. Fix: ``__array_ufunc__ = None`` on Tensor."""
    t = Tensor([1.0, 2.0], dtype=F64, requires_grad=True)
    y = np.array([10.0, 20.0]) - t
    assert isinstance(y, Tensor)
    np.testing.assert_array_equal(y.data, [9.0, 18.0])
    y.sum().backward()
    np.testing.assert_array_equal(t.grad, [-1.0, -1.0])
    m = np.ones((3, 2)) @ Tensor(np.ones((2, 4)), requires_grad=True)
    assert isinstance(m, Tensor) and m.shape == (3, 4)


def test_numpy_scalar_exponent():
    """``autograd.Value`` accepts NumPy scalars everywhere; ``t ** np.float32(2)`` should too."""
    t = Tensor([3.0], dtype=F64, requires_grad=True)
    for c in (np.float32(2.0), np.int64(2)):
        np.testing.assert_array_equal((t ** c).data, [9.0])


def test_leaf_grad_is_a_writable_array_of_its_own():
    """A leaf's grad must not be a read-only broadcast view or shared with another tensor:
    learners clip or scale grads in place (``p.grad *= 0.5``)."""
    x = Tensor([1.0, 2.0], dtype=F64, requires_grad=True)
    y = Tensor([3.0, 4.0], dtype=F64, requires_grad=True)
    (x + y).sum().backward()
    assert x.grad is not y.grad
    assert x.grad.flags.writeable and y.grad.flags.writeable
    x.grad *= 0.5
    np.testing.assert_array_equal(x.grad, [0.5, 0.5])
    np.testing.assert_array_equal(y.grad, [1.0, 1.0])


def test_leaf_grads_share_memory_with_nothing_else_in_the_graph():
    """Leaves adopt their VJP's new arrays without copying; none may alias another array of
    the graph (a grad, a parameter, an input), or ``p.grad *= 0.5`` would change it too."""
    net = mlp(3, [4, 2], activation=["sigmoid", "linear"], seed=0)
    x = Tensor(np.random.default_rng(0).random((5, 3)), requires_grad=True)
    a = Tensor(np.ones(2), requires_grad=True)
    c = Tensor(np.ones((5, 2)), requires_grad=True)   # gets the upstream grad itself (d/dc = 1)
    loss = (quadratic_cost(net(x) + a + c, np.zeros((5, 2))) + (a * a).sum()
            + net(x).cross_entropy(np.arange(5) % 2))
    loss.backward()
    nodes = topological_order(loss)
    leaves = [t for t in nodes if t.op is None and t.requires_grad]
    assert len(leaves) == 7
    for leaf in leaves:
        others = [t.data for t in nodes] + [t.grad for t in nodes
                                            if t.grad is not None and t is not leaf]
        for array in others:
            assert not np.shares_memory(leaf.grad, array)


def test_from_numpy_shares_memory_and_checks_the_dtype():
    batch = np.zeros((2, 3), dtype=np.float32)
    t = Tensor.from_numpy(batch)
    batch[0, 0] = 5.0
    assert t.data[0, 0] == 5.0 and t.dtype == np.float32 and not t.requires_grad
    with pytest.raises(TypeError, match="float32 or float64 ndarray, got int64"):
        Tensor.from_numpy(np.zeros(3, dtype=np.int64))
    with pytest.raises(TypeError, match="got list"):
        Tensor.from_numpy([1.0, 2.0])


def test_backward_grad_of_the_wrong_shape_raises():
    """``backward(grad)`` must check grad against the tensor's shape: today a (4, 2) grad for a
    (2,) tensor is silently broadcast and summed, giving a gradient 4 times too large."""
    x = Tensor([1.0, 2.0], dtype=F64, requires_grad=True)
    loss = (x * 3).sum()
    loss.backward(2.0)  # a plain number for a 0-d loss is fine
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])
    x.zero_grad()
    with pytest.raises(ValueError, match=r"shape"):
        (x * 3).backward(np.ones((4, 2)))
    assert x.grad is None


# ----------------------------------------------------------------- construction keeps values


@pytest.mark.parametrize("data, dtype, error, pattern", [
    ([1e300], None, OverflowError, r"1e\+300 at index \(0,\) is too large for float32 .*inf"),
    (-1e39, None, OverflowError, r"-1e\+39 at index \(\) is too large for float32"),
    ([[0.5, 3.5e38]], None, OverflowError, r"at index \(0, 1\)"),
    ([1e-50], None, ValueError, r"1e-50 at index \(0,\) is too small for float32 .*become 0"),
    ([2 ** 40 + 1], None, ValueError, r"1099511627777 .* cannot hold exactly .*1099511627776"),
    (np.array([1, 2 ** 24 + 1]), None, ValueError, r"16777217 at index \(1,\)"),
    (np.array([2 ** 60 + 1]), "float64", ValueError, r"float64 cannot hold exactly"),
    (np.array([2 ** 64 - 1], dtype=np.uint64), None, ValueError, r"18446744073709551615"),
])
def test_a_value_the_dtype_cannot_hold_is_refused(data, dtype, error, pattern):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no RuntimeWarning on the way
        with pytest.raises(error, match=pattern):
            Tensor(data, dtype=dtype)


def test_float64_names_the_wider_dtype_as_the_fix():
    with pytest.raises(OverflowError, match=r'pass dtype="float64"'):
        Tensor([1e300])
    assert Tensor([1e300], dtype=F64).data[0] == 1e300
    assert Tensor([1e-50], dtype=F64).data[0] == 1e-50
    assert Tensor([2 ** 40 + 1], dtype=F64).data[0] == 2 ** 40 + 1


@pytest.mark.parametrize("data", [
    [0.1, -2.5, 3.4028234663852886e38],   # rounding, and float32's largest value itself
    [3.40282356e38],                      # beyond it, but nearer to it than to inf
    [2 ** 24, -2 ** 24, 2 ** 30],         # integers that float32 holds exactly
    [np.inf, -np.inf, np.nan],            # given as such: kept
    [1e-45],                              # rounds to float32's smallest subnormal, not 0
    np.zeros((0, 3)),
])
def test_ordinary_rounding_is_accepted(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = Tensor(data)
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float32))


def test_a_tensor_converted_to_float32_is_checked_too():
    with pytest.raises(OverflowError, match="too large for float32"):
        Tensor(Tensor([1e300], dtype=F64))


@pytest.mark.parametrize("requires_grad", ["no", "", 1, 0, None, np.array(True)])
def test_requires_grad_must_be_a_bool(requires_grad):
    with pytest.raises(TypeError, match=r"requires_grad must be True or False"):
        Tensor([1.0], requires_grad=requires_grad)
    with pytest.raises(TypeError, match=r"requires_grad must be True or False"):
        Tensor.from_numpy(np.ones(2), requires_grad=requires_grad)
    assert Tensor([1.0], requires_grad=np.True_).requires_grad is True


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match=r"label must be a string or None, got int 3"):
        Tensor([1.0], label=3)
    with pytest.raises(TypeError, match=r"label must be a string"):
        Tensor.from_numpy(np.ones(2), label=["w"])


def test_from_numpy_refuses_a_read_only_parameter():
    frozen = np.ones(3)
    frozen.flags.writeable = False
    assert Tensor.from_numpy(frozen).data is frozen  # an input may be read-only
    with pytest.raises(ValueError, match=r"read-only.*array.copy\(\)"):
        Tensor.from_numpy(frozen, requires_grad=True)


# ----------------------------------------------------------------- 0-d results are arrays


def zero_d_results(t, other):
    """Every operation on 0-d tensors (``t`` and ``other``), and full reductions."""
    results = {op.name: call_op(op, t, other) for op in BINARY_OPS}
    results.update({op.name: call_op(op, t) for op in UNARY_OPS})
    results.update({op.name: call_op(op, t, const=2) for op in CONST_OPS})
    matrix = Tensor(np.ones((2, 3)), dtype=t.dtype, requires_grad=True)
    results.update({"sum": matrix.sum(), "mean": matrix.mean(), "sum0d": t.sum(),
                    "mean0d": t.mean(), "sum_axes": matrix.sum(axis=(0, 1)),
                    "quadratic_cost": quadratic_cost(matrix, np.zeros((2, 3))),
                    "cross_entropy": matrix.cross_entropy([0, 1])})
    return results


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_operations_on_0d_tensors_give_0d_arrays(dtype):
    t = Tensor(1.5, dtype=dtype, requires_grad=True)
    other = Tensor(0.5, dtype=dtype, requires_grad=True)
    for name, result in zero_d_results(t, other).items():
        assert type(result.data) is np.ndarray, name
        assert result.data.shape == () and result.data.dtype == dtype, name
    with no_grad():  # the same without a graph
        for name, result in zero_d_results(t, other).items():
            assert type(result.data) is np.ndarray, name


def test_a_0d_leaf_grad_is_a_0d_array_after_one_backward():
    t = Tensor(1.5, dtype=F64, requires_grad=True)
    for make in (lambda: t.exp(), lambda: (t * 2).sum(), lambda: t.mean(), lambda: t ** 3):
        t.zero_grad()
        make().backward()
        assert type(t.grad) is np.ndarray and t.grad.shape == (), t.grad


def test_a_0d_leaf_grad_stays_a_0d_array_when_it_accumulates():
    t = Tensor(1.5, dtype=F64, requires_grad=True)
    (t * 2).backward()
    (t * 2).backward()          # a second backward adds to the grad
    assert t.grad == 4.0
    assert type(t.grad) is np.ndarray
    t.zero_grad()
    (t * t).backward()          # one backward, two paths to t
    assert t.grad == 3.0
    assert type(t.grad) is np.ndarray


@pytest.mark.parametrize("axis, error, pattern", [
    (True, TypeError, r"axis must be None, an int or a tuple of ints, got True"),
    (1.0, TypeError, r"axis must be None"),
    ((0, "1"), TypeError, r"axis must be None"),
    (2, ValueError, r"axis 2 is out of range for a tensor of shape \(2, 3\) \(axes -2 to 1\)"),
    (-3, ValueError, r"axis -3 is out of range"),
    ((1, -1), ValueError, r"axis \(1, -1\) names an axis twice"),
])
@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_a_bad_axis_is_refused_naming_the_shape(reduce, axis, error, pattern):
    with pytest.raises(error, match=pattern):
        getattr(Tensor(np.ones((2, 3))), reduce)(axis=axis)
    with pytest.raises(ValueError, match=r"0-d tensor, which has no axes"):
        getattr(Tensor(1.0), reduce)(axis=0)
    np.testing.assert_array_equal(getattr(Tensor(np.ones((2, 3))), reduce)(axis=np.int64(-1))
                                  .data, [3.0, 3.0] if reduce == "sum" else [1.0, 1.0])


def test_integers_beyond_int64_say_so():
    with pytest.raises(TypeError, match=r"dtype object .*integers too large for int64"):
        Tensor([2 ** 70])


class Doubling(np.ndarray):
    """An ndarray subclass whose arithmetic differs, as np.matrix's * does."""

    def __mul__(self, other):
        return 2 * np.asarray(self) * other


@pytest.mark.parametrize("subclass", [np.ones(2).view(Doubling), np.ma.masked_array([1.0, 2.0])])
def test_from_numpy_refuses_array_subclasses_with_other_arithmetic(subclass):
    with pytest.raises(TypeError, match=r"float32 or float64 ndarray, got (Doubling|MaskedArray)"):
        Tensor.from_numpy(subclass)
