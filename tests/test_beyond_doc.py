"""docs/beyond-first-order.md stays true: its examples run, the demo output it quotes is what
the demos print, and the pictures it shows exist."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

from demos import newton, why_backprop

DOC = Path(__file__).resolve().parents[1] / "docs" / "beyond-first-order.md"
QUOTE = re.compile(r"<!-- output of: python -m demos\.(\w+) -->\n```text\n(.*?)```", re.DOTALL)
DEMOS = {"newton": newton, "why_backprop": why_backprop}


def test_the_pages_examples_run():
    results = doctest.testfile(str(DOC), module_relative=False)
    assert results.attempted >= 12 and results.failed == 0


def quotes() -> list[tuple[str, str]]:
    return QUOTE.findall(DOC.read_text(encoding="utf-8"))


def test_the_page_quotes_both_demos():
    assert sorted({name for name, _ in quotes()}) == ["newton", "why_backprop"]


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_every_quoted_line_is_what_the_demo_prints(name, tmp_path, capsys):
    assert DEMOS[name].main(["--quick", "--out", str(tmp_path)]) == 0
    printed = set(capsys.readouterr().out.splitlines())
    for demo, block in quotes():
        if demo == name:
            for line in block.splitlines():
                assert line in printed, line


def test_the_pictures_it_shows_are_there():
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", DOC.read_text(encoding="utf-8"))
    assert pictures == ["newton-paths.png", "why-backprop.png"]
    for name in pictures:
        assert (DOC.parent / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
