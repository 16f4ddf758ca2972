"""inf and NaN: refused where finite numbers would make them, unless allowed; NaN never vanishes.

The checker of hand calculations must never judge a person's number against an inf or NaN that
float overflow made, so both engines raise at the first gradient contribution that is not
finite, naming the operation, the local derivative and the upstream gradient (the forward pass
already raised at overflow); ``allow_non_finite()`` opts into IEEE 754 instead.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from autograd import (
    OPS,
    NonFiniteError,
    Value,
    allow_non_finite,
    detect_anomaly,
    grad,
    is_non_finite_allowed,
)
from autograd.check import CheckError, check
from nn import Tensor

ROOT = Path(__file__).resolve().parents[1]
NAN, INF = float("nan"), float("inf")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograd", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def big_gradient():
    """((x - 1) * 1e200 + 1 - 1) * 1e200 + 1 at x = 1: every value is finite (1 at the end),
    but d/dx = 1e400 is larger than any float."""
    x = Value(1.0, label="x")
    return x, ((x - 1) * 1e200 + 1 - 1) * 1e200 + 1


def test_a_gradient_too_large_for_a_float_is_refused_at_its_step():
    x, f = big_gradient()
    assert f.data == 1.0
    with pytest.raises(NonFiniteError) as info:
        f.backward()
    message = str(info.value)
    assert "the gradient passed from 0.0 * 1e+200 to its input (x=1.0 - 1) is not finite" in message
    assert "local derivative 1e+200 * upstream 1e+200 = inf" in message
    assert "allow_non_finite" in message
    assert isinstance(info.value, FloatingPointError)


def test_allowing_non_finite_numbers_gives_ieee_results():
    x, f = big_gradient()
    assert not is_non_finite_allowed()
    with allow_non_finite():
        assert is_non_finite_allowed()
        f.backward()
        assert x.grad == INF
        assert (Value(1e308) * 10).data == INF                 # forward overflow too
    assert not is_non_finite_allowed()                         # restored after the block
    with pytest.raises(OverflowError):
        Value(1e308) * 10


def test_the_cli_refuses_both_of_the_reviews_examples():
    for expression in ("((x-1)*1e200+1-1)*1e200+1", "((x*0*1e200+1)-1)*1e200+1"):
        done = cli("grad", expression, "x=1")
        assert done.returncode == 2, done.stdout
        assert "Traceback" not in done.stderr and "is not finite" in done.stderr
        assert "inf" not in done.stdout and "nan" not in done.stdout


def test_a_claim_is_never_judged_against_a_non_finite_truth():
    # The truth is 0 (the function is constant in x), but the float gradient is nan.
    with pytest.raises(CheckError, match="gradients cannot be computed at these values"):
        check("((x*0*1e200+1)-1)*1e200+1", {"x": 1}, {"d/dx": 0})
    done = cli("check", "((x*0*1e200+1)-1)*1e200+1", "x=1", "--claim", "d/dx=0")
    assert done.returncode == 2 and "correct nan" not in done.stdout + done.stderr


@pytest.mark.parametrize("name", ["relu", "step", "sign", "abs", "tanh", "sigmoid", "exp",
                                  "sin", "cos", "sqrt", "neg"])
def test_nan_never_vanishes(name):
    """NaN that comes in with the inputs stays NaN through every operation, on both engines
    (relu(nan) was 0.0 on Values and nan on Tensors)."""
    out = getattr(Value(NAN), name)() if name != "neg" else -Value(NAN)
    assert math.isnan(out.data)
    t = getattr(Tensor([NAN, 1.0]), name)() if name != "neg" else -Tensor([NAN, 1.0])
    assert math.isnan(t.data[0])
    with detect_anomaly(), pytest.raises(ArithmeticError, match="produced nan"):
        getattr(Value(NAN, label="w"), name)() if name != "neg" else -Value(NAN, label="w")


def test_nan_from_the_inputs_stops_backward_and_says_where_to_look():
    w = Value(NAN, label="w")
    y = w.relu() + 1
    with pytest.raises(NonFiniteError) as info:
        y.backward()
    assert "to w is not finite (local derivative nan" in str(info.value)
    assert "the forward pass already held inf or NaN" in str(info.value)
    assert "detect_anomaly" in str(info.value)


def test_the_functional_grad_refuses_too_and_leaves_grads_alone():
    x, f = big_gradient()
    x.grad = 7.0
    with pytest.raises(NonFiniteError):
        grad(f, [x])
    assert x.grad == 7.0


def test_tensor_backward_follows_the_same_rule():
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    y = Tensor([1e30, 1e30]) * w                       # finite in float32
    with pytest.raises(NonFiniteError) as info:
        y.backward(grad=np.full(2, 1e30))              # 1e60 is not a float32
    message = str(info.value)
    assert "the gradient passed from mul" in message and "w shape (2,)" in message
    assert "overflow" in message and "allow_non_finite" in message
    w.zero_grad()
    with allow_non_finite(), np.errstate(over="ignore"):
        (Tensor([1e30, 1e30]) * w).backward(grad=np.full(2, 1e30))
    assert np.isinf(w.grad).all()
    # inf or NaN that the forward pass made stops backward at its start.
    t = Tensor([0.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        nan_loss = (t * Tensor([INF])).sum()
    with pytest.raises(NonFiniteError, match="which is not finite \\(nan at index \\(\\)\\)"):
        nan_loss.backward()


@settings(max_examples=60, deadline=None)
@given(scale=st.sampled_from([1e100, 1e150, 1e200, 1e300]),
       x=st.floats(-2, 2, allow_nan=False), y=st.floats(-2, 2, allow_nan=False),
       names=st.lists(st.sampled_from(["mul", "add", "sub", "div", "exp", "tanh", "sigmoid",
                                       "relu", "sin", "abs"]), min_size=1, max_size=6))
def test_huge_graphs_raise_or_give_finite_gradients(scale, x, y, names):
    """Whatever the graph, backward either raises a clear error or leaves every grad
    finite: never a silent inf or NaN."""
    a, b = Value(x), Value(y)
    node = a * scale
    try:
        for name in names:
            op = OPS[name]
            node = getattr(node, op.symbol)() if op.is_function() else {
                "mul": lambda u: u * b * scale, "add": lambda u: u + b,
                "sub": lambda u: u - b * scale, "div": lambda u: u / (b * b + 1)}[name](node)
    except OverflowError:
        return
    try:
        node.backward()
    except (NonFiniteError, OverflowError) as exc:
        assert "not finite" in str(exc) or "overflows" in str(exc)
        return
    assert math.isfinite(a.grad) and math.isfinite(b.grad)
