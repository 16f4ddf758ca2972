"""``demos.landscapes`` run in-process at --quick: four real PNGs, and the plotted numbers are
the engine's (checked here against numbers computed independently)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from demos import DEMOS, landscapes

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_writes_four_pngs_and_prints_their_paths(tmp_path, capsys):
    assert landscapes.main(["--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    paths = [Path(p) for p in re.findall(r"^wrote (.+\.png)$", out, flags=re.MULTILINE)]
    assert [p.name for p in paths] == [f"landscape-{n}.png" for n in landscapes.NAMES]
    for path in paths:
        assert path.parent == tmp_path
        data = path.read_bytes()
        assert data[:8] == PNG_MAGIC, path
        assert 10_000 < len(data) < 3_000_000, (path, len(data))
    assert "landscapes" in DEMOS


def test_descent_iterates_are_the_engines():
    xs = landscapes.descent_iterates(25)
    assert len(xs) == 26
    for k, x in enumerate(xs):
        assert abs(x - 3 * 0.8 ** k) < 1e-12, (k, x)


def test_trap_runs_end_in_different_valleys():
    runs = landscapes.trap_runs()
    right, left = runs[0.5][-1], runs[-0.5][-1]
    # Independently: the floors of f'(x) = 4x**3 - 8x + 1 = 0, by bisection.
    def slope(x):
        return 4 * x ** 3 - 8 * x + 1

    def root(a, b):
        for _ in range(200):
            m = (a + b) / 2
            a, b = (m, b) if slope(a) * slope(m) > 0 else (a, m)
        return (a + b) / 2

    assert right == pytest.approx(root(1.0, 2.0), abs=1e-6)     # the shallow valley
    assert left == pytest.approx(root(-2.0, -1.0), abs=1e-6)    # the deep valley
    assert runs[0.5][1] == pytest.approx(0.5 - 0.1 * slope(0.5))


def test_bowl_path_is_the_engines():
    pts = landscapes.bowl_path(10)
    for k, (a, b) in enumerate(pts):
        assert a == pytest.approx(3 * 0.8 ** k, abs=1e-12)     # x1 <- x1 - 0.1 * 2 x1
        assert b == pytest.approx(2 * 0.6 ** k, abs=1e-12)     # x2 <- x2 - 0.1 * 4 x2


def test_network_curves_start_at_534_and_go_down():
    curves = landscapes.network_curves(passes=5)
    assert set(curves) == {"online", "batch", "mini-batch"}
    counts = {"online": 15, "batch": 5, "mini-batch": 10}
    for name, curve in curves.items():
        assert curve[0] == (0, pytest.approx(534))
        assert len(curve) - 1 == counts[name]                   # updates in 5 passes
        assert curve[-1][0] == 15                               # examples seen
        assert curve[-1][1] < 0.2 * 534
    # Batch, first step, computed here without the engine: the total error written out by
    # hand, its gradient by central differences, one step w - 0.0001 * gradient.
    def error(w):
        w1, w2, w3, w4, w5 = w
        return sum((y - (w3 * (a + w1 * b) ** 2 + w4 * w2 * a * b + w5)) ** 2
                   for (a, b), y in (((3, 2), 24), ((1, 4), 14), ((2, 1), 11)))

    w, h = [1.0, 2.0, 1.0, 1.0, 0.0], 1e-5
    grad = [(error([*w[:i], w[i] + h, *w[i + 1:]]) - error([*w[:i], w[i] - h, *w[i + 1:]]))
            / (2 * h) for i in range(5)]
    assert grad == pytest.approx([2064, 316, 1636, 632, 68], rel=1e-6)
    stepped = [wi - 0.0001 * g for wi, g in zip(w, grad)]
    assert curves["batch"][1] == (3, pytest.approx(error(stepped), rel=1e-6))
