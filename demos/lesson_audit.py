"""Shared machinery of the lesson demos: audit the lesson's printed numbers with the checker.

Each ``demos.lesson_*`` module transcribes the numbers a lesson prints (as data, exactly as
printed, each with where it comes from), builds the example with ``Value``, and hands the
claims to ``autograd.check.check``. An ``Audit`` collects the verdicts, prints them as the
lesson's own tables with a mark in every cell (✓ confirmed, ✗ differs, with the engine's
value beside it), lists each differing cell with the checker's derivation, and ends with a
summary. Nothing here knows what the right numbers are: the engine decides.

Not a demo itself; ``python -m demos.lesson`` runs them all.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from autograd import Value
from autograd.check import (
    Claim,
    GradientDerivation,
    ReducedDerivation,
    UpdateDerivation,
    check,
    worksheet as worksheets,
)
from autograd.check.explain import Voice, claim_explanations
from autograd.files import write_file
from autograd.text import forward_line as text_forward_line, number
from autograd.trace import paths

WIDTH = 108
OK, BAD = "✓", "✗"
LESSON = Voice(possessive="the lesson's", subject="the lesson", tolerance="it should say so")
"""The checker's explanations, spoken of the lesson instead of to "you"."""

__all__ = ["Audit", "Item", "Hint", "parser", "path_lines", "show", "write_graphs", "WORKSHEETS",
           "worksheet"]

WORKSHEETS = Path(__file__).resolve().parent / "worksheets"
"""The lesson's worked examples as worksheet files (``autograd.check.worksheet``)."""


def worksheet(name: str):
    """The lesson's worksheet ``name`` (``"network-batch"``), read from ``WORKSHEETS``."""
    return worksheets.load(WORKSHEETS / f"{name}.toml")


def show(x, digits: int = 6) -> str:
    """An engine number for a person reading a worked example: 534, 0.948, -0.0026, 4.7232,
    0.3333333 (``autograd.text.number`` in its decimal form)."""
    return number(x, digits=digits, decimal=True)


# ----------------------------------------------------------------------------- records

@dataclass(frozen=True)
class Hint:
    """A demo's own explanation of a differing number; ``follows`` when it says that the
    number follows from an earlier wrong one."""

    text: str
    follows: bool = False


@dataclass
class Item:
    """One lesson claim and its verdict.

    Attributes:
        section: which example (e.g. "bowl").
        where: where the lesson prints it (a table, row and column, or a short quote).
        written: the claim exactly as the lesson prints it ("4.722", "(2.40", "13,002").
        correct: the engine's value (a number), or for a statement, what the engine found.
        ok: confirmed (True) or not.
        kind: "number" or "statement".
        derivation: how the engine gets the correct value (lines), shown for differing items.
        claim: the ``autograd.check.Claim`` behind it (None for statements).
        hints: the demo's own explanations, added to the checker's.
        follows: True when the demo finds that it follows from an earlier wrong number (the
            checker finds that for claims within one check: ``claim.carried``).
    """

    section: str
    where: str
    written: str
    correct: object
    ok: bool
    kind: str = "number"
    derivation: list[str] = field(default_factory=list)
    claim: Claim | None = None
    hints: list[str] = field(default_factory=list)
    follows: bool = False

    def cell(self) -> str:
        """The lesson's number with its mark: ``4.800 ✓`` or ``4.722 ✗``."""
        return f"{self.written} {OK if self.ok else BAD}"

    @property
    def carried(self) -> bool:
        """Does the checker (or the demo) find that this follows from an earlier wrong number?"""
        return self.follows or bool(self.claim is not None and self.claim.carried)

    def why(self) -> str:
        """The explanation: the checker's (spoken of the lesson), then the demo's own."""
        parts = claim_explanations(self.claim, voice=LESSON) if self.claim is not None else []
        return "; ".join(parts + self.hints)


