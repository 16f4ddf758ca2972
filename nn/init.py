"""Initial values for a layer's weights and biases: the schemes textbooks use.

Each scheme is a function ``scheme(shape, rng) -> np.ndarray``: ``shape`` is
``(n_in, n_out)`` for a weight matrix (so the fan-in n_in is ``shape[0]`` and the fan-out
``shape[1]``) or ``(n_out,)`` for a bias vector; ``rng`` is a ``np.random.Generator``.
``nn.Linear`` and ``nn.mlp`` take a scheme by name (``init="he"``) or any function of that
form (``init=lambda shape, rng: rng.uniform(-0.1, 0.1, shape)``).

>>> w = lecun((400, 50), np.random.default_rng(0))
>>> w.shape, round(float(w.std()), 3)        # standard deviation 1/sqrt(400)
((400, 50), 0.05)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["zeros", "normal", "lecun", "xavier", "he", "SCHEMES", "Scheme", "initial_values"]


def zeros(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """All zeros: the default for biases. (For weights it leaves every neuron of a layer
    the same, and they stay the same in training: the symmetry that random weights break.)
    """
    return np.zeros(shape)


def normal(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """N(0, 1), the standard normal distribution: Nielsen's chapter 1 (``src/network.py``
    draws weights and biases with ``np.random.randn``), and his biases in chapter 3."""
    return rng.normal(0.0, 1.0, shape)


def lecun(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """N(0, 1/n_in): standard deviation 1/sqrt(fan-in), so a weighted sum of n_in inputs of
    variance 1 has variance 1 (LeCun, Bottou, Orr and Mueller, "Efficient BackProp", 1998,
    section 4.6; Nielsen's chapter 3 default). The default for weights."""
    return rng.normal(0.0, 1.0 / np.sqrt(_fan_in(shape, "lecun")), shape)


def xavier(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """Glorot's uniform U(-a, a) with a = sqrt(6 / (n_in + n_out)), which keeps the
    variance of the activations and of the gradients about equal from layer to layer
    (Glorot and Bengio, "Understanding the difficulty of training deep feedforward neural
    networks", 2010, equation 16); for tanh and sigmoid layers."""
    n_in = _fan_in(shape, "xavier")
    limit = np.sqrt(6.0 / (n_in + shape[1]))
    return rng.uniform(-limit, limit, shape)


def he(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """N(0, 2/n_in): standard deviation sqrt(2 / fan-in), for ReLU layers, which zero half
    their inputs (He, Zhang, Ren and Sun, "Delving Deep into Rectifiers", 2015, eq. 10)."""
    return rng.normal(0.0, np.sqrt(2.0 / _fan_in(shape, "he")), shape)


SCHEMES = {"zeros": zeros, "normal": normal, "lecun": lecun, "xavier": xavier, "he": he}
"""The schemes by name, as ``Linear(init=...)`` and ``Linear(bias_init=...)`` take them."""


Scheme = str | Callable[[tuple[int, ...], np.random.Generator], ArrayLike]
"""How a parameter's first values are drawn: a name in ``SCHEMES``, or a function of the
shape and a ``np.random.Generator`` returning an array of that shape."""


def _fan_in(shape: tuple[int, ...], name: str) -> int:
    if len(shape) != 2:
        raise ValueError(f"the {name!r} scheme scales by the fan-in, which needs a weight "
                         f"matrix of shape (n_in, n_out), not shape {shape}; for biases use "
                         "'zeros' or 'normal' (or a function of shape and rng)")
    return shape[0]


def initial_values(scheme: Scheme, shape: tuple[int, ...], rng: np.random.Generator,
                   argument: str = "init") -> np.ndarray:
    """The values of ``scheme`` (a name in ``SCHEMES`` or a function ``(shape, rng)``) for
    a parameter of ``shape``, checked.

    Args:
        scheme: e.g. "he", or ``lambda shape, rng: rng.uniform(-0.1, 0.1, shape)``.
        shape: ``(n_in, n_out)`` for weights, ``(n_out,)`` for biases.
        rng: a ``np.random.Generator``.
        argument: the argument's name for messages ("init" or "bias_init").

    Returns:
        a float64 array of ``shape``.

    Raises:
        ValueError: an unknown name, a fan-in scheme for a bias, or a function whose result
            has another shape or holds NaN or inf.
        TypeError: ``scheme`` is neither a name nor callable, or its result is not numbers.

    >>> initial_values("zeros", (3,), np.random.default_rng(0), "bias_init").tolist()
    [0.0, 0.0, 0.0]
    """
    if isinstance(scheme, str):
        if scheme not in SCHEMES:
            raise ValueError(f"unknown {argument} scheme {scheme!r}; choose one of "
                             f"{', '.join(map(repr, SCHEMES))}, or pass a function "
                             "(shape, rng) -> array")
        return SCHEMES[scheme](shape, rng)
    if not callable(scheme):
        raise TypeError(f"{argument} must be a scheme's name ({', '.join(SCHEMES)}) or a "
                        f"function (shape, rng) -> array, got {type(scheme).__name__} "
                        f"{scheme!r}")
    values = np.asarray(scheme(shape, rng))
    if values.dtype.kind not in "iuf":
        raise TypeError(f"{argument} returned {values.dtype} values; it must return numbers")
    if values.shape != tuple(shape):
        raise ValueError(f"{argument} returned an array of shape {values.shape} for a "
                         f"parameter of shape {tuple(shape)}")
    if not np.isfinite(values).all():
        raise ValueError(f"{argument} returned NaN or inf for a parameter of shape "
                         f"{tuple(shape)}")
    return values.astype(np.float64)
