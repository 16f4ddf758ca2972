"""Worksheets: a whole worked example in a TOML file, checked in one command.

A worksheet holds what a person writes when working an example by hand: the steps of the
computation, the values, the examples (with their gradients summed or averaged), the
learning rate, and the numbers claimed, with the rows of a gradient-descent table as
``[[iteration]]`` tables. ``load(path).check()`` judges it (``python -m autograd check
FILE.toml``); ``render("blank")`` writes it as a blank for a student, ``render("answers")``
with the engine's numbers, ``render("marked")`` with the claims marked right or wrong
(``python -m autograd worksheet FILE.toml``). The format is documented, with a complete
example, in docs/worksheets.md.

>>> sheet = read('''
... expression = "u = 2*x1 + x2; v = u**2 + 3*x2**2; f = v**3"
... values = { x1 = 3, x2 = 2 }
... [claims]
... u = 8
... "d/dx1" = 554496
... "d/dx2" = 485183
... ''')
>>> [(c.target, c.verdict) for c in sheet.check()]
[('u', 'right'), ('d/dx1', 'right'), ('d/dx2', 'wrong')]
"""

from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

from ..expr import Expression, ExpressionError, parse
from ..text import Cell, Table, heading, prose
from .claimed import CheckError, read_target
from .explain import shown, shown_cell
from .judge import Report, check
from .records import Claim
from .work import REDUCTIONS

__all__ = ["Worksheet", "WorksheetError", "read", "load", "KEYS", "ITERATION_KEYS", "MODES",
           "MAX_BYTES"]

MAX_BYTES = 1_000_000
"""Largest worksheet file read, in bytes."""

KEYS = {
    "title": "what the worksheet is (text)",
    "source": "where the worked example comes from (text)",
    "expression": "the computation: one expression, or named steps NAME = expression, one a "
                  "line or separated by ; (text; required)",
    "output": "the step that is the output, if not the last (text)",
    "values": "the values every example shares (the parameters): a table NAME = number",
    "examples": "one table of values per example (the inputs that differ): an array of tables",
    "reduce": "how the examples' gradients combine: \"sum\" (the default) or \"mean\"",
    "lr": "the learning rate, for updates and the steps of a descent (a number or text)",
    "params": "the parameters an update changes (an array of names; by default the values, "
              "or with no examples every input)",
    "exact": "true: exact fractions throughout (0.1 is 1/10)",
    "tol": "accept a claim within this distance of the engine's number (a number or text)",
    "claims": "the claimed numbers: a table TARGET = number (decimals in quotes, \"3.000\")",
    "notes": "where each claimed number comes from: a table TARGET = text",
    "iteration": "a row of a gradient-descent table: [[iteration]] with after = K and claims",
}
"""The keys a worksheet file may have, with what each holds."""

ITERATION_KEYS = {
    "after": "after how many steps of gradient descent (0: the start)",
    "claims": "the claimed numbers at that step: a table TARGET = number",
    "notes": "where each comes from: a table TARGET = text",
}
"""The keys of one ``[[iteration]]`` table."""

MODES = ("marked", "blank", "answers")
"""How ``Worksheet.render`` fills the claimed cells: the claims marked right or wrong, left
empty for a student, or with the engine's numbers."""

_COLUMNS = 8  # a table with more columns than this, and fewer rows, is turned on its side


class WorksheetError(CheckError):
    """A worksheet that cannot be read: not TOML, an unknown key, a value of the wrong type,
    a claim that cannot be checked. The message names the file and the item."""


