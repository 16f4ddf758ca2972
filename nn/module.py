"""``Module`` and the scalar network: ``Neuron``, ``Layer`` and ``MLP`` built on ``Value``.

A neuron takes a weighted sum of its inputs, adds a bias, and passes the result through an
activation (the lesson's "squish", the sigmoid, by default): lesson 10, "The whole story, in
one breath", and the 5-weight network of "How networks learn".
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from autograd import OPS, Value

from .checks import whole_number

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "activate", "check_activation",
           "activations_per_layer", "layer_sizes", "unique"]

ACTIVATIONS = (*(name for name, op in OPS.items() if op.activation), "linear")
"""Activation names accepted by both engines: the operations of the table marked
``activation`` (tanh, sigmoid, relu), and "linear", which means none (the identity)."""


def check_activation(name: object) -> str:
    """Return ``name`` if it is one of ``ACTIVATIONS``.

    Raises:
        ValueError: it is not (a string naming no activation, or not a string).

    >>> check_activation("tanh")
    'tanh'
    """
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return name


_Node = TypeVar("_Node", "Value", "Tensor")

if TYPE_CHECKING:
    from .tensor import Tensor


def activate(x: _Node, name: str) -> _Node:
    """Apply the activation ``name`` to a ``Value`` or an ``nn.Tensor``.

    Raises:
        ValueError: ``name`` is not one of ``ACTIVATIONS``.

    >>> activate(Value(-2.0), "relu"), activate(Value(-2.0), "linear")
    (Value(data=0.0, grad=not computed), Value(data=-2.0, grad=not computed))
    """
    if check_activation(name) == "linear":
        return x
    return getattr(x, name)()


def activations_per_layer(activation: str | Iterable[str], n_layers: int) -> list[str]:
    """One activation name per layer from a single name or a list of names.

    Raises:
        TypeError: ``activation`` is neither a name nor a list of names.
        ValueError: an unknown name, or a list whose length is not ``n_layers``.

    >>> activations_per_layer("relu", 2), activations_per_layer(["relu", "linear"], 2)
    (['relu', 'relu'], ['relu', 'linear'])
    """
    if isinstance(activation, str):
        names = [activation] * n_layers
    elif isinstance(activation, Iterable):
        names = list(activation)
    else:
        raise TypeError(f"activation must be a name such as 'sigmoid' or a list of names, got "
                        f"{type(activation).__name__} {activation!r}")
    if len(names) != n_layers:
        raise ValueError(f"got {len(names)} activations for {n_layers} layers; give one name "
                         "for all layers or one per layer")
    return [check_activation(name) for name in names]


def layer_sizes(n_in: int, sizes: Iterable[int]) -> list[int]:
    """``[n_in, *sizes]`` as ints, refusing network shapes that cannot be built by name.

    Raises:
        TypeError: ``n_in`` or a size is not a whole number, or ``sizes`` is not a list.
        ValueError: ``sizes`` is empty, or a size is below 1.

    >>> layer_sizes(784, [16, 16, 10])
    [784, 16, 16, 10]
    """
    n_in = whole_number("n_in (the number of inputs)", n_in)
    if isinstance(sizes, (str, numbers.Number)) or not isinstance(sizes, Iterable):
        raise TypeError(f"sizes must be a list of layer widths such as [16, 16, 10], got "
                        f"{type(sizes).__name__} {sizes!r}")
    sizes = list(sizes)
    if not sizes:
        raise ValueError("sizes is empty; give the neurons per layer, e.g. [16, 16, 10]")
    return [n_in] + [whole_number(f"sizes[{i}] (the neurons of layer {i + 1})", size)
                     for i, size in enumerate(sizes)]


_P = TypeVar("_P")


def unique(parameters: Iterable[_P]) -> list[_P]:
    """Each parameter once, by identity, in the order first met: a layer used twice in a
    network has its parameters listed once, so an optimizer steps them once."""
    seen: set[int] = set()
    found = []
    for p in parameters:
        if id(p) not in seen:
            seen.add(id(p))
            found.append(p)
    return found


class Module:
    """Anything with parameters: the base of the scalar and the tensor networks.

    Subclasses implement ``parameters()``; ``zero_grad()`` and ``num_parameters()`` follow.
    """

    if TYPE_CHECKING:  # every module is called on its input; each subclass says how
        def __call__(self, x: Any) -> Any: ...

    def parameters(self) -> list[Any]:
        """Every trainable ``Value`` (or ``nn.Tensor``) of the module, each once (a shared
        one too), in a fixed order."""
        return []

    def named_parameters(self) -> dict[str, Any]:
        """The parameters by name; here their positions, ``{"0": ..., "1": ...}``."""
        return {str(i): p for i, p in enumerate(self.parameters())}

    def zero_grad(self) -> None:
        """Reset every parameter's ``grad`` (to 0 for a Value, to None for a Tensor).

        Call it before each ``backward()`` of a training step: leaves' grads accumulate.
        """
        for p in self.parameters():
            p.zero_grad()

    def num_parameters(self) -> int:
        """How many numbers the parameters hold (a Tensor of shape (784, 16) counts 12,544)."""
        return sum(getattr(p, "size", 1) for p in self.parameters())


class Neuron(Module):
    """One neuron: ``activation(w · x + b)`` on Values.

    Args:
        n_in: number of inputs (and of weights).
        activation: "sigmoid" (default), "relu", "tanh" or "linear".
        rng: a ``random.Random`` for the initial weights, drawn from a normal distribution
            with standard deviation 1/sqrt(n_in) (LeCun initialisation); bias 0.

    >>> n = Neuron(2, activation="linear")
    >>> n.w[0].data, n.w[1].data, n.b.data = 0.5, -1.0, 0.25
    >>> n([2.0, 1.0])          # 0.5*2 - 1*1 + 0.25
    Value(data=0.25, grad=not computed)
    """

    def __init__(self, n_in: int, activation: str = "sigmoid",
                 rng: random.Random | None = None) -> None:
        n_in = whole_number("n_in (the number of inputs)", n_in)
        if rng is not None and not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__} {rng!r}")
        rng = rng or random.Random()
        scale = 1.0 / math.sqrt(n_in)
        self.w = [Value(rng.gauss(0.0, scale)) for _ in range(n_in)]
        self.b = Value(0.0)
        self.activation = activations_per_layer(activation, 1)[0]

    def __call__(self, x: Sequence[Value]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"this neuron has {len(self.w)} weights but got {len(x)} inputs")
        total = self.b
        for w_i, x_i in zip(self.w, x):
            total = total + w_i * x_i
        return activate(total, self.activation)

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)} inputs, {self.activation})"


class Layer(Module):
    """A layer of ``n_out`` neurons, each seeing all ``n_in`` inputs; returns a list of Values."""

    def __init__(self, n_in: int, n_out: int, activation: str = "sigmoid",
                 rng: random.Random | None = None) -> None:
        n_out = whole_number("n_out (the number of neurons)", n_out)
        rng = rng or random.Random()
        self.neurons = [Neuron(n_in, activation, rng) for _ in range(n_out)]

    def __call__(self, x: Sequence[Value]) -> list[Value]:
        return [neuron(x) for neuron in self.neurons]

    def parameters(self) -> list[Value]:
        return unique(p for neuron in self.neurons for p in neuron.parameters())

    def __repr__(self) -> str:
        return (f"Layer({len(self.neurons[0].w)} -> {len(self.neurons)}, "
                f"{self.neurons[0].activation})")


class MLP(Module):
    """A multi-layer perceptron of Values: the lesson's digit network is ``MLP(784, [16, 16, 10])``.

    Args:
        n_in: number of inputs (784 for a 28x28 image).
        sizes: neurons per layer, the last being the outputs, e.g. ``[16, 16, 10]``.
        activation: one name for every layer, or a list with one name per layer, from
            "sigmoid" (default, the lesson's squish), "relu", "tanh", "linear".
        seed: seeds the initial weights (normal, std 1/sqrt(fan-in); biases 0).

    Calling the MLP on ``n_in`` numbers or Values (a list, tuple or 1-D array) returns a list
    of ``sizes[-1]`` Values. Parameters are ordered layer by layer, neuron by neuron, each
    neuron's weights then its bias.

    Raises:
        TypeError: ``n_in`` or a size is not a whole number.
        ValueError: a size below 1, wrong number of inputs, or an unknown activation.

    >>> net = MLP(784, [16, 16, 10], seed=0)
    >>> net.num_parameters()          # 784*16+16 + 16*16+16 + 16*10+10
    13002
    >>> len(net([0.0] * 784))
    10
    """

    def __init__(self, n_in: int, sizes: Sequence[int],
                 activation: str | Sequence[str] = "sigmoid", seed: int | None = None) -> None:
        widths = layer_sizes(n_in, sizes)
        rng = random.Random(seed)
        names = activations_per_layer(activation, len(widths) - 1)
        self.layers = [Layer(widths[i], widths[i + 1], names[i], rng) for i in range(len(names))]

    def __call__(self, x: Iterable) -> list[Value]:
        n_in = len(self.layers[0].neurons[0].w)
        if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
            raise TypeError(f"this MLP takes {n_in} numbers (a list, tuple or 1-D array), got "
                            f"{type(x).__name__} {x!r}")
        x = [v if isinstance(v, Value) else Value(v) for v in x]
        if len(x) != n_in:
            raise ValueError(f"this MLP takes {n_in} inputs but got {len(x)}")
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return unique(p for layer in self.layers for p in layer.parameters())

    def __repr__(self) -> str:
        return f"MLP({', '.join(map(repr, self.layers))})"