class Audit:
    """Collects verdicts on a lesson's claims and prints them for a person.

    >>> audit = Audit()
    >>> x = Value(3.0, label="x"); f = x ** 2; f.label = "f"
    >>> got = audit.check("demo", f, [("f", "9.000", "f(3)"), ("d/dx", "5", "slope at 3")])
    >>> got["f"].cell(), got["d/dx"].cell(), got["d/dx"].correct   # d(x**2)/dx = 2x = 6
    ('9.000 ✓', '5 ✗', 6.0)
    """

    def __init__(self):
        self.items: list[Item] = []

    # -- judging ---------------------------------------------------------------------
    def check(self, section: str, root: Value, claims, *, lr=None, exact: bool = False,
              tol=None, hints=None, follows=None) -> dict[str, Item]:
        """Run the checker on ``root`` with ``claims``: (target, written, where) triples.

        Returns the Items by target. ``hints``: an optional function (Item) -> str | Hint |
        None that adds a demo-specific explanation to a differing item. ``follows``: an optional
        function (Item) -> str | None naming the earlier wrong number a differing item follows
        from, when the demo knows it (the checker sees only one graph at a time).
        """
        report = check(root, claims=[(t, w) for t, w, _ in claims], lr=lr, exact=exact, tol=tol)
        return self._record(section, report, {t: w for t, _, w in claims}, hints, follows)

    def worksheet(self, section: str, sheet, report, targets=None) -> dict[str, Item]:
        """Record the verdicts of a worksheet's report (``sheet.check()``), each claim with
        the place the worksheet's notes give it; ``targets``: only these claims (a worksheet
        checked once can feed several of a demo's tables). Returns the Items by target."""
        wanted = None if targets is None else set(targets)
        claims = [c for c in report.claims if wanted is None or c.target in wanted]
        where = {c.target: sheet.notes.get(c.target, c.target) for c in claims}
        return self._record(section, report, where, None, None, claims)

    def _record(self, section: str, report, where: dict[str, str], hints, follows,
                claims=None) -> dict[str, Item]:
        found = {}
        for claim in report.claims if claims is None else claims:  # in the order given
            item = Item(section, where[claim.target], claim.written, claim.correct, claim.ok,
                        claim=claim, derivation=_derivation(claim))
            if not item.ok and hints is not None:
                extra = hints(item)
                if isinstance(extra, Hint):
                    item.hints.append(extra.text)
                    item.follows = item.follows or extra.follows
                elif extra:
                    item.hints.append(extra)
            if not item.ok and follows is not None:
                source = follows(item)
                if source:
                    item.follows = True
                    item.hints.append(f"carried over from {source}")
            self.items.append(item)
            found[claim.target] = item
        return found

    def number(self, section: str, where: str, written: str, correct, *, label: str = "value",
               tol=None, derivation: list[str] | None = None) -> Item:
        """Judge a number the checker has no target for (a path's product, a count, a ratio).

        The checker judges values, gradients and updates of a graph; a single number from
        elsewhere is wrapped in a leaf ``Value`` so that the same rules apply (digits written,
        exact for whole numbers and fractions, or ``tol``).
        """
        leaf = Value(correct, label=label)
        claim = check(leaf, claims={label: written}, tol=tol).claims[0]
        item = Item(section, where, claim.written, correct, claim.ok,
                    derivation=list(derivation or []), claim=claim)
        self.items.append(item)
        return item

    def statement(self, section: str, where: str, said: str, ok: bool, found: str,
                  derivation: list[str] | None = None) -> Item:
        """A claim in words ("from 0.5 it gets stuck in the shallow valley"), judged by the demo
        from the engine's numbers; ``found`` says what the engine found."""
        item = Item(section, where, said, found, ok, kind="statement",
                    derivation=list(derivation or []))
        self.items.append(item)
        return item

    # -- printing --------------------------------------------------------------------
    def section_items(self, section: str) -> list[Item]:
        return [i for i in self.items if i.section == section]

    def differences(self, section: str, out=print) -> None:
        """Each differing item of ``section``: lesson vs engine, the why, the derivation."""
        wrong = [i for i in self.section_items(section) if not i.ok]
        if not wrong:
            out(f"Every lesson number of this example is confirmed by the engine ({OK}).")
            return
        out(f"Where the engine differs from the lesson ({len(wrong)}):")
        for item in wrong:
            if item.kind == "statement":
                head = f"{BAD} {item.where}: {item.correct}"
            else:
                head = (f"{BAD} {item.where}: lesson {item.written}, engine {show(item.correct)}")
            out(_wrap(head, "  "))
            why = item.why()
            if why:
                out(_wrap("why: " + why, "    ", first="    "))
            for line in item.derivation:
                out("    " + line)

    def statements(self, section: str, out=print) -> None:
        for item in self.section_items(section):
            if item.kind == "statement":
                mark = OK if item.ok else BAD
                out(_wrap(f"{mark} {item.where}: \"{item.written}\" -- engine: {item.correct}",
                          "    ", first="  "))

    def summary(self, out=print, sections: list[str] | None = None) -> tuple[int, int]:
        """The summary line (``Summary: N of M lesson numbers confirmed ...``) and the list of
        differing numbers with their correct values. Returns (confirmed, total) numbers."""
        items = [i for i in self.items if sections is None or i.section in sections]
        numbers = [i for i in items if i.kind == "number"]
        words = [i for i in items if i.kind == "statement"]
        good = sum(i.ok for i in numbers)
        line = f"Summary: {good} of {len(numbers)} lesson numbers confirmed by the engine"
        if words:
            line += f"; {sum(i.ok for i in words)} of {len(words)} statements confirmed"
        out(line + ".")
        wrong = [i for i in items if not i.ok]
        first = [i for i in wrong if not i.carried]
        later = [i for i in wrong if i.carried]
        if wrong:
            out(f"Not confirmed ({len(wrong)}): {len(first)} where the lesson's numbers first go "
                f"wrong, with the engine's values:")
            for item in first:
                if item.kind == "statement":
                    text = f"  {BAD} [{item.section}] {item.where}: {item.correct}"
                else:
                    text = (f"  {BAD} [{item.section}] {item.where}: lesson {item.written}, "
                            f"engine {show(item.correct)}")
                    why = item.why()
                    if why:
                        text += f" -- {_first_clause(why)}"
                out(_wrap(text, "      "))
        if later:
            out(_wrap(f"and {len(later)} that follow from those (right arithmetic on the "
                      "lesson's wrong numbers; engine's value in brackets): "
                      + "; ".join(f"[{i.section}] {i.where} {i.written} ({show(i.correct)})"
                                  for i in later) + ".", "      ", first="  "))
        return good, len(numbers)


