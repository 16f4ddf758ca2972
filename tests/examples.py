"""Small graphs that several test files build: one definition each."""

from __future__ import annotations

from autograd import Op, Value


class Cube(Op):
    """cube(a) = a**3, an operation of a user's own (register it with autograd.registered)."""

    name = "cube"

    @staticmethod
    def forward(m, a):
        return a * a * a

    @staticmethod
    def local(m, out, a):
        return (3 * a * a,)


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


def five_weight_network(x1=3, x2=2, y_true=24, weights=(1, 2, 1, 1, 0)):
    """The lesson's 5-weight network on its first example, as a learner types it:
    h1 = (x1 + w1*x2)**2, h2 = w2*x1*x2, y = w3*h1 + w4*h2 + w5, E = (y_true - y)**2.

    Returns a dict of the labelled Values (x1, x2, y_true, w1..w5, h1, h2, y, E).
    """
    x1, x2 = Value(x1, label="x1"), Value(x2, label="x2")
    y_true = Value(y_true, label="y_true")
    w1, w2, w3, w4, w5 = (Value(w, label=f"w{i}") for i, w in enumerate(weights, start=1))
    h1 = (x1 + w1 * x2) ** 2
    h1.label = "h1"
    h2 = w2 * x1 * x2
    h2.label = "h2"
    y = w3 * h1 + w4 * h2 + w5
    y.label = "y"
    E = (y_true - y) ** 2
    E.label = "E"
    return dict(x1=x1, x2=x2, y_true=y_true, w1=w1, w2=w2, w3=w3, w4=w4, w5=w5, h1=h1, h2=h2,
                y=y, E=E)
