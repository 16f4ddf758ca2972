"""Checking gradients against central differences, for the engine's tests.

A helper module, not a test file: the tests import it with ``from gradcheck import ...``
(pytest puts ``tests/`` on ``sys.path`` because ``tests/`` has no ``__init__.py``).

* ``central_difference(f, xs, i, h)``: (f(x + h e_i) - f(x - h e_i)) / 2h in float64.
* ``check_gradients(build, xs, rtol, atol)``: builds a ``Value`` graph from float inputs,
  runs ``backward()`` and compares every input's ``grad`` with the central difference of the
  same graph's forward pass; raises ``GradientMismatch`` with a table when any disagrees.
* ``compare_gradients``: the same comparison, returned as a ``GradientReport`` instead of
  raised.
* ``PROFILE``: the Hypothesis settings of these tests (``HYPOTHESIS_PROFILE=long`` for a long
  run).

>>> report = check_gradients(lambda x, y: x * y + y.exp(), [2.0, 0.5])
>>> [round(row.analytic, 6) for row in report.rows]   # d/dx = y, d/dy = x + exp(y)
[0.5, 3.648721]
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from hypothesis import settings

from autograd import Value, no_grad

__all__ = [
    "ATOL",
    "PROFILE",
    "ROUNDING",
    "RTOL",
    "GradientMismatch",
    "GradientReport",
    "GradientRow",
    "central_difference",
    "check_gradients",
    "close",
    "compare_gradients",
]

RTOL = 1e-6
"""Relative tolerance of the checks (float64 central differences with h = 1e-6 are good to
about 1e-9 relative for the smooth, bounded functions the tests draw)."""

ATOL = 1e-8
"""Absolute tolerance, for derivatives near 0, where the rounding error of f(x +- h) / 2h
(about 1e-16 * |f| / 1e-6) dominates."""

ROUNDING = 8 * 2.0 ** -52
"""A few float64 ulps: the relative error allowed in each forward evaluation of f."""

# Hypothesis: a bounded number of examples and no deadline, so the engine's tests take a few
# seconds; HYPOTHESIS_PROFILE=long for a thorough run. The profiles are applied per test
# (``@PROFILE``) rather than loaded globally, so other test modules keep their own settings.
settings.register_profile("tracegrad-ci", max_examples=60, deadline=None)
settings.register_profile("long", max_examples=2000, deadline=None)
PROFILE = settings.get_profile(
    "long" if os.environ.get("HYPOTHESIS_PROFILE") == "long" else "tracegrad-ci")


def central_difference(f, xs, i: int, h: float = 1e-6) -> float:
    """d f / d xs[i] estimated as (f(..., x_i + h, ...) - f(..., x_i - h, ...)) / (2h).

    Args:
        f: a function of ``len(xs)`` float arguments returning a number.
        xs: the point, a sequence of numbers (converted to float64).
        i: which argument to differentiate by.
        h: the step.

    Returns:
        float: the estimate; its error is about h**2 * |f'''| / 6 plus 1e-16 * |f| / h.

    >>> round(central_difference(lambda x, y: x * x * y, [3.0, 2.0], 0), 6)   # 2xy = 12
    12.0
    """
    xs = [float(x) for x in xs]
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (float(f(*up)) - float(f(*down))) / (2.0 * h)


def close(a: float, b: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """|a - b| <= atol + rtol * max(|a|, |b|), with NaN and infinities never close."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


@dataclass(frozen=True)
class GradientRow:
    """One input's comparison: its index, value, backward() grad and numerical estimate."""

    index: int
    x: float
    analytic: float
    numeric: float
    ok: bool

    @property
    def error(self) -> float:
        return abs(self.analytic - self.numeric)


@dataclass(frozen=True)
class GradientReport:
    """Every input's comparison. ``ok`` when all agree; ``str()`` is a readable table."""

    rows: tuple
    value: float
    rtol: float
    atol: float

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def mismatches(self) -> list:
        return [row for row in self.rows if not row.ok]

    def __str__(self) -> str:
        bad = len(self.mismatches)
        head = (f"gradient check {'passed' if not bad else 'FAILED'}: {bad} of {len(self.rows)} "
                f"inputs disagree (f = {self.value!r}, rtol={self.rtol:g}, atol={self.atol:g})")
        columns = (f"  {'input':<6} {'x':>14} {'backward()':>22} {'central diff.':>22} "
                   f"{'abs. error':>11}")
        lines = [head, columns]
        for row in self.rows:
            mark = "" if row.ok else "   <-- mismatch"
            lines.append(f"  x{row.index:<5} {row.x:>14.8g} {row.analytic:>22.15g} "
                         f"{row.numeric:>22.15g} {row.error:>11.3g}{mark}")
        return "\n".join(lines)


class GradientMismatch(AssertionError):
    """backward() and central differences disagree; the message is the report's table."""

    def __init__(self, report: GradientReport):
        super().__init__(str(report))
        self.report = report


def compare_gradients(build, xs, rtol: float = RTOL, atol: float = ATOL,
                      h: float = 1e-6) -> GradientReport:
    """Compare ``backward()`` grads with central differences; return the report.

    Args:
        build: a function of ``len(xs)`` Values returning one Value (the output).
        xs: the input point (numbers, converted to float64).
        rtol, atol: tolerances, see ``close``; ``ROUNDING * |f| / h`` is added to atol.
        h: the central-difference step.
    """
    xs = [float(x) for x in xs]
    leaves = [Value(x, label=f"x{k}") for k, x in enumerate(xs)]
    out = build(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"build must return a Value, got {type(out).__name__}")
    out.backward()

    def f(*zs):
        with no_grad():
            return build(*(Value(z) for z in zs)).data

    # The central difference's own rounding error, about eps * |f| / h, is added to atol:
    # without it a large f with a small derivative (tanh(10) * 1e3) could never pass.
    atol = atol + ROUNDING * abs(float(out.data)) / h
    rows = []
    for k, leaf in enumerate(leaves):
        analytic = float(leaf.grad)
        numeric = central_difference(f, xs, k, h)
        rows.append(GradientRow(k, xs[k], analytic, numeric, close(analytic, numeric, rtol, atol)))
    return GradientReport(tuple(rows), float(out.data), rtol, atol)


def check_gradients(build, xs, rtol: float = RTOL, atol: float = ATOL,
                    h: float = 1e-6) -> GradientReport:
    """Like ``compare_gradients``, but raise ``GradientMismatch`` unless every input agrees.

    Returns:
        GradientReport: the (passing) report.
    """
    report = compare_gradients(build, xs, rtol, atol, h)
    if not report.ok:
        raise GradientMismatch(report)
    return report