@dataclass(frozen=True)
class Worksheet:
    """A worked example read from a file: the computation, its values and the claims.

    Attributes:
        name: the file it came from (for messages).
        title, source: what it is and where it comes from.
        expression: the parsed ``autograd.expr.Expression``.
        values: the shared values; ``examples``: one dict per example (None: none).
        claims: (target, number as written) pairs, in the order written; an iteration's
            claims carry their ``after K:`` prefix.
        notes: where each claimed number comes from, by target.
        options: the other settings, as ``autograd.check.check`` takes them (output, reduce,
            lr, params, exact, tol).
    """

    name: str
    title: str
    source: str
    expression: Expression
    values: dict
    examples: list | None
    claims: tuple
    notes: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)

    def check(self) -> Report:
        """Judge every claim (see ``autograd.check.check``); the report's title names the
        worksheet.

        Raises:
            WorksheetError: a claim that cannot be checked (its message names the file).
        """
        try:
            report = check(self.expression, self.values, list(self.claims),
                           examples=self.examples, **self.options)
        except (CheckError, ExpressionError) as exc:
            raise WorksheetError(f"{self.name}: {exc}") from None
        if self.title:
            report.title = f"{self.title}\n{report.title}"
        return report

    def render(self, mode: str = "marked", fmt: str = "markdown") -> str:
        """The worksheet as a document: the computation, the values, the examples, then the
        claimed numbers in tables shaped like the work (one row per example or step).

        Args:
            mode: ``"blank"`` (the claimed cells empty, for a student), ``"answers"`` (the
                engine's numbers), or ``"marked"`` (the claims, each marked right or wrong).
            fmt: ``"markdown"``, ``"latex"`` or ``"text"``.

        Raises:
            ValueError: another mode or format.
            WorksheetError: (answers, marked) a claim that cannot be checked.
        """
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
        if fmt not in ("markdown", "latex", "text"):
            raise ValueError(f"unknown format {fmt!r}; use markdown, latex or text")
        report = None if mode == "blank" else self.check()
        blocks = [_title(self.title or "Worksheet", fmt)]
        if self.source:
            blocks.append(prose(self.source, fmt))
        blocks += self._setting(fmt)
        blocks.append(heading({"blank": "Your numbers (fill in every empty cell)",
                               "answers": "The engine's numbers",
                               "marked": "The numbers claimed, checked"}[mode], fmt))
        for table in self._tables(mode, report):
            if table.title:  # a heading of its own (LaTeX writes a table's title as a comment)
                blocks.append(heading(table.title, fmt))
                table.title = ""
            blocks.append(table.render(fmt))
        if report is not None and mode == "marked":
            blocks.append(prose(report.summary(), fmt))
        return "\n\n".join(blocks) + "\n"

    # ----------------------------------------------------------------- the setting

    def _setting(self, fmt: str) -> list[str]:
        expression = self.expression
        steps = [str(s) for s in expression.steps] or [expression.text]
        blocks = [heading("The computation", fmt), _code(steps, fmt)]
        if self.values:
            blocks.append(Table(("value", "number"), [(n, str(v)) for n, v in
                                                      self.values.items()],
                                numeric=frozenset({1})).render(fmt))
        if self.examples:
            names = [n for n in expression.variables if n not in self.values]
            rows = [[str(k)] + [str(example[n]) for n in names]
                    for k, example in enumerate(self.examples, start=1)]
            blocks.append(Table(["example", *names], rows,
                                numeric=frozenset(range(1, len(names) + 1))).render(fmt))
        words = []
        options = self.options
        if self.examples and len(self.examples) > 1:
            words.append("The examples' gradients are "
                         + ("averaged (mini-batch learning)." if options.get("reduce") == "mean"
                            else "summed (batch learning)."))
        if options.get("lr") is not None:
            params = options.get("params") or (
                [n for n in expression.variables if n in self.values] if self.examples
                else list(expression.variables))
            output = options.get("output") or expression.output or "f"
            words.append(f"Learning rate lr = {options['lr']}; each step updates "
                         f"{', '.join(params)} by the rule p' = p - lr * d{output}/dp.")
        if options.get("exact"):
            words.append("Exact arithmetic: fractions are never rounded.")
        if words:
            blocks.append(prose(" ".join(words), fmt))
        return blocks

    # ----------------------------------------------------------------- the claims

    def _tables(self, mode: str, report: Report | None) -> list[Table]:
        """The claimed cells in tables shaped like the work: one table if the claims have
        few targets (a descent: a row per step), else one per kind of number (values,
        gradients, updates) and, where that is still wide, per step of the descent."""
        claims = {c.target: c for c in report.claims} if report is not None else {}
        cells: dict[tuple, dict[str, object]] = {}
        kinds: dict[str, str] = {}
        steps: dict[str, set[int]] = {}
        for target, written in self.claims:
            text = read_target(target)
            row = (text.step, "" if text.example is None else str(text.example))
            kinds.setdefault(text.spelled, text.kind)
            steps.setdefault(text.kind, set()).add(text.step)
            cells.setdefault(row, {})[text.spelled] = _cell(mode, written, claims.get(target))
        several = self.examples is not None and len(self.examples) > 1
        columns = list(kinds)
        if len(columns) <= _COLUMNS:
            return [_grid(cells, columns, several, "")]
        tables = []
        for kind, word in (("value", "values"), ("gradient", "gradients"),
                           ("update", "updates")):
            group = [c for c in columns if kinds[c] == kind]
            if not group:
                continue
            if len(group) <= _COLUMNS or len(steps[kind]) == 1:
                tables.append(_grid(cells, group, several, word))
                continue
            for step in sorted(steps[kind]):
                rows = {key: row for key, row in cells.items() if key[0] == step}
                title = f"{word} after {step} step{'s' if step != 1 else ''}" if step else \
                    f"{word} at the start"
                tables.append(_grid(rows, [c for c in group if any(c in r for r in
                                                                   rows.values())],
                                    several, title))
        return tables


