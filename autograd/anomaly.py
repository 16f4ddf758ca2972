"""Anomaly mode: stop at the first operation that produces NaN or inf, and say where it came from.

Off by default. Inside ``detect_anomaly()`` (or after ``set_detect_anomaly(True)``) every
operation of ``autograd.Value`` and ``nn.Tensor`` remembers the line of user code that created
it, its output is checked in the forward pass, and every gradient contribution is checked in
backward. The first NaN or inf raises ``AnomalyError`` naming the operation, its inputs
(labels and numbers, or shapes) and that line. The scalar engine already refuses overflow
without it; anomaly mode adds NaN and inf coming from the inputs, and covers tensors.

Cost when on: each operation records the line that created it and each result is checked,
so building a graph takes 3.5-3.8 times as long and backward 1.2-1.3 times (measured by
``benchmarks/scalar_engine.py`` on one sample through the 784-16-16-10 network of Values,
each run alternately with the plain one; 2026-11-30). Off, it costs one flag test per
operation.

>>> from autograd import Value
>>> with detect_anomaly():
...     x = Value(float("inf"), label="x")
...     y = x - x                                   # inf - inf is NaN  # doctest: +ELLIPSIS
Traceback (most recent call last):
    ...
autograd.anomaly.AnomalyError: anomaly in the forward pass: sub produced nan, computing x=inf - x=inf
  created at ...
"""  # noqa: E501 - the example shows the error's message whole, as it is printed

from __future__ import annotations

import contextlib
import os
import sys
import weakref
from collections.abc import Iterator
from types import FrameType

__all__ = ["AnomalyError", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]

_enabled = False
_origins: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LIBRARY_DIRS = tuple(os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep + d
                      for d in ("autograd", "nn"))


class AnomalyError(ArithmeticError):
    """A NaN or inf appeared in the forward or backward pass while anomaly mode was on."""


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` or after ``set_detect_anomaly(True)``."""
    return _enabled


def set_detect_anomaly(enabled: bool) -> None:
    """Turn anomaly mode on or off for everything that follows."""
    global _enabled
    _enabled = bool(enabled)


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Context manager: anomaly mode inside the block (see the module docstring)."""
    previous = _enabled
    set_detect_anomaly(True)
    try:
        yield
    finally:
        set_detect_anomaly(previous)


def _user_line() -> str:
    """``file:line in function: code`` of the first caller outside autograd/ and nn/."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY_DIRS):
        frame = frame.f_back
    if frame is None:
        return "an unknown line"
    import linecache

    code = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    where = f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"
    return f"{where}: {code}" if code else where


def record(node: object) -> None:
    """Remember where ``node`` was created (called by the engines when anomaly mode is on)."""
    _origins[node] = _user_line()


def origin(node: object) -> str:
    """Where ``node`` was created, if it was made in anomaly mode."""
    return _origins.get(node, "(created before anomaly mode was on)")


def forward_error(op_name: str, inputs: str, result: str,
                  node: object | None = None) -> AnomalyError:
    """The error for an operation whose output is not finite (``node``: its result, if made)."""
    where = origin(node) if node is not None else _user_line()
    return AnomalyError(f"anomaly in the forward pass: {op_name} produced {result}, computing "
                        f"{inputs}\n  created at {where}")


def backward_error(node_text: str, child_text: str, detail: str, node: object) -> AnomalyError:
    """The error for a gradient contribution that is not finite."""
    return AnomalyError(f"anomaly in backward: the gradient passed from {node_text} to "
                        f"{child_text} is not finite ({detail})\n"
                        f"  {node_text} was created at {origin(node)}")
