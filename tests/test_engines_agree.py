"""The scalar engine (``nn.MLP`` on Values) and the tensor engine (``nn.mlp`` on Tensors)
agree: the same weights give the same loss and the same gradients, to 1e-9 relative.

Weights are copied from the scalar net: ``Linear.weight[:, j]`` holds neuron j's weights and
``bias[j]`` its bias. The tensor ``Sequential`` alternates Linear and Activation layers and
has no Activation after a "linear" layer.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from autograd import Value
from nn import ACTIVATIONS, MLP, Activation, Linear, Tensor, cross_entropy, mlp, quadratic_cost

RTOL, ATOL = 1e-9, 1e-12


def close(got, want):
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


def twin_nets(n_in, sizes, activation, seed):
    """A scalar MLP with random nonzero biases, and a float64 tensor net with its weights."""
    scalar = MLP(n_in, sizes, activation=activation, seed=seed)
    rng = random.Random(seed + 1)
    for layer in scalar.layers:
        for neuron in layer.neurons:
            neuron.b.data = rng.uniform(-0.5, 0.5)
    tensor = mlp(n_in, sizes, activation=activation, seed=seed, dtype=np.float64)
    linears = [layer for layer in tensor.layers if isinstance(layer, Linear)]
    assert len(linears) == len(scalar.layers)
    for layer, linear in zip(scalar.layers, linears):
        assert linear.weight.shape == (len(layer.neurons[0].w), len(layer.neurons))
        assert linear.weight.dtype == np.float64
        for j, neuron in enumerate(layer.neurons):
            linear.weight.data[:, j] = [w.data for w in neuron.w]
            linear.bias.data[j] = neuron.b.data
    return scalar, tensor, linears


def scalar_grads(scalar):
    """Per layer: (weight grads as an (n_in, n_out) array, bias grads as (n_out,))."""
    out = []
    for layer in scalar.layers:
        w = np.array([[w.grad for w in n.w] for n in layer.neurons], dtype=float).T
        b = np.array([n.b.grad for n in layer.neurons], dtype=float)
        out.append((w, b))
    return out


def compare_grads(scalar, linears):
    for (w, b), linear in zip(scalar_grads(scalar), linears):
        assert linear.weight.grad is not None and linear.bias.grad is not None
        assert linear.weight.grad.dtype == np.float64
        close(linear.weight.grad, w)
        close(linear.bias.grad, b)


def quadratic_both(n_in, sizes, activation, batch, seed):
    scalar, tensor, linears = twin_nets(n_in, sizes, activation, seed)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.5, 1.5, size=(batch, n_in))
    target = rng.uniform(0.0, 1.0, size=(batch, sizes[-1]))

    total = Value(0)
    for row, want in zip(x, target):
        total = total + quadratic_cost(scalar(row), want.tolist())
    loss_s = total / batch
    loss_s.backward()

    loss_t = quadratic_cost(tensor(Tensor(x, dtype=np.float64)), target)
    assert loss_t.shape == () and loss_t.dtype == np.float64
    loss_t.backward()

    close(float(loss_t.data), loss_s.data)
    compare_grads(scalar, linears)
    return loss_s.data


def scalar_cross_entropy(logits_per_example, labels):
    """mean over n of log(sum_k exp(z_k)) - z_y, built from Values (exp, log, sums)."""
    total = Value(0)
    for logits, label in zip(logits_per_example, labels):
        norm = Value(0)
        for z in logits:
            norm = norm + z.exp()
        total = total + (norm.log() - logits[label])
    return total / len(labels)


def cross_entropy_both(n_in, sizes, hidden, batch, seed):
    activation = [*hidden, "linear"]
    scalar, tensor, linears = twin_nets(n_in, sizes, activation, seed)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.5, 1.5, size=(batch, n_in))
    labels = rng.integers(0, sizes[-1], size=batch)

    loss_s = scalar_cross_entropy([scalar(row) for row in x], labels.tolist())
    loss_s.backward()
    loss_t = cross_entropy(tensor(Tensor(x, dtype=np.float64)), labels)
    loss_t.backward()

    close(float(loss_t.data), loss_s.data)
    compare_grads(scalar, linears)
    return loss_s.data


# ----------------------------------------------------------------- structure


@pytest.mark.parametrize("activation, kinds", [
    ("sigmoid", ["Linear", "sigmoid", "Linear", "sigmoid"]),
    ("linear", ["Linear", "Linear"]),
    (["relu", "linear"], ["Linear", "relu", "Linear"]),
    (["linear", "tanh"], ["Linear", "Linear", "tanh"]),
])
def test_tensor_net_alternates_linear_and_activation(activation, kinds):
    net = mlp(3, [4, 2], activation=activation, seed=0)
    got = [layer.name if isinstance(layer, Activation) else type(layer).__name__
           for layer in net.layers]
    assert got == kinds


def test_both_count_the_same_parameters():
    assert MLP(784, [16, 16, 10]).num_parameters() == mlp(784, [16, 16, 10]).num_parameters()


def test_copied_weights_give_the_same_outputs():
    scalar, tensor, _ = twin_nets(3, [4, 2], ["tanh", "sigmoid"], seed=1)
    x = np.array([[0.5, -1.0, 2.0], [0.0, 0.25, -0.75]])
    got = tensor(Tensor(x, dtype=np.float64)).data
    want = [[v.data for v in scalar(row)] for row in x]
    close(got, want)


# ----------------------------------------------------------------- quadratic cost


@pytest.mark.parametrize("activation", [*ACTIVATIONS, ["relu", "sigmoid"], ["tanh", "linear"],
                                        ["linear", "relu"], ["sigmoid", "tanh"]], ids=str)
def test_quadratic_cost_each_activation(activation):
    loss = quadratic_both(3, [4, 2], activation, batch=3, seed=11)
    assert loss > 0


def test_quadratic_cost_three_mixed_layers():
    quadratic_both(5, [4, 3, 2], ["relu", "tanh", "sigmoid"], batch=4, seed=12)


@st.composite
def shapes_and_activations(draw):
    n_in = draw(st.integers(1, 6))
    sizes = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    activation = draw(st.one_of(
        st.sampled_from(ACTIVATIONS),
        st.lists(st.sampled_from(ACTIVATIONS), min_size=len(sizes), max_size=len(sizes))))
    return n_in, sizes, activation


@settings(max_examples=40, deadline=None)
@given(net=shapes_and_activations(), batch=st.integers(1, 5), seed=st.integers(0, 10**6))
def test_quadratic_cost_random_shapes(net, batch, seed):
    n_in, sizes, activation = net
    quadratic_both(n_in, sizes, activation, batch, seed)


# ----------------------------------------------------------------- softmax cross-entropy


@pytest.mark.parametrize("hidden", [[], ["sigmoid"], ["relu"], ["tanh"], ["linear"],
                                    ["tanh", "relu"]], ids=str)
def test_cross_entropy_linear_output(hidden):
    loss = cross_entropy_both(4, [3] * len(hidden) + [3], hidden, batch=4, seed=21)
    assert loss > 0


@settings(max_examples=40, deadline=None)
@given(n_in=st.integers(1, 6), hidden=st.lists(st.tuples(st.integers(1, 5),
                                                          st.sampled_from(ACTIVATIONS)),
                                                max_size=2),
       n_out=st.integers(1, 5), batch=st.integers(1, 5), seed=st.integers(0, 10**6))
def test_cross_entropy_random_shapes(n_in, hidden, n_out, batch, seed):
    sizes = [width for width, _ in hidden] + [n_out]
    cross_entropy_both(n_in, sizes, [name for _, name in hidden], batch, seed)
