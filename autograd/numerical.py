"""Checking derivatives by numbers: central differences, and ``gradcheck``.

A derivative rule can be wrong in ways no test of the engine would notice. ``gradcheck``
compares it with what the function itself says: the central difference
(f(x + h) - f(x - h)) / 2h in float64, whose error is about h**2 (with h = 1e-6, far below
the tolerance). It works on one operation's rule (before or after registering it) and on any
function of Values.

>>> from autograd import Op
>>> class BadCube(Op):
...     name = "bad_cube"
...     @staticmethod
...     def forward(m, a): return a * a * a
...     @staticmethod
...     def local(m, out, a): return (2 * a * a,)       # wrong: d/da a**3 is 3*a**2
>>> report = gradcheck(BadCube, 1.5)
>>> report.ok, report.rows[0].analytic, round(report.rows[0].numerical, 6)
(False, 4.5, 6.75)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .grad_mode import no_grad
from .math_namespaces import Number, ScalarMath
from .ops import Op
from .text import Table, number
from .value import Value

__all__ = ["central_difference", "gradcheck", "GradcheckReport", "GradcheckRow", "RTOL",
           "ATOL", "STEP"]

STEP = 1e-6
"""The step h of the central differences."""

RTOL = 1e-6
"""Relative tolerance: float64 central differences with h = 1e-6 are good to about 1e-9
relative for smooth functions of moderate size."""

ATOL = 1e-8
"""Absolute tolerance, for derivatives near 0, where the rounding of f(x +- h) / 2h (about
1e-16 * |f| / h) dominates; ``gradcheck`` adds that rounding to it."""

_ROUNDING = 8 * 2.0 ** -52  # a few float64 ulps: the relative error of one evaluation of f


def central_difference(f: Callable, xs: Sequence, i: int, h: float = STEP) -> float:
    """d f / d xs[i] estimated as (f(..., x_i + h, ...) - f(..., x_i - h, ...)) / (2h).

    Args:
        f: a function of ``len(xs)`` float arguments returning a number.
        xs: the point (converted to float64).
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


@dataclass(frozen=True)
class GradcheckRow:
    """One input's comparison.

    Attributes:
        name: the input's name (the rule's or the function's parameter name).
        at: its value.
        analytic: the derivative the rule (or ``backward()``) gives.
        numerical: the central difference.
        ok: whether they agree within the tolerance.
    """

    name: str
    at: float
    analytic: float
    numerical: float
    ok: bool

    @property
    def difference(self) -> float:
        """analytic - numerical."""
        return self.analytic - self.numerical


@dataclass(frozen=True)
class GradcheckReport:
    """Every input's comparison; ``ok`` when all agree. Prints as a table.

    Attributes:
        what: what was checked, e.g. ``"the local derivative of cube"``.
        rows: one ``GradcheckRow`` per input.
        value: the function's value at the point.
        rtol, atol: the tolerances used: agree when |difference| <= atol + rtol * max(|analytic|,
            |numerical|).
    """

    what: str
    rows: tuple[GradcheckRow, ...]
    value: float
    rtol: float
    atol: float

    @property
    def ok(self) -> bool:
        """True if every input agrees."""
        return all(row.ok for row in self.rows)

    @property
    def wrong(self) -> list[GradcheckRow]:
        """The rows that disagree."""
        return [row for row in self.rows if not row.ok]

    def table(self) -> Table:
        """The comparison as a ``autograd.text.Table``."""
        at = ", ".join(f"{row.name} = {number(row.at)}" for row in self.rows)
        if self.ok:
            verdict = "agrees with central differences for every input"
        else:
            verdict = ("is wrong for " + ", ".join(row.name for row in self.wrong)
                       + ": it disagrees with central differences")
        rows = [(row.name, row.at, row.analytic, row.numerical, row.difference,
                 "ok" if row.ok else "WRONG") for row in self.rows]
        return Table(("input", "at", "analytic (the rule)", "numerical (central difference)",
                      "difference", "verdict"), rows, numeric=frozenset({1, 2, 3, 4}),
                     title=f"gradcheck: {self.what} at {at} {verdict}",
                     notes=[f"(agree when |difference| <= {self.atol:.3g} + {self.rtol:g} * "
                            "the larger size)"])

    def __str__(self) -> str:
        return str(self.table())

    __repr__ = __str__

    def _repr_html_(self) -> str:  # a notebook shows the table as HTML
        return self.table().html()


