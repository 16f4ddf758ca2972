"""Pictures of computation graphs: ``draw(f)`` returns a ``graphviz.Digraph``.

Each Value (or ``nn.Tensor``) is a box with its name, data and grad; each operation is a small
node of its own between its inputs and its output; a value used twice (``x * x``) has two
edges, one per use, so every path of the chain rule can be followed with a finger. Options
colour the paths from one input to the output, the progress of a ``Stepper`` through backward
(done, current, pending), or a few chosen nodes, and label each edge with its local derivative
from the operation table (``autograd.ops``), the same text the tracer prints.

In Jupyter the returned graph shows inline. ``render(graph, "f.png")`` (or ``graph.render()``)
writes PNG, SVG, PDF or DOT. Rendering needs Graphviz's ``dot`` program: the system one when it
is on PATH (``apt-get install graphviz``, ``brew install graphviz``), else ``graphviz-pure``, a
self-contained dot from PyPI (``pip install "tracegrad[draw]"``; it cannot write PDF). The DOT
text, ``graph.source``, needs neither. Same graph, same DOT text: node ids follow the
topological order and nothing depends on memory addresses or hash order.

Big graphs are refused above ``max_nodes``: one forward pass of the 784-16-16-10 network on
Values builds about 40,000 nodes, far too many to lay out or read. ``summarize_mlp(model)``
draws such a network as a layer diagram with its parameter counts instead.

The package splits the work: ``values`` and ``tensors`` build the two kinds of picture,
``summary`` draws a network's layers, ``style`` holds the look, ``renderer`` finds and runs the
program that draws. This package imports the ``graphviz`` Python package; ``import autograd``
does not import it.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

import graphviz

from ..files import write_file
from ..graph import Node, topological_order
from ..text import Derivative, is_constant, node_names
from ..trace import Frame, Stepper
from ..value import Value
from .layout import SLIDE_ASPECT, SLIDE_PIXELS, choose_rankdir
from .renderer import (
    INSTALL_HELP,
    PNG_DPI,
    PNG_MAX_INCHES,
    RENDER_TIMEOUT,
    Drawing,
    RendererNotFound,
    find_renderer,
    run_renderer,
)
from .style import HIGHLIGHT, PATH, escape, picture_number
from .summary import summarize_mlp
from .tensors import draw_tensors, tensor_names
from .values import draw_values

if TYPE_CHECKING:  # for the annotations only: autograd does not import nn
    from nn import Tensor

__all__ = ["draw", "render", "animate", "summarize_mlp", "find_renderer", "RendererNotFound",
           "Drawing", "FORMATS", "INSTALL_HELP", "PNG_DPI", "PNG_MAX_INCHES", "RENDER_TIMEOUT",
           "SLIDE_PIXELS", "SLIDE_ASPECT", "MAX_ANIMATION_STEPS", "choose_rankdir"]

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}
"""The file extensions ``render`` writes, and the output format each one means."""


def _is_value_graph(root: object) -> bool:
    if isinstance(root, Value):
        return True
    if hasattr(root, "inputs") and hasattr(getattr(root, "data", None), "shape"):
        return False
    raise TypeError(f"draw() takes an autograd.Value or an nn.Tensor, got "
                    f"{type(root).__name__} {root!r}")


def _members(things: object, order_ids: set[int], what: str) -> set[int]:
    """ids of a Value (or a list of them), each of which must be in the graph."""
    if things is None:
        return set()
    if not isinstance(things, (list, tuple, set, frozenset)):
        things = [things]
    ids = set()
    for thing in things:
        if id(thing) not in order_ids:
            raise ValueError(f"{what}: {thing!r} is not in the graph being drawn")
        ids.add(id(thing))
    return ids


def _on_paths(order: list[Node], start: Node) -> set[int]:
    """ids of the nodes on some path from ``start`` to the root: those that depend on start."""
    reached = {id(start)}
    for node in order:  # topological: every input comes before the node
        if any(id(i) in reached for i in node.inputs):
            reached.add(id(node))
    return reached


def _path_summary(order: list[Any], start: Node, root: Node, names: dict[int, str]) -> str:
    """'2 paths from x2 to f: ...' with, for Values, the sum of their products: d root/d start.

    Both by one pass in topological order (no enumeration of paths, whose number can grow
    exponentially): a node's path count is the sum of its inputs' counts, and its derivative
    the sum of local derivative times input derivative (forward-mode differentiation).
    """
    count = {id(start): 1}
    deriv = {id(start): 1}
    with_sum = isinstance(start, Value)
    for node in order:
        if node is start:
            continue
        n = sum(count.get(id(i), 0) for i in node.inputs)
        if n:
            count[id(node)] = n
            if with_sum:
                try:
                    locals_ = node.local_derivatives()
                except (ArithmeticError, ValueError):
                    with_sum = False
                    continue
                total = 0
                for input_, local in zip(node.inputs, locals_):
                    if id(input_) in deriv:
                        total = total + local * deriv[id(input_)]
                deriv[id(node)] = total
    n = count.get(id(root), 0)
    x, f = names[id(start)], names[id(root)]
    text = f"{n} path{'s' if n != 1 else ''} from {x} to {f}"
    if with_sum and n:
        text += (f": the products of the local derivatives along them sum to "
                 f"{Derivative(f, x, is_constant(start)).text()} = "
                 f"{picture_number(deriv[id(root)])}")
    return text


def draw(root: Node, *, rankdir: str = "auto", show_grad: bool = True,
         edge_labels: bool = False, highlight: Node | Iterable[Node] | None = None,
         paths_from: Node | None = None, stepper: Stepper | Frame | None = None,
         max_nodes: int = 500) -> Drawing:
    """Draw ``root``'s computation graph: each value a box, each operation a node between them.

    A value box shows the value's name (its label, or ``n1, n2, ...`` as in
    ``autograd.trace.node_names``), its data and its grad. An edge runs from each input to the
    operation for each use, so ``x * x`` has two edges from x. An ``nn.Tensor`` graph has one
    box per tensor operation, titled with what it computes (``n1 = x @ weight``), with the
    result's shape and the length of its grad, plus one box per input or parameter.

    Args:
        root: the output, an ``autograd.Value`` or an ``nn.Tensor``.
        rankdir: "auto" (the default): the direction that keeps the picture inside a 16:9
            slide (``choose_rankdir``: top to bottom for a deep graph such as the lesson's
            5-weight network, left to right for a wide, shallow one); or "LR" (inputs on
            the left), "TB" (inputs on top), "RL", "BT".
        show_grad: show each value's grad.
        edge_labels: label each input edge with its local derivative, from the operation
            table, in the lesson's notation: ``∂f/∂v = 3*v**2 = 17328``.
        highlight: a Value (or Tensor), or a list of them, to mark in yellow.
        paths_from: a Value whose paths to ``root`` are coloured blue; the legend counts them
            and gives the sum of their products, which is d root / d paths_from.
        stepper: an ``autograd.trace.Stepper`` on ``root``, or one ``Frame`` of it
            (``stepper.frame(k)``): nodes and edges are coloured done, current or pending,
            the grads are those of the stepper's own pass at that moment (``-`` where it has
            not reached yet), done edges show what they added, and a legend names the last
            step in words, so the caption and the boxes always agree. Drawing after each
            ``stepper.step()`` gives the frames of backprop (``animate`` writes them as a GIF).
        max_nodes: refuse graphs with more values (or tensors) than this. A Value picture
            has about twice as many nodes: one per value, one per operation.

    Returns:
        ``Drawing``, a ``graphviz.Digraph``: shown inline in Jupyter; ``.source`` is the DOT
        text; ``render(graph, "f.png")`` or ``.render()`` writes a file.

    Raises:
        ValueError: more than ``max_nodes`` values (the message says how to see the detail);
            a ``highlight``/``paths_from`` node not in the graph; a stepper on another root;
            an unknown ``rankdir``.
        TypeError: ``root`` is not a Value or Tensor; a stepper with a Tensor root, or a
            stepper that is neither a Stepper nor a Frame.

    >>> from autograd import Value
    >>> x = Value(3, label="x")
    >>> y = x * x; y.label = "y"
    >>> y.backward()
    >>> g = draw(y)
    >>> [line.strip() for line in g.source.splitlines() if "->" in line]   # x used twice
    ['v0 -> op1 [id="e1-0"]', 'v0 -> op1 [id="e1-1"]', 'op1 -> v1 [id=o1]']
    >>> "grad 6" in g.source and "data 9" in g.source
    True
    """
    if rankdir not in ("auto", "LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'auto', 'LR' (left to right) or 'TB' (top to "
                         f"bottom), got {rankdir!r}")
    scalar = _is_value_graph(root)
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"this graph has {len(order):,} nodes, more than max_nodes={max_nodes}: a picture "
            "that large takes long to lay out and cannot be read. To see a network, draw its "
            "layers with autograd.draw.summarize_mlp(model); to see the detail, draw a smaller "
            "part (the output of one neuron, or a network with fewer inputs); or pass "
            f"max_nodes={len(order)} to draw every node anyway.")
    ids = {id(node) for node in order}
    names = node_names(root) if scalar else tensor_names(order)
    marked = _members(highlight, ids, "highlight")
    on_path: set[int] = set()
    extra_legend = []
    if paths_from is not None:
        _members(paths_from, ids, "paths_from")
        on_path = _on_paths(order, paths_from)
        extra_legend.append((PATH, escape(_path_summary(order, paths_from, root, names))))
    if marked:
        extra_legend.append((HIGHLIGHT, "highlighted"))
    if stepper is not None:
        if not scalar:
            raise TypeError("a Stepper steps through a Value graph; Tensors have none")
        if not isinstance(stepper, (Stepper, Frame)):
            raise TypeError(f"stepper must be an autograd.trace.Stepper or one of its frames "
                            f"(stepper.frame(k)), got {type(stepper).__name__}")
        if stepper.root is not root:
            raise ValueError("the stepper was made for another root: draw(stepper.root, "
                             "stepper=stepper)")
        if isinstance(stepper, Stepper):
            stepper = stepper.frame()
    if rankdir == "auto":
        rankdir = choose_rankdir(order, edge_labels=edge_labels)
    options: dict[str, Any] = dict(rankdir=rankdir, show_grad=show_grad,
                                   edge_labels=edge_labels, marked=marked, on_path=on_path,
                                   extra_legend=extra_legend)
    # _is_value_graph told the two kinds apart: a graph of Values, or else of nn.Tensors.
    if scalar:
        return draw_values(cast(Value, root), cast("list[Value]", order), names,
                           stepper=stepper, **options)
    return draw_tensors(cast("Tensor", root), cast("list[Tensor]", order), names, **options)


from .animate import MAX_ANIMATION_STEPS, animate  # noqa: E402  (it calls draw, above)


def render(graph_or_root: graphviz.Graph | graphviz.Digraph | Node,
           path: str | os.PathLike[str], **draw_options: Any) -> pathlib.Path:
    """Write a picture to ``path``, in the format its extension names.

    Args:
        graph_or_root: a graph from ``draw`` or ``summarize_mlp`` (any ``graphviz`` graph), or
            a Value or Tensor to draw first.
        path: where to write: ``.png``, ``.svg``, ``.pdf`` or ``.dot``/``.gv`` (the DOT text,
            which needs no renderer). Missing folders are created.
        **draw_options: passed to ``draw`` when ``graph_or_root`` is a Value or Tensor.

    Returns:
        The path written, as a ``pathlib.Path``.

    Raises:
        ValueError: an extension other than those above.
        TypeError: draw options given with a graph that is already drawn.
        RendererNotFound: no renderer (see ``find_renderer``), or PDF with graphviz-pure only.
        RuntimeError: the renderer failed.

    >>> import tempfile
    >>> from autograd import Value
    >>> x = Value(3.0, label="x"); y = x * x; y.label = "y"; y.backward()
    >>> out = render(y, tempfile.mkdtemp() + "/square.dot")   # DOT text: needs no renderer
    >>> out.suffix, "x" in out.read_text() and "grad 6" in out.read_text()
    ('.dot', True)
    """
    path = pathlib.Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"cannot tell the format of {str(path)!r} from its extension; use one "
                         f"of {', '.join(FORMATS)}")
    if isinstance(graph_or_root, (graphviz.Graph, graphviz.Digraph, graphviz.Source)):
        if draw_options:
            raise TypeError(f"draw options ({', '.join(sorted(draw_options))}) apply when a "
                            "Value or Tensor is given; this graph is already drawn")
        source = graph_or_root.source
    else:
        source = draw(graph_or_root, **draw_options).source
    return write_file(path, source if fmt == "dot" else run_renderer(source, fmt),
                      "the picture", make_folder=True)
