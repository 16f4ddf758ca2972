"""``Value``: construction, labels and repr, reflected operators, InexactWarning, no_grad."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest

from autograd import OPS, InexactWarning, Value, is_grad_enabled, no_grad

# ----------------------------------------------------------------------------- construction

@pytest.mark.parametrize("data", [3, -7, 0, 2.5, -0.0, 1e-300, Fraction(1, 3), Fraction(-22, 7),
                                  10 ** 30])
def test_data_is_kept_exactly_as_given(data):
    v = Value(data)
    assert v.data is data
    assert type(v.data) is type(data)
    assert v.grad == 0 and v.op is None and v.parents == () and v.const is None
    assert v.label is None


@pytest.mark.parametrize("scalar, expected", [
    (np.float32(0.5), 0.5),
    (np.float64(0.25), 0.25),
    (np.float16(-2.0), -2.0),
    (np.int64(3), 3),
    (np.int32(-4), -4),
    (np.uint8(200), 200),
])
def test_numpy_scalars_become_python_numbers(scalar, expected):
    v = Value(scalar)
    assert v.data == expected
    assert type(v.data) is type(expected), f"kept {type(v.data).__name__}"


def test_numpy_float64_does_not_leak_into_results():
    """np.float64 is a float subclass; it must still become a plain float, or it spreads
    through every result (and reprs and messages show NumPy's spelling)."""
    y = Value(3.0) * np.float64(2.0)
    assert type(y.data) is float and y.data == 6.0
    z = Value(2.0) ** np.float64(2.0)
    assert type(z.data) is float and type(z.const) is float
    assert repr(z) == "Value(data=4.0, grad=not computed)"


@pytest.mark.parametrize("bad, shown", [
    ("1.5", "'1.5'"),
    ([1.0], "[1.0]"),
    (None, "None"),
    (np.array([1.0, 2.0]), "array([1., 2.])"),
    (np.array(1.0), "array(1.)"),
    (1 + 2j, "(1+2j)"),
    (True, "True"),
    (False, "False"),
    (np.bool_(True), "True"),
])
def test_non_numbers_raise_type_error_naming_the_value(bad, shown):
    with pytest.raises(TypeError) as info:
        Value(bad)
    assert shown in str(info.value)


def test_type_error_hints():
    with pytest.raises(TypeError, match=r"Value\(float\('1.5'\)\)"):
        Value("1.5")
    with pytest.raises(TypeError, match="real numbers only"):
        Value(1j)
    with pytest.raises(TypeError, match=r"nn\.Tensor"):
        Value(np.zeros(3))
    with pytest.raises(TypeError, match="use 1 or 0"):
        Value(True)


def test_operands_are_checked_too():
    x = Value(2.0)
    with pytest.raises(TypeError, match=r"other operand.*'3'"):
        x * "3"
    with pytest.raises(TypeError, match=r"other operand.*None"):
        x + None
    with pytest.raises(TypeError, match=r"exponent.*'2'"):
        x ** "2"
    with pytest.raises(TypeError, match="bool"):
        x ** True


# ----------------------------------------------------------------------------- labels and repr

def test_repr_shows_label_data_and_grad():
    x = Value(0.5, label="x")
    assert repr(x) == "Value(x=0.5, grad=not computed)"   # not 0: no backward has run
    y = x * x
    assert y.label is None
    assert repr(y) == "Value(data=0.25, grad=not computed)"
    y.label = "y"
    y.backward()
    assert repr(y) == "Value(y=0.25, grad=1)"
    assert repr(x) == "Value(x=0.5, grad=1.0)"
    y.zero_grad()
    assert repr(x) == "Value(x=0.5, grad=0)"
    unused = Value(2.0, label="unused")
    (y + 1).backward()
    assert repr(unused) == "Value(unused=2.0, grad=not computed)"  # not in the graph


@pytest.mark.parametrize("data, shown", [
    (3, "3"), (-2.0, "-2.0"), (0.75, "0.75"), (Fraction(3, 4), "3/4"), (Fraction(4, 2), "2"),
    (1 / 3, "0.333333"), (1234567.0, "1.23457e+06"), (1e-9, "1e-09"), (-1 / 7, "-0.142857"),
])
def test_repr_numbers_are_readable(data, shown):
    assert repr(Value(data)) == f"Value(data={shown}, grad=not computed)"


def test_label_is_used_in_error_messages():
    x1 = Value(-2.0, label="x1")
    with pytest.raises(ValueError, match=r"log\(x1=-2.0\)"):
        x1.log()


def test_empty_label_shows_data():
    assert repr(Value(1, label="")) == "Value(data=1, grad=not computed)"


# ----------------------------------------------------------------------------- reflected

REFLECTED = [
    # (expression, op name, data(x), d/dx(x)) with x a Fraction; the constant is parent 0.
    (lambda x: 2 * x, "mul", lambda x: 2 * x, lambda x: 2),
    (lambda x: 3 + x, "add", lambda x: 3 + x, lambda x: 1),
    (lambda x: 2 - x, "sub", lambda x: 2 - x, lambda x: -1),
    (lambda x: 1 / x, "div", lambda x: 1 / x, lambda x: -1 / x ** 2),
]


@pytest.mark.parametrize("build, name, value, derivative", REFLECTED,
                         ids=["2*x", "3+x", "2-x", "1/x"])
@pytest.mark.parametrize("x0", [Fraction(5, 3), Fraction(-1, 4), Fraction(7)])
def test_reflected_operators_exact(build, name, value, derivative, x0):
    x = Value(x0)
    y = build(x)
    assert y.op is OPS[name]
    assert y.parents[1] is x and y.parents[0].op is None   # the constant comes first
    assert y.data == value(x0) and isinstance(y.data, Fraction)
    y.backward()
    assert x.grad == derivative(x0)


def test_reflected_power_2_to_the_x():
    x = Value(1.5)
    y = 2 ** x
    assert y.op is OPS["pow"]
    assert y.parents[0].data == 2 and y.parents[1] is x
    assert y.data == pytest.approx(2 ** 1.5, rel=1e-15)
    y.backward()
    assert x.grad == pytest.approx(2 ** 1.5 * math.log(2), rel=1e-15)
    # The base is a leaf Value too, and gets d(2**x)/d2 = x * 2**(x-1).
    assert y.parents[0].grad == pytest.approx(1.5 * 2 ** 0.5, rel=1e-15)


def test_reflected_and_plain_operators_agree():
    for a in (0.5, -3.0, 7.25):
        assert (2 * Value(a)).data == (Value(a) * 2).data == 2 * a
        assert (3 + Value(a)).data == (Value(a) + 3).data == 3 + a
        assert (2 - Value(a)).data == 2 - a and (Value(a) - 2).data == a - 2
        assert (1 / Value(a)).data == 1 / a and (Value(a) / 4).data == a / 4


# ----------------------------------------------------------------------------- InexactWarning

@pytest.mark.parametrize("method", ["exp", "log", "tanh", "sigmoid"])
def test_transcendental_of_a_fraction_warns_and_returns_a_float(method):
    x = Value(Fraction(1, 2), label="x")
    with pytest.warns(InexactWarning, match=method) as record:
        y = getattr(x, method)()
    assert type(y.data) is float
    assert y.data == pytest.approx(getattr(Value(0.5), method)().data, rel=1e-15)
    assert "x=1/2" in str(record[0].message)
    assert record[0].filename == __file__   # points at the user's line, not the engine


def test_fractional_power_of_a_fraction_warns():
    with pytest.warns(InexactWarning):
        y = Value(Fraction(4)) ** Fraction(1, 2)
    assert type(y.data) is float and y.data == 2.0


def test_exact_operations_do_not_warn():
    a, b = Value(Fraction(2, 3)), Value(Fraction(-5, 7))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = [a + b, a - b, a * b, a / b, -a, a ** 3, a ** -2, a ** 0, b.relu(), a.relu(),
                   2 * a, 1 / a, 1 - a, a + 1]
        y = results[0]
        for r in results[1:]:
            y = y + r
        y.backward()
        Value(0.5).exp()          # floats in, float out: nothing inexact to report
        Value(2).log()
    assert all(type(r.data) is Fraction for r in results)
    assert type(y.data) is Fraction
    assert isinstance(a.grad, Fraction) and isinstance(b.grad, Fraction)


# ----------------------------------------------------------------------------- no_grad

def test_no_grad_records_no_parents():
    x = Value(3.0)
    with no_grad():
        y = x * x + 1
        z = y.exp()
    assert y.data == 10.0 and z.data == pytest.approx(math.exp(10.0))
    for node in (y, z):
        assert node.parents == () and node.op is None and node.const is None
    z.backward()                    # z is a leaf now: only its own grad
    assert x.grad == 0 and z.grad == 1
    w = x * x                       # recording resumes afterwards
    assert w.parents == (x, x) and w.op is OPS["mul"]


def test_no_grad_nests():
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()          # the inner exit keeps the outer state
        assert (Value(1.0) + 1).parents == ()
    assert is_grad_enabled()


def test_no_grad_restores_state_on_exception():
    with pytest.raises(ValueError), no_grad():
        Value(-1.0).log()
    assert is_grad_enabled()
    with pytest.raises(KeyError), no_grad(), no_grad():
        raise KeyError("inner")
    assert is_grad_enabled()
    assert (Value(1.0) * 2).op is OPS["mul"]
