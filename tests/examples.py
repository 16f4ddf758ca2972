"""Small graphs that several test files build: one definition each."""

from __future__ import annotations

from autograd import Value


def chain_example(x1=3, x2=2):
    """The lesson's f = ((2*x1 + x2)**2 + 3*x2**2)**3 with labelled x1, x2, u, v, f."""
    x1, x2 = Value(x1, label="x1"), Value(x2, label="x2")
    u = 2 * x1 + x2
    u.label = "u"
    v = u ** 2 + 3 * x2 ** 2
    v.label = "v"
    f = v ** 3
    f.label = "f"
    return x1, x2, u, v, f
