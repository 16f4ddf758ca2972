"""An explorable page of any graph: ``explore(f, "page.html")`` writes one self-contained HTML
file in which a learner plays the forward pass, then steps backward one chain-rule edge at a
time, and clicks any value to see its numbers and its paths to the output.

The page needs no network and no server: the graph's picture (SVG, drawn by
``autograd.draw``), every step of one backward pass (``autograd.trace.Stepper``) and the
script are inlined. In it:

* **Forward** fills in the values in topological order (the inputs are given), then
  **backward** starts: the output's grad is 1, and each step passes one local derivative
  times upstream down one edge, the current edge highlighted, each input's grad filling in,
  and the trace table beside the graph kept in step.
* The buttons and the arrow keys (← →, Home, End) step; **play** runs on by itself.
* Clicking a value shows its data, its grad at this step, its local derivatives and its paths
  to the output, which are highlighted.
* The address names the step: ``page.html#step=K`` opens the state after K chain-rule steps
  (so a teacher can link a step), and the address follows the stepping. With
  ``by="label"`` a step is one labelled node and the page says so.

Each value's element in the picture carries ``data-name`` (its name as in the trace) and
``data-grad`` (its grad at the current step, written as the trace writes numbers; empty
before backward reaches it); the page's ``<body>`` carries ``data-step``.

The numbers are those of one fresh backward pass (see ``autograd.trace``, "Honest numbers");
after ``explore`` the leaves hold that pass's gradients.
"""

from __future__ import annotations

import html
import json
import os
import pathlib

from .files import write_file
from .graph import topological_order
from .text import forward_line, in_words, number
from .trace import MAX_PATHS, STEP_UNITS, PathFinder, Stepper, steps_table
from .value import Value

__all__ = ["explore", "page_html", "MAX_PAGE_NODES", "command_line_page"]

MAX_PAGE_NODES = 200
"""Most values a page shows by default: a picture with more cannot be read on a screen."""

_PATHS_LISTED = 12  # paths written out in a value's details; the rest are counted


def explore(root: Value, path: str | os.PathLike[str], *, by: str = "edge",
            edge_labels: bool = True, max_nodes: int = MAX_PAGE_NODES,
            rankdir: str = "auto") -> pathlib.Path:
    """Write an explorable page of ``root``'s graph and its backward pass to ``path``.

    Args:
        root: the output, an ``autograd.Value``.
        path: the ``.html`` file to write (missing folders are created).
        by: ``"edge"`` (a step is one chain-rule edge, the default) or ``"label"`` (one
            labelled node, as the lesson steps; see ``autograd.trace.Stepper``).
        edge_labels: label each edge with its local derivative (``∂n3/∂w3 = h1 = 25``).
        max_nodes: refuse graphs with more values than this.
        rankdir: the picture's direction (see ``autograd.draw.draw``).

    Returns:
        The path written, as a ``pathlib.Path``.

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: more than ``max_nodes`` values (the message says what to do instead);
            ``path`` does not end in .html; an unknown ``by``.
        autograd.draw.RendererNotFound: no Graphviz renderer to draw the picture.

    >>> import tempfile
    >>> x = Value(3.0, label="x"); y = x * x; y.label = "y"
    >>> page = explore(y, tempfile.mkdtemp() + "/square.html")
    >>> text = page.read_text(encoding="utf-8")
    >>> '"name": "x"' in text and "<svg" in text and "<link" not in text
    True
    """
    path = pathlib.Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"explore() writes an HTML page: give a path ending in .html, got "
                         f"{str(path)!r}")
    text = page_html(root, by=by, edge_labels=edge_labels, max_nodes=max_nodes,
                     rankdir=rankdir)
    return write_file(path, text, "the page", make_folder=True)


def page_html(root: Value, *, by: str = "edge", edge_labels: bool = True,
              max_nodes: int = MAX_PAGE_NODES, rankdir: str = "auto") -> str:
    """The page ``explore`` writes, as text (same arguments and errors, without ``path``)."""
    if not isinstance(root, Value):
        raise TypeError(f"explore() takes an autograd.Value, got {type(root).__name__} "
                        f"{root!r}")
    if by not in STEP_UNITS:
        raise ValueError(f"by must be 'edge' (a step per chain-rule edge) or 'label' (a step "
                         f"per labelled node), got {by!r}")
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"this graph has {len(order):,} values, more than max_nodes={max_nodes}: a page "
            "that large cannot be read. Explore a smaller part (the output of one neuron, or "
            "a network with fewer inputs), draw a network's layers with "
            "autograd.draw.summarize_mlp(model), or pass "
            f"max_nodes={len(order)} to write the page anyway.")
    stepper = Stepper(root, by=by)
    stepper.run()
    data = _page_data(stepper, order)
    svg = _picture(root, stepper, edge_labels, rankdir)
    table = steps_table(stepper.steps).html()
    title = f"backprop through {stepper.names[id(root)]} = {number(root.data)}"
    return _PAGE.format(title=html.escape(title), svg=svg, table=table,
                        data=_script_json(data), script=_SCRIPT, style=_STYLE,
                        unit=("labelled-node steps" if by == "label" else "chain-rule steps"))


