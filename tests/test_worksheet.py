"""Worksheet files: reading TOML, every bad input refused naming the item and the fix, the
shipped worksheets, and the documents (blank, answers, marked) in Markdown and LaTeX."""

from __future__ import annotations

import re
import shutil
import subprocess
from fractions import Fraction as F
from pathlib import Path

import pytest

from autograd.check.worksheet import MAX_BYTES, WorksheetError, load, read

ROOT = Path(__file__).resolve().parents[1]
SHEETS = ROOT / "demos" / "worksheets"
DOC = ROOT / "docs" / "worksheets.md"

SMALL = '''
title = "u, v, f"
expression = """
u = 2*x1 + x2      # the lesson's u
v = u**2 + 3*x2**2
f = v**3
"""
values = { x1 = 3, x2 = 2 }

[claims]
"d/dx2" = 485184
u = 8
"d/dx1" = 554490

[notes]
u = "u = 2x1 + x2"
'''


def test_a_worksheet_reads_its_steps_values_and_claims_in_the_order_written():
    sheet = read(SMALL, "small.toml")
    assert [s.name for s in sheet.expression.steps] == ["u", "v", "f"]
    assert sheet.values == {"x1": 3, "x2": 2} and sheet.examples is None
    assert sheet.claims == (("d/dx2", "485184"), ("u", "8"), ("d/dx1", "554490"))
    assert sheet.notes == {"u": "u = 2x1 + x2"}
    report = sheet.check()
    assert [c.verdict for c in report] == ["right", "right", "wrong"]
    assert report["d/dx1"].correct == 12 * 8 * 76 ** 2                  # 12uv², by hand
    assert report.title.splitlines()[0] == "u, v, f"


def test_iterations_are_the_rows_of_a_descent():
    sheet = read('''
expression = "f = x**2"
values = { x = 3 }
lr = "1/10"
exact = true
[[iteration]]
after = 0
claims = { x = 3, "x'" = "12/5" }
[[iteration]]
after = 2
claims = { x = "48/25" }
notes = { x = "row 2" }
''')
    assert sheet.claims == (("x", "3"), ("x'", "12/5"), ("after 2:x", "48/25"))
    assert sheet.notes == {"after 2:x": "row 2"}
    assert sheet.check().ok                                     # 3 * (4/5)**2 = 48/25


def test_the_shipped_worksheets_load_and_their_numbers_are_the_engines():
    names = sorted(p.stem for p in SHEETS.glob("*.toml"))
    assert names == ["bowl-descent", "chain-rule", "network-batch", "network-example1",
                     "x2-descent"]
    for name in names:
        report = load(SHEETS / f"{name}.toml").check()
        assert len(report) > 10
    # Spot checks against numbers computed here: the batch's summed gradient and update.
    batch = load(SHEETS / "network-batch.toml").check()
    assert batch["d/dw1"].correct == 2 * 13 * 10 * 2 + 2 * 19 * 10 * 4 + 2 * 2 * 6 * 1
    assert batch["w1'"].correct == 1 - F(2064, 10000)
    chain = load(SHEETS / "chain-rule.toml").check()
    assert chain.ok and chain["2:d/dx1"].correct == 12 * F(-2, 3) * F(79, 9) ** 2