def _cell(mode: str, written: str, claim: Claim | None) -> object:
    if mode == "blank":
        return ""
    assert claim is not None  # answers and marks come from a report's claims
    if mode == "answers":
        return shown_cell(claim.correct)
    if claim.ok:
        return Cell(f"{written} ✓", prose(f"{written} ✓", "latex"))
    correct = shown(claim.correct, short=True)
    return Cell(f"{written} ✗ {correct}", prose(written, "latex") + " $\\neq$ "
                + prose(correct, "latex"))


def _grid(cells: dict, columns: list[str], several: bool, title: str) -> Table:
    """One table of claimed cells: a row per (step, example), a column per target (or the
    other way round, when that is narrower)."""
    rows = sorted((key for key in cells if any(c in cells[key] for c in columns)),
                  key=lambda key: (key[0], key[1] in ("", "all"), key[1]))
    steps = len({step for step, _ in rows}) > 1
    examples = several or any(example for _, example in rows)
    labels = [_row_label(step, example, steps, examples) for step, example in rows]
    empty = "·"  # a cell nobody asked for
    grid = [[cells[key].get(c, empty) for c in columns] for key in rows]
    corner = " / ".join((["step"] if steps else []) + (["example"] if examples else [])) or " "
    if len(columns) > _COLUMNS and len(columns) > len(rows):
        return Table([corner, *labels], [[c] + [grid[r][k] for r in range(len(rows))]
                                         for k, c in enumerate(columns)],
                     numeric=frozenset(range(1, len(rows) + 1)), title=title)
    return Table([corner, *columns], [[label, *row] for label, row in zip(labels, grid)],
                 numeric=frozenset(range(1, len(columns) + 1)), title=title)


def _row_label(step: int, example: str, steps: bool, examples: bool) -> str:
    parts = []
    if steps:
        parts.append(str(step))
    if examples:
        parts.append("all" if example in ("", "all") else example)
    return " / ".join(parts)


def _title(text: str, fmt: str) -> str:
    if fmt == "markdown":
        return f"# {text}"
    if fmt == "latex":
        return f"\\section*{{{prose(text, 'latex')}}}"
    return f"{text}\n{'=' * len(text)}"


def _code(lines: list[str], fmt: str) -> str:
    if fmt == "markdown":
        return "```text\n" + "\n".join(lines) + "\n```"
    if fmt == "latex":
        return "\\begin{verbatim}\n" + "\n".join(lines) + "\n\\end{verbatim}"
    return "\n".join("    " + line for line in lines)


# ----------------------------------------------------------------------------- reading

