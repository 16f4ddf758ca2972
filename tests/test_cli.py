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
    assert "  ∂f/∂x1 = 554496\n  ∂f/∂x2 = 485184" in out
    assert "backward from f = 438976: 11 chain-rule steps" in out
    assert "∂f/∂n6 = 3*n6**2 = 17328" in out
    assert result.stderr == ""


def test_grad_exact_keeps_fractions():
    result = run("grad", "x * y / 3 - x**2", "x=0.1", "y=3/4", "--exact")
    assert result.returncode == 0, result.stderr
    # f = x y / 3 - x**2 = 1/40 - 1/100 = 3/200; df/dx = y/3 - 2x = 1/20; df/dy = x/3 = 1/30
    assert "at x = 1/10, y = 3/4 (exact arithmetic)" in result.stdout
    assert "value: f = 3/200 (= 0.015)" in result.stdout
    assert "∂f/∂x = 1/20 (= 0.05)" in result.stdout
    assert "∂f/∂y = 1/30 (≈ 0.0333333)" in result.stdout


def test_grad_of_an_expression_starting_with_minus_and_negative_values():
    result = run("grad", "-x**2 + relu(y)", "x=-3", "y=-0.5")
    assert result.returncode == 0, result.stderr
    assert "value: f = -9" in result.stdout and "∂f/∂x = 6" in result.stdout


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
    assert "paths from x1 to f: 1" in out and "sum of the products: ∂f/∂x1 = 554496" in out


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


# ----------------------------------------------------------------------------- worked examples

NETWORK = "h1 = (x1 + w1*x2)**2; h2 = w2*x1*x2; y = w3*h1 + w4*h2 + w5; E = (y_true - y)**2"
BATCH = [NETWORK, "w1=1", "w2=2", "w3=1", "w4=1", "w5=0",
         "--example", "x1=3 x2=2 y_true=24", "--example", "x1=1 x2=4 y_true=14",
         "--example", "x1=2 x2=1 y_true=11"]
SHEETS = ROOT / "demos" / "worksheets"


def test_named_steps_are_claim_targets_on_the_command_line():
    result = run("check", NETWORK, "x1=3", "x2=2", "y_true=24", "w1=1", "w2=2", "w3=1",
                 "w4=1", "w5=0", "--claim", "y=37", "--claim", "h1=25", "--claim",
                 "dE/dh1=26", "--claim", "dh1/dw1=20")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All 4 claims right." in result.stdout
    grad = run("grad", "u = 2*x; f = u**2", "x=3")
    assert "u = 2 * x = 2 * 3 = 6" in grad.stdout and "∂f/∂u = 2*u = 12" in grad.stdout
    assert "value: f = 36" in run("grad", "u = 2*x; f = u**2", "x=3").stdout
    assert "value: u = 6" in run("grad", "u = 2*x; f = u**2", "x=3", "--output", "u").stdout


def test_claims_come_back_in_the_order_typed():
    result = run("check", "h = x**2; y = 3*h", "x=2", "--claim", "d/dx=12", "--claim", "y=12",
                 "--claim", "h=4")
    rows = [line.split()[0] for line in result.stdout.splitlines()[4:7]]
    assert rows == ["d/dx", "y", "h"]


def test_the_lessons_batch_table_in_one_command():
    claims = []
    for i, row in enumerate([(520, 156), (380, 152), (24, 16)], start=1):
        claims += ["--claim", f"{i}:d/dw1={row[0]}", "--claim", f"{i}:d/dw2={row[1]}"]
    claims += ["--claim", "d/dw1=924", "--claim", "d/dw2=324", "--claim", "d/dw3=1636"]
    result = run("check", *BATCH, *claims)
    assert result.returncode == 1, result.stderr
    out = " ".join(result.stdout.split())
    assert "2:d/dw1 380 1520 wrong first divergence; off by 1140; it is the path's product " \
           "without the factor x2 = 4" in out
    assert "3:d/dw2 16 8 wrong off by 8; it is the path's product with the factor x1 = 2 " \
           "taken twice; it equals this example's dE/dw4 (16)" in out
    assert "d/dw1 924 2064 wrong off by 1140; follows from your examples' gradients: 520 + " \
           "380 + 24 = 924; it is the sum with the factor x2 = 4 left out of example 2's " \
           "gradient (380 instead of 1520)" in out
    assert "d/dw2 324 316 wrong off by 8; follows from your examples' gradients: 156 + 152 + " \
           "16 = 324" in out
    assert "d/dw3 1636 1636 right exact" in out and "1:d/dw1 520 520 right exact" in out
    assert "4 of 9 claims wrong. First divergence: 2:d/dw1 (yours 380, correct 1520)" in out


def test_the_update_after_the_batch_and_mean():
    result = run("check", *BATCH, "--lr", "0.0001", "--claim", "w1'=0.7936",
                 "--claim", "after:1:y=28.66", "--claim", "all:E=534")
    assert result.returncode == 0, result.stdout + result.stderr
    mean = run("check", *BATCH, "--reduce", "mean", "--claim", "d/dw1=688",
               "--claim", "all:E=178")
    assert mean.returncode == 0, mean.stdout + mean.stderr


def test_a_worksheet_file_is_checked_and_exits_1_on_a_wrong_claim(tmp_path):
    result = run("check", str(SHEETS / "chain-rule.toml"))
    assert result.returncode == 0 and "All 12 claims right." in result.stdout
    batch = run("check", str(SHEETS / "network-batch.toml"))
    assert batch.returncode == 1
    assert batch.stdout.startswith("The 5-weight network: one batch update\n")
    given = run("check", str(SHEETS / "chain-rule.toml"), "--claim", "f=1")
    assert given.returncode == 2 and "give it without --claim" in given.stderr