def command_line_page(root: Value, path: str) -> int:
    """What ``python -m autograd grad ... --html FILE`` runs: write the page, say where, and
    return the exit status (1, with the reason on stderr, when it cannot be written)."""
    import sys

    from .draw import RendererNotFound

    root.zero_grad()  # the command's own trace ran a pass: nothing here to set aside
    try:
        written = explore(root, path)
    except (RendererNotFound, ValueError, OSError) as exc:
        print(f"error: cannot write the page {path}: {exc}", file=sys.stderr)
        return 1
    print(f"\nexplorable page written to {written} (open it in a browser; "
          f"{written.name}#step=K opens step K)")
    return 0


def _picture(root: Value, stepper: Stepper, edge_labels: bool, rankdir: str) -> str:
    """The SVG of the finished pass, laid out with room for every step's numbers, without
    its legend (the page has its own), ready for the script to recolour."""
    from .draw import draw  # imported here: autograd.draw needs graphviz

    graph = draw(root, stepper=stepper.frame(), edge_labels=edge_labels, rankdir=rankdir)
    graph.attr("graph", label="")
    svg = graph.pipe(format="svg", encoding="utf-8")
    return svg[svg.index("<svg"):]


def _page_data(stepper: Stepper, order: list) -> dict:
    """Everything the script needs, as plain JSON: nodes, steps, frames, paths."""
    names = stepper.names
    index = {id(node): i for i, node in enumerate(order)}
    finder = PathFinder(stepper.root, names)
    nodes = []
    for i, node in enumerate(order):
        nodes.append({
            "id": f"v{i}", "name": names[id(node)], "words": in_words(node, names),
            "data": number(node.data), "op": node.op is not None,
            "forward": forward_line(node, names) if node.op is not None else "",
            "inputs": [index[id(x)] for x in node.inputs],
            "locals": _local_lines(node, stepper, finder, names),
            "paths": _paths_of(node, finder, index),
        })
    steps = [{"node": index[id(s.node)], "input": index[id(s.input)], "position": s.position,
              "grad": number(s.grad_after), "product": number(s.product),
              "caption": stepper.frame(s.index).caption()} for s in stepper.steps]
    frames = [f.k for f in stepper.frames()]
    return {"nodes": nodes, "steps": steps, "frames": frames, "units": stepper.unit_edges,
            "root": index[id(stepper.root)], "start": stepper.frame(0).caption(),
            "by": stepper.by, "header": [line for line in stepper.table().preface],
            "forward": [i for i, node in enumerate(order) if node.op is not None]}


def _local_lines(node: Value, stepper: Stepper, finder: PathFinder,
                 names: dict[int, str]) -> list[str]:
    """A value's local derivatives: by each of its inputs, and of each node that uses it."""
    from .draw.values import edge_text

    lines = [edge_text(node, p, names) for p in range(len(node.inputs))]
    for user, position in finder.users.get(id(node), []):
        lines.append(edge_text(user, position, names))
    return lines


def _paths_of(node: Value, finder: PathFinder, index: dict[int, int]) -> dict[str, object]:
    """The nodes and edges on the paths from ``node`` to the root, and the paths written out
    (up to ``_PATHS_LISTED``), for the page's highlight and details."""
    count = finder.count(node)
    on = {id(node)}  # every node of the graph leads to the root, so these are the paths'
    for later in finder.order:  # nodes: those that depend on it (topological order)
        if any(id(i) in on for i in later.inputs):
            on.add(id(later))
    nodes = [index[key] for key in on if key in index]
    edges = [f"e{index[id(u)]}-{p}" for u in finder.order for p, i in enumerate(u.inputs)
             if id(u) in on and id(i) in on]
    edges += [f"o{index[id(u)]}" for u in finder.order if id(u) in on and u.op is not None
              and any(id(i) in on for i in u.inputs)]
    listed = []
    if 0 < count <= MAX_PATHS:
        found = finder.paths(node, limit=MAX_PATHS)
        listed = [repr(p)[len("path "):] for p in found[:_PATHS_LISTED]]
        total = number(found.total)
    else:
        total = ""
    return {"count": count, "nodes": sorted(nodes), "edges": edges, "listed": listed,
            "total": total, "root": node is finder.root}


