"""Whether operations record the graph that ``backward()`` needs (shared by both engines)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["no_grad", "is_grad_enabled"]

_enabled = True


def is_grad_enabled() -> bool:
    """True unless inside a ``no_grad()`` block."""
    return _enabled


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Context manager: operations inside build no graph (for evaluation, e.g. a test set).

    Results keep their ``data`` but have no parents, so ``backward()`` from them reaches
    nothing, and the memory of the graph is never allocated. Works for ``autograd.Value``
    and ``nn.Tensor`` alike, and nests.

    >>> from autograd import Value, no_grad
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.data, y.parents
    (9.0, ())
    """
    global _enabled
    previous = _enabled
    _enabled = False
    try:
        yield
    finally:
        _enabled = previous
