"""The scalar network on ``Value``: ``Neuron``, ``Layer``, ``MLP``.

The lesson's digit network has 13,002 parameters; each activation is checked against a
hand computation with ``math`` from the net's own weights; errors name what was wrong.
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

from autograd import Value
from nn import ACTIVATIONS, MLP, Layer, Neuron, quadratic_cost

HAND = {
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
    "relu": lambda z: max(z, 0.0),
    "tanh": math.tanh,
    "linear": lambda z: z,
}


def test_hand_activations_cover_every_activation():
    assert set(HAND) == set(ACTIVATIONS)


# ----------------------------------------------------------------- the lesson's network


@pytest.fixture(scope="module")
def digit_net():
    return MLP(784, [16, 16, 10], seed=0)


def test_import_from_nn():
    from nn import MLP as imported

    assert imported is MLP


def test_digit_network_has_13002_parameters(digit_net):
    expected = (784 * 16 + 16) + (16 * 16 + 16) + (16 * 10 + 10)
    assert expected == 13002
    assert len(digit_net.parameters()) == expected
    assert digit_net.num_parameters() == expected
    assert all(isinstance(p, Value) for p in digit_net.parameters())
    # every parameter is a distinct Value (no sharing by accident)
    assert len({id(p) for p in digit_net.parameters()}) == expected


def _image(seed=1):
    rng = random.Random(seed)
    return [rng.random() for _ in range(784)]


def _check_outputs(out):
    assert isinstance(out, list)
    assert len(out) == 10
    assert all(isinstance(v, Value) for v in out)
    assert all(0.0 < v.data < 1.0 for v in out)  # sigmoid outputs
    return [v.data for v in out]


def test_digit_network_on_a_list_of_floats(digit_net):
    _check_outputs(digit_net(_image()))


def test_digit_network_on_values_uses_them_in_the_graph(digit_net):
    pixels = [Value(p) for p in _image()]
    out = digit_net(pixels)
    from_floats = _check_outputs(digit_net(_image()))
    assert _check_outputs(out) == from_floats
    # the given Values are the graph's inputs, so backward reaches them
    quadratic_cost(out, [0] * 3 + [1] + [0] * 6).backward()
    assert any(p.grad != 0 for p in pixels)
    digit_net.zero_grad()


def test_digit_network_on_a_float32_array(digit_net):
    image = np.asarray(_image(), dtype=np.float32)
    got = _check_outputs(digit_net(image))
    want = _check_outputs(digit_net([float(p) for p in image]))
    assert got == want  # float32 elements become the same Python floats
    assert all(type(v) is float for v in got)


def test_outputs_depend_on_the_input(digit_net):
    a = _check_outputs(digit_net(_image(1)))
    b = _check_outputs(digit_net(_image(2)))
    assert a != b


# ----------------------------------------------------------------- activations by hand


def _set_231_weights(net):
    """Fixed weights for a 2-3-1 net; hidden pre-activations on both sides of 0."""
    hidden, output = net.layers
    weights = [[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]]
    biases = [-0.4, -0.2, 0.3]
    for neuron, w, b in zip(hidden.neurons, weights, biases):
        for wi, value in zip(neuron.w, w):
            wi.data = value
        neuron.b.data = b
    for wi, value in zip(output.neurons[0].w, [0.8, -1.2, 0.6]):
        wi.data = value
    output.neurons[0].b.data = 0.1


def _by_hand(net, x, names):
    """The net's output from its own weights with math functions, no Values involved."""
    act = x
    for layer, name in zip(net.layers, names):
        act = [HAND[name](sum(w.data * a for w, a in zip(n.w, act)) + n.b.data)
               for n in layer.neurons]
    return act


X_231 = [1.0, 0.5]


def test_231_hidden_pre_activations_straddle_zero():
    """So that relu differs from linear in the tests below."""
    net = MLP(2, [3, 1], activation="linear", seed=0)
    _set_231_weights(net)
    z = [v.data for v in net.layers[0](X_231)]
    assert min(z) < 0 < max(z)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_one_activation_for_all_layers(name):
    net = MLP(2, [3, 1], activation=name, seed=0)
    _set_231_weights(net)
    assert all(n.activation == name for layer in net.layers for n in layer.neurons)
    (out,) = net(X_231)
    assert out.data == pytest.approx(_by_hand(net, X_231, [name, name])[0], rel=1e-12)