def test_worksheet_writes_a_blank_to_stdout_or_a_file_and_never_over_a_file(tmp_path):
    sheet = SHEETS / "x2-descent.toml"
    blank = run("worksheet", str(sheet), "--blank")
    assert blank.returncode == 0 and blank.stdout.startswith("# Gradient descent on f(x)")
    assert "3.000" not in blank.stdout and "| step | x | f | d/dx | x' |" in blank.stdout
    out = tmp_path / "blank.md"
    written = run("worksheet", str(sheet), "--blank", "-o", str(out))
    assert written.returncode == 0 and out.read_text(encoding="utf-8") == blank.stdout
    again = run("worksheet", str(sheet), "--answers", "-o", str(out))
    assert again.returncode == 2 and "exists; choose another name, or pass --force" in \
        again.stderr
    assert out.read_text(encoding="utf-8") == blank.stdout      # kept as it was
    forced = run("worksheet", str(sheet), "--answers", "-o", str(out), "--force")
    assert forced.returncode == 0 and "| 0 | 3.0 | 9.0 | 6.0 | 2.4 |" in out.read_text()
    copy = tmp_path / "sheet.toml"
    copy.write_bytes(sheet.read_bytes())
    itself = run("worksheet", str(copy), "--blank", "-o", str(copy), "--force")
    assert itself.returncode == 2 and "is the worksheet itself" in itself.stderr
    assert copy.read_bytes() == sheet.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".worksheet-")]


def test_markdown_and_latex_for_grad_and_check():
    md = run("grad", "x * y / 3 - x**2", "x=0.1", "y=3/4", "--exact", "--format", "markdown")
    assert md.returncode == 0, md.stderr
    assert "| x | $1/10$ |" not in md.stdout                      # text in Markdown, not TeX
    assert "| x | 1/10 | 1/20 (= 0.05) |" in md.stdout
    assert "| step | node | input | local derivative | upstream | product | input grad |" \
        in md.stdout
    tex = run("grad", "((2*x1 + x2)**2 + 3*x2**2)**3", "x1=1/3", "x2=2/3", "--exact",
              "--format", "latex")
    assert "\\frac{12544}{81}" in tex.stdout and "\\begin{tabular}" in tex.stdout
    check_ = run("check", "x**2 * y", "x=1/3", "y=3/5", "--exact", "--claim", "f=1/15",
                 "--claim", "d/dx=3/5", "--format", "latex")
    assert check_.returncode == 1
    assert "$\\frac{\\partial f}{\\partial x}$ & 3/5 & $\\frac{2}{5} = 0.4$ & wrong" in \
        check_.stdout
    assert check_.stdout.isascii()


@pytest.mark.parametrize("args, message", [
    (["check", NETWORK, "w1=1", "--example", "x1=3", "--claim", "y=1"],
     "example 1 gives no value for x2"),
    (["check", *BATCH, "--claim", "y=37"], "'y' is ambiguous with 3 examples"),
    (["check", *BATCH, "--claim", "4:y=37"], "there is no example 4"),
    (["check", *BATCH, "--claim", "after:1:y=30"], "give the learning rate"),
    (["check", *BATCH, "--claim", "x1'=3", "--lr", "0.1"], "x1 is not a parameter"),
    (["check", *BATCH, "--claim", "E=1", "--params", "w1,x9"], "'x9' cannot be a parameter"),
    (["check", NETWORK, "w1=1", "--example", "x1=3 x1=4", "--claim", "y=1"],
     "--example 1 ('x1=3 x1=4'): x1 is given twice"),
    (["check", "y = 3*h; h = x**2", "x=1", "--claim", "y=1"], "h is used before it is defined"),
    (["check", "h = x**2; h = 3*x; y = h", "x=1", "--claim", "y=1"], "h is defined twice"),
    (["check", "x = x**2", "x=1", "--claim", "x=1"], "uses the input x and takes its name"),
    (["grad", "h = x**2; y = 3*h", "x=1", "--output", "z"], "the output 'z' is not a step"),
    (["check", "missing.toml"], "missing.toml: no such file"),
    (["worksheet", "missing.toml"], "missing.toml: no such file"),
    (["worksheet", "demos/worksheets/x2-descent.toml", "--blank", "--answers"],
     "not allowed with argument"),
    (["check", "x", "x=1", "--claim", "x=1", "--format", "html"], "invalid choice: 'html'"),
    (["check", "x**2", "x=3.0", "--lr", "2", "--claim", "after 999:x=1"], "overflows"),
])
def test_worked_example_mistakes_exit_2_without_a_traceback(args, message):
    result = run(*args)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_worksheet_files_exit_2_naming_the_item(tmp_path):
    sheet = tmp_path / "s.toml"
    for text, message in [("expression = 'x'\nlrate = 1\n[claims]\nf = 1", "unknown key 'lrate'"),
                          ("expression = 'x'\n[claims]\nf = 3.0", "is a TOML decimal"),
                          ("expression = [", "not valid TOML"),
                          ("expression = 'x'\nexact = 1\n[claims]\nf = 1",
                           "exact must be true or false")]:
        sheet.write_text(text, encoding="utf-8")
        for command in (["check", str(sheet)], ["worksheet", str(sheet)]):
            result = run(*command)
            assert result.returncode == 2 and message in result.stderr, result.stderr
            assert result.stderr.startswith(f"error: {sheet}: ")
            assert "Traceback" not in result.stderr