def _parameter_names(function: Callable[..., object], skip: int, count: int,
                     fallback: str) -> list[str]:
    try:
        names = [p.name for p in inspect.signature(function).parameters.values()][skip:]
    except (TypeError, ValueError):
        names = []
    if len(names) < count:
        return [f"{fallback}{k + 1}" for k in range(count)]
    return names[:count]


def gradcheck(op_or_function: type[Op] | Callable[..., Value], *inputs: Number,
              h: float = STEP, rtol: float = RTOL, atol: float = ATOL) -> GradcheckReport:
    """Compare derivatives with central differences in float64, at the point ``inputs``.

    Args:
        op_or_function: an ``autograd.Op`` class (registered or not): its ``local`` rule is
            compared with central differences of its ``forward`` rule; or a function of
            Values returning one Value: the grads ``backward()`` gives are compared with
            central differences of the function.
        *inputs: the point: one number per input (for an operation that takes a constant,
            the constant last; it is not differentiated).
        h: the central-difference step.
        rtol, atol: the tolerances (see ``GradcheckReport``).

    Returns:
        GradcheckReport: ``.ok``, and one row per input with the analytic and the numerical
        derivative and their difference; ``print()`` it to see them.

    Raises:
        ValueError: the point is outside the operation's domain, or the wrong number of
            inputs is given.
        TypeError: ``op_or_function`` is neither an ``Op`` class nor callable, or the function
            does not return a Value.

    >>> from autograd.ops import Sin
    >>> gradcheck(Sin, 0.5).ok
    True
    >>> gradcheck(lambda x, y: x * y + y.exp(), 2.0, 0.5).ok
    True
    """
    point = [float(x) for x in inputs]
    if isinstance(op_or_function, type) and issubclass(op_or_function, Op):
        return _check_op(op_or_function, point, h, rtol, atol)
    if not callable(op_or_function):
        raise TypeError(f"gradcheck takes an autograd.Op class or a function of Values, got "
                        f"{op_or_function!r}")
    return _check_function(op_or_function, point, h, rtol, atol)


def _check_op(op: type[Op], point: list[float], h: float, rtol: float,
              atol: float) -> GradcheckReport:
    needed = op.arity + op.takes_const
    if len(point) != needed:
        raise ValueError(f"gradcheck of {op.name} needs {needed} number(s): one per "
                         "input" + (", then the constant" if op.takes_const else "")
                         + f"; got {len(point)}")
    if op.restricted:
        problem = op.domain(ScalarMath, *point)
        if problem is not None:
            raise ValueError(f"gradcheck of {op.name}: the point {tuple(point)} is outside its "
                             f"domain: {problem[1]}")
    out = op.forward(ScalarMath, *point)
    analytic = op.local(ScalarMath, out, *point)
    names = _parameter_names(op.forward, 1, op.arity, "a")
    rows = []
    for k in range(op.arity):
        def f(*xs: float) -> float:
            return op.forward(ScalarMath, *xs)

        numerical = central_difference(f, point, k, h)
        rows.append(_row(names[k], point[k], float(analytic[k]), numerical, float(out), h,
                         rtol, atol))
    return GradcheckReport(f"the local derivative of {op.name or op.__name__}", tuple(rows),
                           float(out), rtol, atol)


def _check_function(function: Callable[..., object], point: list[float], h: float,
                    rtol: float, atol: float) -> GradcheckReport:
    names = _parameter_names(function, 0, len(point), "x")
    leaves = [Value(x, label=name) for x, name in zip(point, names)]
    out = function(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: the function must return a Value, got "
                        f"{type(out).__name__}")
    out.backward()

    def f(*xs: float) -> float:
        with no_grad():  # function returns a Value: checked just above
            return function(*(Value(x) for x in xs)).data  # type: ignore[attr-defined]

    rows = [_row(name, x, float(leaf.grad), central_difference(f, point, k, h),
                 float(out.data), h, rtol, atol)
            for k, (name, x, leaf) in enumerate(zip(names, point, leaves))]
    what = f"the gradient of {getattr(function, '__name__', 'the function')}"
    return GradcheckReport(what.replace("<lambda>", "the function"), tuple(rows),
                           float(out.data), rtol, atol)


def _row(name: str, at: float, analytic: float, numerical: float, value: float, h: float,
         rtol: float, atol: float) -> GradcheckRow:
    # The central difference's own rounding, about eps * |f| / h, is added to atol: without
    # it a large f with a small derivative could never pass.
    allowed = atol + _ROUNDING * abs(value) / h + rtol * max(abs(analytic), abs(numerical))
    ok = abs(analytic - numerical) <= allowed
    return GradcheckRow(name, at, analytic, numerical, ok)
