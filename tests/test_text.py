"""The text layer's renderers: a cell written two ways, the forward-pass table, prose and
headings in each format, and LaTeX that compiles without Unicode set-up."""

from __future__ import annotations

from fractions import Fraction

from autograd import Value
from autograd.check.explain import shown_cell
from autograd.text import Cell, Table, forward_table, heading, node_names, prose


def test_a_cell_is_its_text_in_text_and_markdown_and_its_latex_in_latex():
    table = Table(("what", "value"), [("a ratio", Cell("5776/81 (≈ 71.3086)",
                                                         "$\\frac{5776}{81} \\approx 71.3086$"))])
    assert table.render("text").splitlines()[2] == "a ratio  5776/81 (≈ 71.3086)"
    assert "| a ratio | 5776/81 (≈ 71.3086) |" in table.render("markdown")
    assert "a ratio & $\\frac{5776}{81} \\approx 71.3086$ \\\\" in table.render("latex")


def test_an_exact_fraction_stays_a_fraction_in_latex():
    assert shown_cell(Fraction(5776, 81)).latex == "$\\frac{5776}{81} \\approx 71.3086$"
    assert shown_cell(Fraction(-3, 4)).latex == "$-\\frac{3}{4} = -0.75$"
    assert shown_cell(Fraction(3, 4)).text == "3/4 (= 0.75)"
    assert shown_cell(520).latex == "$520$" and shown_cell(0.25).latex == "$0.25$"
    long = shown_cell(Fraction(27985399699, 976562500))
    assert long.text == "≈ 28.65704929" and long.latex == "$\\approx 28.65704929$"


def test_the_forward_pass_table_in_names_and_numbers():
    x = Value(Fraction(1, 3), label="x")
    f = (2 * x + 1) ** 2
    f.label = "f"
    names = node_names(f)
    nodes = [f.inputs[0].inputs[0], f.inputs[0], f]
    text = forward_table(nodes, names, {id(f): "yours: 25/9, right"}).render("text")
    assert text.splitlines()[0].split() == ["node", "computed", "as", "value", "yours"]
    assert "f     n2**2 = (5/3)**2   25/9  yours: 25/9, right" in text
    latex = forward_table(nodes, names).render("latex")
    assert "f & $n_{2}^{2} = \\left(\\frac{5}{3}\\right)^{2}$ & $\\frac{25}{9}$ \\\\" in latex


def test_prose_and_headings_per_format():
    line = "off by 1/3 (≈ 0.333333); x₁ → y, 10% of η × ∂E/∂w"
    assert prose(line, "markdown") == prose(line, "text") == line
    tex = prose(line, "latex")
    assert tex.isascii()
    assert "$\\approx$" in tex and "10\\% of $\\eta$ $\\times$ $\\partial$E/$\\partial$w" in tex
    assert heading("paths", "markdown") == "**paths**"
    assert heading("d_w", "latex") == "\\noindent\\textbf{d\\_w}"
    assert heading("paths") == "paths"


def test_a_long_whole_number_is_shortened_in_a_table_and_in_latex():
    cell = shown_cell(3 ** 1000)
    assert cell.text == "≈1.32207e+477"
    assert cell.latex == "$\\approx 1.32207 \\times 10^{477}$"
