"""A MkDocs hook for the documentation site: the command-line pages show the real ``--help``.

A page line ``<!-- help: tracegrad ARGS -->`` becomes a code block holding what
``tracegrad ARGS --help`` prints, and ``<!-- help: every demo -->`` one section per demo of
``demos.DEMOS``, so the reference can never disagree with the commands (a demo added to the
registry appears by itself). Lines are wrapped at 80 columns. mkdocs.yml loads this file
(``hooks``).
"""

from __future__ import annotations

import contextlib
import io
import os
import re

from demos import DEMOS
from demos.__main__ import main

MARKER = re.compile(r"^<!-- help: (?P<args>every demo|tracegrad[^>]*?) -->$", re.MULTILINE)
WIDTH = "80"


def on_page_markdown(markdown: str, **kwargs) -> str:
    """Replace each ``<!-- help: ... -->`` line of a page with the help it names."""
    return MARKER.sub(lambda m: expand(m.group("args")), markdown)


def expand(args: str) -> str:
    """The Markdown for one marker: every demo's section, or one command's help."""
    if args == "every demo":
        return "\n\n".join(f"### `tracegrad {name}`\n\n{plain(what)}.\n\n{block(name)}"
                           for name, what in DEMOS.items())
    return block(*args.split()[1:])


def plain(text: str) -> str:
    """``text`` capitalised, with Markdown's marks escaped (``x**2`` is no bold)."""
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text[:1].upper() + text[1:])


def block(*args: str) -> str:
    """``tracegrad ARGS --help`` as a fenced code block."""
    return f"```text\n{help_text(*args).rstrip()}\n```"


def help_text(*args: str) -> str:
    """What ``tracegrad ARGS --help`` prints, at a width of 80 columns."""
    out = io.StringIO()
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH  # argparse wraps to the terminal's width
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            main([*args, "--help"])
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return out.getvalue()
