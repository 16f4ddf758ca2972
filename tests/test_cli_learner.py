"""The functions the command line's --animate FILE and --html FILE call: they write the file
and say where, or report why not on stderr with exit status 1 (never a traceback)."""

from __future__ import annotations

import pytest

from autograd import Value
from autograd.draw import RendererNotFound, find_renderer
from autograd.draw.animate import command_line_gif
from autograd.explore import command_line_page
from autograd.trace import trace

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