def test_the_lessons_batch_table_is_flagged_with_the_kinds_and_true_values():
    report = load(SHEETS / "network-batch.toml").check()
    flagged = {c.target: (c.correct, [s.kind for s in c.slips], c.carried)
               for c in report.wrong if not c.target.startswith(("after", "w"))}
    assert flagged == {"2:d/dw1": (1520, ["factor left out"], None),
                       "3:d/dw2": (8, ["factor taken twice", "another input's gradient"], None),
                       "d/dw1": (2064, ["factor left out"], True),
                       "d/dw2": (316, ["factor taken twice"], True)}
    assert sum(c.ok for c in report) == len(report) - 24


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("text, message", [
    ("expression = 'x' \nlrate = 1", "unknown key 'lrate' (did you mean lr?); the keys are"),
    ("values = { x = 1 }\n[claims]\nf = 1", "no expression: give the computation"),
    ("expression = 3\n[claims]\nf = 1", "expression must be text (in quotes), got a whole number"),
    ("expression = 'x +'\n[claims]\nf = 1", "expression: not a valid expression"),
    ("expression = 'y = 3*h; h = x**2'\n[claims]\nf = 1", "h is used before it is defined"),
    ("expression = 'x'\nvalues = [1]\n[claims]\nf = 1", "values must be a table of NAME = number"),
    ("expression = 'x'\nvalues = { x = true }\n[claims]\nf = 1", "values: x must be a number"),
    ("expression = 'x'\nexamples = { x = 1 }\n[claims]\nf = 1",
     "examples must be a non-empty array of tables"),
    ("expression = 'x'\nexamples = []\n[claims]\nf = 1", "got an empty array"),
    ("expression = 'x'\nexamples = [{ x = [1] }]\n[claims]\nf = 1",
     "example 1: x must be a number"),
    ("expression = 'x'\nreduce = 'max'\n[claims]\nf = 1", "reduce must be one of 'sum', 'mean'"),
    ("expression = 'x'\nlr = [0.1]\n[claims]\nf = 1", "lr must be a number"),
    ("expression = 'x'\nexact = 'yes'\n[claims]\nf = 1", "exact must be true or false, got text"),
    ("expression = 'x'\nparams = 'x'\n[claims]\nf = 1", "params must be an array of names"),
    ("expression = 'x'\nvalues = { x = 3 }", "no claims: give a [claims] table"),
    ("expression = 'x'\n[claims]\nf = 3.000",
     "f = 3.0 is a TOML decimal, which forgets the digits written"),
    ("expression = 'x'\n[claims]\nf = [3]", "f must be a number (520, or \"0.948\" in quotes)"),
    ("expression = 'x'\nclaims = 3", "claims must be a table of TARGET = number"),
    ("expression = 'x'\n[claims]\nf = 1\n[notes]\ng = 'where'",
     "a note for 'g', but the claims table claims no 'g'"),
    ("expression = 'x'\n[notes]\ng = 'where'", "notes without claims"),
    ("expression = 'x'\n[[iteration]]\nclaims = { x = 1 }", "iteration 1 needs after = K"),
    ("expression = 'x'\n[[iteration]]\nafter = -1\nclaims = { x = 1 }",
     "iteration 1 needs after = K, a whole number of steps"),
    ("expression = 'x'\n[[iteration]]\nafter = 1", "iteration 1 has no claims table"),
    ("expression = 'x'\n[[iteration]]\nafter = 1\nsteps = 3\nclaims = { x = 1 }",
     "unknown key in iteration 1: 'steps'"),
    ("expression = 'x'\n[[iteration]]\nafter = 1\nclaims = { 'after 2:x' = 1 }",
     "'after 2:x' has its own after: prefix"),
    ("expression = 'x'\n[claims]\n'after 2:x' = 1\n[[iteration]]\nafter = 2\nclaims = { x = 1 }",
     "'after 2:x' is claimed twice"),
    ("expression = 'x'\n[claims]\n'after 5000:x' = 1", "at most 1000 steps"),
    ("expression = = 'x'", "not valid TOML"),
])
def test_a_bad_worksheet_is_refused_naming_the_item_and_the_fix(text, message):
    with pytest.raises(WorksheetError) as info:
        read(text, "sheet.toml")
    assert str(info.value).startswith("sheet.toml: ")
    assert message in str(info.value)


def test_a_claim_that_cannot_be_checked_names_the_file():
    sheet = read("expression = 'y = 2*x'\nvalues = { x = 1 }\n[claims]\nz = 1", "s.toml")
    with pytest.raises(WorksheetError, match=r"^s.toml: unknown claim target 'z'"):
        sheet.check()


def test_files_that_cannot_be_read(tmp_path):
    with pytest.raises(WorksheetError, match="no such file"):
        load(tmp_path / "missing.toml")
    with pytest.raises(WorksheetError, match="is a folder"):
        load(tmp_path)
    bad = tmp_path / "latin1.toml"
    bad.write_bytes("title = 'caf\xe9'".encode("latin-1"))
    with pytest.raises(WorksheetError, match="not UTF-8 text"):
        load(bad)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(WorksheetError, match=f"at most {MAX_BYTES:,}"):
        load(big)


