"""Finding and running the program that turns DOT text into a picture.

Rendering needs Graphviz's ``dot`` program: the system one when it is on PATH
(``apt-get install graphviz``, ``brew install graphviz``), else ``graphviz-pure``, a
self-contained dot from PyPI (``pip install "tracegrad[draw]"``; it cannot write PDF).
``Drawing``, the graph ``autograd.draw.draw`` returns, renders with whichever is found, also
inline in Jupyter.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
from typing import overload

import graphviz

from ..files import write_file

__all__ = ["RendererNotFound", "find_renderer", "run_renderer", "Drawing", "INSTALL_HELP",
           "PNG_DPI", "PNG_MAX_INCHES", "RENDER_TIMEOUT"]

INSTALL_HELP = ('install Graphviz, which provides the `dot` program (Debian/Ubuntu: '
                '`sudo apt-get install graphviz`; macOS: `brew install graphviz`; Windows: '
                'https://graphviz.org/download/), or install graphviz-pure, a self-contained dot '
                'from PyPI: `pip install "tracegrad[draw]"` (or `pip install graphviz-pure`)')

PNG_DPI = 144
"""PNG resolution: twice the 72 dpi of Graphviz's default, so the text stays sharp."""

PNG_MAX_INCHES = 50
"""A PNG is scaled down to fit this many inches (7200 pixels at ``PNG_DPI``) each way: big
graphs would otherwise give images of a hundred million pixels that take long to write."""

RENDER_TIMEOUT = 120
"""Seconds a renderer may run before ``render`` gives up (``max_nodes`` keeps it far below)."""

class RendererNotFound(RuntimeError):
    """No program that can render this format: neither Graphviz's ``dot`` nor ``graphviz-pure``."""


def _beside_python(name: str) -> str | None:
    """``name`` in the folder of the running Python (a virtualenv's bin/ or Scripts/), if there.

    A package installed into a virtualenv that was never activated is not on PATH, but its
    commands sit next to ``sys.executable``.
    """
    folder = pathlib.Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def find_renderer() -> str:
    """The path of the program that renders DOT: ``dot`` on PATH, else ``graphviz-pure``.

    ``graphviz-pure`` is looked for on PATH and next to the running Python (a virtualenv that
    was never activated).

    Raises:
        RendererNotFound: neither is installed; the message says how to install one.
    """
    found = (shutil.which("dot") or shutil.which("graphviz-pure")
             or _beside_python("graphviz-pure"))
    if found is None:
        raise RendererNotFound("no Graphviz renderer found: drawing to PNG, SVG or PDF needs "
                               f"the `dot` program. To get one, {INSTALL_HELP}. The DOT text "
                               "(graph.source, or render(graph, 'f.dot')) needs neither.")
    return found


def _is_graphviz_pure(program: str) -> bool:
    return pathlib.Path(program).name.lower().startswith("graphviz-pure")


def run_renderer(source: str, fmt: str, dpi: float = PNG_DPI) -> bytes:
    """Lay out and draw DOT ``source`` in format ``fmt`` ("png", "svg", "pdf", ...); the bytes.

    A PNG is drawn at ``dpi`` dots per inch (default ``PNG_DPI``).

    Raises:
        RendererNotFound: no renderer, or only graphviz-pure and ``fmt`` is "pdf".
        RuntimeError: the renderer failed or took longer than ``RENDER_TIMEOUT`` seconds.
    """
    program = find_renderer()
    if fmt == "pdf" and _is_graphviz_pure(program):
        raise RendererNotFound("graphviz-pure cannot write PDF (it writes PNG and SVG). Render "
                               "to .svg or .png instead, or install Graphviz's own `dot`, which "
                               "writes PDF (Debian/Ubuntu: `sudo apt-get install graphviz`; "
                               "macOS: `brew install graphviz`).")
    command = [program, "-Kdot", f"-T{fmt}"]
    if fmt == "png":
        command += [f"-Gdpi={dpi:g}", f"-Gsize={PNG_MAX_INCHES},{PNG_MAX_INCHES}"]
    try:
        done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True,
                              timeout=RENDER_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{program} did not finish drawing within {RENDER_TIMEOUT} s; the "
                           "graph is too large: draw a smaller part of it, or summarise it "
                           "(summarize_mlp)") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"{program} failed (exit status {done.returncode}) writing {fmt}: "
                           f"{message}")
    return done.stdout


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders with ``find_renderer()``'s program.

    The plain ``graphviz`` package runs a program named ``dot``; this subclass also works with
    ``graphviz-pure`` alone, for Jupyter's inline display (``pipe``) and for ``.render()``.
    Requests the chosen program cannot serve with its defaults (another layout engine, a
    renderer or formatter) go to the ``graphviz`` package as usual.
    """

    @overload
    def pipe(self, format: str | None = None, renderer: str | None = None,
             formatter: str | None = None, neato_no_op: bool | int | None = None,
             quiet: bool = False, *, engine: str | None = None,
             encoding: None = None) -> bytes: ...
    @overload
    def pipe(self, format: str | None = None, renderer: str | None = None,
             formatter: str | None = None, neato_no_op: bool | int | None = None,
             quiet: bool = False, *, engine: str | None = None, encoding: str) -> str: ...
    def pipe(self, format: str | None = None, renderer: str | None = None,
             formatter: str | None = None, neato_no_op: bool | int | None = None,
             quiet: bool = False, *, engine: str | None = None,
             encoding: str | None = None) -> bytes | str:
        """The graph drawn in ``format`` (default: ``self.format``); str if ``encoding``."""
        if renderer or formatter or neato_no_op or engine not in (None, "dot"):
            return super().pipe(format=format, renderer=renderer, formatter=formatter,
                                neato_no_op=neato_no_op, quiet=quiet, engine=engine,
                                encoding=encoding)
        data = run_renderer(self.source, format or self.format)
        return data.decode(encoding) if encoding else data

    def _render(self, engine, format=None, filepath=None, renderer=None, formatter=None,
                neato_no_op=None, quiet=False, *, outfile=None, raise_if_result_exists=False,
                overwrite_filepath=False):
        # graphviz.Digraph.render() saves the DOT file, then calls this to draw it.
        if renderer or formatter or neato_no_op or engine != "dot":
            return graphviz.render(engine, format, filepath, renderer=renderer,
                                   formatter=formatter, neato_no_op=neato_no_op, quiet=quiet,
                                   outfile=outfile, raise_if_result_exists=raise_if_result_exists,
                                   overwrite_filepath=overwrite_filepath)
        filepath = pathlib.Path(filepath)
        if outfile is not None:
            outfile = pathlib.Path(outfile)
        else:
            outfile = filepath.with_suffix(f"{filepath.suffix}.{format}")
        if raise_if_result_exists and outfile.exists():
            raise graphviz.FileExistsError(f"output file exists: {os.fspath(outfile)!r}")
        source = filepath.read_text(encoding=self.encoding)
        write_file(outfile, run_renderer(source, format), "the picture")
        return os.fspath(outfile)