def _first_clause(why: str) -> str:
    return why.split("; ")[0]


def _wrap(text: str, indent: str, first: str = "") -> str:
    return "\n".join(textwrap.wrap(text, WIDTH, initial_indent=first,
                                   subsequent_indent=indent, break_long_words=False,
                                   break_on_hyphens=False)) or text


# ----------------------------------------------------------------------------- derivations

def path_lines(root: Value, node: Value) -> list[str]:
    """The chain rule for d root / d node, one short line per path:
    ``w1 → n1 → ... → error: x2·1·2*n2·... = 4·1·10·... = 1520``, and the sum."""
    found = paths(root, node)
    lines = []
    for p in found:
        formulas = " · ".join(f"({f})" if " " in str(f) else str(f) for f in p.formulas)
        values = " · ".join(f"({show(v)})" if show(v).startswith("-") else show(v)
                            for v in p.locals)
        lines.append(f"path {' → '.join(p.names)}:")
        lines.append(f"  {formulas}")
        lines.append(f"  = {values} = {show(p.product)}")
    f, x = found.names[id(root)], found.names[id(node)]
    if len(found) > 1:
        lines.append(f"sum over the {len(found)} paths: d{f}/d{x} = {show(found.total)}")
    return [ln for line in lines for ln in textwrap.wrap(line, WIDTH - 6,
                                                          subsequent_indent="    ",
                                                          break_long_words=False)]


def forward_line(node: Value, names: dict[int, str]) -> str:
    """``h1 = inner ** 2 = 4.896 ** 2 = 23.970816``: one forward step in names and in decimals
    (the checker's own derivation writes exact fractions, which a learner reads less easily)."""
    return text_forward_line(node, names, decimal=True)


def _derivation(claim: Claim) -> list[str]:
    """Short derivation lines for a claim: the step that computes a value, path products for a
    gradient (each example's, for a gradient summed over examples), the update rule for an
    update."""
    if claim.ok:
        return []
    derivation = claim.derivation
    if claim.kind == "value":
        if claim.node.op is None:
            return [(f"{claim.name} is a leaf of this graph; the engine's value is "
                    f"{show(claim.node.data)}")]
        return [forward_line(claim.node, derivation.names)]  # the why gives the lesson's own
    if isinstance(derivation, UpdateDerivation):
        return [(f"{claim.name}' = {claim.name} - lr × gradient = {show(derivation.value)} - "
                 f"{show(derivation.lr)} × {show(derivation.gradient)} = "
                 f"{show(claim.correct)}")]
    return _gradient_lines(derivation)


