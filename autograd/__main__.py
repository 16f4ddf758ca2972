"""Command line: gradients of a formula, checking a hand calculation, worksheets, the table.

    python -m autograd grad "((2*x1 + x2)**2 + 3*x2**2)**3" x1=3 x2=2 [--exact] [--draw f.png]
    python -m autograd grad "h = x**2; y = 3*h" x=2 [--output h] [--format markdown|latex]
    python -m autograd check "((2*x1 + x2)**2 + 3*x2**2)**3" x1=3 x2=2 \\
        --claim "d/dx1=554496" --claim "f=438976" [--tol T] [--lr LR] [--exact]
    python -m autograd check "y = w*x; E = (t - y)**2" w=1 --example "x=3 t=24" \\
        --example "x=1 t=14" --claim "2:d/dw=..." --claim "d/dw=..." --lr 0.1 --claim "w'=..."
    python -m autograd check FILE.toml [--format markdown|latex]
    python -m autograd worksheet FILE.toml [--blank | --answers] [-o OUT.md] [--format latex]
    python -m autograd ops

``grad`` prints the forward pass, the value, every gradient and the backward trace table
(``autograd.trace``); ``--draw FILE`` also renders the graph (``autograd.draw.render``).
``check`` prints the report of ``autograd.check.check`` and exits 0 if every claim is right,
1 if any is wrong, 2 for a usage error or an expression that is refused; given a worksheet
file (``autograd.check.worksheet``, the format in docs/worksheets.md) it checks the claims the
file holds. ``worksheet`` writes a worksheet as Markdown (or LaTeX): a blank for a student, the
engine's answers, or the claims marked. ``--format markdown|latex`` writes ``grad`` and
``check`` as tables a teacher can paste into notes. ``ops`` lists the operations an expression
may use. ``--import MODULE`` (any command) imports a module first, so that the operations it
registers (``autograd.register_op``) can be used. Values (``x1=3``, ``x=-0.5``, ``w=3/4``) are
read as numbers, never evaluated. An expression starting with ``-`` works as it is
(``"-x**2"``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from pathlib import Path

from .check import CheckError, check, worksheet as worksheets
from .check.explain import shown, shown_cell
from .expr import Expression, ExpressionError, build, functions, parse
from .files import atomic_write
from .graph import topological_order
from .ops import operations_table
from .text import Derivative, Table, forward_line, forward_table, heading, node_names, number, prose
from .trace import Trace, trace
from .value import InexactWarning, Value

_OPTIONS_WITH_VALUE = {"--draw", "--animate", "--html", "--claim", "--tol", "--lr", "--import",
                       "--example", "--reduce", "--params", "--output", "--format", "-o", "--out"}
COMMANDS = {
    "grad": "value, gradients and backward trace of a formula",
    "check": "check claimed numbers (values, gradients, updates) against the engine",
    "worksheet": "write a worksheet file as Markdown: a blank, the answers, or marked",
    "ops": "the operation table: every operation and its local derivatives",
}
"""The commands of ``python -m autograd`` (also of ``tracegrad``), each with what it does."""

_FLAGS = {"--exact", "-h", "--help", "--blank", "--answers", "--force"}
_TARGETS = ("f (or value) for the output; a node's name (a step's name such as h1, or n1, n2, "
            "... as the forward pass names the rest); d/dx1 (or df/dx1) for a gradient, "
            "dh1/dw1 for a step's; x1' (or x1_new) for x1 - lr * d/dx1; prefixed with 2: for "
            "example 2, all: for the examples summed, after: (or after 3:) for after one (or "
            "three) steps of gradient descent")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograd",
        description="Gradients of a formula, shown step by step, and a checker for hand "
                    "calculations. Formulas use numbers, variables, + - * / ** and the "
                    f"functions {', '.join(functions())} ('python -m autograd ops' lists "
                    "them with their derivatives); a formula may be named steps, "
                    "\"h1 = (x1 + w1*x2)**2; y = w3*h1\".")
    commands = parser.add_subparsers(dest="command", required=True,
                                     metavar="{" + ",".join(COMMANDS) + "}")

    grad = commands.add_parser(
        "grad", help=COMMANDS["grad"],
        description="Print the forward pass, the value, every gradient and the backward trace.")
    check_ = commands.add_parser(
        "check", help=COMMANDS["check"],
        description=f"Judge each claimed number. Targets: {_TARGETS}. A whole number or a/b "
                    "claims exactly that; a decimal such as 33.95 claims the value rounded "
                    "to the digits written. Instead of a formula, give a worksheet file "
                    "(FILE.toml) that holds the values and the claims. Exit status: 0 all "
                    "right, 1 some wrong, 2 usage error.")
    for sub in (grad, check_):
        sub.add_argument("expression", help='the formula, e.g. "((2*x1 + x2)**2 + 3*x2**2)**3" '
                                            'or "u = 2*x1 + x2; f = u**3"'
                                            + (", or a worksheet file FILE.toml"
                                               if sub is check_ else ""))
        sub.add_argument("values", nargs="*", metavar="NAME=VALUE",
                         help="a value for each variable: 3, -0.5, 1e-3 or 3/4")
        sub.add_argument("--exact", action="store_true",
                         help="exact fractions: 0.1 is 1/10, and + - * / and whole powers "
                              "are never rounded")
        sub.add_argument("--output", metavar="NAME",
                         help="for named steps: the step that is the output (default: the last)")
        sub.add_argument("--format", choices=("text", "markdown", "latex"), default="text",
                         help="text (default), or Markdown or LaTeX tables to paste into notes")
    grad.add_argument("--draw", metavar="FILE",
                      help="also render the graph to FILE (.png, .svg, .pdf or .dot)")
    grad.add_argument("--animate", metavar="FILE.gif",
                      help="also write the backward pass as an animated GIF, one frame per "
                           "chain-rule step (needs Graphviz and Pillow)")
    grad.add_argument("--html", metavar="FILE.html",
                      help="also write an explorable page: the graph and the trace, stepped "
                           "with the arrow keys (needs Graphviz; opens offline)")
    check_.add_argument("--claim", action="append", default=[], metavar="TARGET=NUMBER",
                        help='a claimed number, e.g. "d/dx1=520", "f=438976", "h1=25", '
                             '"x1\'=0.948", "2:d/dw1=380", "after:1:y=30.45"; repeat for more')
    check_.add_argument("--example", action="append", default=[], metavar='"NAME=VALUE ..."',
                        help='one example\'s values, e.g. "x1=3 x2=2 y_true=24"; repeat for '
                             "each example; the values given outside --example are shared "
                             "(the parameters)")
    check_.add_argument("--reduce", choices=("sum", "mean"), default="sum",
                        help="how the examples' gradients combine: sum (default, batch "
                             "learning) or mean (mini-batch learning)")
    check_.add_argument("--tol", metavar="T",
                        help="accept a claim within T of the correct value (instead of judging "
                             "by the digits written)")
    check_.add_argument("--lr", metavar="LR",
                        help="learning rate, for claims such as x1' and after:y")
    check_.add_argument("--params", metavar="NAMES",
                        help="the parameters an update changes, e.g. w1,w2 (default: the "
                             "values outside --example; with no --example, every input)")
    sheet = commands.add_parser(
        "worksheet", help=COMMANDS["worksheet"],
        description="Write a worksheet file (FILE.toml) as a document: the computation, the "
                    "values, the examples, and tables of the claimed numbers, marked right or "
                    "wrong (the default), left empty for a student (--blank), or filled with "
                    "the engine's numbers (--answers).")
    sheet.add_argument("file", metavar="FILE.toml", help="the worksheet file")
    fill = sheet.add_mutually_exclusive_group()
    fill.add_argument("--blank", action="store_true",
                      help="leave the claimed cells empty, for a student to fill in")
    fill.add_argument("--answers", action="store_true",
                      help="fill the claimed cells with the engine's numbers")
    sheet.add_argument("-o", "--out", metavar="FILE",
                       help="write to FILE instead of standard output (an existing file is "
                            "kept unless --force)")
    sheet.add_argument("--force", action="store_true", help="replace FILE if it exists")
    sheet.add_argument("--format", choices=("markdown", "latex", "text"), default="markdown",
                       help="markdown (default), latex or text")
    ops = commands.add_parser("ops", help=COMMANDS["ops"],
                              description="List the operation table: how each operation is "
                                          "written, its local derivatives and its domain.")
    for sub in (grad, check_, sheet, ops):
        sub.add_argument("--import", dest="imports", action="append", default=[],
                         metavar="MODULE",
                         help="import MODULE first (a module of yours that registers "
                              "operations with autograd.register_op); repeat for more")
    return parser


def _protect_expressions(argv: list[str]) -> list[str]:
    """Let a positional argument start with '-' ("-x**2", "--x"): argparse would take it for
    an option.

    A leading space keeps argparse from reading it as an option; it is stripped again later.
    An argument that starts with "--" is an option when it names one (or begins the name of
    one, as argparse allows); otherwise it is the expression if it comes where the
    expression does (first after the command), and an unknown option anywhere else.
    """
    out, expects_value, command_seen, positionals = [], False, False, 0
    for arg in argv:
        if expects_value:
            out.append(arg)
            expects_value = False
            continue
        option = arg.split("=", 1)[0]
        if option in _OPTIONS_WITH_VALUE:
            expects_value = "=" not in arg
            out.append(arg)
        elif arg in _FLAGS or (arg.startswith("--") and _names_an_option(option)):
            out.append(arg)
        elif not arg.startswith("-"):
            positionals += command_seen
            command_seen = command_seen or arg in COMMANDS
            out.append(arg)
        elif arg.startswith("--") and positionals > 0:
            out.append(arg)  # an unknown option after the expression: argparse says so
        else:
            positionals += command_seen
            out.append(" " + arg)
    return out


def _names_an_option(name: str) -> bool:
    """Whether ``--name`` is an option of some command, or the start of one's name."""
    return any(option.startswith(name) for option in _OPTIONS_WITH_VALUE | _FLAGS
               if option.startswith("--"))


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
        target, sep, number_ = item.rpartition("=")
        if not sep or not target.strip() or not number_.strip():
            raise CheckError(f"expected --claim TARGET=NUMBER (such as d/dx1=520), got {item!r}")
        claims.append((target.strip(), number_.strip()))
    return claims


