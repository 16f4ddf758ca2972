"""The demos registry (``demos.DEMOS``) and the ``tracegrad`` command that reads it."""

from __future__ import annotations

import doctest
import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import demos
from autograd.__main__ import main as autograd_main
from autograd.command import tracegrad_version
from demos import DEMOS
from demos.__main__ import listing, main

MODULES = sorted(m.name for m in pkgutil.iter_modules(demos.__path__) if m.name != "__main__")
TRACEGRAD = Path(sys.executable).parent / ("tracegrad.exe" if os.name == "nt" else "tracegrad")


def test_every_module_with_a_main_is_listed_and_every_listed_one_exists():
    runnable = [name for name in MODULES
                if callable(getattr(importlib.import_module(f"demos.{name}"), "main", None))]
    assert sorted(DEMOS) == runnable


@pytest.mark.parametrize("name", list(DEMOS))
def test_every_demo_takes_out_and_quick(name, capsys):
    with pytest.raises(SystemExit) as done:
        importlib.import_module(f"demos.{name}").main(["--help"])
    assert done.value.code == 0
    usage = capsys.readouterr().out
    assert "--out DIR" in usage and "--quick" in usage


def test_the_listing_names_every_demo_with_its_line(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    text = listing()
    assert max(map(len, text.splitlines())) <= 70   # the headings; entries wrap at 60
    words = " ".join(text.split())
    for name, what in DEMOS.items():
        assert f" {name} {' '.join(what.split())} " in words + " ", name
    assert text.startswith("usage: tracegrad COMMAND [ARGUMENTS]\n")


@pytest.mark.parametrize("argv", [[], ["demos"], ["--help"]])
def test_tracegrad_without_a_demo_prints_the_listing(argv, capsys):
    assert main(argv) == 0
    assert capsys.readouterr().out == listing() + "\n"


def test_tracegrad_name_runs_that_demo(capsys):
    assert main(["lesson_descent", "--quick"]) == 0
    assert "Summary: 24 of 24 lesson numbers confirmed" in capsys.readouterr().out


def test_tracegrad_grad_and_check_are_python_dash_m_autograd(capsys):
    for argv in (["grad", "x * y", "x=2", "y=3"],
                 ["check", "x * y", "x=2", "y=3", "--claim", "d/dx=2"]):
        status = main(argv)
        ours = capsys.readouterr().out
        assert status == autograd_main(argv)
        assert ours == capsys.readouterr().out and ours
    assert main(["check", "x * y", "x=2", "y=3", "--claim", "d/dx=2"]) == 1  # 3 is right


def test_an_unknown_command_is_a_usage_error_with_a_suggestion(capsys):
    assert main(["mnst"]) == 2
    assert capsys.readouterr().err == ("usage: tracegrad COMMAND [ARGUMENTS]\ntracegrad: error: "
                                       "'mnst' is not a command; did you mean mnist? tracegrad "
                                       "demos lists the commands.\n")
    assert main(["--epochs"]) == 2
    assert capsys.readouterr().err.endswith("error: '--epochs' is not a command. tracegrad demos "
                                            "lists the commands.\n")


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"tracegrad {tracegrad_version()}\n"


def test_the_console_command_runs_from_any_folder(tmp_path):
    env = {**os.environ, "TRACEGRAD_OFFLINE": "1", "TRACEGRAD_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([str(TRACEGRAD), "lesson_descent", "--out", "reports"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(f"wrote {Path('reports') / 'lesson_descent.txt'}\n")
    assert (tmp_path / "reports" / "lesson_descent.txt").is_file()
    missing = subprocess.run([str(TRACEGRAD), "mnist", "--data", "nowhere"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120, check=False, env=env)
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: MNIST folder nowhere (passed as path) does not ")


def test_the_examples_in_the_command_module_run():
    import demos.__main__ as module  # pytest's doctest collection skips __main__.py

    result = doctest.testmod(module)
    assert result.attempted >= 1 and result.failed == 0
