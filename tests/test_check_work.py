"""The checker on whole worked examples: named steps, several examples, the reduction, updates,
claims after one or more steps of gradient descent, carried-forward numbers.

Every expected number is computed here independently of the checker: by hand in exact
fractions (the lesson's network is rational), from a graph summed by hand with ``Value``, or
by central differences.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from autograd import Value
from autograd.check import CheckError, check

NETWORK = "h1 = (x1 + w1*x2)**2; h2 = w2*x1*x2; y = w3*h1 + w4*h2 + w5; E = (y_true - y)**2"
WEIGHTS = {"w1": 1, "w2": 2, "w3": 1, "w4": 1, "w5": 0}
EXAMPLES = [{"x1": 3, "x2": 2, "y_true": 24}, {"x1": 1, "x2": 4, "y_true": 14},
            {"x1": 2, "x2": 1, "y_true": 11}]


def network(w, x1, x2, y_true):
    """The lesson's network by hand: (h1, h2, y, E) and dE/dw for each weight, exactly."""
    w1, w2, w3, w4, w5 = (F(w[k]) for k in ("w1", "w2", "w3", "w4", "w5"))
    inner = x1 + w1 * x2
    h1, h2 = inner ** 2, w2 * x1 * x2
    y = w3 * h1 + w4 * h2 + w5
    dy = 2 * (y - y_true)                                    # dE/dy
    grads = {"w1": dy * w3 * 2 * inner * x2, "w2": dy * w4 * x1 * x2, "w3": dy * h1,
             "w4": dy * h2, "w5": dy}
    return (h1, h2, y, (y_true - y) ** 2), grads


def summed(w):
    """dE/dw summed over the lesson's three examples, by hand."""
    parts = [network(w, **e)[1] for e in EXAMPLES]
    return {k: sum(p[k] for p in parts) for k in parts[0]}


# ----------------------------------------------------------------------------- named steps

def test_every_step_name_is_a_claim_target_and_dE_dSTEP_works():
    values = {**WEIGHTS, **EXAMPLES[0]}
    (h1, h2, y, error), grads = network(WEIGHTS, 3, 2, 24)
    report = check(NETWORK, values, {"h1": 25, "y": 37, "E": 169, "dE/dh1": 26, "d/dy": 26,
                                     "dh1/dw1": 20, "dy/dh1": 1, "dh2/dw1": 0, "d/dw1": 520})
    assert report.ok, report
    assert (h1, y, error, grads["w1"]) == (25, 37, 169, 520)           # by hand, too
    assert [c.target for c in report] == ["h1", "y", "E", "dE/dh1", "d/dy", "dh1/dw1",
                                          "dy/dh1", "dh2/dw1", "d/dw1"]   # as typed
    # the derivation of a step's derivative is its own graph's paths
    wrong = check(NETWORK, values, {"dh1/dw1": 10})["dh1/dw1"]
    assert wrong.correct == 20 and wrong.derivation.root.label == "h1"
    assert "paths from w1 to h1: 1" in str(wrong.derivation)


def test_claims_come_back_in_the_order_typed_whatever_the_computation_order():
    values = {**WEIGHTS, **EXAMPLES[0]}
    typed = ["d/dw1", "E", "h1", "dh1/dw1", "y"]
    report = check(NETWORK, values, [(t, 0) for t in typed])
    assert [c.target for c in report] == typed
    assert [c.target for c in report.wrong_in_order()] == ["h1", "y", "E", "dh1/dw1", "d/dw1"]


def test_a_labelled_value_graph_works_the_same_way_from_python():
    x, w = Value(3, label="x"), Value(2, label="w")
    h = w * x
    h.label = "h"
    E = h ** 2
    E.label = "E"
    report = check(E, claims={"h": 6, "dE/dh": 12, "dh/dw": 3, "d/dw": 36})
    assert report.ok


# ----------------------------------------------------------------------------- examples

