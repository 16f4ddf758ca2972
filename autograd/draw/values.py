"""The picture of a graph of Values: a box per value, a small node per operation.

Each value's box shows its name, data and grad; each operation is a node of its own between its
inputs and its output, and a value used twice (``x * x``) has two edges, so every path of the
chain rule can be followed with a finger. Edge labels are the local derivatives from the
operation table, the same text the trace prints.
"""

from __future__ import annotations

import graphviz

from ..text import definition, local_formula
from ..trace import Stepper
from .renderer import Drawing
from .style import (PATH, PLAIN, STATE_TEXT, STATES, Look, box, cell, edge_label, escape,
                    legend, look_for, markup, new_drawing, picture_number)

__all__ = ["draw_values", "stepper_states", "op_text"]


def op_text(node) -> str:
    """The text inside an operation node: ``*``, ``+``, ``**3``, ``exp``, ``neg``."""
    op = node.op
    if op.symbol == "-" and op.arity == 1:
        return "neg"
    if op.takes_const:
        return f"{op.symbol}{picture_number(node.const)}"
    return op.symbol


def stepper_states(stepper: Stepper, order: list):
    """(node state by id, edge state by (node id, position), ids whose grad is set so far)."""
    done_edges = {(id(s.node), s.position) for s in stepper.steps}
    current = stepper.current
    incoming: dict[int, int] = {}
    for node in order:
        for input_ in node.inputs:
            incoming[id(input_)] = incoming.get(id(input_), 0) + 1
    received: dict[int, int] = {}
    for s in stepper.steps:
        received[id(s.input)] = received.get(id(s.input), 0) + 1
    reached = set(received)
    if stepper.steps:
        reached.add(id(stepper.root))
    nodes, edges = {}, {}
    for node in order:
        key = id(node)
        if node is current:
            nodes[key] = "current"
        elif node.op is not None:
            passed = all((key, i) in done_edges for i in range(len(node.inputs)))
            nodes[key] = "done" if passed else "pending"
        else:
            complete = received.get(key, 0) == incoming.get(key, 0) and key in reached
            nodes[key] = "done" if complete else "pending"
        for i in range(len(node.inputs)):
            if (key, i) in done_edges:
                edges[(key, i)] = "done"
            elif node is current:
                edges[(key, i)] = "current"
            else:
                edges[(key, i)] = "pending"
    return nodes, edges, reached


def _value_cells(node, names, look: Look, show_grad: bool, grad_known: bool):
    """The title (name) and the data and grad cells of a Value's box (a constant such as the 2
    of 2*x has no title: its name is its number)."""
    title = None
    if node.op is not None or node.label:
        title = markup(escape(names[id(node)]), bold=True, color=look.text)
    cells = [cell(f"data {escape(picture_number(node.data))}", look.fill, color=look.text)]
    if show_grad:
        grad = picture_number(node.grad) if grad_known else "-"
        cells.append(cell(f"grad {escape(grad)}", look.fill, color=look.text))
    return title, cells


def _edge_formula(node, position: int, names) -> str:
    """``df/dv = 3*v**2 = 17328``: the local derivative of one input edge, from the op table."""
    out, input_name = names[id(node)], names[id(node.inputs[position])]
    formula = str(local_formula(node, position, names))
    value = picture_number(node.local_derivatives()[position])
    text = f"d{out}/d{input_name} = {formula}"
    return text if formula == value else f"{text} = {value}"


def _stepper_legend(stepper: Stepper, names, root) -> list:
    total = stepper.total
    if stepper.steps:
        s = stepper.steps[-1]
        rows = [(None, escape(
            f"backward, step {s.index} of {total}: {s.input_name}.grad += "
            f"d{s.node_name}/d{s.input_name} * {s.node_name}.grad = {picture_number(s.local)} * "
            f"{picture_number(s.upstream)} = {picture_number(s.product)}"))]
    else:
        rows = [(None, escape(f"backward, step 0 of {total}: nothing passed yet; the first "
                              f"step sets {names[id(root)]}.grad = 1"))]
    return rows + [(STATES[state], escape(STATE_TEXT[state]))
                   for state in ("done", "current", "pending")]


def draw_values(root, order: list, names: dict[int, str], *, rankdir: str, show_grad: bool,
                edge_labels: bool, marked: set[int], on_path: set[int],
                stepper: Stepper | None, extra_legend: list) -> Drawing:
    """The picture of a Value graph (``autograd.draw.draw`` checks the options first)."""
    node_state: dict[int, str] = {}
    edge_state: dict[tuple[int, int], str] = {}
    reached: set[int] = set()
    products: dict[tuple[int, int], object] = {}
    if stepper is not None:
        node_state, edge_state, reached = stepper_states(stepper, order)
        products = {(id(s.node), s.position): s.product for s in stepper.steps}
    index = {id(node): i for i, node in enumerate(order)}
    graph = new_drawing(names[id(root)], rankdir)
    for node in order:
        key = id(node)
        i = index[key]
        state = node_state.get(key)
        look = look_for(key in on_path, state, key in marked)
        title, cells = _value_cells(node, names, look, show_grad,
                                    grad_known=state is None or key in reached)
        tooltip = (definition(node, names) if node.op is not None
                   else f"{names[key]} (input)" if node.label else f"constant {names[key]}")
        graph.node(f"v{i}", label=box(title, cells, look), shape="plain",
                   tooltip=graphviz.escape(tooltip))
        if node.op is None:
            continue
        text = op_text(node)
        target = f"op{i}"
        graph.node(target, label=escape(text), shape="circle" if len(text) <= 3 else "ellipse",
                   style="filled", fillcolor=look.op_fill, color=look.line,
                   penwidth=str(look.width), margin="0.04", width="0.45", height="0.45",
                   fontsize="14" if len(text) <= 3 else "12")
        out_attrs = {}
        if look.line != PLAIN[1]:
            out_attrs["color"] = look.line
        if state == "pending":
            out_attrs["style"] = "dashed"
        elif key in on_path or state is not None:
            out_attrs["penwidth"] = "2.5"
        for position, input_ in enumerate(node.inputs):
            attrs = {}
            lines = [_edge_formula(node, position, names)] if edge_labels else []
            edge = edge_state.get((key, position))
            if edge is not None:
                attrs["color"] = STATES[edge][1]
                if edge == "pending":
                    attrs["style"] = "dashed"
                else:
                    attrs["penwidth"] = "2.5"
                if edge == "done":
                    lines.append(f"+= {picture_number(products[(key, position)])}")
            elif key in on_path and id(input_) in on_path:
                attrs["color"], attrs["penwidth"] = PATH[1], "2.5"
            if lines:
                attrs["label"] = edge_label(lines, attrs.get("color", "#37474f"))
            graph.edge(f"v{index[id(input_)]}", target, **attrs)
        graph.edge(target, f"v{i}", **out_attrs)
    rows = (_stepper_legend(stepper, names, root) if stepper is not None else []) + extra_legend
    if rows:
        graph.attr("graph", label=legend(rows), labelloc="b", labeljust="l")
    return graph
