"""The hand-calculation checker: verdicts by written precision, derivations, first divergence."""

from __future__ import annotations

from fractions import Fraction

import pytest

from autograd import Value
from autograd.check import CheckError, Claim, Report, check
from autograd.expr import ExpressionError


def labelled_graph(p=2, q=5, r=-1):
    """u = p*q + r, v = u**2 - q, g = v * p: every intermediate labelled; ints stay exact.

    At p=2, q=5, r=-1: u = 9, v = 76, g = 152; dg/dv = p = 2, dg/du = 2 * 2u = 36,
    dg/dp = v + q * dg/du = 76 + 180 = 256, dg/dq = p * dg/du - p = 72 - 2 = 70, dg/dr = 36.
    """
    p, q, r = Value(p, label="p"), Value(q, label="q"), Value(r, label="r")
    u = p * q + r
    u.label = "u"
    v = u ** 2 - q
    v.label = "v"
    g = v * p
    g.label = "g"
    return g, (p, q, r, u, v)


# ----------------------------------------------------------------------------- verdicts

def test_right_claims_of_every_kind():
    g, _ = labelled_graph()
    report = check(g, claims={"u": 9, "v": 76, "g": 152, "d/dv": 2, "dg/du": 36, "d/dp": 256,
                              "d/dq": 70, "d/dr": 36, "p'": "-0.56"}, lr="0.01")
    assert isinstance(report, Report) and report.ok and report.first_divergence is None
    assert all(isinstance(c, Claim) and c.verdict == "right" for c in report)
    assert report["p'"].correct == pytest.approx(2 - 0.01 * 256)
    assert "All 9 claims right." in str(report)
    assert check(g, claims={"g": 152}).summary() == "The claim is right."


def test_claims_are_reported_in_the_order_given():
    g, _ = labelled_graph()
    report = check(g, claims={"p'": "-0.56", "d/dp": 256, "g": 152, "d/du": 36, "u": 9},
                   lr="0.01")
    assert [c.target for c in report] == ["p'", "d/dp", "g", "d/du", "u"]
    assert [c.kind for c in report] == ["update", "gradient", "value", "gradient", "value"]


def test_the_first_divergence_is_first_in_the_order_of_the_computation():
    g, _ = labelled_graph()
    # forward values, then gradients as backward completes them, then updates: all three are
    # wrong, and the value g comes first although it was given last.
    report = check(g, claims={"p'": "-0.5", "d/dp": 250, "g": 150}, lr="0.01")
    assert [c.target for c in report.wrong_in_order()] == ["g", "d/dp", "p'"]
    assert report.first_divergence.target == "g"
    assert [c.target for c in report.wrong] == ["p'", "d/dp", "g"]


def test_whole_numbers_are_claimed_exactly():
    report = check("x / 4", {"x": 1042}, {"f": 260})          # 260.5
    claim = report["f"]
    assert not claim.ok and claim.rule == "exactly"
    assert "rounds to 260, but a whole number claims exactly that number" in claim.note
    assert check("x / 4", {"x": 1042}, {"f": 260}, tol=0.5).ok
    assert check("x / 4", {"x": 1042}, {"f": "260.5"}).ok
    # A whole number that is right up to float rounding is right (3.0000000000000004 here).
    assert check("(x + y) * 10", {"x": 0.1, "y": 0.2}, {"f": 3}).ok


def test_decimals_are_judged_by_the_digits_written():
    # 1.234 * 5.678 = 7.006652
    values = {"x": 1.234, "y": 5.678}
    for claim, ok in [("7.01", True), ("7.0", True), ("7.006652", True), ("7.00665", True),
                      ("7.00", False), ("7.006", False), ("7.1", False), ("7", False)]:
        report = check("x * y", values, {"f": claim})
        assert report.ok is ok, claim
    assert check("x * y", values, {"f": "7.01"})["f"].rule == "to 2 decimals (±0.005)"
    assert check("x * y", values, {"f": "7.0"})["f"].note == "7.006652 rounds to 7.0"
    close = check("x * y", values, {"f": "7.00"})["f"]
    assert "close, but more than rounding to 2 decimals (±0.005) allows" in close.note
    assert check("x * y", values, {"f": "7"})["f"].rule == "exactly"
    assert check("x * y", values, {"f": "7.00"}, tol="0.01").ok
    assert check("x * y", values, {"f": "7.00"}, tol="0.01")["f"].rule == "within tol 0.01"


def test_python_floats_are_read_from_their_repr():
    values = {"x": 1.234, "y": 5.678}
    assert check("x * y", values, {"f": 7.01}).ok                 # written 7.01
    assert check("x * y", values, {"f": 7.01})["f"].written == "7.01"
    # 7.0 is read as written, "7.0": one decimal, and 7.006652 rounds to 7.0.
    assert check("x * y", values, {"f": 7.0})["f"].rule == "to 1 decimal (±0.05)"
    assert check("x * y", values, {"f": 7.0}).ok
    assert not check("x * y", values, {"f": 7}).ok                 # an int: exactly 7