def _examples(items: list[str]) -> list[dict[str, str]] | None:
    """``["x1=3 x2=2", "x1=1, x2=4"]`` -> one dict of values per example (None for none)."""
    if not items:
        return None
    found = []
    for k, item in enumerate(items, start=1):
        parts = item.replace(",", " ").split()
        if not parts:
            raise CheckError(f"--example {k} is empty; give its values, e.g. --example "
                             "\"x1=3 x2=2\"")
        try:
            found.append(_assignments(parts))
        except ExpressionError as exc:
            raise CheckError(f"--example {k} ({item!r}): {exc}") from None
    return found


def _build(args: argparse.Namespace) -> tuple[Expression, Value, dict[str, Value], Trace,
                                               list[str]]:
    """The graph of ``grad``: its root, leaves and expression, and the inexact notes."""
    expression = parse(args.expression)
    values = _assignments(args.values)
    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always", InexactWarning)
        root, leaves = build(expression, values, exact=args.exact, output=args.output)
        if root.op is not None and not root.label:
            root.label = next(n for n in ("f", "y", "out", "output")
                              if n not in expression.variables)
        try:
            steps = trace(root)
        except (ArithmeticError, ValueError) as exc:
            raise ExpressionError(f"the gradients cannot be computed at these values: {exc}") \
                from None
    notes = []
    for warning in recorded:
        text = str(warning.message)
        if issubclass(warning.category, InexactWarning) and text not in notes:
            notes.append(text)
    return expression, root, leaves, steps, notes


