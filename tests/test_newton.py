"""``demos.newton``: Newton's method against gradient descent, its numbers checked against
numbers computed here without the engine (closed forms, bisection), and its picture."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from bad_inputs_section import check_row, rows_for
from demos import newton

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def slope(x):
    """The trap's f'(x) = 4x³ − 8x + 1, written out by hand."""
    return 4 * x ** 3 - 8 * x + 1


def curvature(x):
    return 12 * x ** 2 - 8


def root(a, b):
    """The zero of the trap's slope between a and b, by bisection."""
    for _ in range(200):
        m = (a + b) / 2
        a, b = (m, b) if slope(a) * slope(m) > 0 else (a, m)
    return (a + b) / 2


HILLTOP, SHALLOW, DEEP = root(0.0, 0.5), root(1.0, 2.0), root(-2.0, -1.0)


@pytest.fixture(scope="module")
def runs():
    return newton.all_runs()


def test_the_issues_second_derivatives_from_the_engine():
    _, g, h = newton.derivatives(lambda x: x ** 3, (3.0,))
    assert (g.tolist(), h.tolist()) == ([27.0], [[18.0]])
    _, g, h = newton.derivatives(newton.bowl, (3.0, 2.0))
    assert (g.tolist(), h.tolist()) == ([6.0, 8.0], [[2.0, 0.0], [0.0, 4.0]])
    for x in (0.5, -0.5, 1.25):
        _, g, h = newton.derivatives(newton.trap, (x,))
        assert (g[0], h[0][0]) == (pytest.approx(slope(x)), pytest.approx(curvature(x)))
    assert newton.derivatives(newton.trap, (0.5,))[2][0][0] == -5.0


def test_descent_on_x2_and_the_bowl_takes_the_steps_the_closed_form_says(runs):
    # x_k = 3 * 0.8**k, so |f'| = 6 * 0.8**k < TOL first at k = 91; on the bowl the slower
    # coordinate, x1 = 3 * 0.8**k, decides as well.
    k = math.ceil(math.log(6 / newton.TOL) / math.log(1 / 0.8))
    square = runs[("x²", (3.0,), "gradient descent")]
    assert square.arrived and square.steps == k == 91
    for j, (x,) in enumerate(square.path[:30]):
        assert x == pytest.approx(3 * 0.8 ** j, rel=1e-12)
    bowl = runs[("bowl", (3.0, 2.0), "gradient descent")]
    assert bowl.arrived and bowl.steps == 91
    assert bowl.path[1] == pytest.approx((2.4, 1.2))


def test_newton_needs_one_step_on_the_parabolas(runs):
    for key, bottom in ((("x²", (3.0,), "Newton"), (0.0,)),
                        (("bowl", (3.0, 2.0), "Newton"), (0.0, 0.0))):
        r = runs[key]
        assert r.arrived and r.steps == 1 and r.path[1] == bottom
        assert r.kinds == ["Newton"]


def test_plain_newton_on_the_trap_climbs_to_the_hilltop_from_both_starts(runs):
    up = runs[("trap", (0.5,), "Newton")]
    down = runs[("trap", (-0.5,), "Newton")]
    assert up.path[1] == (0.5 - slope(0.5) / curvature(0.5),) == (0.0,)
    assert down.path[1] == (pytest.approx(-0.5 - slope(-0.5) / curvature(-0.5)),)   # 0.4
    for r in (up, down):
        assert r.arrived and r.path[-1][0] == pytest.approx(HILLTOP, abs=1e-12)
        assert curvature(r.path[-1][0]) < 0 and 0.12 < HILLTOP < 0.13
        assert newton.where(newton.trap, r.path[-1]) == "a maximum (hilltop)"


def test_safeguarded_newton_takes_gradient_steps_where_the_curvature_is_not_upwards(runs):
    for start, valley in ((0.5, SHALLOW), (-0.5, DEEP)):
        r = runs[("trap", (start,), "safeguarded Newton")]
        assert r.arrived and r.path[-1][0] == pytest.approx(valley, abs=1e-12)
        assert newton.where(newton.trap, r.path[-1]) == "a minimum (valley floor)"
        assert r.steps < 10 < runs[("trap", (start,), "gradient descent")].steps
        for (x,), (after,), kind in zip(r.path, r.path[1:], r.kinds):
            if curvature(x) <= 0:
                assert kind == "gradient" and after == pytest.approx(x - 0.1 * slope(x))
            else:
                assert kind == "Newton" and after == pytest.approx(x - slope(x) / curvature(x))
        assert "gradient" in r.kinds and "Newton" in r.kinds


def test_descent_on_the_trap_ends_in_the_valley_the_lesson_says(runs):
    assert runs[("trap", (0.5,), "gradient descent")].path[-1][0] == pytest.approx(SHALLOW)
    assert runs[("trap", (-0.5,), "gradient descent")].path[-1][0] == pytest.approx(DEEP)


def test_a_run_that_does_not_arrive_says_so():
    r = newton.run(newton.square, (3.0,), "gradient descent", 0.1, max_steps=5)
    assert not r.arrived and r.steps == 5
    assert "not arrived" in newton.label(r)


def test_positive_definite():
    assert newton.positive_definite(np.array([[2.0, 0.0], [0.0, 4.0]]))
    assert not newton.positive_definite(np.array([[-5.0]]))
    assert not newton.positive_definite(np.array([[1.0, 2.0], [2.0, 1.0]]))   # a saddle


def test_main_prints_the_table_and_writes_the_picture(tmp_path, capsys):
    assert newton.main(["--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "d²/dx² of x³ at 3: 18" in out
    assert "the bowl's Hessian at (3, 2): [[2.0, 0.0], [0.0, 4.0]]" in out
    assert "f' = -2.5, f'' = -5 < 0" in out
    assert re.search(r"^trap from 0\.5 +Newton +4 +x = \+0\.126\d* .*a maximum \(hilltop\)$",
                     out, re.MULTILINE)
    assert re.search(r"^x² from 3 +gradient descent +91 ", out, re.MULTILINE)
    paths = [Path(p) for p in re.findall(r"^wrote (.+\.png)$", out, re.MULTILINE)]
    assert paths == [tmp_path / "newton-paths.png"]
    data = paths[0].read_bytes()
    assert data[:8] == PNG_MAGIC and 20_000 < len(data) < 2_000_000


ROWS = rows_for(__file__)


def test_the_bad_inputs_section_has_rows_for_the_demo():
    assert len(ROWS) >= 3


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["what"])
def test_each_bad_input_row_gives_the_documented_error(row, capsys):
    check_row(row, {"newton": newton}, capsys)


def test_the_modules_examples_run():
    import doctest

    results = doctest.testmod(newton)
    assert results.attempted >= 2 and results.failed == 0
