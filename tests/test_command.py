"""``autograd.command.run``: every way a command can end, each in a real process.

A small program runs ``main`` inside ``run``; ``main`` raises what its first argument names.
Each test asserts the exit status and the whole of stderr: one paragraph, no traceback
(unless ``--debug`` or ``TRACEGRAD_DEBUG=1`` asks for it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version

import pytest

from autograd.command import run

PROGRAM = """
import sys
from autograd.command import run

def main(argv):
    what = argv[0]
    if what == "value":
        raise ValueError("--size must be at least 1, got -3; pass --size 3")
    if what == "file":
        open("/no/such/folder/weights.npz")
    if what == "zero":
        return 1 / 0
    if what == "bug":
        return {}["weights"]
    if what == "interrupt":
        raise KeyboardInterrupt
    if what == "missing":
        import tracegrad_no_such_package
    if what == "broken-install":
        import nn.no_such_module
    if what == "hello":
        print("hello")                        # stays in the buffer until stdout is flushed
        return 0
    if what == "print":
        for i in range(100_000):
            print(f"line {i}")
        return 0
    if what == "argv":
        print(argv)
        return 0
    if what == "exit":
        sys.exit(argv[1] if not argv[1].isdigit() else int(argv[1]))
    return int(what)

sys.exit(run(main))
"""


def command(*args: str, debug_env: str | None = None, stdout=subprocess.PIPE,
            unbuffered: bool = False) -> subprocess.CompletedProcess:
    """Run PROGRAM with ``args``; stdout is block-buffered (as for a user) unless asked."""
    env = {k: v for k, v in os.environ.items() if k not in ("TRACEGRAD_DEBUG", "PYTHONUNBUFFERED")}
    if debug_env is not None:
        env["TRACEGRAD_DEBUG"] = debug_env
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    return subprocess.run([sys.executable, "-c", PROGRAM, *args], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=60, check=False, env=env)


def test_the_exit_status_main_returns_is_the_process_status():
    for status in (0, 1, 3):
        done = command(str(status))
        assert (done.returncode, done.stdout, done.stderr) == (status, "", "")


@pytest.mark.parametrize("what, message", [
    ("value", "error: --size must be at least 1, got -3; pass --size 3\n"),
    ("file", "error: /no/such/folder/weights.npz: No such file or directory\n"),
    ("zero", "error: division by zero\n"),
])
def test_a_user_error_is_one_line_and_exit_status_2(what, message):
    done = command(what)
    assert (done.returncode, done.stderr) == (2, message)


def test_a_bug_is_one_paragraph_asking_for_a_report_with_the_version():
    done = command("bug")
    assert done.returncode == 70
    assert "Traceback" not in done.stderr
    first, second, *rest = done.stderr.splitlines()
    assert first == "internal error: KeyError: 'weights'"
    assert not rest
    assert second.startswith(f"This is a bug in tracegrad {version('tracegrad')} (Python ")
    assert "Please report it, with the command you ran and this message." in second
    assert "again with --debug (or TRACEGRAD_DEBUG=1)" in second


@pytest.mark.parametrize("how", ["flag", "env"])
def test_debug_shows_the_traceback_above_the_paragraph(how):
    done = command("bug", "--debug") if how == "flag" else command("bug", debug_env="1")
    assert done.returncode == 70
    assert done.stderr.startswith("Traceback (most recent call last):")
    assert "KeyError: 'weights'\ninternal error: KeyError: 'weights'\n" in done.stderr
    user = command("value", "--debug")        # a user error's traceback too, when asked
    assert user.returncode == 2 and user.stderr.startswith("Traceback")


def test_debug_is_taken_out_of_the_arguments_but_not_after_a_double_dash():
    done = command("argv", "--debug", "x", "--", "--debug")
    assert done.stdout == "['argv', 'x', '--', '--debug']\n" and done.stderr == ""
    assert command("argv", debug_env="0").stdout == "['argv']\n"


def test_ctrl_c_is_one_line_and_exit_status_130():
    done = command("interrupt")
    assert (done.returncode, done.stderr) == (130, "interrupted\n")


def test_a_missing_package_says_how_to_install_it():
    done = command("missing")
    assert done.returncode == 2
    assert done.stderr == ("error: No module named 'tracegrad_no_such_package': this command "
                           "needs a package that is not installed. pip install "
                           "\"tracegrad[demos]\" installs everything the demos use.\n")


def test_a_missing_module_of_tracegrad_itself_is_a_bug():
    done = command("broken-install")
    assert done.returncode == 70
    assert done.stderr.startswith("internal error: ModuleNotFoundError: No module named "
                                  "'nn.no_such_module'\n")


def test_sys_exit_inside_main_keeps_its_status_and_message():
    assert command("exit", "4").returncode == 4
    done = command("exit", "stopped: the folder is full")
    assert (done.returncode, done.stderr) == (1, "stopped: the folder is full\n")


@pytest.mark.parametrize("what", ["print", "hello"])
@pytest.mark.parametrize("unbuffered", [False, True])
def test_a_closed_stdout_is_silent_and_exit_status_141(what, unbuffered):
    read, write = os.pipe()
    os.close(read)                             # the reader has gone, as head -1 does
    try:
        done = command(what, stdout=write, unbuffered=unbuffered)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, "")


def test_a_pipe_into_head_prints_the_first_line_and_nothing_on_stderr():
    done = subprocess.run(["bash", "-c", 'python -c "$0" print | head -1; '
                           'echo "status ${PIPESTATUS[0]}" >&2', PROGRAM],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep
                               + os.environ["PATH"]})
    assert done.stdout == "line 0\n"
    assert done.stderr == "status 141\n"       # 100,000 lines: far past any pipe buffer


def test_run_in_process_returns_the_status_and_prints_the_message(capsys):
    def main(argv):
        raise OverflowError(f"exp({argv[0]}) overflows")

    assert run(main, ["1000.0"]) == 2
    assert capsys.readouterr().err == "error: exp(1000.0) overflows\n"
    assert run(lambda argv: None, []) == 0