def _gradient_lines(derivation) -> list[str]:
    if isinstance(derivation, ReducedDerivation):
        lines = [f"{' + '.join(show(n) for n in derivation.numbers)} = "
                 f"{show(derivation.total)}, the {derivation.reduce} over the examples of:"]
        for k, part in enumerate(derivation.parts, start=1):
            lines += [f"example {k}: " + line if i == 0 else line
                      for i, line in enumerate(_gradient_lines(part))]
        return lines
    if isinstance(derivation, GradientDerivation) and derivation.node is not derivation.root:
        return path_lines(derivation.root, derivation.node)
    return str(derivation).splitlines()


# ----------------------------------------------------------------------------- files, flags

def write_graphs(root: Value, out_dir, name: str, **options) -> list[Path]:
    """Render ``root``'s graph as ``NAME.png`` and ``NAME.svg`` in ``out_dir``; print the paths.

    Falls back to the DOT source (``NAME.dot``) when no renderer is installed, and says so.
    """
    from autograd.draw import RendererNotFound, render

    written = []
    for ext in ("png", "svg"):
        target = Path(out_dir) / f"{name}.{ext}"
        try:
            written.append(render(root, target, **options))
        except RendererNotFound as exc:
            dot = render(root, Path(out_dir) / f"{name}.dot", **options)
            print(f"no renderer for .{ext} ({exc}); wrote the DOT source instead: {dot}")
            written.append(dot)
            break
    for path in written:
        print(f"wrote {path}")
    return written


def parser(prog: str, description: str, writes_files: bool) -> argparse.ArgumentParser:
    """The flags every lesson demo takes: ``--quick`` and ``--out DIR``.

    A demo that ``writes_files`` puts its graph pictures in ``--out`` (default
    ``out/lesson``); the others save their printed report there as ``PROG.txt`` when
    ``--out`` is given.
    """
    p = argparse.ArgumentParser(prog=f"python -m demos.{prog}", description=description)
    p.add_argument("--quick", action="store_true",
                   help="accepted by every lesson demo; these examples are small, so it only "
                        "skips optional extra runs")
    if writes_files:
        p.add_argument("--out", metavar="DIR", default="out/lesson",
                       help="folder for the graph pictures (PNG and SVG; default: out/lesson)")
    else:
        p.add_argument("--out", metavar="DIR",
                       help=f"also save the report printed here as DIR/{prog}.txt (default: "
                            f"print it only)")
    return p


def title(text: str, out=print) -> None:
    out("")
    out(text)
    out("=" * min(len(text), WIDTH))


def table(header: list[str], rows: list[list], out=print) -> None:
    """Print rows of cells: an Item shows the lesson's number and its mark (``4.722 ✗``); a row
    with a differing cell is followed by a line with the engine's values under those cells."""
    cells = []
    for row in rows:
        cells.append([c.cell() if isinstance(c, Item) else str(c) for c in row])
        if any(isinstance(c, Item) and not c.ok for c in row):
            cells.append(["engine:"] + [show(c.correct, 5) if isinstance(c, Item) and not c.ok
                                        else "" for c in row[1:]])
    widths = [max(len(r[i]) for r in [header, *cells]) for i in range(len(header))]
    out("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
    out("  ".join("-" * w for w in widths))
    for row in cells:
        out("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def demo_main(run, prog: str, description: str, writes_files: bool = False):
    """The ``main(argv)`` of one lesson demo: parse its flags, run it, print the summary.

    Without ``writes_files``, ``--out DIR`` saves everything printed as ``DIR/PROG.txt``.
    """

    def main(argv=None) -> int:
        args = parser(prog, description, writes_files).parse_args(argv)
        report = io.StringIO()
        with contextlib.redirect_stdout(Tee(sys.stdout, report)):
            audit = Audit()
            run(args, audit)
            print()
            audit.summary()
        if args.out and not writes_files:
            print(f"wrote {save_text(report.getvalue(), Path(args.out) / f'{prog}.txt')}")
        return 0

    return main


class Tee(io.TextIOBase):
    """A text stream that writes to several others (to print a report and keep a copy)."""

    def __init__(self, *streams):
        super().__init__()
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


def save_text(text: str, path: Path) -> Path:
    """Write ``text`` to ``path`` (UTF-8), creating its folder; return the path."""
    return write_file(path, text, "the report", make_folder=True)
