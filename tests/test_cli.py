"""``python -m autograd grad|check``: output a learner reads, exit codes, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest

from autograd.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
LESSON = "((2*x1 + x2)**2 + 3*x2**2)**3"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograd", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


def test_grad_prints_value_gradients_and_trace():
    result = run("grad", LESSON, "x1=3", "x2=2")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"f = {LESSON}\nat x1 = 3, x2 = 2\n")
    assert "  n1 = 2 * x1 = 2 * 3 = 6\n" in out              # the forward pass names n1, ...
    assert "value: f = 438976" in out
    assert "  df/dx1 = 554496\n  df/dx2 = 485184" in out
    assert "backward from f = 438976: 11 chain-rule steps" in out
    assert "df/dn6 = 3*n6**2 = 17328" in out
    assert result.stderr == ""


def test_grad_exact_keeps_fractions():
    result = run("grad", "x * y / 3 - x**2", "x=0.1", "y=3/4", "--exact")
    assert result.returncode == 0, result.stderr
    # f = x y / 3 - x**2 = 1/40 - 1/100 = 3/200; df/dx = y/3 - 2x = 1/20; df/dy = x/3 = 1/30
    assert "at x = 1/10, y = 3/4 (exact arithmetic)" in result.stdout
    assert "value: f = 3/200 (= 0.015)" in result.stdout
    assert "df/dx = 1/20 (= 0.05)" in result.stdout
    assert "df/dy = 1/30 (≈ 0.0333333)" in result.stdout


def test_grad_of_an_expression_starting_with_minus_and_negative_values():
    result = run("grad", "-x**2 + relu(y)", "x=-3", "y=-0.5")
    assert result.returncode == 0, result.stderr
    assert "value: f = -9" in result.stdout and "df/dx = 6" in result.stdout


def test_check_exit_codes_and_report():
    right = run("check", LESSON, "x1=3", "x2=2", "--claim", "d/dx1=554496",
                "--claim", "f=438976", "--claim", "df/dx2=485184")
    assert right.returncode == 0, right.stderr
    assert "All 3 claims right." in right.stdout

    wrong = run("check", LESSON, "x1=3", "x2=2", "--claim", "d/dx1=520", "--claim", "f=438976")
    assert wrong.returncode == 1, wrong.stderr
    out = wrong.stdout
    assert "d/dx1     520   554496  wrong    first divergence; off by 553976" in out
    assert "1 of 2 claims wrong. First divergence: d/dx1 (yours 520, correct 554496)" in out
    assert "paths from x1 to f: 1" in out and "sum of the products: df/dx1 = 554496" in out


def test_check_options_tol_lr_exact():
    rounded = run("check", "x / 7", "x=1", "--claim", "f=0.14")
    assert rounded.returncode == 0, rounded.stdout
    assert run("check", "x / 7", "x=1", "--claim", "f=0.15").returncode == 1   # 0.142857...
    assert run("check", "x / 7", "x=1", "--claim", "f=0.15", "--tol", "0.01").returncode == 0
    update = run("check", "w * x", "w=1", "x=3", "--lr", "1/10", "--exact",
                 "--claim", "w'=7/10", "--claim", "w_new=0.7")
    assert update.returncode == 0, update.stdout + update.stderr


@pytest.mark.parametrize("args, message", [
    (["check", "x.real", "x=1", "--claim", "f=1"], "attribute access (.real) is not allowed"),
    (["check", LESSON, "x1=3", "x2=2", "--claim", "d/dz=1"], "no 'z' in the graph"),
    (["check", LESSON, "x1=3", "--claim", "f=1"], "no value given for x2"),
    (["check", LESSON, "x1=3", "x2=2", "--claim", "f"], "expected --claim TARGET=NUMBER"),
    (["check", LESSON, "x1=3", "x2=2", "--claim", "f=lots"], "must be a number"),
    (["check", LESSON, "x1=3", "x2=2"], "give at least one --claim TARGET=NUMBER"),
    (["grad", "x", "x=2*3"], "never evaluated"),
    (["grad", "x", "3"], "expected NAME=VALUE"),
    (["grad", "log(x)", "x=-1"], "log needs a positive input"),
    (["grad", "x ** 0.5", "x=0"], "the gradients cannot be computed at these values"),
    (["grad", "x", "x=1", "--frobnicate"], "unrecognized arguments"),
    ([], "required"),
])
def test_user_mistakes_exit_2_without_a_traceback(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_payload_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "pwned"
    result = run("grad", f"__import__('os').system('touch {marker}')")
    assert result.returncode == 2 and "not allowed" in result.stderr
    assert not marker.exists()


# --draw, in process, with a stand-in for autograd.draw (its real renderer is tested there).

class RendererNotFound(RuntimeError):
    pass


def fake_draw(behaviour):
    module = types.ModuleType("autograd.draw")
    module.RendererNotFound = RendererNotFound

    def render(root, path, **options):
        if behaviour == "missing renderer":
            raise RendererNotFound("no Graphviz renderer found: install graphviz")
        return Path(path)

    module.render = render
    return module


def test_draw_writes_through_autograd_draw(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "autograd.draw", fake_draw("ok"))
    assert main(["grad", "x * y", "x=2", "y=3", "--draw", str(tmp_path / "g.png")]) == 0
    assert f"graph written to {tmp_path / 'g.png'}" in capsys.readouterr().out


def test_draw_without_a_renderer_exits_1(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "autograd.draw", fake_draw("missing renderer"))
    assert main(["grad", "x * y", "x=2", "y=3", "--draw", str(tmp_path / "g.png")]) == 1
    captured = capsys.readouterr()
    assert "value: f = 6" in captured.out                   # the numbers are printed first
    assert "error: no Graphviz renderer found: install graphviz" in captured.err


def test_draw_without_the_module_exits_1(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "autograd.draw", None)  # import fails
    assert main(["grad", "x", "x=2", "--draw", str(tmp_path / "g.png")]) == 1
    assert "error: cannot draw the graph" in capsys.readouterr().err
