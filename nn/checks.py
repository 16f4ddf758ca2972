"""Argument checks shared by the layers, losses, optimizers and training helpers.

Each check returns the value (a number keeps its type, so a ``Fraction`` learning rate keeps
the scalar engine's arithmetic exact; a whole number becomes an ``int``, a flag a ``bool``)
or raises an error whose message names the argument, the value given and, where there is
one, the fix.
A bool is never taken for a number (``lr=True`` is refused, although ``True == 1``).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = ["whole_number", "positive_number", "number_in", "flag", "seed_or_generator"]


def _describe(value: object) -> str:
    return f"the {type(value).__name__} {value!r}"


def _real(name: str, value: object) -> float:
    """``value`` as a float, or a TypeError for a bool, a string or anything not a real."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number, got {_describe(value)}")
    if isinstance(value, str):
        raise TypeError(f"{name} must be a number, got {_describe(value)}; convert it first, "
                        f"e.g. float({value!r})")
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    return float(value)


def whole_number(name: str, value: object, minimum: int = 1) -> int:
    """``value`` as an int of at least ``minimum`` (NumPy integers are accepted).

    Raises:
        TypeError: a bool, a float such as 2.0, a string, or anything not an integer.
        ValueError: an integer below ``minimum``.

    >>> whole_number("batch_size", np.int64(10))
    10
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number (an int), got {_describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def positive_number(name: str, value: Any) -> Any:
    """``value``, which must be a positive, finite number (a learning rate, an epsilon).

    Raises:
        TypeError: not a real number (a string such as "0.1", a bool, None).
        ValueError: zero, negative, NaN or infinite.

    >>> positive_number("lr", 0.5)
    0.5
    """
    number = _real(name, value)
    if not number > 0:  # also NaN
        raise ValueError(f"{name} must be positive, got {value!r}")
    if number == math.inf:
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def number_in(name: str, value: Any, low: float, high: float = math.inf) -> Any:
    """``value``, which must be a finite number in [low, high).

    Raises:
        TypeError: not a real number.
        ValueError: NaN, infinite, or outside the interval.

    >>> number_in("momentum", 0.9, 0, 1)
    0.9
    """
    number = _real(name, value)
    if low <= number < high and math.isfinite(number):
        return value
    if high == math.inf:
        raise ValueError(f"{name} must be >= {low} and finite, got {value!r}")
    raise ValueError(f"{name} must be in [{low}, {high}), got {value!r}")


def flag(name: str, value: object) -> bool:
    """``value`` as a bool; only True and False (and NumPy's bools) are accepted.

    Raises:
        TypeError: anything else, such as the string "no" (which Python would take as true).

    >>> flag("requires_grad", np.True_)
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)


def seed_or_generator(name: str, value: object, stream: int = 0) -> np.random.Generator:
    """A NumPy random generator from None (fresh entropy), a seed (an int >= 0) or a
    ``np.random.Generator`` (used as it is, so it goes on from where it was).

    ``stream`` > 0 gives a seed a stream of its own: ``np.random.default_rng([seed, stream])``
    instead of ``np.random.default_rng(seed)``. NumPy's seeding mixes both numbers, so the two
    streams are unrelated: one seed can serve the initial weights (stream 0) and the order of
    the mini-batches (``nn.MiniBatches``, stream 1) without the shuffle repeating the bits the
    weights were drawn from.

    Raises:
        TypeError: anything else (a float, a string, a bool, ``random.Random``).
        ValueError: a negative seed.

    >>> float(seed_or_generator("seed", 0).random()) == float(np.random.default_rng(0).random())
    True
    >>> float(seed_or_generator("seed", 0, stream=1).random()) == float(
    ...     np.random.default_rng([0, 1]).random())
    True
    """
    if value is None or isinstance(value, np.random.Generator):
        return np.random.default_rng(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be None, a whole number (a seed) or a "
                        f"np.random.Generator, got {_describe(value)}")
    if value < 0:
        raise ValueError(f"{name} must be a seed >= 0, got {value}")
    return np.random.default_rng([int(value), stream] if stream else int(value))
