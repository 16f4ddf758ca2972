"""The ``tracegrad`` command (also ``python -m demos``): run a demo, list them, or work out
the gradients of a formula.

    tracegrad                          # list the commands and the demos
    tracegrad demos                    # the same
    tracegrad NAME [FLAGS]             # run demo NAME, as python -m demos.NAME [FLAGS]
    tracegrad grad EXPRESSION NAME=VALUE ...            # as python -m autograd grad ...
    tracegrad check EXPRESSION NAME=VALUE ... --claim TARGET=NUMBER ...
    tracegrad --version

Every command runs inside ``autograd.command.run``: errors in what you gave end with one
paragraph on stderr and exit status 2, never a traceback (``--debug`` shows it).
"""

from __future__ import annotations

import difflib
import importlib
import shutil
import sys
import textwrap

from autograd.__main__ import (
    COMMANDS as AUTOGRAD_COMMANDS,  # handed on with their arguments
    main as autograd_main,
)
from autograd.command import run, tracegrad_version
from demos import DEMOS

LIST_COMMANDS = ("demos", "help", "-h", "--help")


def listing() -> str:
    """The text of ``tracegrad demos``: the commands, then every demo with what it does,
    wrapped to the terminal's width (80 columns when it is not a terminal)."""
    width = max(map(len, [*DEMOS, *AUTOGRAD_COMMANDS, "demos"]))
    columns = max(shutil.get_terminal_size().columns, width + 40)

    def entries(items) -> list[str]:
        return [textwrap.fill(what, columns, initial_indent=f"  {name:{width}s}  ",
                              subsequent_indent=" " * (width + 4)) for name, what in items]

    return "\n".join(["usage: tracegrad COMMAND [ARGUMENTS]",
                      "       tracegrad COMMAND --help shows the flags of COMMAND", "",
                      "commands:", *entries([*AUTOGRAD_COMMANDS.items(), ("demos", "this list")]),
                      "", "demos (also python -m demos.NAME; each takes --out DIR and --quick):",
                      *entries(DEMOS.items())])


def main(argv: list[str] | None = None) -> int:
    """Run one ``tracegrad`` command; return its exit status.

    Args:
        argv: the command and its arguments (default ``sys.argv[1:]``), e.g.
            ``["mnist", "--quick"]`` or ``["grad", "x * y", "x=2", "y=3"]``.

    Returns:
        The command's exit status: 0 done, 1 a checked claim is wrong, 2 a usage error.

    Raises:
        Whatever the command raises (``autograd.command.run`` turns it into a message).

    Example:
        >>> main(["grad", "x * y", "x=2", "y=3"])   # doctest: +ELLIPSIS
        f = x * y
        at x = 2, y = 3
        ...
        gradients:
          ∂f/∂x = 3
          ∂f/∂y = 2
        ...
        0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in LIST_COMMANDS:
        print(listing())
        return 0
    command, rest = argv[0], argv[1:]
    if command == "--version":
        print(f"tracegrad {tracegrad_version()}")
        return 0
    if command in AUTOGRAD_COMMANDS:
        return autograd_main(argv)
    if command in DEMOS:
        return importlib.import_module(f"demos.{command}").main(rest)
    return unknown(command)


def unknown(command: str) -> int:
    """Say that ``command`` is not a command, suggest the nearest one; exit status 2."""
    close = difflib.get_close_matches(command, [*AUTOGRAD_COMMANDS, *DEMOS, "demos"], n=1)
    hint = f"; did you mean {close[0]}?" if close else "."
    print(f"usage: tracegrad COMMAND [ARGUMENTS]\ntracegrad: error: {command!r} is not a "
          f"command{hint} tracegrad demos lists the commands.", file=sys.stderr)
    return 2


def tracegrad() -> int:
    """The ``tracegrad`` console command: ``main`` inside ``autograd.command.run``."""
    return run(main)


if __name__ == "__main__":
    sys.exit(run(main))
