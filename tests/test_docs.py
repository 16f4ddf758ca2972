"""The documentation site's two helpers in docs/ (the build itself runs in .ci/run, with
``mkdocs build --strict``; the pages' examples are doctests, run by pytest)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from demos import DEMOS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_cli_page_shows_every_demos_help():
    cli_help = load("cli_help")
    text = cli_help.expand("every demo")
    assert [line for line in text.splitlines() if line.startswith("### ")] == [
        f"### `tracegrad {name}`" for name in DEMOS]
    assert text.count("```text\nusage: python -m demos.") == len(DEMOS)
    assert text.count("--out DIR") >= len(DEMOS) and text.count("--quick") >= len(DEMOS)
    assert cli_help.plain("the trap of x**4 - 4x**2") == r"The trap of x\*\*4 - 4x\*\*2"


def test_each_help_marker_of_the_cli_page_is_replaced_by_that_help():
    cli_help = load("cli_help")
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    for marker in ("tracegrad", "tracegrad grad", "tracegrad check", "every demo"):
        assert f"\n<!-- help: {marker} -->\n" in page
    built = cli_help.on_page_markdown(page)
    assert "<!-- help:" not in built
    assert "```text\nusage: tracegrad COMMAND [ARGUMENTS]\n" in built
    assert "```text\nusage: python -m autograd grad [-h]" in built
    assert max(len(line) for line in cli_help.help_text("mnist").splitlines()) <= 80


def test_examples_in_docstrings_become_code_blocks_for_the_site():
    pytest.importorskip("griffe", reason="the docs extra: pip install -e '.[docs]'")
    fence = load("griffe_doctests").fence_examples
    text = "Sum.\n\nArgs:\n    x: a number.\n\n    >>> [1][0]\n    1\n    >>> 2\n    2\n\nEnd."
    assert fence(text) == ("Sum.\n\nArgs:\n    x: a number.\n\n    ```pycon\n    >>> [1][0]\n"
                           "    1\n    >>> 2\n    2\n    ```\n\nEnd.")
    fenced = "```python\n>>> 1\n1\n```"
    assert fence(fenced) == fenced                    # already in a code block: left alone
    assert fence("no examples") == "no examples"