@pytest.mark.parametrize("names", list(itertools.product(ACTIVATIONS, repeat=2)))
def test_one_activation_per_layer(names):
    net = MLP(2, [3, 1], activation=list(names), seed=0)
    _set_231_weights(net)
    (out,) = net(X_231)
    assert out.data == pytest.approx(_by_hand(net, X_231, names)[0], rel=1e-12)


def test_activations_give_different_outputs():
    outs = {}
    for name in ACTIVATIONS:
        net = MLP(2, [3, 1], activation=name, seed=0)
        _set_231_weights(net)
        outs[name] = net(X_231)[0].data
    assert len(set(outs.values())) == len(ACTIVATIONS)


def test_sigmoid_is_the_default():
    net = MLP(2, [3, 1], seed=0)
    _set_231_weights(net)
    assert net(X_231)[0].data == pytest.approx(_by_hand(net, X_231, ["sigmoid"] * 2)[0],
                                               rel=1e-12)


def test_activation_per_layer_with_three_layers():
    names = ["relu", "tanh", "linear"]
    net = MLP(3, [4, 3, 2], activation=names, seed=5)
    rng = random.Random(9)
    for p in net.parameters():
        p.data = rng.uniform(-1, 1)
    x = [0.3, -1.2, 0.8]
    got = [v.data for v in net(x)]
    assert got == pytest.approx(_by_hand(net, x, names), rel=1e-12)


# ----------------------------------------------------------------- errors


def test_wrong_input_count_raises():
    net = MLP(3, [2, 1], seed=0)
    with pytest.raises(ValueError, match=r"takes 3 inputs but got 2"):
        net([1.0, 2.0])
    with pytest.raises(ValueError, match=r"takes 3 inputs but got 4"):
        net([1.0, 2.0, 3.0, 4.0])


def test_neuron_wrong_input_count_raises():
    with pytest.raises(ValueError, match=r"3 weights but got 2 inputs"):
        Neuron(3, rng=random.Random(0))([1.0, 2.0])


@pytest.mark.parametrize("bad", ["softmax", "Sigmoid", "", "identity"])
def test_unknown_activation_raises(bad):
    with pytest.raises(ValueError, match=r"unknown activation") as info:
        MLP(2, [3, 1], activation=bad)
    message = str(info.value)
    assert repr(bad) in message
    assert all(name in message for name in ACTIVATIONS)  # it lists the choices


def test_unknown_activation_in_a_list_raises():
    with pytest.raises(ValueError, match=r"unknown activation 'softmax'"):
        MLP(2, [3, 1], activation=["relu", "softmax"])


def test_wrong_number_of_activations_raises():
    with pytest.raises(ValueError, match=r"got 1 activations for 2 layers"):
        MLP(2, [3, 1], activation=["relu"])
    with pytest.raises(ValueError, match=r"got 3 activations for 2 layers"):
        MLP(2, [3, 1], activation=["relu", "relu", "relu"])


def test_unknown_activation_for_a_neuron_and_layer_raises():
    with pytest.raises(ValueError, match=r"unknown activation 'swish'"):
        Neuron(2, activation="swish")
    with pytest.raises(ValueError, match=r"unknown activation 'swish'"):
        Layer(2, 3, activation="swish")


# ----------------------------------------------------------------- parameters and grads


def test_zero_grad_resets_every_parameter():
    net = MLP(3, [4, 2], activation=["tanh", "sigmoid"], seed=3)
    for p in net.parameters():
        p.data += 0.1  # nonzero biases, so every parameter gets a gradient
    loss = quadratic_cost(net([0.5, -1.0, 2.0]), [1.0, 0.0])
    loss.backward()
    grads = [p.grad for p in net.parameters()]
    assert all(g != 0 for g in grads)
    net.zero_grad()
    assert all(p.grad == 0 for p in net.parameters())
    # and the next backward starts from 0 rather than accumulating
    loss.backward()
    assert [p.grad for p in net.parameters()] == grads


