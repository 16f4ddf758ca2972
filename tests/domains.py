"""Where to test each operation of the table: one entry per operation, read by every test.

A helper module, not a test file (``from domains import DOMAINS``). ``test_ops.py`` checks each
rule on the arguments an entry draws; ``test_random_graphs.py`` builds random graphs from the
entries' ``graph`` forms; ``test_tensor.py`` checks the NumPy side against the ``reference``.
An operation added to ``autograd.OPS`` fails ``test_every_op_has_a_domain`` until it has an
entry here, and that entry is all its tests need.

Each entry gives:

* ``args``: a hypothesis strategy for the argument tuple of the rule (inputs, then the
  constant of ``x ** c``), inside the domain and kept off kinks and singularities;
* ``reference``: the forward rule written independently of the table (a series, another
  identity), for float arguments;
* ``build``: how a person writes the operation on Values (``a + b``, ``a.exp()``);
* ``graph``: the operation in a form that stays in its domain for any input of moderate size
  (``log(a*a + 1)``), with ``params`` to choose among forms and ``bound`` giving a bound on
  the result from bounds on the inputs (None where it could grow too large);
* ``kinks``: points where the operation's derivative jumps (random graphs keep off them);
* ``exact``: for a rational operation (Fractions in, Fraction out), a strategy and the
  forward value and local derivatives written out by hand; ``bits`` bounds an exact result's
  size in random graphs, and ``rational(param)`` says which ``params`` keep it rational.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from fractions import Fraction

from hypothesis import strategies as st

__all__ = ["Domain", "Exact", "DOMAINS", "floats", "away_from_zero", "exp_series"]


def floats(lo: float, hi: float):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(lo: float, hi: float):
    """|x| in [lo, hi], either sign."""
    return st.one_of(floats(lo, hi), floats(-hi, -lo))


ANY = floats(-10.0, 10.0)
INT_EXPONENTS = (0, 1, 2, 3, 4, -1, -2, -3, 2.0, -2.0)  # any nonzero base
FRACTIONAL_EXPONENTS = (0.5, -0.5, 1.5, 2.5, -1.25, 1 / 3, Fraction(1, 3), Fraction(-3, 2))


def exp_series(a: float) -> float:
    """exp(a) from its Taylor series (for |a| <= 30), as a reference independent of math.exp;
    summed for |a| and inverted for a < 0 to avoid cancellation."""
    term, total = 1.0, 1.0
    for k in range(1, 200):
        term *= abs(a) / k
        total += term
    return total if a >= 0 else 1 / total


def _sin_series(a: float) -> float:
    """sin(a) by its Taylor series after reducing a to [-pi, pi] (a reference for sin, cos)."""
    a = math.remainder(a, 2 * math.pi)
    term, total = a, a
    for k in range(1, 40):
        term *= -a * a / ((2 * k) * (2 * k + 1))
        total += term
    return total


def fractions(lo=-20, hi=20):
    return st.fractions(min_value=lo, max_value=hi, max_denominator=60)


NONZERO = fractions().filter(bool)


@dataclass(frozen=True)
class Exact:
    """A rational operation's exact test: arguments, and the answers written out by hand."""

    args: st.SearchStrategy
    forward: object
    derivatives: object


def _sq1(a):
    return a * a + 1


@dataclass(frozen=True)
class Domain:
    """Where and how to test one operation (see the module docstring)."""

    args: st.SearchStrategy
    reference: object
    build: object
    graph: object
    bound: object
    params: tuple = (None,)
    kinks: tuple = ()
    exact: Exact | None = None
    bits: object = None
    rational: object = field(default=lambda param: False)


def _always(param) -> bool:
    return True


