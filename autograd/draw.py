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

This module imports the ``graphviz`` Python package; ``import autograd`` does not import it.
"""

from __future__ import annotations

import html
import os
import pathlib
import re
import shutil
import subprocess
import sys

import graphviz

from .graph import topological_order
from .trace import Stepper, _definition, _local_formula, node_names
from .value import Value, _fmt

__all__ = ["draw", "render", "summarize_mlp", "find_renderer", "RendererNotFound", "Drawing",
           "FORMATS"]

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}
"""The file extensions ``render`` writes, and the output format each one means."""

INSTALL_HELP = ('install Graphviz, which provides the `dot` program (Debian/Ubuntu: '
                '`sudo apt-get install graphviz`; macOS: `brew install graphviz`; Windows: '
                'https://graphviz.org/download/), or install graphviz-pure, a self-contained dot '
                'from PyPI: `pip install "tracegrad[draw]"` (or `pip install graphviz-pure`)')

PNG_DPI = 144
"""PNG resolution: twice the 72 dpi of Graphviz's default, so the text stays sharp."""

PNG_MAX_INCHES = 50
"""A PNG is scaled down to fit this many inches (7200 pixels at ``PNG_DPI``) each way: big
graphs would otherwise give images of a hundred million pixels that take long to write."""

RENDER_TIMEOUT = 120
"""Seconds a renderer may run before ``render`` gives up (``max_nodes`` keeps it far below)."""

# Colours: (fill, line) pairs. Green, orange and grey stay distinct for the common forms of
# colour blindness because they also differ in lightness; the legend names each one.
_PLAIN = ("#ffffff", "#5f6b7a")
_NAME_FILL = "#e8eef6"
_STATES = {
    "done": ("#d6f0d8", "#2e7d32"),
    "current": ("#ffe0b2", "#e65100"),
    "pending": ("#f4f4f4", "#a0a0a0"),
}
_STATE_TEXT = {
    "done": "done: gradient passed down (or, for an input, complete)",
    "current": "current: passes its gradient to its inputs next",
    "pending": "pending",
}
_PATH = ("#dbe9fb", "#1565c0")
_HIGHLIGHT = ("#fff3a6", "#b58900")
_OP_FILL = "#ffffff"
_EDGE = "#5f6b7a"
_FONT = "Helvetica"


class RendererNotFound(RuntimeError):
    """No program that can render this format: neither Graphviz's ``dot`` nor ``graphviz-pure``."""


# ------------------------------------------------------------------------ finding a renderer

def _beside_python(name: str) -> str | None:
    """``name`` in the folder of the running Python (a virtualenv's bin/ or Scripts/), if there.

    A package installed into a virtualenv that was never activated is not on PATH, but its
    commands sit next to ``sys.executable``.
    """
    folder = pathlib.Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def find_renderer() -> str:
    """The path of the program that renders DOT: ``dot`` on PATH, else ``graphviz-pure``.

    ``graphviz-pure`` is looked for on PATH and next to the running Python (a virtualenv that
    was never activated).

    Raises:
        RendererNotFound: neither is installed; the message says how to install one.
    """
    found = (shutil.which("dot") or shutil.which("graphviz-pure")
             or _beside_python("graphviz-pure"))
    if found is None:
        raise RendererNotFound("no Graphviz renderer found: drawing to PNG, SVG or PDF needs "
                               f"the `dot` program. To get one, {INSTALL_HELP}. The DOT text "
                               "(graph.source, or render(graph, 'f.dot')) needs neither.")
    return found


def _is_graphviz_pure(program: str) -> bool:
    return pathlib.Path(program).name.lower().startswith("graphviz-pure")