def test_parameters_order_layer_neuron_weights_then_bias():
    net = MLP(3, [2, 2, 1], seed=0)
    expected = []
    for layer in net.layers:
        for neuron in layer.neurons:
            expected.extend(neuron.w)
            expected.append(neuron.b)
    got = net.parameters()
    assert len(got) == len(expected) == (3 * 2 + 2) + (2 * 2 + 2) + (2 + 1)
    assert all(a is b for a, b in zip(got, expected))
    # the first layer's first neuron: its 3 weights, then its bias
    first = net.layers[0].neurons[0]
    assert got[:4] == [*first.w, first.b]
    assert got[3] is first.b


def test_layer_and_neuron_parameters():
    layer = Layer(3, 2, rng=random.Random(0))
    assert len(layer.parameters()) == 2 * (3 + 1) == layer.num_parameters()
    neuron = layer.neurons[1]
    assert layer.parameters()[4:] == [*neuron.w, neuron.b]


def test_same_seed_same_weights():
    a = [p.data for p in MLP(5, [4, 3], seed=42).parameters()]
    b = [p.data for p in MLP(5, [4, 3], seed=42).parameters()]
    c = [p.data for p in MLP(5, [4, 3], seed=43).parameters()]
    assert a == b
    assert a != c


def test_initial_weights_lecun_biases_zero():
    net = MLP(400, [50], seed=0)
    weights = [w.data for n in net.layers[0].neurons for w in n.w]
    biases = [n.b.data for n in net.layers[0].neurons]
    assert biases == [0.0] * 50
    std = float(np.std(weights))
    assert std == pytest.approx(1 / math.sqrt(400), rel=0.05)  # 20,000 draws


@pytest.mark.parametrize("n_in, sizes, error, fragment", [
    (3, [], ValueError, "sizes is empty"),
    (0, [2], ValueError, r"n_in \(the number of inputs\) must be at least 1, got 0"),
    (-1, [2], ValueError, r"n_in .* must be at least 1, got -1"),
    (3, [2, 0], ValueError, r"sizes\[1\] \(the neurons of layer 2\) must be at least 1"),
    (2.5, [2], TypeError, r"n_in .* must be a whole number \(an int\), got the float 2.5"),
    (True, [2], TypeError, r"n_in .* got the bool True"),
    (3, [2.0], TypeError, r"sizes\[0\] .* got the float 2.0"),
    (3, 10, TypeError, r"sizes must be a list of layer widths such as \[16, 16, 10\], got int"),
    (3, "16", TypeError, r"sizes must be a list"),
])
def test_impossible_shapes_are_refused_for_both_engines(n_in, sizes, error, fragment):
    from nn import mlp

    with pytest.raises(error, match=fragment):
        MLP(n_in, sizes)
    with pytest.raises(error, match=fragment):
        mlp(n_in, sizes)


def test_numpy_integers_are_sizes_too():
    from nn import mlp

    assert MLP(np.int64(3), [np.int32(2)]).num_parameters() == 8
    assert mlp(np.int64(3), [np.int32(2)]).num_parameters() == 8


@pytest.mark.parametrize("make, error, fragment", [
    (lambda: Neuron(0), ValueError, r"n_in .* must be at least 1"),
    (lambda: Neuron(-1), ValueError, r"n_in .* must be at least 1"),
    (lambda: Neuron(2, rng=0), TypeError, r"rng must be a random.Random"),
    (lambda: Layer(2, 0), ValueError, r"n_out .* must be at least 1"),
    (lambda: Layer(0, 2), ValueError, r"n_in .* must be at least 1"),
    (lambda: MLP(2, [1], activation=None), TypeError, r"activation must be a name"),
    (lambda: MLP(2, [1], activation=[np.ones(2)]), ValueError, r"unknown activation"),
])
def test_neurons_and_layers_refuse_impossible_shapes(make, error, fragment):
    with pytest.raises(error, match=fragment):
        make()


def test_a_shared_layer_is_listed_once():
    net = MLP(2, [2, 2], seed=0)
    net.layers.append(net.layers[1])           # the same layer twice
    params = net.parameters()
    assert len(params) == len({id(p) for p in params}) == 6 + 6
    assert net.num_parameters() == 12


@pytest.mark.parametrize("x", [5, 2.0, "ab", None])
def test_an_mlp_takes_a_list_of_numbers(x):
    with pytest.raises(TypeError, match=r"this MLP takes 2 numbers \(a list, tuple or 1-D "
                                        r"array\), got"):
        MLP(2, [1])(x)
