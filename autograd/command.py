"""Run a command-line entry point so that a person never sees a traceback.

Every tracegrad command (``tracegrad``, ``python -m autograd``, ``python -m demos.NAME``)
runs its ``main(argv)`` inside ``run``. Whatever happens ends as an exit status and at
most one paragraph on stderr:

| what happened | exit status | what stderr shows |
| --- | --- | --- |
| ``main`` returned N or called ``sys.exit(N)`` | N: 0 done, 1 a claim is wrong | what main wrote |
| a usage error (argparse) | 2 | the usage line and the message |
| the user's error: one of ``USER_ERRORS`` | 2 | ``error: <the message>`` |
| a package the command needs is missing | 2 | ``error: No module named ...``, how to install |
| stdout closed early (piped into ``head -1``) | 141 (128 + SIGPIPE) | nothing |
| Ctrl-C | 130 (128 + SIGINT) | ``interrupted`` |
| any other exception: a bug | 70 (``EX_SOFTWARE``) | a paragraph asking you to report it |

With ``--debug`` anywhere on the command line (before a ``--``), or the environment variable
``TRACEGRAD_DEBUG=1``, the traceback is printed above the paragraph. ``run`` removes
``--debug`` from the arguments before ``main`` sees them, so every command accepts it.

Why these errors count as the user's: the library raises ``ValueError`` (and its subclasses
such as ``IDXError``, ``ExpressionError``, ``CheckError``) for a value it cannot use,
``TypeError`` for a value of the wrong kind, ``OSError`` (``FileNotFoundError``,
``NotADirectoryError``, ``PermissionError``, ``DownloadError``) for files, folders and
downloads, and ``ArithmeticError`` (``ZeroDivisionError``, ``OverflowError``,
``AnomalyError``, ``FloatingPointError``) for a computation that is undefined at the values
given. Each message names the value and the fix. Anything else (``KeyError``,
``AttributeError``, ``IndexError``, ``RuntimeError``, ...) is not meant to reach a person.

>>> import contextlib, sys
>>> def main(argv):
...     raise ValueError(f"--size must be at least 1, got {argv[0]}")
>>> with contextlib.redirect_stderr(sys.stdout):   # show stderr here
...     status = run(main, ["-3"])
error: --size must be at least 1, got -3
>>> status
2
>>> run(lambda argv: 0, [])
0
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import traceback
from collections.abc import Callable, Sequence

__all__ = ["run", "tracegrad_version", "USER_ERRORS", "DEBUG_FLAG", "DEBUG_ENV"]

USER_ERRORS = (ValueError, TypeError, OSError, ArithmeticError)
"""The exceptions that mean "what you gave cannot be used": exit status 2, one paragraph."""

DEBUG_FLAG = "--debug"
DEBUG_ENV = "TRACEGRAD_DEBUG"

EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 70  # EX_SOFTWARE in sysexits.h: "an internal software error"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `yes | head -1`

OUR_PACKAGES = ("autograd", "nn", "demos")  # a missing one of these is a broken install


def run(main: Callable[[list[str]], int | None], argv: Sequence[str] | None = None) -> int:
    """Call ``main(argv)`` and turn every way it can end into an exit status (see the table).

    Args:
        main: the command's ``main``; it takes the argument list and returns the exit
            status (None counts as 0), or raises.
        argv: the arguments, without the program name (default ``sys.argv[1:]``).
            ``--debug`` is taken out before ``main`` is called.

    Returns:
        The exit status, for ``sys.exit``: what ``main`` returned, or 2, 70, 130 or 141.

    Example:
        >>> run(lambda argv: len(argv), ["a", "--debug", "b"])   # main saw ["a", "b"]
        2
    """
    args, debug = _take_debug_flag(list(sys.argv[1:] if argv is None else argv))
    debug = debug or _env_says_debug()
    try:
        try:
            status = _exit_status(main(args))
        except SystemExit as exc:  # argparse's usage errors and --help, or sys.exit(N)
            status = _exit_status(exc.code)
        sys.stdout.flush()  # a closed pipe shows itself here, not after run() has returned
        return status
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        _report(debug, "interrupted")
        return EXIT_INTERRUPTED
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] in OUR_PACKAGES:
            _report(debug, _internal_error_text(exc))
            return EXIT_INTERNAL_ERROR
        _report(debug, f"error: {exc}: this command needs a package that is not installed. "
                       f'pip install "tracegrad[demos]" installs everything the demos use.')
        return EXIT_USER_ERROR
    except USER_ERRORS as exc:
        _report(debug, f"error: {_message(exc)}")
        return EXIT_USER_ERROR
    except Exception as exc:  # the last resort: a bug, reported as one
        _report(debug, _internal_error_text(exc))
        return EXIT_INTERNAL_ERROR


def _take_debug_flag(argv: list[str]) -> tuple[list[str], bool]:
    """``argv`` without ``--debug`` (only before a ``--``), and whether it was there."""
    end = argv.index("--") if "--" in argv else len(argv)
    head = [a for a in argv[:end] if a != DEBUG_FLAG]
    return head + argv[end:], len(head) < end


def _env_says_debug() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _exit_status(code: object) -> int:
    """An exit status as ``sys.exit`` reads its argument: None is 0; a message is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    _say(str(code))
    return 1


def _message(exc: BaseException) -> str:
    """The exception's message; for a bare OSError from the system, "FILE: reason"."""
    if (isinstance(exc, OSError) and exc.strerror and exc.filename is not None
            and str(exc).startswith("[Errno")):  # the system's own wording, not one of ours
        return f"{exc.filename}: {exc.strerror}"
    return str(exc) or type(exc).__name__


def _internal_error_text(exc: BaseException) -> str:
    where = f"Python {platform.python_version()} on {platform.system() or 'an unknown system'}"
    return (f"internal error: {type(exc).__name__}: {_message(exc)}\n"
            f"This is a bug in tracegrad {tracegrad_version()} ({where}), not a mistake in "
            f"what you typed. "
            f"Please report it, with the command you ran and this message. Run the command "
            f"again with {DEBUG_FLAG} (or {DEBUG_ENV}=1) to see where it happened.")


def tracegrad_version() -> str:
    """The installed tracegrad's version, such as ``"0.1.0"``; a note if it is not installed.

    >>> from importlib.metadata import version
    >>> tracegrad_version() == version("tracegrad")
    True
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tracegrad")
    except PackageNotFoundError:
        return "(version unknown: not installed)"


def _report(debug: bool, text: str) -> None:
    """Print ``text`` on stderr, after the traceback of the exception being handled if asked."""
    if debug:
        _say(traceback.format_exc().rstrip())
    _say(text)


def _say(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()  # what main printed comes first
    with contextlib.suppress(OSError, ValueError):  # stderr closed too: nothing more to say
        print(text, file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises nothing (the recipe in
    the Python docs, "Note on SIGPIPE")."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (e.g. a test's capture)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