def _run_renderer(source: str, fmt: str) -> bytes:
    """Lay out and draw DOT ``source`` in format ``fmt`` ("png", "svg", "pdf", ...); the bytes.

    Raises:
        RendererNotFound: no renderer, or only graphviz-pure and ``fmt`` is "pdf".
        RuntimeError: the renderer failed or took longer than ``RENDER_TIMEOUT`` seconds.
    """
    program = find_renderer()
    if fmt == "pdf" and _is_graphviz_pure(program):
        raise RendererNotFound("graphviz-pure cannot write PDF (it writes PNG and SVG). Render "
                               "to .svg or .png instead, or install Graphviz's own `dot`, which "
                               "writes PDF (Debian/Ubuntu: `sudo apt-get install graphviz`; "
                               "macOS: `brew install graphviz`).")
    command = [program, "-Kdot", f"-T{fmt}"]
    if fmt == "png":
        command += [f"-Gdpi={PNG_DPI}", f"-Gsize={PNG_MAX_INCHES},{PNG_MAX_INCHES}"]
    try:
        done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True,
                              timeout=RENDER_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{program} did not finish drawing within {RENDER_TIMEOUT} s; the "
                           "graph is too large: draw a smaller part of it, or summarise it "
                           "(summarize_mlp)") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"{program} failed (exit status {done.returncode}) writing {fmt}: "
                           f"{message}")
    return done.stdout


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders with ``find_renderer()``'s program.

    The plain ``graphviz`` package runs a program named ``dot``; this subclass also works with
    ``graphviz-pure`` alone, for Jupyter's inline display (``pipe``) and for ``.render()``.
    Requests the chosen program cannot serve with its defaults (another layout engine, a
    renderer or formatter) go to the ``graphviz`` package as usual.
    """

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False,
             *, engine=None, encoding=None):
        """The graph drawn in ``format`` (default: ``self.format``); str if ``encoding``."""
        if renderer or formatter or neato_no_op or engine not in (None, "dot"):
            return super().pipe(format=format, renderer=renderer, formatter=formatter,
                                neato_no_op=neato_no_op, quiet=quiet, engine=engine,
                                encoding=encoding)
        data = _run_renderer(self.source, format or self.format)
        return data.decode(encoding) if encoding else data

    def _render(self, engine, format=None, filepath=None, renderer=None, formatter=None,
                neato_no_op=None, quiet=False, *, outfile=None, raise_if_result_exists=False,
                overwrite_filepath=False):
        # graphviz.Digraph.render() saves the DOT file, then calls this to draw it.
        if renderer or formatter or neato_no_op or engine != "dot":
            return graphviz.render(engine, format, filepath, renderer=renderer,
                                   formatter=formatter, neato_no_op=neato_no_op, quiet=quiet,
                                   outfile=outfile, raise_if_result_exists=raise_if_result_exists,
                                   overwrite_filepath=overwrite_filepath)
        filepath = pathlib.Path(filepath)
        if outfile is not None:
            outfile = pathlib.Path(outfile)
        else:
            outfile = filepath.with_suffix(f"{filepath.suffix}.{format}")
        if raise_if_result_exists and outfile.exists():
            raise graphviz.FileExistsError(f"output file exists: {os.fspath(outfile)!r}")
        source = filepath.read_text(encoding=self.encoding)
        outfile.write_bytes(_run_renderer(source, format))
        return os.fspath(outfile)


# ------------------------------------------------------------------------ text for labels

def _num(x) -> str:
    """A number for a picture: 3, -2.5, 3/4, 0.333333; very long ones shortened to ~6 digits."""
    text = _fmt(x)
    if len(text) <= 14:
        return text
    try:
        return f"≈{float(x):.6g}"
    except OverflowError:  # an int or Fraction beyond the float range
        return f"≈{text[:6]}…({len(text)} characters)"


def _array_num(x) -> str:
    """One element of an array (a NumPy scalar) with 4 significant digits."""
    return f"{float(x):.4g}"


def _shape(shape: tuple) -> str:
    return "×".join(str(n) for n in shape) if shape else "scalar"


def _esc(text) -> str:
    """Text made safe inside a Graphviz HTML-like label."""
    return html.escape(str(text), quote=True)


def _text(text: str, bold: bool = False, color: str | None = None) -> str:
    """Escaped ``text`` with HTML-like markup for bold and colour."""
    inner = f"<B>{text}</B>" if bold else text
    return f'<FONT COLOR="{color}">{inner}</FONT>' if color else inner


def _cell(text: str, fill: str | None = None, color: str | None = None) -> str:
    bg = f' BGCOLOR="{fill}"' if fill else ""
    return f"<TD{bg}>{_text(text, color=color)}</TD>"


def _box(title: str | None, cells: list[str], look) -> str:
    """An HTML-like label: a title row (if any) over a row of cells, framed as ``look`` says.

    Two rows rather than one keep the boxes narrow, so a left-to-right picture of a long
    chain stays readable when it is scaled to fit a page.
    """
    head = ""
    if title is not None:
        head = f'<TR><TD COLSPAN="{len(cells)}" BGCOLOR="{_NAME_FILL}">{title}</TD></TR>'
    return (f'<<TABLE BORDER="{look.width}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="5" '
            f'COLOR="{look.line}">{head}<TR>{"".join(cells)}</TR></TABLE>>')


def _op_text(node) -> str:
    """The text inside an operation node: ``*``, ``+``, ``**3``, ``exp``, ``@``, ``sum``."""
    op = node.op
    if op.name == "neg":
        return "neg"
    if getattr(op, "takes_const", False):
        const = node.const if isinstance(node, Value) else node.saved
        return f"{op.symbol}{_num(const)}"
    if op.name in ("sum", "mean") and getattr(node, "saved", None) is not None:
        return f"{op.symbol} axis={node.saved}"
    return op.symbol


# ------------------------------------------------------------------------ the graph

def _is_value_graph(root) -> bool:
    if isinstance(root, Value):
        return True
    if hasattr(root, "parents") and hasattr(getattr(root, "data", None), "shape"):
        return False
    raise TypeError(f"draw() takes an autograd.Value or an nn.Tensor, got "
                    f"{type(root).__name__} {root!r}")


def _tensor_names(order: list) -> dict[int, str]:
    """Names for tensors: the label if given, else t1, t2, ... for leaves and n1, n2, ... for
    results, in topological order (as ``node_names`` does for Values)."""
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


def _members(things, order_ids: set, what: str) -> set[int]:
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


def _on_paths(order: list, start) -> set[int]:
    """ids of the nodes on some path from ``start`` to the root: those that depend on start."""
    reached = {id(start)}
    for node in order:  # topological: every parent comes before the node
        if any(id(p) in reached for p in node.parents):
            reached.add(id(node))
    return reached


def _path_summary(order: list, start, root, names) -> str:
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
        n = sum(count.get(id(p), 0) for p in node.parents)
        if n:
            count[id(node)] = n
            if with_sum:
                try:
                    locals_ = node.local_derivatives()
                except (ArithmeticError, ValueError):
                    with_sum = False
                    continue
                total = 0
                for p, local in zip(node.parents, locals_):
                    if id(p) in deriv:
                        total = total + local * deriv[id(p)]
                deriv[id(node)] = total
    n = count.get(id(root), 0)
    x, f = names[id(start)], names[id(root)]
    text = f"{n} path{'s' if n != 1 else ''} from {x} to {f}"
    if with_sum and n:
        text += (f": the products of the local derivatives along them sum to "
                 f"d{f}/d{x} = {_num(deriv[id(root)])}")
    return text


def _stepper_states(stepper: Stepper, order: list):
    """(node state by id, edge state by (node id, position), ids whose grad is set so far)."""
    done_edges = {(id(s.node), s.position) for s in stepper.steps}
    current = stepper.current
    incoming: dict[int, int] = {}
    for node in order:
        for p in node.parents:
            incoming[id(p)] = incoming.get(id(p), 0) + 1
    received: dict[int, int] = {}
    for s in stepper.steps:
        received[id(s.child)] = received.get(id(s.child), 0) + 1
    reached = set(received)
    if stepper.steps:
        reached.add(id(stepper.root))
    nodes, edges = {}, {}
    for node in order:
        key = id(node)
        if node is current:
            nodes[key] = "current"
        elif node.op is not None:
            passed = all((key, i) in done_edges for i in range(len(node.parents)))
            nodes[key] = "done" if passed else "pending"
        else:
            complete = received.get(key, 0) == incoming.get(key, 0) and key in reached
            nodes[key] = "done" if complete else "pending"
        for i in range(len(node.parents)):
            if (key, i) in done_edges:
                edges[(key, i)] = "done"
            elif node is current:
                edges[(key, i)] = "current"
            else:
                edges[(key, i)] = "pending"
    return nodes, edges, reached


def _legend(rows: list[tuple[str | None, str]]) -> str:
    """A graph label: one row per (fill colour or None, text)."""
    cells = []
    for colours, text in rows:
        if colours is None:
            cells.append(f'<TR><TD ALIGN="LEFT" COLSPAN="2">{text}</TD></TR>')
        else:
            fill, line = colours
            cells.append(f'<TR><TD BGCOLOR="{fill}" COLOR="{line}" BORDER="2" WIDTH="28">'
                         f'</TD><TD ALIGN="LEFT">{text}</TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="3">'
            + "".join(cells) + "</TABLE>>")


def draw(root, *, rankdir: str = "LR", show_grad: bool = True, edge_labels: bool = False,
         highlight=None, paths_from=None, stepper: Stepper | None = None,
         max_nodes: int = 500) -> Drawing:
    """Draw ``root``'s computation graph: each value a box, each operation a node between them.

    A value box shows the value's name (its label, or ``n1, n2, ...`` as in
    ``autograd.trace.node_names``), its data and its grad. An edge runs from each input to the
    operation for each use, so ``x * x`` has two edges from x. An ``nn.Tensor`` graph has one
    box per tensor operation, titled with what it computes (``n1 = x @ weight``), with the
    result's shape and the length of its grad, plus one box per input or parameter.

    Args:
        root: the output, an ``autograd.Value`` or an ``nn.Tensor``.
        rankdir: "LR" (inputs on the left, default) or "TB" (inputs on top); "RL", "BT" too.
        show_grad: show each value's grad.
        edge_labels: label each input edge with its local derivative, from the operation
            table: ``df/dv = 3*v**2 = 17328``.
        highlight: a Value (or Tensor), or a list of them, to mark in yellow.
        paths_from: a Value whose paths to ``root`` are coloured blue; the legend counts them
            and gives the sum of their products, which is d root / d paths_from.
        stepper: an ``autograd.trace.Stepper`` on ``root``: nodes and edges are coloured done,
            current or pending, the grads are those of that moment (``-`` where backward has
            not reached yet), done edges show what they added, and a legend names the last
            step. Drawing after each ``stepper.step()`` gives the frames of backprop.
        max_nodes: refuse graphs with more values (or tensors) than this. A Value picture
            has about twice as many nodes: one per value, one per operation.

    Returns:
        ``Drawing``, a ``graphviz.Digraph``: shown inline in Jupyter; ``.source`` is the DOT
        text; ``render(graph, "f.png")`` or ``.render()`` writes a file.

    Raises:
        ValueError: more than ``max_nodes`` values (the message says how to see the detail);
            a ``highlight``/``paths_from`` node not in the graph; a stepper on another root;
            an unknown ``rankdir``.
        TypeError: ``root`` is not a Value or Tensor; a stepper with a Tensor root.

    >>> from autograd import Value
    >>> x = Value(3, label="x")
    >>> y = x * x; y.label = "y"
    >>> y.backward()
    >>> g = draw(y)
    >>> [line.strip() for line in g.source.splitlines() if "->" in line]   # x used twice
    ['v0 -> op1', 'v0 -> op1', 'op1 -> v1']
    >>> "grad 6" in g.source and "data 9" in g.source
    True
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR' (left to right) or 'TB' (top to bottom), "
                         f"got {rankdir!r}")
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
    index = {id(node): i for i, node in enumerate(order)}
    names = node_names(root) if scalar else _tensor_names(order)
    marked = _members(highlight, ids, "highlight")
    on_path: set[int] = set()
    if paths_from is not None:
        _members(paths_from, ids, "paths_from")
        on_path = _on_paths(order, paths_from)
    node_state: dict[int, str] = {}
    edge_state: dict[tuple[int, int], str] = {}
    reached: set[int] = set()
    products: dict[tuple[int, int], object] = {}
    if stepper is not None:
        if not scalar:
            raise TypeError("a Stepper steps through a Value graph; Tensors have none")
        if stepper.root is not root:
            raise ValueError("the stepper was made for another root: draw(stepper.root, "
                             "stepper=stepper)")
        node_state, edge_state, reached = _stepper_states(stepper, order)
        products = {(id(s.node), s.position): s.product for s in stepper.steps}

    graph = Drawing(name=re.sub(r"\W", "_", names[id(root)]) or "graph", format="png")
    graph.attr("graph", rankdir=rankdir, bgcolor="white", fontname=_FONT, fontsize="14",
               nodesep="0.35", ranksep="0.45", pad="0.25")
    graph.attr("node", fontname=_FONT, fontsize="14")
    graph.attr("edge", fontname=_FONT, fontsize="12", color=_EDGE, arrowsize="0.8")

    for node in order:
        key = id(node)
        i = index[key]
        state = node_state.get(key)
        look = _look(key in on_path, state, key in marked)
        if scalar:
            title, cells = _value_cells(node, names, look, show_grad,
                                        grad_known=state is None or key in reached)
            tooltip = (_definition(node, names) if node.op is not None
                       else f"{names[key]} (input)" if node.label else f"constant {names[key]}")
        else:
            title, cells, tooltip = _tensor_cells(node, names, look, show_grad)
        graph.node(f"v{i}", label=_box(title, cells, look), shape="plain",
                   tooltip=graphviz.escape(tooltip))
        if node.op is None:
            continue
        # Values: the operation is a small node of its own between inputs and output.
        # Tensors: the box says "n1 = x @ weight", so the operation needs no node.
        target = f"op{i}" if scalar else f"v{i}"
        if scalar:
            text = _op_text(node)
            graph.node(target, label=_esc(text), shape="circle" if len(text) <= 3 else "ellipse",
                       style="filled", fillcolor=look.op_fill, color=look.line,
                       penwidth=str(look.width), margin="0.04", width="0.45", height="0.45",
                       fontsize="14" if len(text) <= 3 else "12")
            out_attrs = {}
            if look.line != _PLAIN[1]:
                out_attrs["color"] = look.line
            if state == "pending":
                out_attrs["style"] = "dashed"
            elif key in on_path or state is not None:
                out_attrs["penwidth"] = "2.5"
        for position, parent in enumerate(node.parents):
            attrs = {}
            lines = [_edge_formula(node, position, names, scalar)] if edge_labels else []
            edge = edge_state.get((key, position))
            if edge is not None:
                attrs["color"] = _STATES[edge][1]
                if edge == "pending":
                    attrs["style"] = "dashed"
                else:
                    attrs["penwidth"] = "2.5"
                if edge == "done":
                    lines.append(f"+= {_num(products[(key, position)])}")
            elif key in on_path and id(parent) in on_path:
                attrs["color"], attrs["penwidth"] = _PATH[1], "2.5"
            lines = [line for line in lines if line]
            if lines:
                colour = attrs.get("color", "#37474f")
                attrs["label"] = ("<" + "<BR/>".join(f'<FONT COLOR="{colour}">{_esc(t)}</FONT>'
                                                     for t in lines) + ">")
            graph.edge(f"v{index[id(parent)]}", target, **attrs)
        if scalar:
            graph.edge(target, f"v{i}", **out_attrs)

    legend = []
    if stepper is not None:
        total = sum(len(n.parents) for n in order)
        if stepper.steps:
            s = stepper.steps[-1]
            legend.append((None, _esc(
                f"backward, step {s.index} of {total}: {s.child_name}.grad += "
                f"d{s.node_name}/d{s.child_name} * {s.node_name}.grad = {_num(s.local)} * "
                f"{_num(s.upstream)} = {_num(s.product)}")))
        else:
            legend.append((None, _esc(f"backward, step 0 of {total}: nothing passed yet; the "
                                      f"first step sets {names[id(root)]}.grad = 1")))
        legend += [(_STATES[state], _esc(_STATE_TEXT[state]))
                   for state in ("done", "current", "pending")]
    if paths_from is not None:
        summary = _path_summary(order, paths_from, root, names)
        legend.append((_PATH, _esc(summary)))
    if marked:
        legend.append((_HIGHLIGHT, "highlighted"))
    if legend:
        graph.attr("graph", label=_legend(legend), labelloc="b", labeljust="l")
    return graph