def _script_json(data: dict) -> str:
    """JSON safe inside a <script> element (no ``</`` can close it early)."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .3em 0; }
#controls button { font-size: 1em; margin-right: .3em; padding: .2em .7em; }
#caption { font-size: 1.05em; min-height: 1.4em; margin: .4em 0; }
#counter { margin-left: .6em; color: #555; }
main { display: flex; gap: 1.5em; align-items: flex-start; }
#graph { flex: 0 0 auto; max-width: 58vw; overflow: auto; }
#graph svg { max-width: 100%; max-height: 84vh; width: auto; height: auto; }
#graph.full { max-width: none; }
#graph.full svg { max-width: none; max-height: none; }
aside { flex: 1 1 auto; min-width: 22em; font-size: .85em; overflow-x: auto; }
#details { border: 1px solid #ccd; background: #f7f9fc; padding: .6em; margin-bottom: 1em; }
#details h2 { font-size: 1.1em; margin: 0 0 .3em 0; }
#details ul { margin: .2em 0 .4em 1.2em; padding: 0; }
#table table { border-collapse: collapse; }
#table td, #table th { padding: .15em .5em; border-bottom: 1px solid #e4e4e4; white-space: nowrap; }
#table tr.later { opacity: .4; }
#table tr.later td:nth-child(n+5) { color: transparent; }
#table tr.now { background: #ffe0b2; font-weight: bold; }
g.node { cursor: pointer; }
g.node.onpath polygon, g.node.onpath ellipse { stroke: #1565c0 !important; stroke-width: 3px; }
g.edge.onpath path { stroke: #1565c0 !important; stroke-width: 3px; }
g.edge.onpath polygon { stroke: #1565c0 !important; fill: #1565c0 !important; }
g.node.chosen polygon:first-of-type { stroke: #b58900 !important; stroke-width: 4px; }
.key { display: inline-block; width: 1.6em; height: .9em; border: 2px solid; vertical-align: middle;
       margin: 0 .3em 0 .8em; }
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{style}</style>
</head>
<body data-step="" data-phase="forward">
<h1>{title}</h1>
<div id="header"></div>
<div id="controls">
<button id="start" title="start again (Home)">&#x00AB; start</button>
<button id="prev" title="one step back (&#x2190;)">&#x25C0; back</button>
<button id="next" title="one step on (&#x2192;)">next &#x25B6;</button>
<button id="play" title="play on by itself">play</button>
<button id="zoom" title="the picture at full size, or fitted to the window">zoom</button>
<span id="counter"></span>
</div>
<p id="caption"></p>
<p id="keys"><span class="key" style="background:#d6f0d8;border-color:#2e7d32"></span>done
<span class="key" style="background:#ffe0b2;border-color:#e65100"></span>current
<span class="key" style="background:#f4f4f4;border-color:#a0a0a0"></span>pending
<span class="key" style="background:#dbe9fb;border-color:#1565c0"></span>paths of the value you
clicked &#x2003; link a step: add #step=K to the address (K {unit})</p>
<main>
<div id="graph">{svg}</div>
<aside>
<div id="details"><b>Click a value</b> to see its data, its grad at this step, its local
derivatives and its paths to the output.</div>
<div id="table">{table}</div>
</aside>
</main>
<script type="application/json" id="tracegrad-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""

_SCRIPT = r"""
"use strict";
window.addEventListener("error", function (event) {
  document.body.setAttribute("data-script-error", String(event.message));
});
(function () {
  const D = JSON.parse(document.getElementById("tracegrad-data").textContent);
  const COLOURS = {
    done: ["#d6f0d8", "#2e7d32"], current: ["#ffe0b2", "#e65100"],
    pending: ["#f4f4f4", "#a0a0a0"], plain: ["#ffffff", "#5f6b7a"]
  };
  const NAME_FILL = "#e8eef6", BACKGROUND = "#ffffff";
  const svg = document.querySelector("#graph svg");
  const rows = Array.from(document.querySelectorAll("#table tbody tr"));
  const nForward = D.forward.length, nFrames = D.frames.length;
  const incoming = D.nodes.map(function () { return 0; });
  D.nodes.forEach(function (n) { n.inputs.forEach(function (i) { incoming[i] += 1; }); });
  const unitOf = {};
  D.units.forEach(function (unit, u) { unit.forEach(function (k) { unitOf[k] = u; }); });
  let phase = "forward", fwd = 0, frame = 0, timer = null, chosen = null;

  function el(id) {
    return svg.getElementById ? svg.getElementById(id) : document.getElementById(id);
  }
  function texts(g, prefix) {
    return Array.from(g.querySelectorAll("text")).filter(function (t) {
      return t.textContent.indexOf(prefix) === 0;
    });
  }
  D.nodes.forEach(function (n) {
    const g = el(n.id);
    n.g = g;
    n.dataText = texts(g, "data ")[0];
    n.gradText = texts(g, "grad ")[0];
    g.setAttribute("data-name", n.name);
    g.setAttribute("data-grad", "");
    g.addEventListener("click", function () { choose(n); });
  });

  function paint(g, state) {
    const c = COLOURS[state];
    g.querySelectorAll("polygon, ellipse").forEach(function (shape) {
      const fill = shape.getAttribute("fill"), stroke = shape.getAttribute("stroke");
      if (fill && fill !== "none" && fill.toLowerCase() !== NAME_FILL) shape.style.fill = c[0];
      if (stroke && stroke !== "none" && stroke !== "transparent") shape.style.stroke = c[1];
    });
    g.querySelectorAll("text").forEach(function (t) {
      t.style.fill = state === "pending" ? "#707070" : "";
    });
  }
  function paintEdge(id, state) {
    const g = el(id);
    if (!g) return;
    const c = COLOURS[state];
    g.querySelectorAll("path").forEach(function (p) {
      p.style.stroke = c[1];
      p.style.strokeDasharray = state === "pending" ? "5,2" : "";
      p.style.strokeWidth = state === "plain" || state === "pending" ? "1" : "2.5";
    });
    g.querySelectorAll("polygon").forEach(function (p) {
      p.style.fill = c[1]; p.style.stroke = c[1];
    });
    g.querySelectorAll("text").forEach(function (t) {
      const added = t.textContent.indexOf("+=") === 0;
      t.style.fill = added && state !== "done" ? BACKGROUND : c[1];
    });
  }

  function grads(k) {
    const g = {};
    g[D.root] = "1";
    for (let j = 0; j < k; j++) g[D.steps[j].input] = D.steps[j].grad;
    return g;
  }

  function show() {
    const k = phase === "backward" ? D.frames[frame] : 0;
    const known = phase === "backward" ? grads(k) : {};
    const done = {}, next = {}, received = {};
    if (phase === "backward") {
      for (let j = 0; j < k; j++) {
        const s = D.steps[j];
        done["e" + s.node + "-" + s.position] = true;
        received[s.input] = (received[s.input] || 0) + 1;
      }
      if (k < D.steps.length) {
        D.units[unitOf[k]].forEach(function (j) {
          next["e" + D.steps[j].node + "-" + D.steps[j].position] = true;
        });
      }
    }
    const filled = {};
    D.nodes.forEach(function (n, i) { if (!n.op) filled[i] = true; });
    const upTo = phase === "backward" ? nForward : fwd;
    for (let j = 0; j < upTo; j++) filled[D.forward[j]] = true;
    D.nodes.forEach(function (n, i) {
      n.dataText.textContent = "data " + (filled[i] ? n.data : "?");
      const g = known[i];
      n.gradText.textContent = "grad " + (g === undefined ? "-" : g);
      n.g.setAttribute("data-grad", g === undefined ? "" : g);
      let state;
      if (phase === "forward") {
        state = !filled[i] ? "pending"
          : (fwd > 0 && D.forward[fwd - 1] === i ? "current" : "plain");
      } else if (n.op) {
        const mine = n.inputs.map(function (_, p) { return "e" + i + "-" + p; });
        state = mine.some(function (e) { return next[e]; }) ? "current"
          : (mine.every(function (e) { return done[e]; }) ? "done" : "pending");
      } else {
        state = (received[i] || 0) === incoming[i] && k > 0 ? "done" : "pending";
      }
      paint(n.g, state);
      const op = el("op" + i);
      if (op) paint(op, state);
      n.inputs.forEach(function (_, p) {
        const e = "e" + i + "-" + p;
        paintEdge(e, phase === "forward" ? (filled[i] ? "plain" : "pending")
          : (done[e] ? "done" : (next[e] ? "current" : "pending")));
      });
      if (n.op) paintEdge("o" + i, phase === "forward" ? (filled[i] ? "plain" : "pending") : state);
    });
    rows.forEach(function (row, j) {
      row.className = phase !== "backward" || j >= k ? "later" : (j === k - 1 ? "now" : "");
    });
    const caption = document.getElementById("caption");
    const counter = document.getElementById("counter");
    if (phase === "forward") {
      caption.textContent = fwd === 0
        ? "Forward pass: press next (or \u2192) to compute the values, inputs first."
        : "forward, value " + fwd + " of " + nForward + ": " + D.nodes[D.forward[fwd - 1]].forward;
      counter.textContent = "forward " + fwd + " of " + nForward;
      document.body.setAttribute("data-step", "");
    } else {
      caption.textContent = k === 0 ? D.start : D.steps[k - 1].caption;
      counter.textContent = (D.by === "label" ? "labelled-node step " : "step ") + frame +
        " of " + (nFrames - 1);
      document.body.setAttribute("data-step", String(frame));
      if (window.location.hash !== "#step=" + frame) {
        history.replaceState(null, "", "#step=" + frame);
      }
    }
    document.body.setAttribute("data-phase", phase);
    if (chosen !== null) details(chosen);
  }

  function forwardSteps() { return nForward; }
  function position() { return phase === "forward" ? fwd : forwardSteps() + 1 + frame; }
  function go(p) {
    const last = forwardSteps() + nFrames;
    p = Math.max(0, Math.min(p, last));
    if (p <= forwardSteps()) { phase = "forward"; fwd = p; frame = 0; }
    else { phase = "backward"; fwd = nForward; frame = p - forwardSteps() - 1; }
    show();
  }
  function next() { go(position() + 1); }
  function prev() { go(position() - 1); }

  function choose(n) {
    chosen = n;
    document.querySelectorAll(".onpath, .chosen").forEach(function (g) {
      g.classList.remove("onpath"); g.classList.remove("chosen");
    });
    n.paths.nodes.forEach(function (i) {
      D.nodes[i].g.classList.add("onpath");
      const op = el("op" + i);
      if (op && i !== D.nodes.indexOf(n)) op.classList.add("onpath");
    });
    n.paths.edges.forEach(function (id) { const g = el(id); if (g) g.classList.add("onpath"); });
    n.g.classList.add("chosen");
    details(n);
  }
  function details(n) {
    const box = document.getElementById("details");
    const grad = n.g.getAttribute("data-grad");
    const parts = ["<h2>" + esc(n.words) + "</h2>"];
    if (n.forward) parts.push("<div>" + esc(n.forward) + "</div>");
    parts.push("<div>data " + esc(n.data) + ", grad " +
      (grad === "" ? "not reached yet at this step" : esc(grad)) + "</div>");
    if (n.locals.length) {
      parts.push("<div>local derivatives:</div><ul>" + n.locals.map(function (l) {
        return "<li>" + esc(l) + "</li>"; }).join("") + "</ul>");
    }
    const p = n.paths;
    if (p.root) parts.push("<div>the output itself: its grad is 1</div>");
    else if (p.count === 0) parts.push("<div>no path leads from it to the output</div>");
    else {
      parts.push("<div>" + p.count + " path" + (p.count === 1 ? "" : "s") +
        " to the output (highlighted)" +
        (p.total ? "; their products sum to " + esc(p.total) : "") +
        ":</div><ul>" + p.listed.map(function (l) { return "<li>" + esc(l) + "</li>"; }).join("") +
        (p.listed.length < p.count ? "<li>...</li>" : "") + "</ul>");
    }
    box.innerHTML = parts.join("");
  }
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function fromAddress() {
    const m = /^#step=(\d+)$/.exec(window.location.hash);
    if (m) go(forwardSteps() + 1 + Math.min(parseInt(m[1], 10), nFrames - 1));
    else show();
  }
  function play() {
    const button = document.getElementById("play");
    if (timer !== null) { clearInterval(timer); timer = null; button.textContent = "play"; return; }
    button.textContent = "pause";
    timer = setInterval(function () {
      if (position() >= forwardSteps() + nFrames) { play(); return; }
      next();
    }, 800);
  }
  document.getElementById("next").addEventListener("click", next);
  document.getElementById("prev").addEventListener("click", prev);
  document.getElementById("start").addEventListener("click", function () { go(0); });
  document.getElementById("play").addEventListener("click", play);
  document.getElementById("zoom").addEventListener("click", function () {
    document.getElementById("graph").classList.toggle("full");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight") { next(); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { prev(); event.preventDefault(); }
    else if (event.key === "Home") { go(0); event.preventDefault(); }
    else if (event.key === "End") { go(forwardSteps() + nFrames); event.preventDefault(); }
  });
  window.addEventListener("hashchange", fromAddress);
  document.getElementById("header").innerHTML = D.header.map(function (l) {
    return "<p>" + esc(l) + "</p>"; }).join("");
  fromAddress();
})();
"""
