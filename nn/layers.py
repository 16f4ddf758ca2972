"""Tensor layers: ``Linear``, ``Activation``, ``Sequential``, and the ``mlp`` builder."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .module import ACTIVATIONS, Module, _check_sizes, _per_layer, activate
from .tensor import Tensor
from .tensor_ops import Affine

__all__ = ["Linear", "Activation", "Sequential", "mlp"]


class Linear(Module):
    """A fully connected layer: ``x @ weight + bias``, recorded as one operation (``Affine``).

    Args:
        n_in, n_out: input and output sizes.
        rng: a ``np.random.Generator`` for the initial weights (normal, standard deviation
            1/sqrt(n_in), LeCun initialisation); biases start at 0.
        dtype: float32 (default) or float64.

    Shape:
        input (N, n_in) -> output (N, n_out); ``weight`` (n_in, n_out), ``bias`` (n_out,).
        Column j of ``weight`` holds the weights of neuron j, as ``nn.Neuron.w`` does.

    >>> layer = Linear(784, 16, rng=np.random.default_rng(0))
    >>> layer(Tensor(np.zeros((32, 784)))).shape, layer.num_parameters()
    ((32, 16), 12560)
    """

    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator | None = None,
                 dtype=np.float32):
        rng = rng if rng is not None else np.random.default_rng()
        self.weight = Tensor(rng.normal(0.0, 1.0 / np.sqrt(n_in), (n_in, n_out)), dtype=dtype,
                             requires_grad=True, label="weight")
        self.bias = Tensor(np.zeros(n_out), dtype=dtype, requires_grad=True, label="bias")

    def __call__(self, x: Tensor) -> Tensor:
        if x.data.ndim != 2 or x.data.shape[1] != self.weight.data.shape[0]:
            raise ValueError(f"Linear({self.weight.shape[0]} -> {self.weight.shape[1]}) takes "
                             f"input of shape (N, {self.weight.shape[0]}), got {x.shape}")
        return x._tensor_op(Affine, (x, self.weight, self.bias))

    def parameters(self) -> list[Tensor]:
        return [self.weight, self.bias]

    def named_parameters(self) -> dict[str, Tensor]:
        return {"weight": self.weight, "bias": self.bias}

    def __repr__(self) -> str:
        return f"Linear({self.weight.shape[0]} -> {self.weight.shape[1]})"


class Activation(Module):
    """An elementwise activation as a layer: "sigmoid", "relu", "tanh" or "linear"."""

    def __init__(self, name: str):
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
        self.name = name

    def __call__(self, x: Tensor) -> Tensor:
        return activate(x, self.name)

    def named_parameters(self) -> dict[str, Tensor]:
        return {}

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


class Sequential(Module):
    """Layers applied one after another; parameters are named ``"<index>.<name>"``."""

    def __init__(self, *layers: Module):
        self.layers = list(layers)

    def __call__(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Tensor]:
        return [p for layer in self.layers for p in layer.parameters()]

    def named_parameters(self) -> dict[str, Tensor]:
        """Every parameter by a stable name, e.g. ``{"0.weight": ..., "0.bias": ...}``."""
        return {f"{i}.{name}": p for i, layer in enumerate(self.layers)
                for name, p in layer.named_parameters().items()}

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of the parameter arrays by name (for ``nn.save_weights``)."""
        return {name: p.data.copy() for name, p in self.named_parameters().items()}

    def load_state_dict(self, arrays: dict[str, np.ndarray]) -> None:
        """Copy arrays into the parameters in place.

        Raises:
            ValueError: a name is missing or extra, or a shape differs; names the first one.
        """
        params = self.named_parameters()
        for name in params:
            if name not in arrays:
                raise ValueError(f"no array named {name!r} to load (have: {sorted(arrays)})")
        for name in arrays:
            if name not in params:
                raise ValueError(f"unexpected array {name!r}: this model has {sorted(params)}")
        for name, p in params.items():
            if arrays[name].shape != p.shape:
                raise ValueError(f"{name!r} has shape {arrays[name].shape}, the model expects "
                                 f"{p.shape}")
            p.data[...] = arrays[name]

    def __repr__(self) -> str:
        inner = ",\n  ".join(map(repr, self.layers))
        return f"Sequential(\n  {inner}\n)"


def mlp(n_in: int, sizes: Sequence[int], activation="sigmoid", seed: int | None = None,
        dtype=np.float32) -> Sequential:
    """The tensor counterpart of ``nn.MLP``: Linear layers each followed by an activation.

    Args:
        n_in: input size (784 for MNIST).
        sizes: neurons per layer, e.g. ``[16, 16, 10]``.
        activation: one name for every layer or one per layer ("sigmoid", "relu", "tanh",
            "linear"), as for ``nn.MLP``.
        seed: seeds the initial weights.
        dtype: float32 (default) or float64.

    Shape:
        input (N, n_in) -> output (N, sizes[-1]).

    >>> net = mlp(784, [16, 16, 10], seed=0)
    >>> net.num_parameters()
    13002
    """
    _check_sizes(n_in, sizes)
    names = _per_layer(activation, len(sizes))
    rng = np.random.default_rng(seed)
    widths = [n_in, *sizes]
    layers = []
    for i, name in enumerate(names):
        layers.append(Linear(widths[i], widths[i + 1], rng=rng, dtype=dtype))
        if name != "linear":
            layers.append(Activation(name))
    return Sequential(*layers)