class _Look:
    """How one node is drawn: fill and line colours, line width, text colour."""

    def __init__(self, fill, line, width=1, text=None, op_fill=_OP_FILL):
        self.fill, self.line, self.width, self.text, self.op_fill = fill, line, width, text, op_fill


def _look(on_path: bool, state: str | None, marked: bool) -> _Look:
    if marked:
        return _Look(_HIGHLIGHT[0], _HIGHLIGHT[1], 3, op_fill=_HIGHLIGHT[0])
    if state is not None:
        fill, line = _STATES[state]
        return _Look(fill, line, 3 if state == "current" else 1,
                     text="#707070" if state == "pending" else None, op_fill=fill)
    if on_path:
        return _Look(_PATH[0], _PATH[1], 2, op_fill=_PATH[0])
    return _Look(*_PLAIN)


def _value_cells(node: Value, names, look: _Look, show_grad: bool, grad_known: bool):
    """The title (name) and the data and grad cells of a Value's box (a constant such as the 2
    of 2*x has no title: its name is its number)."""
    title = None
    if node.op is not None or node.label:
        title = _text(_esc(names[id(node)]), bold=True, color=look.text)
    cells = [_cell(f"data {_esc(_num(node.data))}", look.fill, color=look.text)]
    if show_grad:
        grad = _num(node.grad) if grad_known else "-"
        cells.append(_cell(f"grad {_esc(grad)}", look.fill, color=look.text))
    return title, cells


