"""The text layer's display: ∂ notation and its ASCII fallback, constants in words, colour in
a terminal (none when piped or NO_COLOR is set), HTML, and tables that fit 100 columns."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import Value
from autograd.text import (
    ANSI,
    Derivative,
    Table,
    ascii_wanted,
    colour_wanted,
    derivative_of,
    in_words,
    node_names,
)
from autograd.trace import Stepper, paths, trace
from examples import chain_example, five_weight_network

ROOT = Path(__file__).resolve().parents[1]


class Terminal(io.StringIO):
    """A stream that says it is a terminal, with a chosen encoding."""

    def __init__(self, encoding="utf-8", tty=True):
        super().__init__()
        self._encoding, self._tty = encoding, tty

    @property
    def encoding(self):
        return self._encoding

    def isatty(self):
        return self._tty


def test_derivatives_read_as_the_lesson_writes_them():
    assert Derivative("y", "h1").text() == "∂y/∂h1"
    assert Derivative("y", "h1").text(ascii=True) == "dy/dh1"
    assert Derivative("error", "y_true-y_pred").text() == "∂error/∂(y_true-y_pred)"
    assert Derivative("n4", "3", constant=True).text() == "∂n4/∂(constant 3)"
    assert Derivative("y", "h1").latex() == r"\frac{\partial y}{\partial h_{1}}"
    x1, x2, u, v, f = chain_example()
    names = node_names(f)
    constant = next(n for n in u.inputs[0].inputs if n.label is None)
    assert in_words(constant, names) == "the constant 2"
    assert derivative_of(u.inputs[0], 0, names).text(ascii=True) == "dn1/d(constant 2)"


def test_ascii_fallback_follows_the_stream_and_the_environment(monkeypatch):
    monkeypatch.delenv("TRACEGRAD_ASCII", raising=False)
    assert not ascii_wanted(Terminal("utf-8"))
    assert ascii_wanted(Terminal("ascii")) and ascii_wanted(Terminal("latin-1"))
    monkeypatch.setenv("TRACEGRAD_ASCII", "1")
    assert ascii_wanted(Terminal("utf-8"))
    text = trace(five_weight_network()["E"]).table().text()
    assert "dE/dn7 = 2*n7 = -26" in text and "∂" not in text and "×" not in text


def test_an_ascii_terminal_gets_a_table_it_can_print():
    """A learner's terminal with an ASCII locale: printing the trace must not raise."""
    code = ("from autograd.trace import trace; from autograd import Value; "
            "x = Value(3, label='x'); y = 2 * x; y.label = 'y'; trace(y).table().print(); "
            "print(trace(y))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          env={"PYTHONIOENCODING": "ascii", "PATH": "/usr/bin:/bin"},
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert b"dy/d(constant 2) = x = 3" in done.stdout


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    table = trace(five_weight_network()["E"]).table()
    tty, pipe = Terminal(), Terminal(tty=False)
    table.print(tty)
    table.print(pipe)
    assert ANSI["bold"] in tty.getvalue() and ANSI["green"] in tty.getvalue()
    assert "\033[" not in pipe.getvalue()
    # The colour codes never change what a line reads as, nor its width.
    plain = tty.getvalue().replace(ANSI["reset"], "")
    for code in ANSI.values():
        plain = plain.replace(code, "")
    assert plain == pipe.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_wanted(Terminal())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not colour_wanted(Terminal())
    assert "\033[" not in str(table)  # str() is always plain text


def test_grads_and_paths_are_printable_objects_not_strings():
    net = five_weight_network()
    s = Stepper(net["E"])
    s.step()
    table = s.grads()
    assert isinstance(table, Table) and "\\n" not in repr(table)
    assert repr(table).splitlines()[0].startswith("Stepper on E = 169: 1 of 20")
    ps = paths(net["E"], net["x1"])
    assert "\\n" not in repr(ps) and repr(ps).startswith("paths from x1 to E: 2")
    assert repr(ps[0]).startswith("path x1 -> n2 -> h1")
    assert repr(ps[0]).endswith("= 260")


def test_html_renders_every_table_escaped():
    x = Value(1, label="<x>")
    y = x * 3
    y.label = "y"
    t = trace(y)
    html = t.table().html()
    assert "&lt;x&gt;" in html and "<x>" not in html
    assert "<table>" in html and "<b>backward from y = 3" in html and "∂y/∂&lt;x&gt;" in html
    assert t._repr_html_() == html


def test_every_table_of_the_lesson_network_fits_100_columns():
    from demos.lesson_network import START, forward, weights

    net = forward(3, 2, 24, weights(START))  # the lesson demo's long labels
    tables = [trace(net["error"]).table(), paths(net["error"], net["x1"]).table()]
    s = Stepper(net["error"], by="label")
    s.run()
    tables += [n.table() for n in s.node_steps] + [s.grads()]
    for table in tables:
        lines = table.text(colour=False).splitlines()
        assert max(len(line) for line in lines) <= 100, table.text()


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "html"])
def test_a_trace_renders_in_every_format(fmt):
    out = trace(five_weight_network()["E"]).table().render(fmt)
    assert "650" in out and "y_true" in out.replace("\\_", "_")


def test_a_check_report_and_a_gradcheck_show_as_html_tables_in_a_notebook():
    from autograd import gradcheck
    from autograd.check import check

    report = check("x * y", {"x": "2", "y": "3"}, [("f", "6"), ("d/dx", "2")])
    shown = report._repr_html_()
    # the title, one row per claim with its verdict, and the summary sentence
    assert shown.startswith("<p><b>check of f = x * y at x = 2, y = 3</b></p>")
    assert shown.count("<tr>") == 3 and ">wrong</td>" in shown and ">right</td>" in shown
    assert "<p>1 of 2 claims wrong. First divergence: d/dx (yours 2, correct 3)" in shown
    numerical = gradcheck(lambda a: a * a, 2.0)._repr_html_()
    assert "<th style=\"text-align:left\">verdict</th>" in numerical and ">ok</td>" in numerical