def _grad(args: argparse.Namespace) -> int:
    expression, root, leaves, steps, notes = _build(args)
    if args.format != "text":
        print(_grad_document(args, expression, root, leaves, steps, notes))
        return _pictures(root, args)
    names = node_names(root)
    f = names[id(root)]
    shown_text = expression.one_line() if expression.steps else expression.text
    lines = [f"{f} = {shown_text}" if root.op is not None and not expression.steps
             else shown_text]
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
        derivatives = {n: str(Derivative(f, n)) for n in leaves}
        width = max(len(d) for d in derivatives.values())
        lines += [f"  {d.ljust(width)} = {shown(v.grad)}"
                  for d, v in zip(derivatives.values(), leaves.values())]
    if len(steps):
        lines += ["", str(steps)]
    if notes:
        lines += [""] + [f"note: {n}" for n in notes]
    print("\n".join(lines))
    return _pictures(root, args)


def _pictures(root: Value, args: argparse.Namespace) -> int:
    """Write the pictures asked for (--draw, --animate, --html); 1 if one could not be."""
    status = 0
    if args.draw:
        status = max(status, _draw(root, args.draw))
    if args.animate:
        from .draw.animate import command_line_gif

        status = max(status, command_line_gif(root, args.animate))
    if args.html:
        from .explore import command_line_page

        status = max(status, command_line_page(root, args.html))
    return status