def _tensor_definition(node, names) -> str:
    """``n1 = x @ weight``, ``n3 = sigmoid(n2)``, ``n9 = sum(n8, axis=1)``."""
    args = [names[id(p)] for p in node.parents]
    op = node.op
    if op.elementwise:  # an entry of the scalar table, applied elementwise
        if op.takes_const:
            args.append(_num(node.saved))
        text = op.expression(*args)
    else:  # an array-only operation (nn.tensor_ops)
        text = op.describe(args, node.saved)
    return f"{names[id(node)]} = {text}"


def _tensor_cells(node, names, look: _Look, show_grad: bool):
    """A tensor's box: title (its definition), cells (shape, value if it has one element, grad)
    and a tooltip."""
    name = names[id(node)]
    title = _tensor_definition(node, names) if node.op is not None else name
    cells = [_cell(_esc(_shape(node.shape)), look.fill)]
    if node.data.size == 1:
        cells.append(_cell(f"data {_array_num(node.data.reshape(()).item())}", look.fill))
    if show_grad:
        cells.append(_cell(_esc(_tensor_grad(node)), look.fill))
    kind = "input" if node.op is None and not node.requires_grad else (
        "parameter" if node.op is None else node.op.name)
    tooltip = f"{title}: {kind}, shape {node.shape}, {node.dtype}"
    return _text(_esc(title), bold=True), cells, tooltip


