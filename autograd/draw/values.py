"""The picture of a graph of Values: a box per value, a small node per operation.

Each value's box shows its name, data and grad; each operation is a node of its own between its
inputs and its output, and a value used twice (``x * x``) has two edges, so every path of the
chain rule can be followed with a finger. Edge labels are the local derivatives from the
operation table, the same text the trace prints.
"""

from __future__ import annotations

from typing import Any

import graphviz

from ..text import definition, derivative_of, local_formula
from ..trace import Frame
from ..value import Value
from .renderer import Drawing
from .style import (
    PATH,
    PLAIN,
    STATE_TEXT,
    STATES,
    Look,
    box,
    cell,
    edge_label,
    escape,
    key_row,
    legend,
    look_for,
    markup,
    new_drawing,
    picture_number,
    text_points,
)

__all__ = ["draw_values", "stepper_states", "op_text", "edge_text"]


def op_text(node: Value) -> str:
    """The text inside an operation node: ``×``, ``+``, ``**3``, ``exp``, ``neg``."""
    op = node.op
    assert op is not None  # drawn for the nodes made by an operation
    if op.symbol == "-" and op.arity == 1:
        return "neg"
    if op.symbol == "*":
        return "×"  # the lesson's multiplication sign, not arithmetic on the page
    if op.takes_const and node.const is not None:
        return f"{op.symbol}{picture_number(node.const)}"
    return op.symbol


def stepper_states(frame: Frame, order: list[Value],
                   ) -> tuple[dict[int, str], dict[tuple[int, int], str], set[int]]:
    """(node state by id, edge state by (node id, position), ids whose grad is set so far)
    of one frame of a stepper's pass."""
    nodes = {id(node): frame.node_state(node) for node in order}
    edges = {(id(node), i): frame.edge_state(node, i)
             for node in order for i in range(len(node.inputs))}
    return nodes, edges, set(frame.grads)


def _value_cells(node: Value, names: dict[int, str], look: Look, show_grad: bool, grad: Any,
                 grad_width: int | None = None) -> tuple[str | None, list[str]]:
    """The title (name) and the data and grad cells of a Value's box (a constant such as the 2
    of 2*x has no title: its name is its number). ``grad`` is the number to show, or None for
    ``-`` (not reached yet); ``grad_width`` keeps its cell that wide (points)."""
    title = None
    if node.op is not None or node.label:
        title = markup(escape(names[id(node)]), bold=True, color=look.text)
    cells = [cell(f"data {escape(picture_number(node.data))}", look.fill, color=look.text)]
    if show_grad:
        shown = picture_number(grad) if grad is not None else "-"
        cells.append(cell(f"grad {escape(shown)}", look.fill, color=look.text,
                          width=grad_width))
    return title, cells


class _Steady:
    """What every frame of a finished pass reserves room for, so that all the frames of an
    animation have the same layout: each grad cell as wide as its widest number in the pass,
    each edge label with room for what the edge adds, the legend as wide as its longest
    caption."""

    def __init__(self, frame: Frame) -> None:
        stepper = frame.stepper
        texts: dict[int, list[str]] = {}
        for s in stepper.steps:
            texts.setdefault(id(s.input), []).append(f"grad {picture_number(s.grad_after)}")
        texts.setdefault(id(stepper.root), []).append("grad 1")
        self.grad_width = {key: max(text_points(t) for t in [*found, "grad -"])
                           for key, found in texts.items()}
        self.products = {(id(s.node), s.position): s.product for s in stepper.steps}
        self.caption = max((stepper.frame(k).caption() for k in range(stepper.total + 1)),
                           key=len)


def edge_text(node: Value, position: int, names: dict[int, str], ascii: bool = False) -> str:
    """``∂f/∂v = 3*v**2 = 17328``: the local derivative of one input edge, from the op table
    (``∂n4/∂(constant 3) = n3 = 4`` for a constant)."""
    formula = str(local_formula(node, position, names))
    value = picture_number(node.local_derivatives()[position])
    text = f"{derivative_of(node, position, names).text(ascii)} = {formula}"
    return text if formula == value else f"{text} = {value}"