def _grad_document(args: argparse.Namespace, expression: Expression, root: Value,
                   leaves: dict[str, Value], steps: Trace, notes: list[str]) -> str:
    """``grad`` as Markdown or LaTeX: the forward pass, the gradients and the trace as tables."""
    fmt = args.format
    names = node_names(root)
    f = names[id(root)]
    at = ", ".join(f"{n} = {number(v.data)}" for n, v in leaves.items())
    title = (expression.one_line() if expression.steps else f"{f} = {expression.text}") + \
        (f" at {at}" if at else "") + (" (exact arithmetic)" if args.exact else "")
    blocks = [heading(title, fmt)]
    forward = [node for node in topological_order(root) if node.op is not None]
    if forward:
        blocks.append(forward_table(forward, names, title="forward pass").render(fmt))
    if leaves:
        rows = [(n, v.data, shown_cell(v.grad)) for n, v in leaves.items()]
        blocks.append(Table(("input", "value", str(Derivative(f, "input"))), rows,
                            numeric=frozenset({1, 2}),
                            title=f"value {f} = {shown(root.data)}; gradients").render(fmt))
    if len(steps):
        blocks.append(steps.table().render(fmt))
    blocks += [prose(f"note: {n}", fmt) for n in notes]
    return "\n\n".join(blocks)


def _draw(root: Value, path: str) -> int:
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


def _is_worksheet(text: str) -> bool:
    return text.strip().lower().endswith(".toml")


def _check(args: argparse.Namespace) -> int:
    if _is_worksheet(args.expression):
        given = [option for option, value in (("NAME=VALUE", args.values),
                                              ("--claim", args.claim),
                                              ("--example", args.example),
                                              ("--lr", args.lr), ("--tol", args.tol),
                                              ("--params", args.params),
                                              ("--output", args.output),
                                              ("--exact", args.exact)) if value]
        if given:
            raise CheckError(f"{args.expression} is a worksheet: it holds its own values, "
                             f"examples and claims; give it without {', '.join(given)} (or "
                             "edit the file)")
        report = worksheets.load(args.expression).check()
    else:
        if not args.claim:
            raise CheckError("give at least one --claim TARGET=NUMBER (such as d/dx1=520), "
                             "or a worksheet file FILE.toml")
        report = check(args.expression, _assignments(args.values), _claims(args.claim),
                       tol=args.tol, exact=args.exact, lr=args.lr,
                       examples=_examples(args.example), reduce=args.reduce,
                       params=args.params, output=args.output)
    print(report.render(args.format))
    return 0 if report.ok else 1


def _worksheet(args: argparse.Namespace) -> int:
    sheet = worksheets.load(args.file)
    mode = "blank" if args.blank else "answers" if args.answers else "marked"
    document = sheet.render(mode, args.format)
    if args.out is None:
        print(document, end="")
        return 0
    written = _write_new(Path(args.out), document, Path(args.file), args.force)
    print(f"wrote {written}")
    return 0


def _write_new(path: Path, text: str, source: Path, force: bool) -> Path:
    """Write ``text`` to ``path`` whole or not at all (``autograd.files.atomic_write``); never
    over the worksheet itself, nor over another file unless ``force``."""
    if path.exists() and source.exists() and path.resolve() == source.resolve():
        raise CheckError(f"-o {path} is the worksheet itself; write the document to another "
                         "file (such as sheet.md)")
    if path.is_dir():
        raise CheckError(f"-o {path} is a folder; give a file name such as {path / 'sheet.md'}")
    if path.exists() and not force:
        raise CheckError(f"-o {path} exists; choose another name, or pass --force to replace "
                         "it")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CheckError(f"-o {path}: the folder {folder} does not exist")
    with atomic_write(path, "the document") as out:  # a device or a pipe is refused
        out.write(text.encode("utf-8"))
    return path


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
    commands = {"grad": _grad, "check": _check, "worksheet": _worksheet}
    if args.command != "worksheet":
        args.expression = args.expression.strip()
    try:
        return commands[args.command](args)
    except (ExpressionError, CheckError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # writing -o FILE
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror if where and exc.strerror else exc}",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    from .command import run

    sys.exit(run(main))
