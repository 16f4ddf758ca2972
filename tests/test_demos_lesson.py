"""The lesson demos: each runs, prints its summary, writes its pictures; the audit mechanism
judges constructed claims; the engine's numbers behind the demos agree with finite differences
and exact arithmetic. (The lesson's own numbers are never used as expectations here.)"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction as F

import pytest

from autograd import Value
from demos import (
    DEMOS,
    lesson,
    lesson_bowl,
    lesson_chain,
    lesson_descent,
    lesson_mnist_count,
    lesson_network,
    lesson_trap,
)
from demos.lesson_audit import Audit, table, worksheet

SUMMARY = re.compile(r"^Summary: (\d+) of (\d+) lesson numbers confirmed by the engine",
                     re.MULTILINE)
PNG = b"\x89PNG\r\n\x1a\n"

WRITERS = {lesson_chain: ["chain"], lesson_network: ["network-example1"],
           lesson: ["chain", "network-example1"]}
OTHERS = [lesson_descent, lesson_trap, lesson_bowl, lesson_mnist_count]


def assert_picture(folder, name):
    png, svg = folder / f"{name}.png", folder / f"{name}.svg"
    assert png.read_bytes()[:8] == PNG
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    assert root.tag.endswith("svg")
    text = " ".join(t for t in root.itertext())
    assert "x1" in text and "grad" in text


@pytest.mark.parametrize("module", list(WRITERS), ids=lambda m: m.__name__)
def test_demos_that_draw_run_and_write_png_and_svg(module, tmp_path, capsys):
    assert module.main(["--out", str(tmp_path), "--quick"]) == 0
    out = capsys.readouterr().out
    match = SUMMARY.search(out)
    assert match and 0 < int(match.group(1)) <= int(match.group(2))
    for name in WRITERS[module]:
        assert_picture(tmp_path, name)
        assert f"wrote {tmp_path / name}.png" in out and f"wrote {tmp_path / name}.svg" in out
    assert "✓" in out


@pytest.mark.parametrize("module", OTHERS, ids=lambda m: m.__name__)
def test_other_demos_run_and_print_a_summary(module, capsys):
    assert module.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert SUMMARY.search(out) or "statements confirmed" in out
    assert "wrote" not in out             # nothing is written without --out


@pytest.mark.parametrize("module", OTHERS, ids=lambda m: m.__name__)
def test_other_demos_save_their_report_in_out(module, tmp_path, capsys):
    assert module.main(["--quick", "--out", str(tmp_path / "reports")]) == 0
    out = capsys.readouterr().out
    name = module.__name__.rpartition(".")[2]
    saved = tmp_path / "reports" / f"{name}.txt"
    assert out.endswith(f"wrote {saved}\n")
    assert saved.read_text(encoding="utf-8") == out.removesuffix(f"wrote {saved}\n")


def test_every_lesson_demo_is_registered():
    for name in ("lesson", "lesson_descent", "lesson_trap", "lesson_bowl", "lesson_chain",
                 "lesson_network", "lesson_mnist_count"):
        assert DEMOS.get(name)


def test_the_full_run_lists_every_example_and_the_differences(tmp_path, capsys):
    lesson.main(["--out", str(tmp_path)])
    out = capsys.readouterr().out
    for section in ("x² descent", "trap", "bowl", "chain rule", "network", "digit network"):
        assert re.search(rf"^  {re.escape(section)} +\d+ of +\d+ numbers confirmed", out,
                         re.MULTILINE), section
    good, total = map(int, SUMMARY.search(out).groups())
    if good < total:                       # whatever differs is listed with the engine's value
        assert re.search(r"^Not confirmed \(\d+\)", out, re.MULTILINE)
        assert re.search(r"✗ \[\w[^\]]*\] .*: lesson \S+, engine \S+", out)


# ----------------------------------------------------------------------------- the audit

def test_a_wrong_cell_in_a_constructed_table_is_reported_with_the_right_value(capsys):
    audit = Audit()
    rows = []
    for x0, fw, gw in ((1.0, "1.000", "2.000"), (2.0, "4.000", "5.000")):   # 5 is wrong: 4
        x = Value(x0, label="x")
        f = x ** 2
        f.label = "f"
        got = audit.check("demo", f, [("f", fw, f"x={x0}, f"), ("d/dx", gw, f"x={x0}, slope")])
        rows.append([str(x0), got["f"], got["d/dx"]])
    table(["x", "f", "slope"], rows)
    audit.differences("demo")
    good, total = audit.summary()
    out = capsys.readouterr().out
    assert (good, total) == (3, 4)
    assert "5.000 ✗" in out and "x=2.0, slope: lesson 5.000, engine 4" in out
    assert re.search(r"^engine: +4$", out, re.MULTILINE)       # engine's value under the cell
    assert "path x → f" in out                                  # the derivation
    wrong = [i for i in audit.items if not i.ok]
    assert len(wrong) == 1 and wrong[0].correct == 4.0


def test_a_number_carried_from_an_earlier_wrong_one_is_marked_as_following():
    w = Value(F(1), label="w")
    y = w * 3
    y.label = "y"
    e = y ** 2
    e.label = "e"                                          # y = 3, e = 9, de/dw = 18
    audit = Audit()
    got = audit.check("demo", e, [("y", "4", "y"), ("e", "16", "e"), ("d/dw", "18", "grad")],
                      exact=True)
    assert not got["y"].ok and not got["y"].carried
    assert not got["e"].ok and got["e"].carried and got["e"].correct == 9
    assert got["d/dw"].ok


def test_numbers_and_statements_outside_the_checker():
    audit = Audit()
    assert audit.number("demo", "a count", "13002", 13002).ok
    assert not audit.number("demo", "a count", "13000", 13002).ok       # whole numbers: exact
    assert audit.number("demo", "about", "13000", 13002, tol=500).ok
    assert audit.number("demo", "rounded", "0.90", F(361, 400)).ok       # 0.9025 to 2 decimals
    s = audit.statement("demo", "claim", "it goes down", False, "it went up")
    assert s.kind == "statement" and not s.ok
    assert audit.summary(out=lambda _: None) == (3, 4)


def test_the_lessons_worksheets_feed_the_audit_with_the_checkers_own_slips():
    sheet = worksheet("network-batch")
    report = sheet.check()
    audit = Audit()
    got = audit.worksheet("demo", sheet, report, ["2:d/dw1", "d/dw1", "after:w1"])
    assert list(got) == ["2:d/dw1", "d/dw1", "after:w1"]
    assert got["2:d/dw1"].where == "batch gradients, example 2 (1, 4), ∂E/∂w1"
    assert not got["2:d/dw1"].ok and got["2:d/dw1"].correct == 1520
    assert [s.kind for s in got["2:d/dw1"].claim.slips] == ["factor left out"]
    assert "without the factor x2 = 4" in got["2:d/dw1"].why()
    assert got["d/dw1"].carried and got["after:w1"].carried
    assert "520 + 1520 + 24 = 2064" in "\n".join(got["d/dw1"].derivation)


# ----------------------------------------------------------------------------- the engine

def central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_descent_gradients_match_finite_differences():
    for x, _, grad, new in lesson_descent.descend(3.0, 0.1, 5):
        assert grad == pytest.approx(central(lambda t: t * t, x), rel=1e-6)
        assert new == pytest.approx(x - 0.1 * grad)
    rows, _ = lesson_bowl.descend((3.0, 2.0), 0.1, 4)
    for x1, x2, _, g1, g2 in rows:
        assert g1 == pytest.approx(central(lambda t, x2=x2: t * t + 2 * x2 * x2, x1), rel=1e-6)
        assert g2 == pytest.approx(central(lambda t, x1=x1: x1 * x1 + 2 * t * t, x2), rel=1e-6)
    for x, _, grad in lesson_trap.descend(0.5, 0.1, 5)[0]:
        fx = lambda t: t ** 4 - 4 * t ** 2 + t + 1
        assert grad == pytest.approx(central(fx, x), rel=1e-6, abs=1e-8)


def test_chain_gradients_match_exact_fractions_and_paths_sum():
    from autograd.trace import paths
    for x1v, x2v in lesson_chain.POINTS:
        f, x1, x2, _, _ = lesson_chain.build(x1v, x2v)
        f.backward()
        # exact central difference of a polynomial in fractions: (f(x+h) - f(x-h)) / 2h
        h = F(1, 10 ** 12)
        value = lambda a, b: ((2 * a + b) ** 2 + 3 * b ** 2) ** 3
        fd1 = (value(x1v + h, x2v) - value(x1v - h, x2v)) / (2 * h)
        fd2 = (value(x1v, x2v + h) - value(x1v, x2v - h)) / (2 * h)
        assert abs(x1.grad - fd1) < F(1, 10 ** 6) and abs(x2.grad - fd2) < F(1, 10 ** 6)
        assert paths(f, x2).total == x2.grad and len(paths(f, x2)) == 2


def test_network_gradients_are_exact_and_match_finite_differences():
    for (x1v, x2v), yt in zip(lesson_network.INPUTS, (24, 14, 11)):
        w = {n: Value(F(v), label=n) for n, v in lesson_network.START.items()}
        net = lesson_network.forward(x1v, x2v, yt, w)
        net["error"].backward()
        for name in lesson_network.WEIGHTS:
            assert isinstance(w[name].grad, (int, F))

            def error_at(t, name=name, x1v=x1v, x2v=x2v, yt=yt):
                vals = {n: float(v) for n, v in lesson_network.START.items()}
                vals[name] = t
                h1 = (x1v + vals["w1"] * x2v) ** 2
                h2 = vals["w2"] * x1v * x2v
                return (yt - (vals["w3"] * h1 + vals["w4"] * h2 + vals["w5"])) ** 2

            assert float(w[name].grad) == pytest.approx(
                central(error_at, float(lesson_network.START[name]), 1e-5), rel=1e-6, abs=1e-6)