def load(path: str | os.PathLike[str]) -> Worksheet:
    """Read a worksheet file.

    Raises:
        WorksheetError: the file does not exist, cannot be read, is larger than
            ``MAX_BYTES``, is not UTF-8 TOML, or does not hold a worksheet (see ``read``).
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise WorksheetError(f"{path} is a folder; give a worksheet file (.toml)")
        if size > MAX_BYTES:
            raise WorksheetError(f"{path} is {size:,} bytes; a worksheet is at most "
                                 f"{MAX_BYTES:,}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise WorksheetError(f"{path}: no such file; give the path of a worksheet (.toml)") \
            from None
    except OSError as exc:
        raise WorksheetError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WorksheetError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") \
            from None
    return read(text, str(path))


def read(text: str, name: str = "the worksheet") -> Worksheet:
    """Read a worksheet from TOML text.

    Raises:
        WorksheetError: not TOML; an unknown key (the message lists the keys); a value of
            the wrong type; a claimed number written as a TOML float (its written digits
            are lost: write it in quotes); an expression that is refused; no claims; a
            target given twice, or a note for a target that is not claimed.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorksheetError(f"{name}: not valid TOML: {exc}") from None
    _known(data, KEYS, name, "")
    if "expression" not in data:
        raise WorksheetError(f"{name}: no expression: give the computation, e.g. expression = "
                             "\"h = x**2; y = 3*h\"")
    source = _text(data, "expression", name)
    try:
        expression = parse(source)
    except ExpressionError as exc:
        raise WorksheetError(f"{name}: expression: {exc}") from None
    options = {"output": _text(data, "output", name, None),
               "reduce": _choice(data, "reduce", REDUCTIONS, name),
               "lr": _number(data, "lr", name), "tol": _number(data, "tol", name),
               "params": _names(data, "params", name), "exact": _flag(data, "exact", name)}
    title, source = _text(data, "title", name, ""), _text(data, "source", name, "")
    values, examples = _values(data.get("values", {}), "values", name), _examples(data, name)
    claims, notes = _claims(data, name)
    return Worksheet(name, title, source, expression, values, examples, tuple(claims), notes,
                     options)


def _known(table: dict, keys: dict, name: str, where: str) -> None:
    for key in table:
        if key not in keys:
            close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise WorksheetError(f"{name}: unknown key {where}{key!r}{hint}; the keys are "
                                 f"{', '.join(keys)}")