def test_per_example_and_summed_gradients_and_the_summed_output():
    claims = {f"{i}:d/d{w}": str(network(WEIGHTS, **e)[1][w])
              for i, e in enumerate(EXAMPLES, start=1) for w in WEIGHTS}
    claims.update({f"d/d{w}": str(g) for w, g in summed(WEIGHTS).items()})
    claims.update({"all:E": 534, "2:y": 33, "3:h2": 4, "w1": 1})
    report = check(NETWORK, WEIGHTS, claims, examples=EXAMPLES)
    assert report.ok, report
    assert report["d/dw1"].correct == 520 + 1520 + 24 == summed(WEIGHTS)["w1"]
    # one backward of a graph that sums the three errors by hand gives the same gradients
    leaves = {k: Value(v, label=k) for k, v in WEIGHTS.items()}
    total = 0
    for e in EXAMPLES:
        x1, x2 = e["x1"], e["x2"]
        y = leaves["w3"] * (x1 + leaves["w1"] * x2) ** 2 + leaves["w4"] * (leaves["w2"] * x1 * x2) \
            + leaves["w5"]
        total = total + (e["y_true"] - y) ** 2
    total.backward()
    assert {k: leaves[k].grad for k in WEIGHTS} == {c.name: c.correct for c in report
                                                    if c.target.startswith("d/d")}
    assert report["all:E"].correct == total.data == 534


def test_mean_averages_the_examples_for_mini_batch_learning():
    report = check(NETWORK, WEIGHTS, {"d/dw1": 688, "all:E": 178, "w1'": "0.9312"},
                   examples=EXAMPLES, reduce="mean", lr="0.0001", exact=True)
    assert report.ok, report                          # 2064 / 3 = 688, 534 / 3 = 178
    assert report["w1'"].correct == 1 - F(1, 10000) * 688
    assert "averaged over the 3 examples = (520 + 1520 + 24) / 3 = 688" in \
        str(check(NETWORK, WEIGHTS, {"d/dw1": 1}, examples=EXAMPLES, reduce="mean")["d/dw1"]
            .derivation)


def test_the_update_and_the_forward_pass_after_it():
    lr = F(1, 10000)
    new = {w: WEIGHTS[w] - lr * g for w, g in summed(WEIGHTS).items()}
    (_, _, y1, e1), _ = network(new, 3, 2, 24)
    claims = {"w1'": str(new["w1"]), "after:w1": str(new["w1"]), "after:1:y": str(y1),
              "after:1:E": str(e1), "after:all:E": str(sum(network(new, **e)[0][3]
                                                            for e in EXAMPLES))}
    report = check(NETWORK, WEIGHTS, claims, examples=EXAMPLES, lr="1/10000", exact=True)
    assert report.ok, report
    assert new["w1"] == F(496, 625)                             # 1 - 2064/10000 = 0.7936
    derivation = str(report["w1'"].derivation)
    assert derivation.startswith("w1' = w1 - lr * dE/dw1 (summed over the examples) = 1 - "
                                 "(1/10000) * 2064 = 496/625")
    assert "dE/dw1 summed over the 3 examples = 520 + 1520 + 24 = 2064" in derivation


def test_params_choose_what_an_update_changes():
    lr = F(1, 10000)
    new = dict(WEIGHTS, w1=1 - lr * summed(WEIGHTS)["w1"])    # only w1 moves
    (_, _, y1, _), _ = network(new, 3, 2, 24)
    report = check(NETWORK, WEIGHTS, {"after:1:y": str(y1), "after:w2": 2}, examples=EXAMPLES,
                   lr=lr, exact=True, params=["w1"])
    assert report.ok, report
    with pytest.raises(CheckError, match="w2 is not a parameter"):
        check(NETWORK, WEIGHTS, {"w2'": 2}, examples=EXAMPLES, lr=lr, params="w1")


def test_without_examples_every_input_is_a_parameter_as_before():
    report = check("x1 * x2", {"x1": 3, "x2": 2}, {"x1'": "2.8", "x2'": "1.7"}, lr="0.1")
    assert report.ok


