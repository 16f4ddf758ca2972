"""A layer diagram of a network too big to draw value by value, with its parameter counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .renderer import Drawing
from .style import EDGE, FONT, NAME_FILL, PLAIN, escape

if TYPE_CHECKING:  # for the annotations only: autograd does not import nn
    from nn import MLP, Sequential

__all__ = ["summarize_mlp"]

def _layers_of(model: object) -> tuple[int, list[tuple[str, int, int, str, int]]]:
    """(inputs, [(kind, n_in, n_out, activation, parameters)]) of an nn.MLP or nn.Sequential."""
    layers = getattr(model, "layers", None)
    if not isinstance(layers, list) or not layers:
        raise TypeError(f"summarize_mlp takes an nn.MLP or an nn.Sequential (as nn.mlp builds), "
                        f"got {type(model).__name__}")
    rows: list[list] = []
    for layer in layers:
        if hasattr(layer, "neurons"):  # nn.Layer of nn.Neuron on Values
            n_in, n_out = len(layer.neurons[0].w), len(layer.neurons)
            rows.append(["Layer", n_in, n_out, layer.neurons[0].activation, n_out * (n_in + 1)])
        elif hasattr(layer, "weight") and hasattr(layer, "bias"):  # nn.Linear on Tensors
            n_in, n_out = layer.weight.shape
            rows.append(["Linear", n_in, n_out, "linear", n_in * n_out + layer.bias.size])
        elif hasattr(layer, "name") and not layer.parameters() and rows:  # nn.Activation
            if rows[-1][3] != "linear":
                raise TypeError(f"summarize_mlp: two activations in a row ({layer!r})")
            rows[-1][3] = layer.name
        else:
            raise TypeError(f"summarize_mlp: cannot summarise the layer {layer!r}; it draws "
                            "networks of nn.Layer, or of nn.Linear and nn.Activation")
    return rows[0][1], [tuple(row) for row in rows]


def _value_nodes(n_in: int, rows: list[tuple[str, int, int, str, int]]) -> int:
    """Values one forward pass of an nn.MLP builds: the inputs, then per neuron and input a
    weight, a product and a sum, plus the bias and the activation (see ``nn.Neuron``)."""
    total = n_in
    for _kind, layer_in, n_out, activation, _params in rows:
        total += n_out * (3 * layer_in + 1 + (activation != "linear"))
    return total


def summarize_mlp(model: MLP | Sequential, *, rankdir: str = "LR") -> Drawing:
    """A layer diagram of a network with its parameter counts, for networks too big to draw.

    Works for ``nn.MLP`` (on Values) and for the ``nn.Sequential`` that ``nn.mlp`` builds (on
    Tensors). Each layer is a box with its sizes, activation, weights, biases and parameters;
    the caption gives the total.

    Args:
        model: an ``nn.MLP`` or an ``nn.Sequential`` of ``nn.Linear`` and ``nn.Activation``.
        rankdir: "LR" (default) or "TB".

    Returns:
        ``Drawing`` (a ``graphviz.Digraph``).

    Raises:
        TypeError: a model of another kind.

    >>> from nn import MLP
    >>> g = summarize_mlp(MLP(784, [16, 16, 10], seed=0))
    >>> "13,002 parameters" in g.source
    True
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR' or 'TB', got {rankdir!r}")
    n_in, rows = _layers_of(model)
    widths = [n_in] + [row[2] for row in rows]
    total = sum(row[4] for row in rows)
    graph = Drawing(name="network", format="png")
    graph.attr("graph", rankdir=rankdir, bgcolor="white", fontname=FONT, fontsize="14",
               nodesep="0.4", ranksep="0.5", pad="0.25")
    graph.attr("node", fontname=FONT, fontsize="14", shape="plain")
    graph.attr("edge", fontname=FONT, fontsize="12", color=EDGE)
    graph.node("input", label=_summary_box("input", [f"{n_in:,} values"]))
    previous = "input"
    for i, (_kind, layer_in, n_out, activation, params) in enumerate(rows, start=1):
        title = f"layer {i}: {layer_in:,} → {n_out:,}"
        lines = [f"{n_out:,} neurons, {activation}",
                 f"weights {layer_in:,} × {n_out:,} = {layer_in * n_out:,}",
                 f"biases {params - layer_in * n_out:,}",
                 f"<B>{params:,} parameters</B>"]
        graph.node(f"layer{i}", label=_summary_box(title, lines, escape_last=False))
        graph.edge(previous, f"layer{i}", label=f"{layer_in:,}")
        previous = f"layer{i}"
    graph.node("output", label=_summary_box("output", [f"{widths[-1]:,} values"]))
    graph.edge(previous, "output", label=f"{widths[-1]:,}")
    caption = (f"{'-'.join(str(w) for w in widths)} network "
               f"({type(model).__name__}): {total:,} parameters")
    if rows[0][0] == "Layer":
        caption += (f". One forward pass on Values builds {_value_nodes(n_in, rows):,} nodes: "
                    "too many to draw one by one")
    graph.attr("graph", label=escape(caption), labelloc="b", labeljust="l")
    return graph


def _summary_box(title: str, lines: list[str], escape_last: bool = True) -> str:
    body = [escape(line) for line in lines]
    if not escape_last:
        body[-1] = lines[-1]
    rows = "".join(f'<TR><TD ALIGN="LEFT">{line}</TD></TR>' for line in body)
    return (f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="5" '
            f'COLOR="{PLAIN[1]}"><TR><TD BGCOLOR="{NAME_FILL}"><B>{escape(title)}</B></TD></TR>'
            f"{rows}</TABLE>>")
