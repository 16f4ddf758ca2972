"""The benchmarks' references compute what tracegrad computes, so their timings compare like
with like: the hand-written NumPy step gives the tensor backend's new weights, and the
closure-design and lean-design engines give the scalar engine's gradients."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from closure_engine import ClosureValue
from lean_engine import LeanValue
from numpy_reference import train_step

from autograd import Value
from nn import SGD, Tensor, mlp, quadratic_cost


def test_the_numpy_reference_takes_the_tensor_backends_step():
    rng = np.random.default_rng(1)
    x = rng.random((8, 5))
    targets = np.eye(3)[rng.integers(0, 3, 8)]
    net = mlp(5, [4, 4, 3], seed=0, dtype=np.float64)
    weights = [p.data.copy() for p in net.parameters()[0::2]]
    biases = [p.data.copy() + 0.1 * (i + 1) for i, p in enumerate(net.parameters()[1::2])]
    for bias, start in zip(net.parameters()[1::2], biases):
        bias.data[...] = start

    before = [p.data.copy() for p in net.parameters()]
    optimizer = SGD(net.parameters(), lr=0.5)
    loss = quadratic_cost(net(Tensor(x, dtype=np.float64)), targets)
    loss.backward()
    optimizer.step()
    cost = train_step(weights, biases, x, targets, 0.5)

    assert cost == pytest.approx(float(loss.data), rel=1e-12)
    theirs = [p for pair in zip(weights, biases) for p in pair]
    for ours, their, start in zip(net.parameters(), theirs, before):
        np.testing.assert_allclose(ours.data, their, rtol=1e-12, atol=1e-15)
        assert np.abs(ours.data - start).max() > 1e-6   # the step moved every parameter


@pytest.mark.parametrize("reference", [ClosureValue, LeanValue], ids=["closure", "lean"])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_the_reference_engines_give_the_scalar_engines_gradients(activation, reference):
    rng = random.Random(2)
    weights = [[rng.gauss(0, 1) for _ in range(3)] for _ in range(2)]
    xs = [rng.uniform(-1, 1) for _ in range(3)]

    def grads(engine):
        params = [[engine(w) for w in row] for row in weights]
        inputs = [engine(x) for x in xs]
        outs = [getattr(sum((w * x for w, x in zip(row, inputs)), engine(0.5)),
                        activation)() for row in params]
        loss = (outs[0] - 1) ** 2 + outs[1] * outs[0] - (-outs[1])
        loss.backward()
        return loss.data, [p.grad for row in params for p in row]

    ours, theirs = grads(Value), grads(reference)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-14)
    assert ours[1] == pytest.approx(theirs[1], rel=1e-12, abs=1e-15)
    assert any(g != 0 for g in ours[1])