def test_a_descent_after_k_steps():
    # f = x**2 from 3 with lr 1/10: x after k steps is 3 * (4/5)**k, exactly.
    claims = {f"after {k}:x": str(3 * F(4, 5) ** k) for k in (1, 2, 10)}
    claims.update({"after 10:f": str((3 * F(4, 5) ** 10) ** 2),
                   "after 10:d/dx": str(6 * F(4, 5) ** 10),
                   "after 10:x'": str(3 * F(4, 5) ** 11)})
    report = check("f = x**2", {"x": 3}, claims, lr="1/10", exact=True)
    assert report.ok, report
    assert [c.step for c in report] == [1, 2, 10, 10, 10, 10]
    with pytest.raises(CheckError, match="at most 1000 steps"):
        check("f = x**2", {"x": 3}, {"after 1001:x": 0}, lr="1/10")


def test_a_descent_in_floats_matches_central_differences():
    x, lr = 3.0, 0.1
    for _ in range(3):
        x -= lr * (((x + 1e-6) ** 2 - (x - 1e-6) ** 2) / 2e-6)
    report = check("x**2", {"x": 3.0}, {"after 3:x": f"{x:.9f}"}, lr=lr)
    assert report.ok, report


# ----------------------------------------------------------------------------- carried

def test_numbers_that_follow_from_a_wrong_example_are_marked_carried_with_what_they_give():
    lesson = {"2:d/dw1": 380, "d/dw1": 924, "w1'": "0.9076", "after:w1": "0.9076",
              "after:1:h1": "23.19"}
    report = check(NETWORK, WEIGHTS, lesson, examples=EXAMPLES, lr="0.0001", exact=True)
    first, total, new, again, h1 = (report[t] for t in lesson)
    assert first.first_divergence and not first.carried
    assert total.carried and total.from_yours == 924 and total.yours_parts == (520, 380, 24)
    assert "follows from your examples' gradients: 520 + 380 + 24 = 924" in total.note
    assert new.carried and again.carried
    assert h1.carried and h1.from_yours == pytest.approx((3 + 0.9076 * 2) ** 2)
    assert "follows from your earlier numbers (they give 23.18615104)" in h1.note
    assert h1.correct == (3 + F(496, 625) * 2) ** 2                    # the engine's own


def test_a_new_slip_in_another_example_is_not_carried():
    report = check(NETWORK, WEIGHTS, {"1:y": 36, "2:y": 34}, examples=EXAMPLES)
    assert report["1:y"].first_divergence
    assert report["2:y"].carried is None and not report["2:y"].first_divergence


# ----------------------------------------------------------------------------- refusals

@pytest.mark.parametrize("claims, options, message", [
    ({"y": 37}, {}, "'y' is ambiguous with 3 examples: y differs from example to example; "
                    "write 1:y, 2:y, ... for one example's"),
    ({"E": 534}, {}, "write 1:E for example 1's, or all:E for the sum over the examples"),
    ({"d/dx1": 1}, {}, "x1 differs from example to example, so its gradient is not summed"),
    ({"dh1/dw1": 1}, {}, "h1 differs from example to example; write 1:dh1/dw1"),
    ({"4:y": 1}, {}, "there is no example 4; the examples are 1 to 3"),
    ({"all:h1": 1}, {}, "all: is for the output, E (summed over the examples)"),
    ({"after:1:y": 1}, {}, "give the learning rate"),
    ({"2:w1'": 1}, {"lr": "0.1"}, "an update uses the gradient over all the examples"),
    ({"x1'": 1}, {"lr": "0.1"}, "x1 is not a parameter"),
    ({"1:after:y": 1}, {"lr": "0.1"}, "unknown prefix 'after:'; write after:...:y"),
    ({"1:dy/dE": 1}, {}, "E is computed after y, from it; write dE/dy"),
    ({"1:dx1/dw1": 1}, {}, "x1 is an input, computed from nothing"),
    ({"E": 1}, {"params": ["x1"]}, "'x1' cannot be a parameter"),
    ({"E": 1}, {"reduce": "max"}, "unknown reduction 'max'"),
    ({"E": 1}, {"lr": "0"}, "the learning rate must be positive, got 0"),
])
def test_claims_that_cannot_be_checked_are_refused_with_the_fix(claims, options, message):
    with pytest.raises(CheckError) as info:
        check(NETWORK, WEIGHTS, claims, examples=EXAMPLES, **options)
    assert message in str(info.value)


