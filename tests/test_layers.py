"""Tensor layers: sizes checked, the textbook initialisations, shared layers, and loading."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from nn import SGD, Activation, Adam, Linear, Sequential, Tensor, mlp, quadratic_cost
from nn.init import SCHEMES, initial_values

# ----------------------------------------------------------------- sizes and arguments


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: Linear(0, 2), ValueError, r"n_in \(the number of inputs\) must be at least 1, got 0"),
    (lambda: Linear(-1, 2), ValueError, r"n_in .* must be at least 1, got -1"),
    (lambda: Linear(2, 0), ValueError, r"n_out \(the number of outputs\) must be at least 1"),
    (lambda: Linear(2.5, 2), TypeError, r"n_in .* must be a whole number .*float 2.5"),
    (lambda: Linear(True, 2), TypeError, r"n_in .* got the bool True"),
    (lambda: Linear("3", 2), TypeError, r"n_in .* got the str '3'"),
    (lambda: Linear(2, 2, rng="x"), TypeError, r"rng must be None, a whole number \(a seed\)"),
    (lambda: Linear(2, 2, rng=-1), ValueError, r"rng must be a seed >= 0, got -1"),
    (lambda: Linear(2, 2, dtype=np.int32), TypeError, r"dtype must be float32 or float64"),
    (lambda: mlp(2, [2], seed=1.5), TypeError, r"seed must be None, a whole number"),
    (lambda: mlp(2, [2], seed=-3), ValueError, r"seed must be a seed >= 0"),
    (lambda: Activation(["relu"]), ValueError, r"unknown activation"),
    (lambda: Sequential(Linear(2, 2), "relu"), TypeError,
     r"layer 1 is the str 'relu', not an nn.Module such as Linear; write Activation\('relu'\)"),
    (lambda: Sequential(np.ones(3)), TypeError, r"layer 0 is the ndarray"),
])
def test_bad_layer_arguments_are_refused_by_name(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


@pytest.mark.parametrize("layer", [Linear(3, 2), Activation("relu"),
                                   Sequential(Linear(3, 2))])
def test_layers_take_tensors_and_say_how_to_wrap_an_array(layer):
    with pytest.raises(TypeError, match=r"takes a Tensor, got ndarray; wrap an array"):
        layer(np.zeros((4, 3)))
    assert layer(Tensor(np.zeros((4, 3)))).shape[0] == 4


def test_an_int_seed_for_rng_is_the_same_as_a_generator():
    a = Linear(4, 3, rng=7).weight.data
    b = Linear(4, 3, rng=np.random.default_rng(7)).weight.data
    np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------- initialisation


def test_the_default_initialisation_is_unchanged():
    """Same seed, same numbers as before init= existed: N(0, 1/n_in) drawn layer by layer
    from one generator, biases zero (the MNIST demo's published figures depend on it)."""
    net = mlp(784, [16, 16, 10], seed=0)
    rng = np.random.default_rng(0)
    linears = [layer for layer in net.layers if isinstance(layer, Linear)]
    for layer, (n_in, n_out) in zip(linears, [(784, 16), (16, 16), (16, 10)]):
        want = rng.normal(0.0, 1.0 / np.sqrt(n_in), (n_in, n_out)).astype(np.float32)
        np.testing.assert_array_equal(layer.weight.data, want)
        np.testing.assert_array_equal(layer.bias.data, np.zeros(n_out, np.float32))


@pytest.mark.parametrize("name, std", [
    ("normal", lambda n_in, n_out: 1.0),
    ("lecun", lambda n_in, n_out: 1 / math.sqrt(n_in)),
    ("he", lambda n_in, n_out: math.sqrt(2 / n_in)),
    ("xavier", lambda n_in, n_out: math.sqrt(6 / (n_in + n_out)) / math.sqrt(3)),  # uniform
])
def test_each_weight_scheme_has_its_textbook_spread(name, std):
    n_in, n_out = 400, 300                       # 120,000 draws: std within 1%
    w = Linear(n_in, n_out, rng=0, dtype=np.float64, init=name).weight.data
    assert abs(w.mean()) < 0.01 * std(n_in, n_out)
    assert w.std() == pytest.approx(std(n_in, n_out), rel=0.01)


def test_xavier_is_glorots_uniform_with_its_bounds():
    w = Linear(100, 200, rng=0, dtype=np.float64, init="xavier").weight.data
    limit = math.sqrt(6 / 300)
    assert w.min() >= -limit and w.max() <= limit
    assert w.min() < -0.99 * limit and w.max() > 0.99 * limit     # fills the interval


def test_normal_biases_as_nielsen_draws_them():
    b = Linear(2, 50_000, rng=0, dtype=np.float64, bias_init="normal").bias.data
    assert b.std() == pytest.approx(1.0, rel=0.02) and abs(b.mean()) < 0.02
    assert not Linear(2, 5, rng=0).bias.data.any()               # zeros by default


def test_mlp_passes_the_schemes_to_every_layer():
    net = mlp(20, [30, 10], seed=0, init="zeros", bias_init=lambda shape, rng: np.ones(shape))
    for layer in (net.layers[0], net.layers[2]):
        assert not layer.weight.data.any() and (layer.bias.data == 1).all()


def test_a_callable_scheme_gets_the_shape_and_the_generator():
    seen = []

    def scheme(shape, rng):
        seen.append((shape, type(rng)))
        return rng.uniform(-0.1, 0.1, shape)

    layer = Linear(3, 2, rng=0, init=scheme, bias_init=scheme)
    assert seen == [((3, 2), np.random.Generator), ((2,), np.random.Generator)]
    assert np.abs(layer.weight.data).max() <= 0.1


@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"init": "glorot"}, ValueError, r"unknown init scheme 'glorot'; choose one of 'zeros'"),
    ({"bias_init": "he"}, ValueError, r"'he' scheme scales by the fan-in.*for biases use"),
    ({"bias_init": "lecun"}, ValueError, r"fan-in"),
    ({"init": 0.1}, TypeError, r"init must be a scheme's name .* got float 0.1"),
    ({"init": lambda shape, rng: np.zeros(3)}, ValueError, r"init returned an array of shape"),
    ({"init": lambda shape, rng: np.full(shape, np.nan)}, ValueError, r"init returned NaN"),
    ({"bias_init": lambda shape, rng: np.full(shape, "a")}, TypeError, r"bias_init returned"),
    ({"init": lambda shape, rng: np.full(shape, 1e300)}, OverflowError, r"too large for float32"),
])
def test_bad_schemes_are_refused_by_name(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        Linear(3, 2, rng=0, **kwargs)


def test_every_scheme_is_documented_with_a_source_or_purpose():
    for name, scheme in SCHEMES.items():
        assert scheme.__doc__ and len(scheme.__doc__) > 60, name
        assert initial_values(name, (4, 3), np.random.default_rng(0)).shape == (4, 3)


# ----------------------------------------------------------------- a layer used twice


def shared_net(dtype=np.float64):
    hidden = Linear(3, 3, rng=0, dtype=dtype)
    return Sequential(Linear(2, 3, rng=1, dtype=dtype), Activation("tanh"), hidden,
                      Activation("tanh"), hidden, Linear(3, 1, rng=2, dtype=dtype)), hidden


def test_a_shared_layer_is_listed_once_and_named_twice():
    net, hidden = shared_net()
    params = net.parameters()
    assert len(params) == 6 and len({id(p) for p in params}) == 6
    assert sum(p is hidden.weight for p in params) == 1
    names = net.named_parameters()
    assert names["2.weight"] is names["4.weight"] is hidden.weight
    assert len(names) == 8 and net.num_parameters() == 2 * 3 + 3 + 3 * 3 + 3 + 3 + 1


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1), lambda ps: SGD(
    ps, lr=0.1, momentum=0.9, weight_decay=0.01), lambda ps: Adam(ps, lr=0.01)])
