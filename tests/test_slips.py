"""Slips named by kind: each kind on a slip constructed to be of that kind, and never on a
right claim; a kind is named only when the numbers match it to the written precision, and
when several match, each is named, the most specific first."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings, strategies as st

from autograd.check import SLIP_KINDS, check

NETWORK = ("inner = x1 + w1*x2; h1 = inner**2; h2 = w2*x1*x2; y = w3*h1 + w4*h2 + w5; "
           "E = (y_true - y)**2")
WEIGHTS = {"w1": 1, "w2": 2, "w3": 1, "w4": 1, "w5": 0}
EXAMPLES = [{"x1": 3, "x2": 2, "y_true": 24}, {"x1": 1, "x2": 4, "y_true": 14},
            {"x1": 2, "x2": 1, "y_true": 11}]
# By hand: example 2's dE/dw1 = 2(33 - 14) * w3 * 2(x1 + w1 x2) * x2 = 38 * 10 * 4 = 1520, one
# path with the factors x2 = 4, 2*inner = 10, and -1, 2*gap; example 3's dE/dw2 = 4 * x1 * x2
# = 8 (x1 = 2), its dE/dw4 = 4 * h2 = 16.


def batch(claims, **options):
    return check(NETWORK, WEIGHTS, claims, examples=EXAMPLES, exact=True, **options)


def kinds(claim):
    return [slip.kind for slip in claim.slips]


# Each case: (a way to make the report, the target, the slip's number, the right number,
# the kinds expected, a phrase of the note).
CASES = [
    ("factor left out", lambda c: batch(c), "2:d/dw1", 380, 1520, ["factor left out"],
     "the path's product without the factor x2 = 4"),
    ("factor taken twice", lambda c: batch(c), "2:d/dw1", 6080, 1520, ["factor taken twice"],
     "with the factor x2 = 4 taken twice"),
    ("factor left out of one example of a sum", lambda c: batch(c), "d/dw1", 924, 2064,
     ["factor left out"], "left out of example 2's gradient (380 instead of 1520)"),
    ("missing path", lambda c: check("u = 2*x1 + x2; v = u**2 + 3*x2**2; f = v**3",
                                     {"x1": 3, "x2": 2}, c), "d/dx2", 277248, 485184,
     ["missing path"], "equals the path x2 -> u -> n2 -> v -> f alone: 2 paths lead from x2 to f"),
    ("another input's gradient", lambda c: batch(c), "1:d/dw3", 312, 650,
     ["another input's gradient"], "it equals this example's dE/dw4 (312)"),
    ("another example", lambda c: batch(c), "2:y", 37, 33, ["another example"],
     "it is example 1's y (37), not example 2's"),
    ("another step", lambda c: check("f = x**2", {"x": 3}, c, lr="1/10", exact=True),
     "after 3:x", "1.920", "1.536", ["another step"], "it is x after 2 steps"),
    ("wrong direction", lambda c: batch(c, lr="1/10000"), "w1'", "1.2064", "0.7936",
     ["wrong direction"], "a gradient-descent step goes against the gradient"),
    ("learning rate left out", lambda c: batch(c, lr="1/10000"), "w1'", -2063, "0.7936",
     ["learning rate left out"], "the step without the learning rate"),
    ("sign flipped", lambda c: batch(c), "1:d/dw3", -650, 650, ["sign flipped"],
     "the sign is flipped"),
    ("rounded whole number", lambda c: check("x / 7", {"x": 100}, c), "f", 14, "14.29",
     ["rounded whole number"], "the correct value rounds to 14"),
    ("rounded too early", lambda c: check("x / 7", {"x": 100}, c), "f", "14.27", "14.29",
     ["rounded too early"], "close, but more than rounding to 2 decimals (±0.005) allows"),
    ("rounded earlier numbers", lambda c: check("(x * 3.3) ** 3", {"x": 0.6667}, c), "f",
     "10.648", "10.650", ["rounded too early"], "it is what your rounded earlier numbers give"),
]


@pytest.mark.parametrize("name, report, target, slip, right, expected, phrase", CASES,
                         ids=[c[0] for c in CASES])
def test_each_kind_is_named_on_its_slip_and_absent_on_the_right_claim(name, report, target,
                                                                      slip, right, expected,
                                                                      phrase):
    extra = {"n1": "2.2"} if name == "rounded earlier numbers" else {}
    wrong = report({**extra, target: slip})[target]
    assert not wrong.ok
    assert kinds(wrong) == expected
    assert phrase in wrong.note
    good = report({**extra, target: right})[target]
    assert good.ok and good.slips == () and "slip" not in good.note


def test_every_kind_has_a_case():
    assert {kind for case in CASES for kind in case[5]} == set(SLIP_KINDS)


def test_a_kind_is_named_only_to_the_written_precision():
    # 380 is 1520 without the factor 4; 380.5 to one decimal (±0.05) is not, nor is 381.
    assert kinds(batch({"2:d/dw1": "380.5"})["2:d/dw1"]) == []
    assert kinds(batch({"2:d/dw1": 381})["2:d/dw1"]) == []
    # written to the nearest hundred (±50) it does match
    assert "factor left out" in kinds(batch({"2:d/dw1": "3.8e2"})["2:d/dw1"])


def test_several_kinds_are_each_named_the_most_specific_first():
    # example 3's dE/dw2 = 8, claimed 16: the factor x1 = 2 taken twice, and dE/dw4 = 16.
    claim = batch({"3:d/dw2": 16})["3:d/dw2"]
    assert kinds(claim) == ["factor taken twice", "another input's gradient"]
    assert claim.note.index("taken twice") < claim.note.index("dE/dw4")
    assert claim.slips[0].factor_value == 2 and str(claim.slips[0].factor) == "x1"
    assert claim.slips[1].name == "w4" and claim.slips[1].value == 16


def test_a_number_that_follows_from_earlier_wrong_ones_gets_no_coincidental_kinds():
    # 924 follows from the rows 520 + 380 + 24: carried, and the chain rule's own kind only.
    claim = batch({"2:d/dw1": 380, "d/dw1": 924})["d/dw1"]
    assert claim.carried and kinds(claim) == ["factor left out"]
    assert claim.slips[0].example == 2 and claim.slips[0].instead == (380, 1520)


@settings(max_examples=60, deadline=None)
@given(st.fractions(min_value=-5, max_value=5, max_denominator=7),
       st.fractions(min_value=-5, max_value=5, max_denominator=7))
def test_a_right_claim_never_gets_a_slip(a, b):
    values = {"a": a, "b": b}
    u = a * b + b
    f = u ** 2
    claims = {"u": str(u), "f": str(f), "d/da": str(2 * u * b), "d/db": str(2 * u * (a + 1)),
              "a'": str(a - F(1, 10) * 2 * u * b)}
    report = check("u = a*b + b; f = u**2", values, claims, lr="1/10", exact=True)
    assert report.ok
    assert all(c.slips == () and c.carried is None for c in report)
