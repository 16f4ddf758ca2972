"""The picture of a graph of ``nn.Tensor``s: a box per tensor operation, with shapes.

Each box is titled with what it computes (``n1 = x @ weight``) and shows the result's shape,
its value if it has one element, and the length of its grad; each input or parameter has a box
of its own. Elementwise operations' edges can carry their local derivative from the operation
table; array-only operations (``nn.tensor_ops``) give a vector-Jacobian product instead, which
has no formula to show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import graphviz

from ..text import derivative_of, local_formula, operands
from .renderer import Drawing

if TYPE_CHECKING:  # for the annotations only: autograd does not import nn
    from nn import Tensor
from .style import (
    PATH,
    Look,
    array_number,
    box,
    cell,
    edge_label,
    escape,
    legend,
    look_for,
    markup,
    new_drawing,
    picture_number,
    shape_text,
)

__all__ = ["draw_tensors", "tensor_names"]


def tensor_names(order: list) -> dict[int, str]:
    """Names for tensors: the label if given, else t1, t2, ... for leaves and n1, n2, ... for
    results, in topological order (as ``autograd.text.node_names`` does for Values)."""
    names, leaves, results = {}, 0, 0
    for node in order:
        if node.label:
            names[id(node)] = node.label
        elif node.op is None:
            leaves += 1
            names[id(node)] = f"t{leaves}"
        else:
            results += 1
            names[id(node)] = f"n{results}"
    return names


def _definition(node: Tensor, names: dict[int, str]) -> str:
    """``n1 = x @ weight``, ``n3 = sigmoid(n2)``, ``n9 = sum(n8, axis=1)``."""
    op = node.op
    if op.elementwise:  # an entry of the scalar table, applied elementwise
        shown = [picture_number(x) if not isinstance(x, str) else x
                 for x in operands(node, names)]
        text = op.expression(*shown)
    else:  # an array-only operation (nn.tensor_ops)
        text = op.describe([names[id(i)] for i in node.inputs], node.saved)
    return f"{names[id(node)]} = {text}"


def _grad_text(node: Tensor) -> str:
    """``grad 0.5`` for one element, ``‖grad‖ 0.0213`` (its length) for an array."""
    grad = node.grad
    if grad is None:
        return "grad -" if node.requires_grad else "no grad"
    if grad.size == 1:
        return f"grad {array_number(grad.reshape(()).item())}"
    return f"‖grad‖ {array_number((grad.astype('float64') ** 2).sum() ** 0.5)}"


def _cells(node: Tensor, names: dict[int, str], look: Look,
           show_grad: bool) -> tuple[str, list[str], str]:
    """A tensor's box: title (its definition), cells (shape, value if it has one element, grad)
    and a tooltip."""
    name = names[id(node)]
    title = _definition(node, names) if node.op is not None else name
    cells = [cell(escape(shape_text(node.shape)), look.fill)]
    if node.data.size == 1:
        cells.append(cell(f"data {array_number(node.data.reshape(()).item())}", look.fill))
    if show_grad:
        cells.append(cell(escape(_grad_text(node)), look.fill))
    kind = "input" if node.op is None and not node.requires_grad else (
        "parameter" if node.op is None else node.op.name)
    tooltip = f"{title}: {kind}, shape {node.shape}, {node.dtype}"
    return markup(escape(title), bold=True), cells, tooltip


def _edge_formula(node: Tensor, position: int, names: dict[int, str]) -> str:
    if not node.op.elementwise:  # array-only operations give a VJP, not a formula
        return ""
    return f"{derivative_of(node, position, names).text()} = {local_formula(node, position, names)}"


def draw_tensors(root: Tensor, order: list[Tensor], names: dict[int, str], *, rankdir: str,
                 show_grad: bool, edge_labels: bool, marked: set[int], on_path: set[int],
                 extra_legend: list[tuple[Any, str]]) -> Drawing:
    """The picture of a Tensor graph (``autograd.draw.draw`` checks the options first)."""
    index = {id(node): i for i, node in enumerate(order)}
    graph = new_drawing(names[id(root)], rankdir)
    for node in order:
        key = id(node)
        look = look_for(key in on_path, None, key in marked)
        title, cells, tooltip = _cells(node, names, look, show_grad)
        graph.node(f"v{index[key]}", label=box(title, cells, look), shape="plain",
                   tooltip=graphviz.escape(tooltip))
        if node.op is None:
            continue
        for position, input_ in enumerate(node.inputs):
            attrs = {}
            lines = [_edge_formula(node, position, names)] if edge_labels else []
            if key in on_path and id(input_) in on_path:
                attrs["color"], attrs["penwidth"] = PATH[1], "2.5"
            lines = [line for line in lines if line]
            if lines:
                attrs["label"] = edge_label(lines, attrs.get("color", "#37474f"))
            graph.edge(f"v{index[id(input_)]}", f"v{index[key]}", **attrs)
    if extra_legend:
        graph.attr("graph", label=legend(extra_legend), labelloc="b", labeljust="l")
    return graph