def test_an_optimizer_steps_a_shared_layer_once(make):
    net, hidden = shared_net()
    x = Tensor(np.random.default_rng(0).normal(size=(5, 2)))
    loss = quadratic_cost(net(x), np.zeros((5, 1)))
    loss.backward()
    opt = make(net.parameters())
    grad, before = hidden.weight.grad.copy(), hidden.weight.data.copy()
    # the same optimizer on the shared weight alone, with its gradient from both uses
    alone = Tensor(before, dtype=np.float64, requires_grad=True)
    alone.grad = grad
    make([alone]).step()
    opt.step()
    np.testing.assert_array_equal(hidden.weight.data, alone.data)


def test_state_dict_keeps_a_shared_weight_under_each_name_and_loads_back():
    net, hidden = shared_net()
    state = net.state_dict()
    assert set(state) == set(net.named_parameters())
    np.testing.assert_array_equal(state["2.weight"], state["4.weight"])
    other, _ = shared_net()
    other.load_state_dict(state)
    for name, p in other.named_parameters().items():
        np.testing.assert_array_equal(p.data, state[name])


def test_different_arrays_for_a_shared_weight_are_refused():
    net, hidden = shared_net()
    state = net.state_dict()
    state["4.weight"] = state["4.weight"] + 1
    before = hidden.weight.data.copy()
    with pytest.raises(ValueError, match=r"'4.weight' and '2.weight' are one shared parameter"):
        net.load_state_dict(state)
    np.testing.assert_array_equal(hidden.weight.data, before)


