"""Tensor layers: ``Linear``, ``Activation``, ``Sequential``, and the ``mlp`` builder."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from autograd import OPS

from .checks import seed_or_generator, whole_number
from .init import Scheme, initial_values
from .module import (
    ACTIVATIONS,
    Module,
    activate,
    activations_per_layer,
    check_activation,
    layer_sizes,
    unique,
)
from .tensor import Tensor, apply_tensor_op, float_array
from .tensor_ops import Affine, Dense

__all__ = ["Linear", "Activation", "Sequential", "mlp"]


def _tensor_input(layer: Module, x: object) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{layer!r} takes a Tensor, got {type(x).__name__}; wrap an array "
                        "with Tensor(x) (a copy) or Tensor.from_numpy(x)")


class Linear(Module):
    """A fully connected layer: ``x @ weight + bias``, recorded as one operation (``Affine``).

    Args:
        n_in, n_out: input and output sizes, whole numbers >= 1.
        rng: a ``np.random.Generator`` (or an int seed) for the initial values.
        dtype: float32 (default) or float64.
        init: the weights' initial values: a name from ``nn.init.SCHEMES``, "lecun" (the
            default: N(0, 1/n_in)), "normal" (N(0, 1), Nielsen's chapter 1), "xavier"
            (Glorot's uniform), "he" (N(0, 2/n_in)), "zeros"; or a function
            ``(shape, rng) -> array``. See ``nn.init`` for each one's source.
        bias_init: the biases' initial values: "zeros" (the default) or "normal" (N(0, 1),
            Nielsen's biases), or a function ``(shape, rng)``.

    Shape:
        input (N, n_in) -> output (N, n_out); ``weight`` (n_in, n_out), ``bias`` (n_out,).
        Column j of ``weight`` holds the weights of neuron j, as ``nn.Neuron.w`` does.

    Raises:
        TypeError: a size is not a whole number, ``rng`` is not a Generator or seed, or the
            input is not a Tensor.
        ValueError: a size below 1, an unknown scheme, or an input of the wrong shape.

    >>> layer = Linear(784, 16, rng=np.random.default_rng(0))
    >>> layer(Tensor(np.zeros((32, 784)))).shape, layer.num_parameters()
    ((32, 16), 12560)
    >>> Linear(3, 2, init="zeros", bias_init=lambda shape, rng: np.full(shape, 0.5)).bias.data
    array([0.5, 0.5], dtype=float32)
    """

    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator | int | None = None,
                 dtype: DTypeLike = np.float32, init: Scheme = "lecun",
                 bias_init: Scheme = "zeros") -> None:
        n_in = whole_number("n_in (the number of inputs)", n_in)
        n_out = whole_number("n_out (the number of outputs)", n_out)
        rng = seed_or_generator("rng", rng)
        try:
            weight = initial_values(init, (n_in, n_out), rng, "init")
        except MemoryError:
            raise MemoryError(f"Linear({n_in}, {n_out}) needs {n_in * n_out:,} weights, "
                              f"{n_in * n_out * 8 / 2 ** 30:,.1f} GiB to draw them; this "
                              "machine cannot hold that many: check the sizes") from None
        self.weight = Tensor(weight, dtype=dtype, requires_grad=True, label="weight")
        self.bias = Tensor(initial_values(bias_init, (n_out,), rng, "bias_init"),
                           dtype=dtype, requires_grad=True, label="bias")

    def __call__(self, x: Tensor) -> Tensor:
        self._check_input(x)
        return apply_tensor_op(Affine, x, self.weight, self.bias)

    def activated(self, x: Tensor, activation: str) -> Tensor:
        """``activation(self(x))`` as one operation (``nn.tensor_ops.Dense``): the same numbers
        as the layer followed by ``Activation(activation)``, with half the bookkeeping.

        >>> layer = Linear(2, 3, rng=np.random.default_rng(0))
        >>> x = Tensor(np.ones((4, 2)))
        >>> bool(np.allclose(layer.activated(x, "sigmoid").data, layer(x).sigmoid().data))
        True
        """
        if activation == "linear":
            return self(x)
        self._check_input(x)
        return apply_tensor_op(Dense, x, self.weight, self.bias, const=OPS[activation])

    def _check_input(self, x: Tensor) -> None:
        _tensor_input(self, x)
        if x.data.ndim != 2 or x.data.shape[1] != self.weight.data.shape[0]:
            raise ValueError(f"Linear({self.weight.shape[0]} -> {self.weight.shape[1]}) takes "
                             f"input of shape (N, {self.weight.shape[0]}), got {x.shape}")

    def parameters(self) -> list[Tensor]:
        return unique([self.weight, self.bias])

    def named_parameters(self) -> dict[str, Tensor]:
        return {"weight": self.weight, "bias": self.bias}

    def __repr__(self) -> str:
        return f"Linear({self.weight.shape[0]} -> {self.weight.shape[1]})"


class Activation(Module):
    """An elementwise activation as a layer: "sigmoid", "relu", "tanh" or "linear"."""

    def __init__(self, name: str) -> None:
        self.name = check_activation(name)

    def __call__(self, x: Tensor) -> Tensor:
        _tensor_input(self, x)
        return activate(x, self.name)

    def named_parameters(self) -> dict[str, Tensor]:
        return {}

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


class Sequential(Module):
    """Layers applied one after another; parameters are named ``"<index>.<name>"``.

    A layer may appear more than once (its weights are then shared): ``parameters()`` lists
    each parameter once, so an optimizer steps it once, while ``named_parameters()`` and
    ``state_dict()`` give it under each of its names, as PyTorch does.

    Raises:
        TypeError: a layer is not an ``nn.Module`` (such as the string "relu").
    """

    def __init__(self, *layers: Module) -> None:
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                hint = (f"; write Activation({layer!r})"
                        if isinstance(layer, str) and layer in ACTIVATIONS else "")
                raise TypeError(f"Sequential: layer {i} is the {type(layer).__name__} "
                                f"{layer!r}, not an nn.Module such as Linear{hint}")
        self.layers = list(layers)

    def __call__(self, x: Tensor) -> Tensor:
        # A Linear followed by an Activation runs as one operation (Linear.activated): the
        # same numbers, one node of the graph instead of two.
        layers, i = self.layers, 0
        while i < len(layers):
            layer = layers[i]
            following = layers[i + 1] if i + 1 < len(layers) else None
            if type(layer) is Linear and type(following) is Activation:
                x = layer.activated(x, following.name)
                i += 2
            else:
                x = layer(x)
                i += 1
        return x

    def parameters(self) -> list[Tensor]:
        return unique(p for layer in self.layers for p in layer.parameters())

    def named_parameters(self) -> dict[str, Tensor]:
        """Every parameter by a stable name, e.g. ``{"0.weight": ..., "0.bias": ...}``."""
        return {f"{i}.{name}": p for i, layer in enumerate(self.layers)
                for name, p in layer.named_parameters().items()}

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of the parameter arrays by name (for ``nn.save_weights``)."""
        return {name: p.data.copy() for name, p in self.named_parameters().items()}

    def load_state_dict(self, arrays: Mapping[str, np.ndarray]) -> None:
        """Copy arrays into the parameters in place, all or none.

        Every array is checked before any parameter changes: the names, the shapes, values
        that the parameter's dtype can hold (see ``nn.float_array``: an int64 2**40 + 1 is
        refused for float32, not rounded), and finite values (NaN or inf weights, as from a
        run that diverged, are refused). A parameter shared under several names must get
        the same array under each.

        Raises:
            TypeError: ``arrays`` is not a mapping, or an array is not numbers.
            ValueError: a name is missing or extra, a shape differs, a value is not finite
                or not representable, or a shared parameter's arrays differ; names the first.
            OverflowError: a value too large for the parameter's dtype.
        """
        if not isinstance(arrays, Mapping):
            raise TypeError(f"load_state_dict takes a dict of arrays by name (as state_dict() "
                            f"or nn.load_weights give), got {type(arrays).__name__}")
        params = self.named_parameters()
        for name in params:
            if name not in arrays:
                raise ValueError(f"no array named {name!r} to load (have: {sorted(arrays)})")
        for name in arrays:
            if name not in params:
                raise ValueError(f"unexpected array {name!r}: this model has {sorted(params)}")
        # id(parameter) -> (its first name, the parameter, the new values)
        checked: dict[int, tuple[str, Tensor, np.ndarray]] = {}
        for name, p in params.items():
            values = _loadable(name, arrays[name], p)
            if id(p) in checked:
                first, _, earlier = checked[id(p)]
                if not np.array_equal(earlier, values):
                    raise ValueError(f"{name!r} and {first!r} are one shared parameter, but "
                                     "the arrays given for them differ")
                continue
            checked[id(p)] = (name, p, values)
        for _, p, values in checked.values():
            p.data[...] = values

    def __repr__(self) -> str:
        inner = ",\n  ".join(map(repr, self.layers))
        return f"Sequential(\n  {inner}\n)"


def _loadable(name: str, array: ArrayLike, p: Tensor) -> np.ndarray:
    """``array`` as the values of parameter ``p`` (named ``name``), or an error."""
    values = float_array(array, p.dtype, what=f"array {name!r}:",
                         wider="build the model with dtype=np.float64 to load it")
    if values.shape != p.shape:
        raise ValueError(f"{name!r} has shape {values.shape}, the model expects {p.shape}")
    if not np.isfinite(values).all():
        flat = int(np.flatnonzero(~np.isfinite(values))[0])
        index = tuple(int(k) for k in np.unravel_index(flat, values.shape))
        raise ValueError(f"{name!r} holds {values.flat[flat]} at index {index}; non-finite "
                         "weights are refused (they come from a run that diverged)")
    return values


def mlp(n_in: int, sizes: Sequence[int], activation: str | Sequence[str] = "sigmoid",
        seed: int | np.random.Generator | None = None, dtype: DTypeLike = np.float32,
        init: Scheme = "lecun", bias_init: Scheme = "zeros") -> Sequential:
    """The tensor counterpart of ``nn.MLP``: Linear layers each followed by an activation.

    Args:
        n_in: input size (784 for MNIST).
        sizes: neurons per layer, e.g. ``[16, 16, 10]``.
        activation: one name for every layer or one per layer ("sigmoid", "relu", "tanh",
            "linear"), as for ``nn.MLP``.
        seed: seeds the initial weights (an int >= 0, or a ``np.random.Generator``).
        dtype: float32 (default) or float64.
        init, bias_init: the initial values of every layer's weights and biases, as for
            ``Linear`` (defaults "lecun" and "zeros").

    Shape:
        input (N, n_in) -> output (N, sizes[-1]).

    Raises:
        TypeError, ValueError: as ``Linear`` and ``nn.MLP``, naming the argument at fault.

    >>> net = mlp(784, [16, 16, 10], seed=0)
    >>> net.num_parameters()
    13002
    >>> nielsen = mlp(784, [30, 10], seed=0, init="normal", bias_init="normal")
    """
    widths = layer_sizes(n_in, sizes)
    names = activations_per_layer(activation, len(widths) - 1)
    rng = seed_or_generator("seed", seed)
    layers: list[Module] = []
    for i, name in enumerate(names):
        layers.append(Linear(widths[i], widths[i + 1], rng=rng, dtype=dtype, init=init,
                             bias_init=bias_init))
        if name != "linear":
            layers.append(Activation(name))
    return Sequential(*layers)