def _type_name(value: object) -> str:
    names = {bool: "true/false", int: "a whole number", float: "a decimal number",
             str: "text", list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _text(data: dict[str, Any], key: str, name: str, default: Any = ...) -> Any:
    if key not in data:
        return default
    value = data[key]
    if not isinstance(value, str):
        raise WorksheetError(f"{name}: {key} must be text (in quotes), got {_type_name(value)}")
    return value


def _choice(data: dict[str, Any], key: str, allowed: tuple[str, ...], name: str) -> str:
    value = _text(data, key, name, allowed[0])
    if value not in allowed:
        raise WorksheetError(f"{name}: {key} must be one of {', '.join(map(repr, allowed))}, "
                             f"got {value!r}")
    return value


def _number(data: dict[str, Any], key: str, name: str) -> int | float | str | None:
    if key not in data:
        return None
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise WorksheetError(f"{name}: {key} must be a number (0.1, or \"1/10\" in quotes), "
                             f"got {_type_name(value)}")
    return value


def _flag(data: dict[str, Any], key: str, name: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise WorksheetError(f"{name}: {key} must be true or false, got {_type_name(value)}")
    return value


def _names(data: dict[str, Any], key: str, name: str) -> list[str] | None:
    if key not in data:
        return None
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise WorksheetError(f"{name}: {key} must be an array of names, such as [\"w1\", "
                             f"\"w2\"], got {_type_name(value)}")
    return value


def _values(table: object, where: str, name: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise WorksheetError(f"{name}: {where} must be a table of NAME = number, such as "
                             f"{{ x1 = 3, w = \"1/2\" }}, got {_type_name(table)}")
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise WorksheetError(f"{name}: {where}: {key} must be a number (3, 0.5, or "
                                 f"\"3/4\" in quotes), got {_type_name(value)}")
    return dict(table)


def _examples(data: dict, name: str) -> list | None:
    if "examples" not in data:
        return None
    examples = data["examples"]
    if not isinstance(examples, list) or not examples:
        raise WorksheetError(f"{name}: examples must be a non-empty array of tables, such as "
                             f"[{{ x1 = 3, x2 = 2 }}, {{ x1 = 1, x2 = 4 }}], got "
                             f"{_type_name(examples) if examples != [] else 'an empty array'}")
    return [_values(example, f"example {k}", name)
            for k, example in enumerate(examples, start=1)]


def _claims(data: dict, name: str) -> tuple[list, dict]:
    """Every claim, in the order written: the claims table and each iteration's, in the order
    of the file; and the notes by target."""
    claims: list[tuple[str, str]] = []
    notes: dict[str, str] = {}
    for key in data:
        if key == "claims":
            _add_claims(data["claims"], data.get("notes", {}), "", claims, notes, name,
                        "claims")
        elif key == "iteration":
            rows = data["iteration"]
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise WorksheetError(f"{name}: iteration must be [[iteration]] tables, each "
                                     "with after = K and a claims table")
            for k, row in enumerate(rows, start=1):
                _iteration(row, k, claims, notes, name)
    if "notes" in data and "claims" not in data:
        raise WorksheetError(f"{name}: notes without claims: the notes table gives where each "
                             "claim comes from")
    if not claims:
        raise WorksheetError(f"{name}: no claims: give a [claims] table (TARGET = number) or "
                             "[[iteration]] tables")
    return claims, notes


def _iteration(row: dict, k: int, claims: list, notes: dict, name: str) -> None:
    where = f"iteration {k}"
    _known(row, ITERATION_KEYS, name, f"in {where}: ")
    after = row.get("after")
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        got = "it has none" if after is None else f"got {after!r}"
        raise WorksheetError(f"{name}: {where} needs after = K, a whole number of steps (0 for "
                             f"the start); {got}")
    if "claims" not in row:
        raise WorksheetError(f"{name}: {where} has no claims table")
    _add_claims(row["claims"], row.get("notes", {}), f"after {after}:" if after else "",
                claims, notes, name, where)


def _add_claims(table: object, table_notes: object, prefix: str, claims: list[Any],
                notes: dict[str, Any], name: str, where: str) -> None:
    if not isinstance(table, dict):
        raise WorksheetError(f"{name}: {where} must be a table of TARGET = number, got "
                             f"{_type_name(table)}")
    if not isinstance(table_notes, dict):
        raise WorksheetError(f"{name}: the notes of {where} must be a table of TARGET = text")
    seen = {target for target, _ in claims}
    for target, value in table.items():
        try:
            step = read_target(target).step
        except CheckError as exc:
            raise WorksheetError(f"{name}: {where}: {exc}") from None
        if prefix and step:
            raise WorksheetError(f"{name}: {where}: {target!r} has its own after: prefix; an "
                                 "iteration's claims are all at its step")
        if isinstance(value, float):
            raise WorksheetError(f"{name}: {where}: {target} = {value!r} is a TOML decimal, "
                                 "which forgets the digits written (3.000 reads back as 3.0, "
                                 "and is then judged to 1 decimal); write it in quotes with "
                                 f"every digit, as in {_quoted(target)} = \"3.000\"")
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise WorksheetError(f"{name}: {where}: {target} must be a number (520, or "
                                 f"\"0.948\" in quotes), got {_type_name(value)}")
        full = prefix + target
        if full in seen:
            raise WorksheetError(f"{name}: {where}: {full!r} is claimed twice")
        seen.add(full)
        claims.append((full, str(value)))
    for target, note in table_notes.items():
        if target not in table:
            place = "the claims table" if where == "claims" else where
            raise WorksheetError(f"{name}: a note for {target!r}, but {place} claims no "
                                 f"{target!r}; a note says where a claimed number comes from")
        if not isinstance(note, str):
            raise WorksheetError(f"{name}: the note for {target!r} must be text")
        notes[prefix + target] = note


def _quoted(target: str) -> str:
    return target if target.isidentifier() else f'"{target}"'
