"""to_torch, from_torch and to_scalar: the same weights give the same outputs and gradients.

The PyTorch tests skip when torch is not installed (``pip install "tracegrad[torch]"``); the
scalar-engine conversion needs no torch.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from nn import MLP, Activation, Linear, Sequential, Tensor, cross_entropy, mlp, quadratic_cost
from nn.convert import dense_layers, from_torch, to_scalar, to_torch

F64 = np.float64


def sample_net(dtype):
    return mlp(6, [5, 4, 3], activation=["tanh", "relu", "sigmoid"], seed=1, dtype=dtype)


# ----------------------------------------------------------------- the scalar engine


def test_to_scalar_gives_the_same_outputs_and_gradients_as_the_tensor_net():
    net = sample_net(F64)
    scalar = to_scalar(net)
    assert scalar.num_parameters() == net.num_parameters()
    x = np.random.default_rng(0).normal(size=6)
    target = [0.0, 1.0, 0.0]
    out = scalar(x.tolist())
    loss = quadratic_cost(out, target)
    loss.backward()
    t_loss = quadratic_cost(net(Tensor([x], dtype=F64)), np.array([target]))
    t_loss.backward()
    assert loss.data == pytest.approx(float(t_loss.data), rel=1e-13)
    for layer, dense_index in zip(scalar.layers, (0, 2, 4)):
        linear = net.layers[dense_index]
        grads = np.array([[w.grad for w in n.w] for n in layer.neurons]).T
        np.testing.assert_allclose(grads, linear.weight.grad, rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose([n.b.grad for n in layer.neurons], linear.bias.grad,
                                   rtol=1e-11, atol=1e-14)


def test_to_scalar_keeps_every_float32_weight_exactly():
    net = sample_net(np.float32)
    scalar = to_scalar(net)
    first = net.layers[0].weight.data
    assert scalar.layers[0].neurons[2].w[4].data == float(first[4, 2])
    assert [n.activation for n in (layer.neurons[0] for layer in scalar.layers)] == \
        ["tanh", "relu", "sigmoid"]


def test_a_linear_last_layer_and_a_single_linear_convert():
    net = mlp(3, [2, 2], activation=["relu", "linear"], seed=0)
    assert [d.activation for d in dense_layers(net)] == ["relu", "linear"]
    assert to_scalar(Linear(3, 2, rng=0)).layers[0].neurons[0].activation == "linear"


@pytest.mark.parametrize("model, pattern", [
    (Sequential(Activation("relu"), Linear(2, 2)), r"layer 0 is Activation\('relu'\) without "
                                                    r"a Linear layer just before it"),
    (Sequential(Linear(2, 2), Activation("relu"), Activation("tanh")), r"layer 2 is"),
    (Sequential(), r"no layers"),
    (Sequential(Linear(2, 2), Sequential(Linear(2, 2))), r"layer 1 is Sequential; only Linear"),
    ("net", r"expected an nn.Sequential, nn.Linear or nn.MLP, got str"),
])
def test_what_does_not_convert_is_refused_by_name(model, pattern):
    with pytest.raises(TypeError, match=pattern):
        to_scalar(model)


def test_a_shared_layer_is_refused_rather_than_unshared():
    shared = Linear(2, 2, rng=0)
    with pytest.raises(TypeError, match=r"layer 2 is a Linear used earlier"):
        to_scalar(Sequential(shared, Activation("tanh"), shared))


# ----------------------------------------------------------------- PyTorch


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def torch_dtype(torch, dtype):
    return torch.float64 if dtype == F64 else torch.float32


@pytest.mark.parametrize("dtype, tolerance", [(np.float32, 1e-6), (F64, 1e-15)])
def test_to_torch_gives_the_same_outputs(torch, dtype, tolerance):
    net = sample_net(dtype)
    module = to_torch(net)
    assert [type(m).__name__ for m in module] == ["Linear", "Tanh", "Linear", "ReLU", "Linear",
                                                  "Sigmoid"]
    assert module[0].weight.dtype == torch_dtype(torch, dtype)
    x = np.random.default_rng(0).normal(size=(50, 6)).astype(dtype)
    ours = net(Tensor(x, dtype=dtype)).data
    theirs = module(torch.from_numpy(x)).detach().numpy()
    assert np.abs(ours - theirs).max() < tolerance
    np.testing.assert_array_equal(module[0].weight.detach().numpy(), net.layers[0].weight.data.T)


@pytest.mark.parametrize("dtype", [np.float32, F64])
def test_from_torch_gives_the_same_outputs_and_gradients(torch, dtype):
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.Sigmoid(),
                                 torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.ReLU()),
                                 torch.nn.Linear(4, 3)).to(torch_dtype(torch, dtype))
    net = from_torch(module)
    assert repr(net).count("Linear") == 3 and net.layers[0].weight.dtype == dtype
    x = np.random.default_rng(1).normal(size=(8, 6)).astype(dtype)
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    ours = net(Tensor(x, dtype=dtype))
    loss = cross_entropy(ours, labels)
    loss.backward()
    theirs = module(torch.from_numpy(x))
    torch.nn.functional.cross_entropy(theirs, torch.from_numpy(labels)).backward()
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=rtol, atol=rtol)
    linears = [layer for layer in net.layers if isinstance(layer, Linear)]
    torch_linears = [m for m in module.modules() if isinstance(m, torch.nn.Linear)]
    for mine, its in zip(linears, torch_linears):
        np.testing.assert_allclose(mine.weight.grad, its.weight.grad.numpy().T, rtol=rtol,
                                   atol=rtol)
        np.testing.assert_allclose(mine.bias.grad, its.bias.grad.numpy(), rtol=rtol, atol=rtol)


def test_one_sample_of_a_torch_net_traced_in_the_scalar_engine(torch):
    torch.manual_seed(2)
    module = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(),
                                 torch.nn.Linear(3, 2), torch.nn.Identity()).double()
    scalar = to_scalar(from_torch(module))
    x = [0.5, -1.0, 0.25, 2.0]
    outputs = scalar(x)
    want = module(torch.tensor([x], dtype=torch.float64)).detach().numpy()[0]
    np.testing.assert_allclose([v.data for v in outputs], want, rtol=1e-13)


def test_round_trip_keeps_every_weight(torch):
    net = sample_net(np.float32)
    back = from_torch(to_torch(net))
    for (name, a), b in zip(net.state_dict().items(), back.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=name)
    scalar = MLP(3, [2], activation="tanh", seed=0)   # a scalar MLP goes to torch in float64
    assert to_torch(scalar)[0].weight.dtype == torch.float64


@pytest.mark.parametrize("make, pattern", [
    (lambda nn: nn.Sequential(nn.Flatten(), nn.Linear(4, 2)),
     r"layer 0 is torch.nn.Flatten, which tracegrad does not have"),
    (lambda nn: nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.5)), r"layer 1 is torch.nn.Dropout"),
    (lambda nn: nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=1)), r"torch.nn.Softmax"),
    (lambda nn: nn.Sequential(nn.Linear(4, 2), nn.LeakyReLU()), r"torch.nn.LeakyReLU"),
    (lambda nn: nn.Sequential(nn.Linear(4, 2, bias=False)), r"Linear\(bias=False\)"),
    (lambda nn: nn.Sequential(nn.ReLU(), nn.Linear(4, 2)), r"layer 0 is ReLU without a Linear"),
    (lambda nn: nn.Sequential(nn.Linear(4, 2), nn.ReLU(), nn.Tanh()), r"layer 2 is Tanh"),
    (lambda nn: nn.Sequential(nn.Linear(4, 2).half()), r"weights of torch.float16"),
    (lambda nn: nn.Sequential(), r"no Linear layer"),
    (lambda nn: "model", r"takes a torch.nn.Module, got str"),
])
def test_from_torch_refuses_what_it_cannot_convert_by_name(torch, make, pattern):
    with pytest.raises(TypeError, match=pattern):
        from_torch(make(torch.nn))


def test_a_subclass_of_an_activation_is_refused(torch):
    class Squish(torch.nn.Sigmoid):
        def forward(self, x):
            return 2 * super().forward(x)

    with pytest.raises(TypeError, match=r"layer 1 is torch.nn.Squish"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), Squish()))


def test_without_torch_the_message_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)   # makes `import torch` fail
    with pytest.raises(ImportError, match=r'pip install "tracegrad\[torch\]"'):
        to_torch(sample_net(np.float32))
    with pytest.raises(ImportError, match=r"tracegrad\[torch\]"):
        from_torch(object())


def test_to_torch_refuses_a_shared_layer_too(torch):
    shared = Linear(2, 2, rng=0)
    with pytest.raises(TypeError, match=r"layer 2 is a Linear used earlier"):
        to_torch(Sequential(shared, Activation("tanh"), shared))