# ----------------------------------------------------------------------------- documents

def test_a_blank_has_the_computation_and_empty_claimed_cells():
    text = read(SMALL).render("blank")
    assert text.startswith("# u, v, f\n")
    assert "```text\nu = 2*x1 + x2\nv = u**2 + 3*x2**2\nf = v**3\n```" in text
    assert "| x1 | 3 |" in text
    assert "485184" not in text and "554490" not in text       # nothing claimed shows
    assert re.search(r"^\|  +\|  +\|  +\|  +\|$", text, re.MULTILINE)  # the empty row


def test_the_answers_and_the_marked_sheet():
    sheet = read(SMALL)
    answers = sheet.render("answers")
    assert "| 485184 | 8 | 554496 |" in answers
    marked = sheet.render("marked")
    assert "| 485184 ✓ | 8 ✓ | 554490 ✗ 554496 |" in marked
    assert "1 of 3 claims wrong" in marked


def test_a_batch_blank_has_a_table_per_kind_and_the_update_rule():
    text = load(SHEETS / "network-batch.toml").render("blank")
    assert "| example | x1 | x2 | y_true |" in text and "| 2 | 1 | 4 | 14 |" in text
    assert "each step updates w1, w2, w3, w4, w5 by the rule p' = p - lr * dE/dp" in text
    for title in ("**values at the start**", "**values after 1 step**", "**gradients**",
                  "**updates**"):
        assert title in text
    assert "| example | d/dw1 | d/dw2 | d/dw3 | d/dw4 | d/dw5 |" in text
    assert "380" not in text


def test_a_descent_blank_has_a_row_per_step():
    text = load(SHEETS / "x2-descent.toml").render("blank")
    assert "| step | x | f | d/dx | x' |" in text
    assert [line.split("|")[1].strip() for line in text.splitlines()
            if re.match(r"\| \d+ \|", line)] == ["0", "1", "2", "3", "10"]


def test_latex_documents_are_well_formed():
    for name in ("network-batch", "x2-descent", "chain-rule"):
        for mode in ("blank", "answers", "marked"):
            assert_well_formed_latex(load(SHEETS / f"{name}.toml").render(mode, "latex"))


def assert_well_formed_latex(text: str) -> None:
    """Balanced braces and environments, math mode opened and closed on each line, and only
    ASCII (so pdflatex needs no Unicode set-up)."""
    assert text.isascii(), [ch for ch in text if not ch.isascii()][:5]
    body = text.replace("\\\\", "").replace("\\{", "").replace("\\}", "").replace("\\$", "")
    assert body.count("{") == body.count("}")
    for line in body.splitlines():
        if not line.startswith("%"):
            assert line.count("$") % 2 == 0, line
    begins = re.findall(r"\\begin\{(\w+)\}", text)
    ends = re.findall(r"\\end\{(\w+)\}", text)
    assert begins == ends


def test_the_documented_example_is_a_worksheet_that_checks():
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks
    report = read(blocks[0], "docs/worksheets.md").check()
    assert len(report) >= 10
    assert not report.ok                       # the example shows a slip being named


def test_the_documents_python_session_runs():
    import doctest

    result = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted >= 5


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_the_latex_compiles_with_pdflatex(tmp_path):
    from autograd.check import check

    parts = {"marked": load(SHEETS / "network-batch.toml").render("marked", "latex"),
             "blank": load(SHEETS / "bowl-descent.toml").render("blank", "latex"),
             "report": check("x**2 * y", {"x": "1/3", "y": "3/5"}, {"d/dx": "3/5"},
                             exact=True).render("latex")}
    for name, text in parts.items():
        (tmp_path / f"{name}.tex").write_text(text, encoding="ascii")
        (tmp_path / f"wrap-{name}.tex").write_text(
            "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
            f"\\input{{{name}}}\n\\end{{document}}\n", encoding="ascii")
        result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                                 f"wrap-{name}.tex"], cwd=tmp_path, capture_output=True,
                                text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stdout[-2000:]
        assert (tmp_path / f"wrap-{name}.pdf").stat().st_size > 1000
