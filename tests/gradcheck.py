"""Checking gradients against central differences, for the engine's tests.

A helper module, not a test file: the tests import it with ``from gradcheck import ...``
(pytest puts ``tests/`` on ``sys.path`` because ``tests/`` has no ``__init__.py``). The
comparison itself is the library's ``autograd.gradcheck``; this adds what tests need:

* ``check_gradients(build, xs, rtol, atol)``: ``autograd.gradcheck`` of a function of Values,
  raising ``GradientMismatch`` (with the report's table) when any input disagrees;
* ``compare_gradients``: the same report, returned instead of raised;
* ``close(a, b)``: the tests' tolerance for two floats;
* ``PROFILE``: the Hypothesis settings of these tests (``HYPOTHESIS_PROFILE=long`` for a long
  run).

>>> report = check_gradients(lambda x, y: x * y + y.exp(), [2.0, 0.5])
>>> [round(row.analytic, 6) for row in report.rows]   # d/dx = y, d/dy = x + exp(y)
[0.5, 3.648721]
"""

from __future__ import annotations

import math
import os

from hypothesis import settings

from autograd import GradcheckReport, gradcheck
from autograd.numerical import ATOL, RTOL, central_difference

__all__ = ["ATOL", "PROFILE", "RTOL", "GradientMismatch", "central_difference",
           "check_gradients", "close", "compare_gradients"]

# Hypothesis: a bounded number of examples and no deadline, so the engine's tests take a few
# seconds; HYPOTHESIS_PROFILE=long for a thorough run. The profiles are applied per test
# (``@PROFILE``) rather than loaded globally, so other test modules keep their own settings.
settings.register_profile("tracegrad-ci", max_examples=60, deadline=None)
settings.register_profile("long", max_examples=2000, deadline=None)
PROFILE = settings.get_profile(
    "long" if os.environ.get("HYPOTHESIS_PROFILE") == "long" else "tracegrad-ci")


def close(a: float, b: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """|a - b| <= atol + rtol * max(|a|, |b|), with NaN and infinities never close."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


class GradientMismatch(AssertionError):
    """backward() and central differences disagree; the message is the report's table."""

    def __init__(self, report: GradcheckReport):
        super().__init__(str(report))
        self.report = report


def compare_gradients(build, xs, rtol: float = RTOL, atol: float = ATOL,
                      h: float = 1e-6) -> GradcheckReport:
    """``autograd.gradcheck(build, *xs)``: backward() grads against central differences."""
    return gradcheck(build, *xs, h=h, rtol=rtol, atol=atol)


def check_gradients(build, xs, rtol: float = RTOL, atol: float = ATOL,
                    h: float = 1e-6) -> GradcheckReport:
    """Like ``compare_gradients``, but raise ``GradientMismatch`` unless every input agrees.

    Returns:
        GradcheckReport: the (passing) report.
    """
    report = compare_gradients(build, xs, rtol, atol, h)
    if not report.ok:
        raise GradientMismatch(report)
    return report