# ----------------------------------------------------------------- loading weights


@pytest.mark.parametrize("change, error, pattern", [
    (lambda s: s["0.weight"].__setitem__((1, 2), np.nan), ValueError,
     r"'0.weight' holds nan at index \(1, 2\); non-finite weights are refused"),
    (lambda s: s["2.bias"].__setitem__(0, -np.inf), ValueError, r"'2.bias' holds -inf"),
    (lambda s: s.__setitem__("0.bias", np.array([2 ** 40 + 1, 0, 0, 0], dtype=np.int64)),
     ValueError, r"array '0.bias': 1099511627777 at index \(0,\) is an integer that float32 "
                 r"cannot hold exactly"),
    (lambda s: s.__setitem__("0.bias", np.full(4, 1e300)), OverflowError,
     r"array '0.bias': 1e\+300 at index \(0,\) is too large for float32"),
    (lambda s: s.__setitem__("0.bias", np.array(["a"] * 4)), TypeError, r"real numbers"),
    (lambda s: s.__setitem__("0.bias", np.ones(4, dtype=bool)), TypeError, r"real numbers"),
    (lambda s: s.__setitem__("0.bias", np.ones(5)), ValueError,
     r"'0.bias' has shape \(5,\), the model expects \(4,\)"),
    (lambda s: s.pop("2.bias"), ValueError, r"no array named '2.bias'"),
    (lambda s: s.__setitem__("9.weight", np.ones(1)), ValueError, r"unexpected array '9.weight'"),
])
def test_load_state_dict_refuses_bad_arrays_and_changes_nothing(change, error, pattern):
    net = mlp(3, [4, 2], seed=0)
    state = {name: a.astype(np.float64) for name, a in net.state_dict().items()}
    for a in state.values():
        a += 1.0                                    # every array differs from the model
    change(state)
    before = net.state_dict()
    with pytest.raises(error, match=pattern):
        net.load_state_dict(state)
    for name, a in net.state_dict().items():        # all or none: nothing was loaded
        np.testing.assert_array_equal(a, before[name])


def test_load_state_dict_takes_lists_ints_and_float64_that_fit():
    net = mlp(2, [1], activation="linear", seed=0)
    net.load_state_dict({"0.weight": [[1], [2]], "0.bias": np.array([0.25])})
    np.testing.assert_array_equal(net(Tensor([[1.0, 1.0]])).data, [[3.25]])
    assert net.layers[0].weight.dtype == np.float32


def test_load_state_dict_needs_a_mapping():
    with pytest.raises(TypeError, match=r"takes a dict of arrays by name"):
        mlp(2, [1]).load_state_dict([np.ones((2, 1)), np.ones(1)])


def test_nn_exports_the_init_module():
    assert nn.init.SCHEMES is SCHEMES


def test_a_layer_too_large_for_memory_says_so():
    with pytest.raises(MemoryError, match=r"Linear\(1000000000, 1000000000\) needs "
                                          r"1,000,000,000,000,000,000 weights.*check the sizes"):
        Linear(10 ** 9, 10 ** 9)
