"""Command line: gradients of a formula, checking a hand calculation, and the operation table.

    python -m autograd grad "((2*x1 + x2)**2 + 3*x2**2)**3" x1=3 x2=2 [--exact] [--draw f.png]
    python -m autograd check "((2*x1 + x2)**2 + 3*x2**2)**3" x1=3 x2=2 \\
        --claim "d/dx1=554496" --claim "f=438976" [--tol T] [--lr LR] [--exact]
    python -m autograd ops

``grad`` prints the forward pass, the value, every gradient and the backward trace table
(``autograd.trace``); ``--draw FILE`` also renders the graph (``autograd.draw.render``).
``check`` prints the report of ``autograd.check.check`` and exits 0 if every claim is right,
1 if any is wrong, 2 for a usage error or an expression that is refused. ``ops`` lists the
operations an expression may use. ``--import MODULE`` (any command) imports a module first,
so that the operations it registers (``autograd.register_op``) can be used. Values
(``x1=3``, ``x=-0.5``, ``w=3/4``) are read as numbers, never evaluated. An expression starting
with ``-`` works as it is (``"-x**2"``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from .check import CheckError, check
from .check.explain import shown
from .expr import ExpressionError, build, functions, parse
from .graph import topological_order
from .ops import operations_table
from .text import forward_line, node_names, number
from .trace import trace
from .value import InexactWarning

_OPTIONS_WITH_VALUE = {"--draw", "--claim", "--tol", "--lr", "--import"}
_FLAGS = {"--exact", "-h", "--help"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograd",
        description="Gradients of a formula, shown step by step, and a checker for hand "
                    "calculations. Formulas use numbers, variables, + - * / ** and the "
                    f"functions {', '.join(functions())} ('python -m autograd ops' lists "
                    "them with their derivatives).")
    commands = parser.add_subparsers(dest="command", required=True,
                                     metavar="{grad,check,ops}")

    grad = commands.add_parser(
        "grad", help="value, gradients and backward trace of a formula",
        description="Print the forward pass, the value, every gradient and the backward trace.")
    check_ = commands.add_parser(
        "check", help="check claimed numbers (values, gradients, updates) against the engine",
        description="Judge each claimed number. Targets: f (or value) for the output, a "
                    "node's name (n1, n2, ... as the forward pass names them), d/dx1 (or "
                    "df/dx1) for a gradient, x1' (or x1_new) for x1 - lr * d/dx1. A whole "
                    "number or a/b claims exactly that; a decimal such as 33.95 claims the "
                    "value rounded to the digits written. Exit status: 0 all right, 1 some "
                    "wrong, 2 usage error.")
    for sub in (grad, check_):
        sub.add_argument("expression", help='the formula, e.g. "((2*x1 + x2)**2 + 3*x2**2)**3"')
        sub.add_argument("values", nargs="*", metavar="NAME=VALUE",
                         help="a value for each variable: 3, -0.5, 1e-3 or 3/4")
        sub.add_argument("--exact", action="store_true",
                         help="exact fractions: 0.1 is 1/10, and + - * / and whole powers "
                              "are never rounded")
    grad.add_argument("--draw", metavar="FILE",
                      help="also render the graph to FILE (.png, .svg, .pdf or .dot)")
    check_.add_argument("--claim", action="append", required=True, metavar="TARGET=NUMBER",
                        help='a claimed number, e.g. "d/dx1=520", "f=438976", "u=8", '
                             '"x1\'=0.948"; repeat for more')
    check_.add_argument("--tol", metavar="T",
                        help="accept a claim within T of the correct value (instead of judging "
                             "by the digits written)")
    check_.add_argument("--lr", metavar="LR", help="learning rate, for claims such as x1'")
    ops = commands.add_parser("ops", help="the operations a formula may use",
                              description="List the operation table: how each operation is "
                                          "written, its local derivatives and its domain.")
    for sub in (grad, check_, ops):
        sub.add_argument("--import", dest="imports", action="append", default=[],
                         metavar="MODULE",
                         help="import MODULE first (a module of yours that registers "
                              "operations with autograd.register_op); repeat for more")
    return parser


def _protect_expressions(argv: list[str]) -> list[str]:
    """Let a positional argument start with '-' ("-x**2"): argparse would take it for an option.

    A leading space keeps argparse from reading it as an option; it is stripped again later.
    """
    out, expects_value = [], False
    for arg in argv:
        if expects_value:
            out.append(arg)
            expects_value = False
            continue
        option = arg.split("=", 1)[0]
        if option in _OPTIONS_WITH_VALUE:
            expects_value = "=" not in arg
            out.append(arg)
        elif arg.startswith("-") and not arg.startswith("--") and arg not in _FLAGS:
            out.append(" " + arg)
        else:
            out.append(arg)
    return out


def _assignments(items: list[str]) -> dict[str, str]:
    """``["x1=3", "x2=2"]`` -> ``{"x1": "3", "x2": "2"}`` (numbers are read later, not here)."""
    values: dict[str, str] = {}
    for item in items:
        name, sep, number = item.strip().partition("=")
        name = name.strip()
        if not sep or not name:
            raise ExpressionError(f"expected NAME=VALUE (such as x1=3), got {item.strip()!r}")
        if not name.isidentifier():
            raise ExpressionError(f"{name!r} is not a variable name (in {item.strip()!r})")
        if name in values:
            raise ExpressionError(f"{name} is given twice")
        values[name] = number.strip()
    return values


def _claims(items: list[str]) -> list[tuple[str, str]]:
    claims = []
    for item in items:
        target, sep, number = item.partition("=")
        if not sep or not target.strip() or not number.strip():
            raise CheckError(f"expected --claim TARGET=NUMBER (such as d/dx1=520), got {item!r}")
        claims.append((target.strip(), number.strip()))
    return claims


def _grad(args) -> int:
    expression = parse(args.expression)
    values = _assignments(args.values)
    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always", InexactWarning)
        root, leaves = build(expression, values, exact=args.exact)
        if root.op is not None and not root.label:
            root.label = next(n for n in ("f", "y", "out", "output")
                              if n not in expression.variables)
        try:
            steps = trace(root)
        except (ArithmeticError, ValueError) as exc:
            raise ExpressionError(f"the gradients cannot be computed at these values: {exc}") \
                from None
    names = node_names(root)
    f = names[id(root)]
    lines = [f"{f} = {expression.text}" if root.op is not None else expression.text]
    if leaves:
        lines.append("at " + ", ".join(f"{n} = {number(v.data)}" for n, v in leaves.items())
                     + (" (exact arithmetic)" if args.exact else ""))
    forward = [forward_line(node, names) for node in topological_order(root)
               if node.op is not None]
    if forward:
        lines += ["", "forward pass:"] + ["  " + line for line in forward]
    lines += ["", f"value: {f} = {shown(root.data)}"]
    if leaves:
        lines += ["", "gradients:"]
        width = max(len(n) for n in leaves)
        lines += [f"  d{f}/d{n.ljust(width)} = {shown(v.grad)}" for n, v in leaves.items()]
    if len(steps):
        lines += ["", str(steps)]
    notes = []
    for warning in recorded:
        text = str(warning.message)
        if issubclass(warning.category, InexactWarning) and text not in notes:
            notes.append(text)
    if notes:
        lines += [""] + [f"note: {n}" for n in notes]
    print("\n".join(lines))
    if args.draw:
        return _draw(root, args.draw)
    return 0


def _draw(root, path: str) -> int:
    """Render the graph with ``autograd.draw.render``; its absence is an error, not a crash."""
    try:
        drawing = importlib.import_module("autograd.draw")
    except ImportError as exc:
        print(f"error: cannot draw the graph: {exc}", file=sys.stderr)
        return 1
    not_found = getattr(drawing, "RendererNotFound", None)
    try:
        written = drawing.render(root, path)
    except Exception as exc:  # reported below; re-raised if not a user matter
        if not_found is not None and isinstance(exc, not_found):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if isinstance(exc, (OSError, ValueError)):
            print(f"error: cannot draw the graph to {path}: {exc}", file=sys.stderr)
            return 1
        raise
    print(f"\ngraph written to {written}")
    return 0


def _check(args) -> int:
    report = check(args.expression.strip(), _assignments(args.values), _claims(args.claim),
                   tol=args.tol, exact=args.exact, lr=args.lr)
    print(report)
    return 0 if report.ok else 1


def _import_modules(names: list[str]) -> None:
    """Import each module named by --import (so the operations it registers can be used)."""
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ExpressionError(f"--import {name}: cannot import it ({exc}); give a module "
                                  "on the Python path, e.g. mymodule for mymodule.py in this "
                                  "folder") from None


def _imports_before(argv: list[str]) -> list[str]:
    """The --import modules, read before the parser is built (its help lists the table)."""
    found = []
    for k, arg in enumerate(argv):
        if arg == "--import" and k + 1 < len(argv):
            found.append(argv[k + 1])
        elif arg.startswith("--import="):
            found.append(arg.split("=", 1)[1])
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0, 1 or 2)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        _import_modules(_imports_before(argv))
    except ExpressionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args = _parser().parse_args(_protect_expressions(argv))  # exits 2 on usage errors
    if args.command == "ops":
        print(operations_table())
        return 0
    args.expression = args.expression.strip()
    try:
        return _grad(args) if args.command == "grad" else _check(args)
    except (ExpressionError, CheckError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    from .command import run

    sys.exit(run(main))
