"""The math namespace of NumPy arrays, for the operation table's rules on ``nn.Tensor``.

The rules of ``autograd.ops`` are written over a math namespace ``m`` (``m.exp(a)``,
``m.sigmoid(a)``); ``NumpyMath`` runs them on arrays: the engine's own functions below, then
NumPy's under the same names (``np.exp``, ``np.sin``, ``np.sqrt``, ...). A NaN stays NaN
through every one of them.

>>> NumpyMath.sigmoid(np.array([0.0], dtype=np.float32)).tolist()
[0.5]
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from autograd.math_namespaces import LibraryMath

__all__ = ["NumpyMath", "EXP_CAP", "FLOAT_DTYPES"]

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
"""The dtypes a Tensor holds."""


def _exp_cap(dtype: type[np.floating]) -> np.floating:
    """The largest x of ``dtype`` whose exp is finite: 88.72 for float32, 709.78 for float64."""
    cap = np.log(np.finfo(dtype).max)  # can round up, to an x whose exp overflows
    with np.errstate(over="ignore"):
        while not np.isfinite(np.exp(np.full(64, cap, dtype))).all():
            cap = np.nextafter(cap, dtype(0))
    return cap


EXP_CAP = {dtype: _exp_cap(dtype.type) for dtype in FLOAT_DTYPES}
"""The largest x of each dtype whose exp is finite (the sigmoid caps exp's argument there)."""


class _NumpyMath(LibraryMath):
    """Math on NumPy arrays for the operation table (see ``autograd.math_namespaces``): the
    engine's functions below, then NumPy's own under the same names (``np.exp``, ``np.sin``,
    ``np.sqrt``, ...)."""

    library_name = "numpy"

    def _library(self) -> ModuleType:
        return np

    any = staticmethod(np.any)
    abs = staticmethod(np.abs)
    sign = staticmethod(np.sign)

    @staticmethod
    def pow(a: Any, c: Any) -> Any:
        return a ** c

    @staticmethod
    def sigmoid(a: np.ndarray) -> np.ndarray:
        # 1 / (1 + exp(-a)), in one new array. The argument of exp is capped at the largest x
        # whose exp is finite, so exp never overflows and there is no warning to silence
        # (np.errstate costs more than this arithmetic on a mini-batch). Below the cap,
        # a < -88.72 in float32 (-709.78 in float64), the true value is under the smallest
        # normal float, and the result stays at 1 / (1 + largest float): 2.9e-39 in float32
        # (5.6e-309 in float64) instead of falling further towards 0.
        e = np.negative(a, out=np.empty_like(a))  # out=: a 0-d array stays an array
        np.minimum(e, EXP_CAP[a.dtype], out=e)
        np.exp(e, out=e)
        e += 1
        return np.reciprocal(e, out=e)

    @staticmethod
    def relu(a: np.ndarray) -> np.ndarray:
        return np.maximum(a, 0)  # NaN stays NaN

    @staticmethod
    def step(a: np.ndarray) -> np.ndarray:
        return np.heaviside(a, 0).astype(a.dtype, copy=False)  # 0 at 0; NaN stays NaN


NumpyMath = _NumpyMath()
"""The math namespace of NumPy arrays."""
