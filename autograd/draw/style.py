"""How pictures of graphs look: colours, boxes, legends and numbers, shared by every picture.

Graphviz draws the boxes from HTML-like labels; the helpers here write them, escaped. The
colours (fill, line) pairs stay distinct for the common forms of colour blindness because they
also differ in lightness, and every legend names what each one means.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import SupportsFloat

from ..text import number
from .renderer import Drawing

__all__ = ["PLAIN", "NAME_FILL", "STATES", "STATE_TEXT", "PATH", "HIGHLIGHT", "OP_FILL",
           "BACKGROUND", "EDGE", "FONT", "Look", "look_for", "escape", "markup", "cell",
           "text_points", "box", "legend", "key_row",
           "picture_number", "array_number", "shape_text", "new_drawing", "edge_label"]

PLAIN = ("#ffffff", "#5f6b7a")
NAME_FILL = "#e8eef6"
STATES = {
    "done": ("#d6f0d8", "#2e7d32"),
    "current": ("#ffe0b2", "#e65100"),
    "pending": ("#f4f4f4", "#a0a0a0"),
}
STATE_TEXT = {
    "done": "done: passed its gradient down (an input: all of it in)",
    "current": "current: passes its gradient next",
    "pending": "pending",
}
PATH = ("#dbe9fb", "#1565c0")
HIGHLIGHT = ("#fff3a6", "#b58900")
OP_FILL = "#ffffff"
BACKGROUND = "#ffffff"
EDGE = "#5f6b7a"
FONT = "Helvetica"


class Look:
    """How one node is drawn: fill and line colours, line width, text colour."""

    def __init__(self, fill: str, line: str, width: int = 1, text: str | None = None,
                 op_fill: str = OP_FILL) -> None:
        self.fill, self.line, self.width, self.text, self.op_fill = fill, line, width, text, op_fill


def look_for(on_path: bool, state: str | None, marked: bool) -> Look:
    """The look of a node: highlighted, in a stepper state, on a path, or plain."""
    if marked:
        return Look(HIGHLIGHT[0], HIGHLIGHT[1], 3, op_fill=HIGHLIGHT[0])
    if state is not None:
        fill, line = STATES[state]
        return Look(fill, line, 3 if state == "current" else 1,
                    text="#707070" if state == "pending" else None, op_fill=fill)
    if on_path:
        return Look(PATH[0], PATH[1], 2, op_fill=PATH[0])
    return Look(*PLAIN)


def picture_number(x: SupportsFloat) -> str:
    """A number for a picture: 3, -2.5, 3/4, 0.333333; a very long one shortened to ~6 digits."""
    text = number(x)
    if len(text) <= 14:
        return text
    try:
        return f"≈{float(x):.6g}"
    except OverflowError:  # an int or Fraction beyond the float range: number() shortened it
        return text


def array_number(x: SupportsFloat) -> str:
    """One element of an array (a NumPy scalar) with 4 significant digits."""
    return f"{float(x):.4g}"


def shape_text(shape: tuple) -> str:
    """A tensor's shape for a picture: ``32×784``, or ``scalar``."""
    return "×".join(str(n) for n in shape) if shape else "scalar"


def escape(text: object) -> str:
    """Text made safe inside a Graphviz HTML-like label."""
    return html.escape(str(text), quote=True)


def markup(text: str, bold: bool = False, color: str | None = None) -> str:
    """Escaped ``text`` with HTML-like markup for bold and colour."""
    inner = f"<B>{text}</B>" if bold else text
    return f'<FONT COLOR="{color}">{inner}</FONT>' if color else inner


def cell(text: str, fill: str | None = None, color: str | None = None,
         width: int | None = None) -> str:
    """One table cell of a box; ``width`` (points) keeps it at least that wide."""
    bg = f' BGCOLOR="{fill}"' if fill else ""
    wide = f' WIDTH="{width}"' if width else ""
    return f"<TD{bg}{wide}>{markup(text, color=color)}</TD>"


def text_points(text: str, size: int = 14) -> int:
    """About how wide ``text`` is in points at ``size`` (Helvetica: digits are 0.556 em)."""
    return int(len(text) * 0.6 * size) + 8


def box(title: str | None, cells: list[str], look: Look) -> str:
    """An HTML-like label: a title row (if any) over a row of cells, framed as ``look`` says.

    Two rows rather than one keep the boxes narrow, so a left-to-right picture of a long
    chain stays readable when it is scaled to fit a page.
    """
    head = ""
    if title is not None:
        head = f'<TR><TD COLSPAN="{len(cells)}" BGCOLOR="{NAME_FILL}">{title}</TD></TR>'
    return (f'<<TABLE BORDER="{look.width}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" '
            f'COLOR="{look.line}">{head}<TR>{"".join(cells)}</TR></TABLE>>')


def key_row(keys: list[tuple[tuple[str, str], str]]) -> str:
    """Several colour keys side by side, as one legend row's text: swatch, words, swatch, ..."""
    cells = "".join(f'<TD BGCOLOR="{fill}" COLOR="{line}" BORDER="2" WIDTH="28"></TD>'
                    f'<TD ALIGN="LEFT">{text}</TD>' for (fill, line), text in keys)
    return (f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="2"><TR>{cells}'
            f"</TR></TABLE>")


def legend(rows: list[tuple[tuple[str, str] | None, str]], hidden: str = "") -> str:
    """A graph label: one row per (fill and line colours, or None) and escaped text; a
    ``hidden`` row of text in the background colour keeps the legend as wide as it."""
    cells = []
    if hidden:
        rows = [*rows, (None, f'<FONT COLOR="{BACKGROUND}">{hidden}</FONT>')]
    for colours, text in rows:
        if colours is None:
            cells.append(f'<TR><TD ALIGN="LEFT" COLSPAN="2">{text}</TD></TR>')
        else:
            fill, line = colours
            cells.append(f'<TR><TD BGCOLOR="{fill}" COLOR="{line}" BORDER="2" WIDTH="28">'
                         f'</TD><TD ALIGN="LEFT">{text}</TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="3">'
            + "".join(cells) + "</TABLE>>")


def edge_label(lines: list[str], colour: str, hidden: Sequence[str] = ()) -> str:
    """An edge's label: escaped lines in one colour, then ``hidden`` lines in the background
    colour (they keep the room that later frames of an animation fill in)."""
    shown = [f'<FONT COLOR="{colour}">{escape(t)}</FONT>' for t in lines]
    shown += [f'<FONT COLOR="{BACKGROUND}">{escape(t)}</FONT>' for t in hidden]
    return "<" + "<BR/>".join(shown) + ">"


def new_drawing(name: str, rankdir: str) -> Drawing:
    """An empty picture with the house style: white, Helvetica, ``rankdir`` direction."""
    graph = Drawing(name=re.sub(r"\W", "_", name) or "graph", format="png")
    graph.attr("graph", rankdir=rankdir, bgcolor=BACKGROUND, fontname=FONT, fontsize="14",
               nodesep="0.3", ranksep="0.25", pad="0.2")
    graph.attr("node", fontname=FONT, fontsize="14")
    graph.attr("edge", fontname=FONT, fontsize="12", color=EDGE, arrowsize="0.8")
    return graph