def _stepper_legend(frame: Frame) -> list:
    keys = key_row([(STATES[state], escape(STATE_TEXT[state]))
                    for state in ("done", "current", "pending")])
    return [(None, escape(frame.caption())), (None, keys)]


def draw_values(root: Value, order: list[Value], names: dict[int, str], *, rankdir: str,
                show_grad: bool, edge_labels: bool, marked: set[int], on_path: set[int],
                stepper: Frame | None, extra_legend: list[tuple[Any, str]]) -> Drawing:
    """The picture of a Value graph (``autograd.draw.draw`` checks the options first).

    With a stepper's ``Frame``, every number comes from that frame: the grads of its pass so
    far (``-`` where it has not reached), and what each done edge added.
    """
    node_state: dict[int, str] = {}
    edge_state: dict[tuple[int, int], str] = {}
    products: dict[tuple[int, int], Any] = {}
    frame = stepper
    steady = None
    if frame is not None:
        node_state, edge_state, _ = stepper_states(frame, order)
        products = {(id(s.node), s.position): s.product for s in frame.steps}
        if frame.stepper.done:
            steady = _Steady(frame)
    index = {id(node): i for i, node in enumerate(order)}
    graph = new_drawing(names[id(root)], rankdir)
    for node in order:
        key = id(node)
        i = index[key]
        state = node_state.get(key)
        look = look_for(key in on_path, state, key in marked)
        grad = node.grad if frame is None else frame.grads.get(key)
        title, cells = _value_cells(node, names, look, show_grad, grad,
                                    steady.grad_width.get(key) if steady else None)
        tooltip = (definition(node, names) if node.op is not None
                   else f"{names[key]} (input)" if node.label else f"the constant {names[key]}")
        graph.node(f"v{i}", label=box(title, cells, look), shape="plain",
                   tooltip=graphviz.escape(tooltip), id=f"v{i}")
        if node.op is None:
            continue
        text = op_text(node)
        target = f"op{i}"
        graph.node(target, label=escape(text), shape="circle" if len(text) <= 3 else "ellipse",
                   style="filled", fillcolor=look.op_fill, color=look.line,
                   penwidth=str(look.width), margin="0.02", width="0.36", height="0.36",
                   fontsize="14" if len(text) <= 3 else "12", id=target)
        out_attrs = {}
        if look.line != PLAIN[1]:
            out_attrs["color"] = look.line
        if state == "pending":
            out_attrs["style"] = "dashed"
        elif key in on_path or state is not None:
            out_attrs["penwidth"] = "2.5"
        for position, input_ in enumerate(node.inputs):
            attrs = {}
            lines = [edge_text(node, position, names)] if edge_labels else []
            hidden = []
            edge = edge_state.get((key, position))
            if edge is not None:
                attrs["color"] = STATES[edge][1]
                if edge == "pending":
                    attrs["style"] = "dashed"
                else:
                    attrs["penwidth"] = "2.5"
                if edge == "done":
                    lines.append(f"+= {picture_number(products[(key, position)])}")
                elif steady is not None:
                    hidden.append(f"+= {picture_number(steady.products[(key, position)])}")
            elif key in on_path and id(input_) in on_path:
                attrs["color"], attrs["penwidth"] = PATH[1], "2.5"
            if lines or hidden:
                attrs["label"] = edge_label(lines, attrs.get("color", "#37474f"), hidden)
            graph.edge(f"v{index[id(input_)]}", target, id=f"e{i}-{position}", **attrs)
        graph.edge(target, f"v{i}", id=f"o{i}", **out_attrs)
    rows = (_stepper_legend(frame) if frame is not None else []) + extra_legend
    if rows:
        graph.attr("graph", label=legend(rows, escape(steady.caption) if steady else ""),
                   labelloc="b", labeljust="l")
    return graph