def _tensor_grad(node) -> str:
    """``grad 0.5`` for one element, ``‖grad‖ 0.0213`` (its length) for an array."""
    grad = node.grad
    if grad is None:
        return "grad -" if node.requires_grad else "no grad"
    if grad.size == 1:
        return f"grad {_array_num(grad.reshape(()).item())}"
    return f"‖grad‖ {_array_num((grad.astype('float64') ** 2).sum() ** 0.5)}"



def _edge_formula(node, position: int, names, scalar: bool) -> str:
    """``df/dv = 3*v**2 = 17328``: the local derivative of one input edge, from the op table."""
    if not hasattr(node.op, "formulas"):  # array-only operations give a VJP, not a formula
        return ""
    out, child = names[id(node)], names[id(node.parents[position])]
    if scalar:
        formula = _local_formula(node, position, names)
        value = _num(node.local_derivatives()[position])
        text = f"d{out}/d{child} = {formula}"
        return text if formula == value else f"{text} = {value}"
    args = [names[id(p)] for p in node.parents]
    if node.op.takes_const:
        args.append(node.saved)
    return f"d{out}/d{child} = {node.op.formulas(out, *args)[position]}"


# ------------------------------------------------------------------------ writing files

def render(graph_or_root, path, **draw_options) -> pathlib.Path:
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
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "dot":
        path.write_text(source, encoding="utf-8")
    else:
        path.write_bytes(_run_renderer(source, fmt))
    return path


