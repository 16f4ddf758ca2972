"""Numbers too big to print or to compute: shortened when shown, capped when exact, computed
where the answer is finite."""

from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from autograd import Value
from autograd.draw import draw
from autograd.text import number
from autograd.value import MAX_EXACT_BITS

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograd", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_numbers_past_what_python_prints_are_shown_shortened():
    huge = 10 ** 5000                     # str() of it raises ValueError in Python 3.11
    assert number(huge) == "≈1e+5000"
    assert number(huge, exact=True) == "≈1e+5000 (a whole number of 5,001 digits)"
    assert number(Fraction(1, 10 ** 400)) == "≈1e-400"
    assert "5,001 digits" not in repr(Value(huge)) and repr(Value(huge)).startswith("Value(")
    assert "1e+5000" in draw(Value(huge, label="x") * 2).source


def test_the_cli_shows_a_power_with_5000_digits_without_a_traceback():
    done = cli("grad", "x**1000", "x=100000")
    assert done.returncode == 0, done.stderr
    assert "value: f = ≈1e+5000 (a whole number of 5,001 digits)" in done.stdout
    assert "∂f/∂x = ≈1e+4998 (a whole number of 4,999 digits)" in done.stdout


def test_exact_values_and_gradients_are_capped_with_a_clear_message():
    x = Value(Fraction(1, 3))
    y = x
    with pytest.raises(OverflowError, match=f"exact numbers are limited to {MAX_EXACT_BITS:,} "
                                            "bits"):
        for _ in range(40):
            y = y * y                       # the bits double each time
    # Every value stays 1, but the gradient is 1000**k: capped too, in backward.
    x = Value(1)
    y = x
    for _ in range(10_100):
        y = y ** 1000
    assert y.data == 1
    with pytest.raises(OverflowError, match="the gradient passed from 1 \\*\\* 1000 is an exact "
                                            "number of"):
        y.backward()
    squarings = "(" * 17 + "x" + "**2)" * 17            # 3 ** (2 ** 17): 207,000 bits
    done = cli("grad", squarings, "x=3", "--exact")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "100,000 bits" in done.stderr


def test_functions_with_a_finite_answer_compute_it():
    assert Value(2 ** 2000).tanh().data == 1.0
    assert Value(-2 ** 2000).sigmoid().data == 0.0 and Value(2 ** 2000).sigmoid().data == 1.0
    with pytest.warns(UserWarning):
        assert Value(Fraction(1, 10 ** 400)).log().data == pytest.approx(-400 * math.log(10))


def test_a_huge_exponent_is_refused_by_name_and_messages_stay_short():
    with pytest.raises(OverflowError, match="the exponent ≈1e\\+400 is too large"):
        Value(2.0) ** 10 ** 400
    with pytest.raises(OverflowError) as info:
        Value(10 ** 600) * 1.5
    assert len(str(info.value)) < 200 and "≈1e+600" in str(info.value)