def test_float_noise_is_not_a_mistake_but_exact_mode_has_none():
    values = {"a": 0.1, "b": 0.2}                                  # 0.30000000000000004
    for claim in ("0.3", 0.3, "3/10"):
        assert check("a + b", values, {"f": claim}).ok, claim
    exact = check("a + b", {"a": "0.1", "b": "0.2"}, {"f": "3/10"}, exact=True)
    assert exact.ok and exact["f"].correct == Fraction(3, 10) and exact["f"].note == "exact"
    assert not check("a + b", {"a": "0.1", "b": "0.2"}, {"f": "0.30000000000000004"},
                     exact=True).ok


def test_exact_mode_compares_fractions_exactly():
    # f = x**2 * y at x = 1/3, y = 3/5: f = 1/15, df/dx = 2xy = 2/5, df/dy = x**2 = 1/9
    values = {"x": "1/3", "y": "0.6"}
    report = check("x**2 * y", values, {"f": "1/15", "d/dx": "2/5", "d/dy": "0.111"},
                   exact=True)
    assert report.ok
    assert report["d/dy"].note.endswith("rounds to 0.111")
    wrong = check("x**2 * y", values, {"d/dy": "1/10"}, exact=True)["d/dy"]
    assert not wrong.ok and wrong.difference == Fraction(1, 10) - Fraction(1, 9)


# ----------------------------------------------------------------------------- wrong claims

def test_a_wrong_gradient_shows_the_paths_that_give_the_right_one():
    g, _ = labelled_graph()
    report = check(g, claims={"d/dp": 250})
    claim = report["d/dp"]
    assert not claim.ok and claim.correct == 256 and claim.difference == -6
    assert claim.first_divergence and report.first_divergence is claim
    assert len(claim.derivation.paths) == 2 and claim.derivation.total == 256
    assert sorted(p.product for p in claim.derivation.paths) == [76, 180]
    assert "paths from p to g: 2" in str(claim.derivation)
    assert "sum of the products: ∂g/∂p = 256" in str(claim.derivation)
    text = str(report)
    assert "d/dp: yours 250, correct 256" in text and "p -> g" in text


def test_one_path_alone_is_recognised():
    g, _ = labelled_graph()
    claim = check(g, claims={"d/dp": 76})["d/dp"]                  # only the direct path, v
    assert "equals the path p -> g alone: 2 paths lead from p to g" in claim.note
    flipped = check(g, claims={"d/dp": -256})["d/dp"]
    assert "the sign is flipped" in flipped.note


def test_first_divergence_and_what_follows_from_it():
    g, _ = labelled_graph()
    # u right; v wrong (the person forgot "- q": 81); g = their v * p = 162, consistent.
    report = check(g, claims={"g": 162, "v": 81, "u": 9})
    assert [c.verdict for c in report] == ["wrong", "wrong", "right"]
    assert report.first_divergence.target == "v"
    v, g_claim = report["v"], report["g"]
    assert v.first_divergence and not g_claim.first_divergence
    assert g_claim.carried is True and g_claim.from_yours == 162
    assert "follows from your earlier numbers" in g_claim.note
    summary = report.summary()
    assert "First divergence: v (yours 81, correct 76)" in summary
    assert "the claim before it is right" in summary
    assert "every later difference follows from it" in summary
    text = str(report)
    assert "v = n2 - q = 81 - 5 = 76" in text                        # how v is computed
    assert "yours: 81, wrong <- first divergence" in text
    # A second, independent slip is called one.
    slip = check(g, claims={"u": 9, "v": 81, "g": 160})["g"]
    assert slip.carried is False and "a new slip: your own earlier numbers give 162" in slip.note


def test_divergence_in_the_backward_pass():
    g, _ = labelled_graph()
    # dg/du = 36 claimed as 34; dg/dr = dg/du * 1 follows it; dg/dq then is a new slip.
    report = check(g, claims={"d/dr": 34, "d/du": 34, "d/dv": 2, "d/dq": 70})
    assert [c.target for c in report] == ["d/dr", "d/du", "d/dv", "d/dq"]
    assert [c.target for c in report.wrong_in_order()] == ["d/du", "d/dr"]
    assert report.first_divergence.target == "d/du"
    assert report["d/dr"].carried is True
    assert report["d/dq"].ok  # right despite the earlier slip: nothing to say


def test_rounding_carried_forward_is_explained():
    # n1 = 0.6667 * 3.3 = 2.20011, written "2.2" (right to 1 decimal). The person then cubes
    # their rounded 2.2 and writes 10.648, but the correct f = 2.20011**3 = 10.6497..., so at
    # 3 decimals the claim is wrong: the rounding was carried forward.
    report = check("(x * 3.3) ** 3", {"x": 0.6667}, {"n1": "2.2", "f": "10.648"})
    assert report["n1"].ok and not report["f"].ok
    assert "it is what your rounded earlier numbers give" in report["f"].note
    assert report["f"].first_divergence and report["f"].carried is None
    assert [slip.kind for slip in report["f"].slips] == ["rounded too early"]
    assert report["f"].slips[0].value == pytest.approx(2.2 ** 3)


