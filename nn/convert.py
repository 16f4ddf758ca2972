"""Moving a network between tracegrad and PyTorch, and from the tensor to the scalar engine.

* ``to_torch(model)``: a ``torch.nn.Sequential`` with the same weights and the same outputs.
* ``from_torch(module)``: a PyTorch MLP of ``Linear`` layers and supported activations as an
  ``nn.Sequential``, whose every operation can then be traced.
* ``to_scalar(model)``: an ``nn.Sequential`` of Linear and Activation layers as an ``nn.MLP``
  of Values, so that one sample can be followed number by number in the scalar engine.

Each takes the network apart into the same description, one ``Dense`` per layer: its weight
(n_in, n_out), its bias (n_out,) and its activation. Anything that does not fit that shape
(another layer type, an activation the engines do not have, a layer without a bias) is
refused by name. PyTorch is optional: ``pip install "tracegrad[torch]"``.

PyTorch's ``Linear`` keeps its weight as (out_features, in_features) and computes
``x @ W.T + b``; tracegrad's keeps (n_in, n_out) and computes ``x @ W + b``: the matrices are
transposed on the way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import DTypeLike

from .layers import Activation, Linear, Sequential
from .module import MLP, Layer, Module

if TYPE_CHECKING:  # torch is optional (the torch extra): imported where it is used
    import torch

__all__ = ["Dense", "dense_layers", "to_torch", "from_torch", "to_scalar"]

_TORCH_ACTIVATIONS = {"Sigmoid": "sigmoid", "ReLU": "relu", "Tanh": "tanh",
                      "Identity": "linear"}  # torch.nn class name -> tracegrad's name
_NOT_AFTER_LINEAR = ("layer {i} is {layer} without a Linear layer just before it; only Linear "
                     "layers, each followed by at most one activation, convert")


@dataclass
class Dense:
    """One fully connected layer and the activation after it ("linear" for none)."""

    weight: np.ndarray  # (n_in, n_out)
    bias: np.ndarray    # (n_out,)
    activation: str


def dense_layers(model: Sequential | Linear | MLP) -> list[Dense]:
    """``model`` (an ``nn.Sequential``, ``nn.Linear`` or ``nn.MLP``) as a list of ``Dense``.

    Raises:
        TypeError: a layer that is neither Linear nor Activation, an Activation that does
            not follow a Linear, or a layer used twice (its sharing cannot be kept).

    >>> from nn import mlp
    >>> [(d.weight.shape, d.activation) for d in dense_layers(mlp(4, [3, 2]))]
    [((4, 3), 'sigmoid'), ((3, 2), 'sigmoid')]
    """
    if isinstance(model, MLP):
        return [_dense_from_scalar(layer) for layer in model.layers]
    layers = [model] if isinstance(model, Linear) else _sequential_layers(model)
    dense, seen = [], set()
    for i, layer in enumerate(layers):
        if isinstance(layer, Linear):
            if id(layer) in seen:
                raise TypeError(f"layer {i} is a Linear used earlier in the model too; a "
                                "converted model cannot share it, so it is refused")
            seen.add(id(layer))
            dense.append(Dense(layer.weight.data.copy(), layer.bias.data.copy(), "linear"))
        elif isinstance(layer, Activation):
            if i == 0 or not isinstance(layers[i - 1], Linear):
                raise TypeError(_NOT_AFTER_LINEAR.format(i=i, layer=repr(layer)))
            dense[-1].activation = layer.name
        else:
            raise TypeError(f"layer {i} is {type(layer).__name__}; only Linear and Activation "
                            "layers convert")
    return dense


def _sequential_layers(model: object) -> list[Module]:
    if not isinstance(model, Sequential):
        raise TypeError(f"expected an nn.Sequential, nn.Linear or nn.MLP, got "
                        f"{type(model).__name__}")
    if not model.layers:
        raise TypeError("the Sequential has no layers")
    return model.layers


def _dense_from_scalar(layer: Layer) -> Dense:
    weight = np.array([[float(w.data) for w in neuron.w] for neuron in layer.neurons]).T
    bias = np.array([float(neuron.b.data) for neuron in layer.neurons])
    return Dense(weight, bias, layer.neurons[0].activation)


# ----------------------------------------------------------------- PyTorch


def _import_torch() -> ModuleType:
    try:
        import torch
    except ImportError:
        raise ImportError('this needs PyTorch: pip install "tracegrad[torch]" (a CPU build, '
                          "torch==2.13.0)") from None
    return torch


def to_torch(model: Sequential | Linear | MLP) -> torch.nn.Sequential:
    """A ``torch.nn.Sequential`` of ``torch.nn.Linear`` layers and activations with the
    same weights (copied, and transposed to PyTorch's (out, in)) and the same dtype, so it
    gives the same outputs up to rounding.

    Args:
        model: an ``nn.Sequential`` of Linear and Activation layers (as ``nn.mlp`` builds),
            an ``nn.Linear``, or an ``nn.MLP`` of Values (which becomes float64).

    Returns:
        ``torch.nn.Sequential``; an activation "linear" adds no module.

    Raises:
        ImportError: PyTorch is not installed.
        TypeError: the model holds a layer that does not convert (see ``dense_layers``).
    """
    torch = _import_torch()
    modules = {"sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}
    layers = []
    for dense in dense_layers(model):
        n_in, n_out = dense.weight.shape
        linear = torch.nn.Linear(n_in, n_out, dtype=_torch_dtype(torch, dense.weight.dtype))
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(dense.weight.T)))
            linear.bias.copy_(torch.from_numpy(dense.bias))
        layers.append(linear)
        if dense.activation != "linear":
            layers.append(modules[dense.activation]())
    return torch.nn.Sequential(*layers)


def _torch_dtype(torch: ModuleType, dtype: np.dtype) -> torch.dtype:
    return torch.float64 if dtype == np.float64 else torch.float32


def from_torch(module: torch.nn.Module, dtype: DTypeLike | None = None) -> Sequential:
    """A PyTorch MLP as an ``nn.Sequential`` with the same weights and the same outputs.

    Args:
        module: a ``torch.nn.Sequential`` (nested ones are read in order) of
            ``torch.nn.Linear`` layers with biases, each followed by at most one of
            ``Sigmoid``, ``ReLU``, ``Tanh`` or ``Identity``; or a single ``torch.nn.Linear``.
        dtype: float32 or float64; default: the module's own (float32 or float64).

    Returns:
        an ``nn.Sequential`` of ``nn.Linear`` and ``nn.Activation`` layers. For the scalar
        engine, pass it on to ``to_scalar``.

    Raises:
        ImportError: PyTorch is not installed.
        TypeError: a layer of another kind (named, with its position), an activation
            without a Linear before it, a Linear without a bias, or weights of a dtype
            other than float32/float64.
    """
    torch = _import_torch()
    activations = {getattr(torch.nn, kind): name for kind, name in _TORCH_ACTIVATIONS.items()}
    layers = _torch_layers(torch, module)
    dense = []
    for i, layer in enumerate(layers):
        kind = type(layer).__name__
        if isinstance(layer, torch.nn.Linear):
            dense.append(_dense_from_torch(torch, i, layer))
        elif type(layer) in activations:  # exactly these classes: not a subclass's forward
            if i == 0 or not isinstance(layers[i - 1], torch.nn.Linear):
                raise TypeError(_NOT_AFTER_LINEAR.format(i=i, layer=kind))
            dense[-1].activation = activations[type(layer)]
        else:
            raise TypeError(f"layer {i} is torch.nn.{kind}, which tracegrad does not have; "
                            "from_torch takes Linear, Sigmoid, ReLU, Tanh and Identity layers")
    if not dense:
        raise TypeError("the module has no Linear layer")
    return _sequential(dense, dtype)


def _dense_from_torch(torch: ModuleType, i: int, layer: torch.nn.Linear) -> Dense:
    if layer.bias is None:
        raise TypeError(f"layer {i} is Linear(bias=False); tracegrad's Linear always has a "
                        "bias")
    if layer.weight.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"layer {i} (Linear) has weights of {layer.weight.dtype}; convert the "
                        "module with .float() or .double() first")
    weight = layer.weight.detach().cpu().numpy().T.copy()  # (out, in) -> (n_in, n_out)
    return Dense(weight, layer.bias.detach().cpu().numpy().copy(), "linear")


def _torch_layers(torch: ModuleType, module: torch.nn.Module) -> list[torch.nn.Module]:
    """The layers of ``module`` in order, nested Sequentials read through."""
    if isinstance(module, torch.nn.Sequential):
        return [leaf for child in module for leaf in _torch_layers(torch, child)]
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch takes a torch.nn.Module, got {type(module).__name__}")
    return [module]


def _sequential(dense: Sequence[Dense], dtype: DTypeLike | None) -> Sequential:
    layers: list[Module] = []
    for d in dense:
        n_in, n_out = d.weight.shape
        linear = Linear(n_in, n_out, rng=0, dtype=dtype or d.weight.dtype, init="zeros")
        linear.weight.data[...] = d.weight
        linear.bias.data[...] = d.bias
        layers.append(linear)
        if d.activation != "linear":
            layers.append(Activation(d.activation))
    return Sequential(*layers)


# ----------------------------------------------------------------- the scalar engine


def to_scalar(model: Sequential | Linear) -> MLP:
    """An ``nn.MLP`` of Values with the weights of a tensor network, to trace one sample
    number by number (``autograd.trace``) where the tensor engine shows only arrays.

    Every weight becomes a Python float holding exactly the tensor's float32 or float64
    number; the scalar engine then computes in float64, so its outputs match a float64
    tensor network to rounding and a float32 one to float32's precision.

    Args:
        model: an ``nn.Sequential`` of Linear and Activation layers, or an ``nn.Linear``
            (for a PyTorch module: ``to_scalar(from_torch(module))``).

    Returns:
        ``nn.MLP(n_in, sizes, activation=[...])`` with the model's weights.

    Raises:
        TypeError: a layer that does not convert (see ``dense_layers``).

    >>> from nn import Tensor, mlp
    >>> net = mlp(3, [2, 1], seed=0, dtype=np.float64)
    >>> x = [0.5, -1.0, 2.0]
    >>> tensor_output = float(net(Tensor([x], dtype="float64")).data[0, 0])
    >>> scalar = to_scalar(net)                 # 3*2 + 2 + 2*1 + 1 = 11 Values
    >>> scalar.num_parameters(), abs(scalar(x)[0].data - tensor_output) < 1e-15
    (11, True)
    """
    dense = dense_layers(model)
    n_in = dense[0].weight.shape[0]
    sizes = [d.weight.shape[1] for d in dense]
    scalar = MLP(n_in, sizes, activation=[d.activation for d in dense], seed=0)
    for layer, d in zip(scalar.layers, dense):
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                w.data = float(d.weight[i, j])
            neuron.b.data = float(d.bias[j])
    return scalar