# ------------------------------------------------------------------------ network summaries

def _layers_of(model) -> tuple[int, list[tuple[str, int, int, str, int]]]:
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


def _value_nodes(n_in: int, rows) -> int:
    """Values one forward pass of an nn.MLP builds: the inputs, then per neuron and input a
    weight, a product and a sum, plus the bias and the activation (see ``nn.Neuron``)."""
    total = n_in
    for _kind, layer_in, n_out, activation, _params in rows:
        total += n_out * (3 * layer_in + 1 + (activation != "linear"))
    return total


def summarize_mlp(model, *, rankdir: str = "LR") -> Drawing:
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
    graph.attr("graph", rankdir=rankdir, bgcolor="white", fontname=_FONT, fontsize="14",
               nodesep="0.4", ranksep="0.5", pad="0.25")
    graph.attr("node", fontname=_FONT, fontsize="14", shape="plain")
    graph.attr("edge", fontname=_FONT, fontsize="12", color=_EDGE)
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
    graph.attr("graph", label=_esc(caption), labelloc="b", labeljust="l")
    return graph


def _summary_box(title: str, lines: list[str], escape_last: bool = True) -> str:
    body = [_esc(line) for line in lines]
    if not escape_last:
        body[-1] = lines[-1]
    rows = "".join(f'<TR><TD ALIGN="LEFT">{line}</TD></TR>' for line in body)
    return (f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="5" '
            f'COLOR="{_PLAIN[1]}"><TR><TD BGCOLOR="{_NAME_FILL}"><B>{_esc(title)}</B></TD></TR>'
            f"{rows}</TABLE>>")