DOMAINS: dict[str, Domain] = {
    "add": Domain(st.tuples(ANY, ANY), operator.add, operator.add,
                  graph=lambda a, b, p: a + b, bound=lambda p, A, B: A + B,
                  exact=Exact(st.tuples(fractions(), fractions()), lambda a, b: a + b,
                              lambda a, b: (1, 1)),
                  bits=lambda p, s, t: s + t, rational=_always),
    "sub": Domain(st.tuples(ANY, ANY), operator.sub, operator.sub,
                  graph=lambda a, b, p: a - b, bound=lambda p, A, B: A + B,
                  exact=Exact(st.tuples(fractions(), fractions()), lambda a, b: a - b,
                              lambda a, b: (1, -1)),
                  bits=lambda p, s, t: s + t, rational=_always),
    "mul": Domain(st.tuples(ANY, ANY), operator.mul, operator.mul,
                  graph=lambda a, b, p: a * b, bound=lambda p, A, B: A * B,
                  exact=Exact(st.tuples(fractions(), fractions()), lambda a, b: a * b,
                              lambda a, b: (b, a)),
                  bits=lambda p, s, t: s + t, rational=_always),
    "div": Domain(st.tuples(ANY, away_from_zero(0.1, 10.0)), operator.truediv,
                  operator.truediv,
                  graph=lambda a, b, p: a / _sq1(b), bound=lambda p, A, B: A,
                  exact=Exact(st.tuples(fractions(), NONZERO), lambda a, b: a / b,
                              lambda a, b: (1 / b, -a / b ** 2)),
                  bits=lambda p, s, t: s + 2 * t + 2, rational=_always),
    "neg": Domain(st.tuples(ANY), operator.neg, operator.neg,
                  graph=lambda a, p: -a, bound=lambda p, A: A,
                  exact=Exact(st.tuples(fractions()), lambda a: -a, lambda a: (-1,)),
                  bits=lambda p, s: s, rational=_always),
    # Integer exponents on either sign of base (kept off 0), fractional ones on a positive
    # base. In random graphs: x ** n for n >= 1 on any base; negative, zero and fractional
    # powers on a base >= 1.
    "pow_const": Domain(
        st.one_of(st.tuples(away_from_zero(0.1, 5.0), st.sampled_from(INT_EXPONENTS)),
                  st.tuples(floats(0.1, 5.0), st.sampled_from(FRACTIONAL_EXPONENTS))),
        lambda a, c: math.pow(a, float(c)), lambda a, c: a ** c,
        graph=lambda a, n: a ** n if n in (1, 2, 3) else _sq1(a) ** n,
        bound=lambda n, A: A ** n if n in (1, 2, 3) else (A * A + 1) ** max(n, 0),
        params=(1, 2, 3, 0, -1, -2, -3, 0.5, -0.5, 1.5, 1 / 3),
        exact=Exact(st.tuples(NONZERO, st.sampled_from((0, 1, 2, 3, 5, -1, -2, -3))),
                    lambda a, n: a ** n, lambda a, n: (n * a ** (n - 1),)),
        bits=lambda n, s: n * s if n in (1, 2, 3) else 2 * abs(n) * s + 2,
        rational=lambda n: isinstance(n, int)),
    # A differentiable exponent: positive base, bounded exponent; or 2 ** x (reflected).
    "pow": Domain(st.tuples(floats(0.1, 5.0), floats(-3.0, 3.0)), math.pow, operator.pow,
                  graph=lambda a, b, p: _sq1(a) ** b.tanh() if p == "base" else 2 ** b.tanh(),
                  bound=lambda p, A, B: A * A + 1 if p == "base" else 2.0,
                  params=("base", "two")),
    "exp": Domain(st.tuples(ANY), exp_series, lambda a: a.exp(),
                  graph=lambda a, p: a.exp(),
                  bound=lambda p, A: math.exp(A) if A <= 6 else None),
    "log": Domain(st.tuples(floats(0.05, 100.0)), lambda a: math.log2(a) * math.log(2),
                  lambda a: a.log(),
                  graph=lambda a, p: _sq1(a).log() if p == "sq" else a.exp().log(),
                  bound=lambda p, A: math.log(A * A + 1) if p == "sq" else (A if A <= 6 else None),
                  params=("sq", "exp")),
    "sqrt": Domain(st.tuples(floats(0.05, 100.0)), lambda a: math.exp(math.log(a) / 2),
                   lambda a: a.sqrt(),
                   graph=lambda a, p: _sq1(a).sqrt(), bound=lambda p, A: A + 1),
    "sin": Domain(st.tuples(ANY), _sin_series, lambda a: a.sin(),
                  graph=lambda a, p: a.sin(), bound=lambda p, A: 1.0),
    "cos": Domain(st.tuples(ANY), lambda a: _sin_series(a + math.pi / 2), lambda a: a.cos(),
                  graph=lambda a, p: a.cos(), bound=lambda p, A: 1.0),
    "tanh": Domain(st.tuples(ANY), lambda a: math.expm1(2 * a) / (math.expm1(2 * a) + 2),
                   lambda a: a.tanh(), graph=lambda a, p: a.tanh(), bound=lambda p, A: 1.0),
    "sigmoid": Domain(st.tuples(floats(-30.0, 30.0)), lambda a: 1 / (1 + exp_series(-a)),
                      lambda a: a.sigmoid(), graph=lambda a, p: a.sigmoid(),
                      bound=lambda p, A: 1.0),
    "relu": Domain(st.tuples(away_from_zero(1e-3, 10.0)), lambda a: max(a, 0.0),
                   lambda a: a.relu(), graph=lambda a, p: a.relu(), bound=lambda p, A: A,
                   kinks=(0,),
                   exact=Exact(st.tuples(NONZERO), lambda a: a if a > 0 else Fraction(0),
                               lambda a: (1 if a > 0 else 0,)),
                   bits=lambda p, s: s, rational=_always),
    "step": Domain(st.tuples(away_from_zero(1e-3, 10.0)), lambda a: 1.0 if a > 0 else 0.0,
                   lambda a: a.step(), graph=lambda a, p: a.step(), bound=lambda p, A: 1.0,
                   kinks=(0,),
                   exact=Exact(st.tuples(NONZERO), lambda a: Fraction(1 if a > 0 else 0),
                               lambda a: (0,)),
                   bits=lambda p, s: 1, rational=_always),
    "abs": Domain(st.tuples(away_from_zero(1e-3, 10.0)), lambda a: math.copysign(a, 1.0),
                  abs, graph=lambda a, p: abs(a), bound=lambda p, A: A, kinks=(0,),
                  exact=Exact(st.tuples(NONZERO), lambda a: a if a > 0 else -a,
                              lambda a: (1 if a > 0 else -1,)),
                  bits=lambda p, s: s, rational=_always),
    "sign": Domain(st.tuples(away_from_zero(1e-3, 10.0)), lambda a: math.copysign(1.0, a),
                   lambda a: a.sign(), graph=lambda a, p: a.sign(), bound=lambda p, A: 1.0,
                   kinks=(0,),
                   exact=Exact(st.tuples(NONZERO), lambda a: Fraction(1 if a > 0 else -1),
                               lambda a: (0,)),
                   bits=lambda p, s: 2, rational=_always),
}
