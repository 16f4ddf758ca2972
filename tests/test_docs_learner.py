"""docs/learner-session.md stays true: its REPL transcript and training loop run as shown."""

from __future__ import annotations

import doctest
from pathlib import Path

PAGE = Path(__file__).resolve().parents[1] / "docs" / "learner-session.md"


def test_the_learner_session_page_runs_as_shown(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("TRACEGRAD_ASCII", raising=False)
    failures, tried = doctest.testfile(str(PAGE), module_relative=False, verbose=False,
                                       optionflags=doctest.ELLIPSIS)
    assert tried > 30 and failures == 0


def test_the_page_shows_its_pictures():
    text = PAGE.read_text(encoding="utf-8")
    for picture in ("learner-network.png", "learner-backprop-by-label.gif", "learner-page.png"):
        assert f"]({picture})" in text and (PAGE.parent / picture).is_file()