def test_update_claims():
    g, _ = labelled_graph()
    report = check(g, claims={"q'": "4.3", "r_new": "-1.36"}, lr="0.01")
    assert report["q'"].correct == pytest.approx(5 - 0.01 * 70)
    assert report["q'"].ok and report["r_new"].ok
    plus = check(g, claims={"q'": "5.7"}, lr="0.01")["q'"]
    assert not plus.ok and "goes against the gradient" in plus.note
    assert "q' = q - lr * dg/dq = 5 - 0.01 * 70 = 4.3" in str(plus.derivation)
    assert plus.derivation.gradient == 70 and plus.slips[0].kind == "wrong direction"
    # The update from a wrong gradient: follows from it.
    carried = check(g, claims={"d/dq": 60, "q'": "4.4"}, lr="0.01")
    assert carried.first_divergence.target == "d/dq" and carried["q'"].carried
    exact = check(g, claims={"q'": "43/10"}, lr="1/100", exact=True)["q'"]
    assert exact.ok and exact.correct == Fraction(43, 10)


def test_report_prints_as_a_table():
    report = check("((2*a + b)**2 + 3*b**2)**3", {"a": 1, "b": -1},
                   {"f": 64, "d/da": 100, "d/db": -192})
    text = str(report)
    lines = text.splitlines()
    assert lines[0] == "check of f = ((2*a + b)**2 + 3*b**2)**3 at a = 1, b = -1"
    assert lines[2].split() == ["claim", "yours", "correct", "verdict", "note"]
    assert "forward pass (how each value is computed):" in text
    assert "n1 = 2 * a = 2 * 1 = 2" in text
    assert repr(report) == text
    # u = 1, v = 4: df/da = 3 v**2 * 2u * 2 = 192, df/db = 3 v**2 * (2u + 6b) = -192
    assert report["d/db"].ok and not report["d/da"].ok and report["d/da"].correct == 192


# ----------------------------------------------------------------------------- usage errors

def test_usage_errors():
    g, _ = labelled_graph()
    with pytest.raises(CheckError, match="no claims"):
        check(g, claims={})
    with pytest.raises(CheckError, match="no 'z' in the graph"):
        check(g, claims={"d/dz": 1})
    with pytest.raises(CheckError, match="p is an input, computed from nothing"):
        check(g, claims={"dp/du": 1})
    with pytest.raises(CheckError, match="g is computed after v, from it; write dg/dv"):
        check(g, claims={"dv/dg": 1})
    with pytest.raises(CheckError, match="give the learning rate"):
        check(g, claims={"p'": 1})
    with pytest.raises(CheckError, match="computed from others"):
        check(g, claims={"u'": 1}, lr=0.1)
    with pytest.raises(CheckError, match="unknown claim target"):
        check(g, claims={"gradient of p": 1})
    with pytest.raises(CheckError, match="must be a number"):
        check(g, claims={"g": "about 150"})
    with pytest.raises(CheckError, match="tol must be 0 or more"):
        check(g, claims={"g": 152}, tol=-1)
    with pytest.raises(CheckError, match="values are for an expression"):
        check(g, {"p": 1}, claims={"g": 152})
    twins = Value(1, label="t") + Value(2, label="t")
    with pytest.raises(CheckError, match="2 nodes are named 't'"):
        check(twins, claims={"t": 1})
    with pytest.raises(ExpressionError, match="attribute access"):
        check("x.real", {"x": 1}, {"f": 1})
    with pytest.raises(KeyError):
        check(g, claims={"g": 152})["d/dp"]


def test_a_value_graph_is_left_as_it_was():
    g, (p, q, r, u, v) = labelled_graph()
    g.backward()
    before = [n.grad for n in (g, p, q, r, u, v)]
    check(g, claims={"d/dp": 1, "g": 1})
    assert [n.grad for n in (g, p, q, r, u, v)] == before


def test_names_of_the_output():
    for target in ("f", "value", "df/dx", "d/dx"):
        assert check("x * 3", {"x": 2}, [(target, 6 if "d" not in target else 3)]).ok
    # A variable called f keeps its name; the output is then y (and "value").
    report = check("f * 3", {"f": 2}, {"f": 2, "value": 6, "dy/df": 3, "y": 6})
    assert report.ok
    graph = Value(2, label="w") * 4
    graph.label = "E"
    assert check(graph, claims={"E": 8, "dE/dw": 4, "∂E/∂w": 4, "value": 8}).ok


def test_inexact_arithmetic_is_noted():
    report = check("exp(x)", {"x": "1/2"}, {"f": "1.6487"}, exact=True)
    assert report.ok
    assert any("exp of an exact number returns a float" in n for n in report.notes)


def test_an_undefined_gradient_only_matters_when_a_gradient_is_claimed():
    # d/dx of x ** 0.5 is undefined at 0, but the value 0 can still be checked.
    assert check("x ** 0.5", {"x": 0}, {"f": 0}).ok
    with pytest.raises(CheckError, match="gradients cannot be computed at these values"):
        check("x ** 0.5", {"x": 0}, {"f": 0, "d/dx": 0})
