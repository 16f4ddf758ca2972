"""The functions the command line's --animate FILE and --html FILE call: they write the file
and say where, or report why not on stderr with exit status 1 (never a traceback)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import Value
from autograd.__main__ import COMMANDS, main as autograd_main
from autograd.draw import RendererNotFound, find_renderer
from autograd.draw.animate import command_line_gif
from autograd.explore import command_line_page
from autograd.trace import trace
from demos.__main__ import listing

try:
    find_renderer()
    HAS_RENDERER = True
except RendererNotFound:
    HAS_RENDERER = False


def square():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    return y


@pytest.mark.skipif(not HAS_RENDERER, reason="no Graphviz renderer")
def test_the_page_and_the_gif_are_written_and_named(tmp_path, capsys):
    pytest.importorskip("PIL", reason="animate() needs Pillow")
    traced = square()
    trace(traced)  # as the grad command does before --html and --animate
    assert command_line_page(traced, str(tmp_path / "y.html")) == 0
    assert "had grad" not in (tmp_path / "y.html").read_text(encoding="utf-8")
    assert command_line_gif(square(), str(tmp_path / "y.gif")) == 0
    out = capsys.readouterr().out
    assert f"explorable page written to {tmp_path / 'y.html'}" in out and "#step=K" in out
    assert f"animation written to {tmp_path / 'y.gif'}" in out
    assert (tmp_path / "y.html").stat().st_size > 1000 and (tmp_path / "y.gif").is_file()


def test_a_file_that_cannot_be_written_is_an_error_message(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert command_line_page(square(), str(tmp_path / "y.png")) == 1
    assert command_line_gif(square(), str(tmp_path / "y.html")) == 1
    if HAS_RENDERER:
        assert command_line_page(square(), str(blocker / "y.html")) == 1
    err = capsys.readouterr().err
    assert "error: cannot write the page" in err and "ending in .html" in err
    assert "error: cannot write the animation" in err and "ending in .gif" in err
    assert "Traceback" not in err


def grad_command(*args, cwd):
    return subprocess.run([sys.executable, "-m", "autograd", "grad", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not HAS_RENDERER, reason="no Graphviz renderer")
def test_grad_writes_the_page_and_the_gif_it_is_asked_for(tmp_path):
    image = pytest.importorskip("PIL.Image", reason="animate() needs Pillow")
    done = grad_command("x * y + x", "x=3", "y=2", "--html", "f.html", "--animate", "f.gif",
                        cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "explorable page written to f.html" in done.stdout
    assert "animation written to f.gif" in done.stdout
    page = (tmp_path / "f.html").read_text(encoding="utf-8")
    assert "<svg" in page and "∂f/∂x" in page
    with image.open(tmp_path / "f.gif") as gif:
        # x * y + x has 4 chain-rule edges: a frame before the first step and one after each
        assert gif.n_frames == 5


def test_grad_reads_an_expression_that_starts_with_two_minus_signs(tmp_path):
    done = grad_command("--x**2 * y", "x=3", "y=2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # --x**2 * y = x**2 * y: 18 at (3, 2); the gradient with respect to x is 2*x*y = 12
    assert "value: f = 18" in done.stdout and "∂f/∂x = 12" in done.stdout
    assert "n2 = -n1 = -9\n" in done.stdout  # the numbers part is not the result again
    double = grad_command("--x", "x=1", cwd=tmp_path)  # -(-x): the issue's example
    assert double.returncode == 0, double.stderr
    assert "f = --x" in double.stdout and "∂f/∂x = 1\n" in double.stdout
    flagged = grad_command("--exact", "--x", "x=1/2", cwd=tmp_path)  # a flag first: the same
    assert flagged.returncode == 0, flagged.stderr
    assert "∂f/∂x = 1\n" in flagged.stdout and "(exact arithmetic)" in flagged.stdout
    unknown = grad_command("x", "x=1", "--exakt", cwd=tmp_path)
    assert unknown.returncode == 2 and "unrecognized arguments: --exakt" in unknown.stderr


def test_tracegrad_lists_every_command_of_python_m_autograd(capsys):
    text = listing()
    with pytest.raises(SystemExit):
        autograd_main(["--help"])
    assert "{grad,check,worksheet,ops}" in capsys.readouterr().out
    assert list(COMMANDS) == ["grad", "check", "worksheet", "ops"]
    for name, what in COMMANDS.items():
        assert f"  {name} " in text and what.split()[0] in text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_no_command_writes_into_or_replaces_a_named_pipe(tmp_path):
    # Writing into a pipe nobody reads would hang; renaming over it would replace it.
    sheet = Path(__file__).resolve().parents[1] / "demos" / "worksheets" / "chain-rule.toml"
    pipe = tmp_path / "out.md"
    os.mkfifo(pipe)
    done = subprocess.run([sys.executable, "-m", "autograd", "worksheet", str(sheet), "-o",
                           str(pipe), "--force"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "is a named pipe (FIFO), not a regular file" in done.stderr
    os.mkfifo(tmp_path / "f.html")
    page = grad_command("x * y", "x=1", "y=2", "--html", "f.html", cwd=tmp_path)
    assert page.returncode == 1 and "f.html is a named pipe (FIFO)" in page.stderr
    assert all(stat.S_ISFIFO((tmp_path / name).stat().st_mode) for name in ("out.md", "f.html"))
    assert "Traceback" not in done.stderr + page.stderr
