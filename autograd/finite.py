"""Numbers that stop being finite (inf, NaN): refused where they appear, unless you allow them.

By default both engines refuse to make an infinite or NaN number out of finite ones: an
operation that overflows raises ``OverflowError`` at the operation, and a gradient
contribution that is not finite raises ``NonFiniteError`` at the chain-rule step that makes it,
naming the operation, the local derivative and the upstream gradient. A checker of hand
calculations must never compare a person's number with an inf that rounding made.

Inside ``allow_non_finite()`` (or after ``set_allow_non_finite(True)``) they follow IEEE 754
instead, as NumPy does by default: an overflow gives inf, inf - inf gives NaN, and both travel
on through the computation. NaN that comes in with the inputs always travels on (and never
vanishes: ``relu(nan)`` is nan); ``autograd.detect_anomaly()`` stops at it and says where it
came from.

>>> from autograd import Value
>>> x = Value(1e200, label="x")
>>> y = x * x                                   # doctest: +ELLIPSIS
Traceback (most recent call last):
    ...
OverflowError: (x=1e+200) * (x=1e+200) overflows: the result is larger than the largest float ...
>>> with allow_non_finite():
...     (x * x).data
inf
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["NonFiniteError", "allow_non_finite", "set_allow_non_finite",
           "is_non_finite_allowed", "HOW_TO_ALLOW"]

_allowed = False

HOW_TO_ALLOW = ("to let inf and NaN through as IEEE numbers instead, run it in a "
                "'with autograd.allow_non_finite():' block")
"""The last sentence of every refusal: how to opt into IEEE behaviour."""


class NonFiniteError(FloatingPointError):
    """A gradient (or value) became inf or NaN although everything it came from was finite."""


def is_non_finite_allowed() -> bool:
    """True inside ``allow_non_finite()`` or after ``set_allow_non_finite(True)``."""
    return _allowed


def set_allow_non_finite(allowed: bool) -> None:
    """Allow (True) or refuse (False, the default) inf and NaN made from finite numbers, for
    everything that follows."""
    global _allowed
    _allowed = bool(allowed)


@contextlib.contextmanager
def allow_non_finite() -> Iterator[None]:
    """Context manager: inf and NaN follow IEEE 754 inside the block (see the module
    docstring); the setting before it is restored after it, also on an error."""
    previous = _allowed
    set_allow_non_finite(True)
    try:
        yield
    finally:
        set_allow_non_finite(previous)