@pytest.mark.parametrize("examples, message", [
    ([{"x1": 3, "x2": 2}], "example 1 gives no value for y_true, which is not given outside "
                           "the examples either"),
    ([{"x1": 3, "x2": 2, "y_true": 24, "z": 1}], "example 1 gives a value for z, which the "
                                                 "expression does not use"),
    ([{"x1": 3, "x2": 2, "y_true": 24, "w1": 1}], "w1 is given both for all the examples and "
                                                  "in example 1"),
    ([{"x1": 3, "x2": 2, "y_true": 24, "h1": 1}], "example 1 gives a value for h1, but h1 is a "
                                                  "step (h1 = (x1 + w1*x2)**2)"),
    ([], "examples is empty"),
    ({"x1": 3}, "examples must be a list of dicts"),
    ([3], "example 1 must be a dict of values"),
])
def test_bad_examples_are_refused_naming_the_example(examples, message):
    with pytest.raises(CheckError) as info:
        check(NETWORK, WEIGHTS, {"all:E": 1}, examples=examples)
    assert message in str(info.value)


def test_a_value_graph_has_one_example_and_no_steps_after_an_update():
    w = Value(2.0, label="w")
    f = w * w
    with pytest.raises(CheckError, match="a Value graph already holds its numbers"):
        check(f, claims={"f": 4}, examples=[{}])
    with pytest.raises(CheckError, match="a Value graph cannot be rebuilt at the updated "
                                         "parameters"):
        check(f, claims={"after:w": 1}, lr=0.1)


def test_a_thousand_steps_are_a_loop_and_a_descent_that_overflows_is_refused():
    report = check("f = x**2", {"x": 3.0}, {"after 1000:x": "0.0"}, lr="0.1")
    assert report["after 1000:x"].correct == pytest.approx(3 * 0.8 ** 1000, rel=1e-9)
    with pytest.raises(CheckError, match=r"^after 323 steps of gradient descent: "
                                         r"\(x=-3.86622e\+154\) \*\* 2 overflows"):
        check("f = x**2", {"x": 3.0}, {"after 1000:x": 1}, lr="2")


def test_any_target_text_gives_a_verdict_or_a_clear_refusal():
    import random

    from autograd.expr import ExpressionError

    rng = random.Random(13)
    tokens = ["after", " ", "1", "2", ":", "all", "d", "/", "E", "h1", "w1", "'", "_new", "x1",
              "0", "∂", "9999", "-", "y", "dE", "3", "f", "value"]
    judged = 0
    for _ in range(400):
        target = "".join(rng.choice(tokens) for _ in range(rng.randint(0, 8)))
        try:
            report = check(NETWORK, WEIGHTS, {target: 1}, examples=EXAMPLES, lr="0.1")
        except (CheckError, ExpressionError):
            continue
        judged += 1
        assert report.claims[0].target == target
    assert judged >= 3  # some targets are valid, so the verdicts are reached too


def test_a_forward_pass_keeps_short_fractions_and_writes_long_ones_as_decimals():
    short = check("x**2 * y", {"x": "1/3", "y": "3/5"}, {"d/dx": "3/5"}, exact=True)
    assert "n1 = x ** 2 = (1/3) ** 2 = 1/9" in str(short)
    assert "| n1 | x**2 = (1/3)**2 | 1/9 |" in short.render("markdown")
    after = check(NETWORK, WEIGHTS, {"after:1:y": 30}, examples=EXAMPLES, lr="1/10000",
                  exact=True)
    text = str(after)
    assert "n1 = w1 * x2 = 0.7936 * 2 = 1.5872" in text        # 496/625 * 2 = 992/625
    assert "| n1 | w1*x2 = 0.7936*2 | 1.5872 |" in after.render("markdown")
