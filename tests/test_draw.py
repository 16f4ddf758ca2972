"""Rendering: DOT text, real PNG/SVG files from the real renderer, options, limits, errors."""

from __future__ import annotations

import html
import os
import shutil
import stat
import struct
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from fractions import Fraction

import graphviz
import numpy as np
import pytest

import nn
from autograd import Value, topological_order
from autograd.draw import RendererNotFound, draw, find_renderer, render, style, summarize_mlp
from autograd.trace import Stepper, node_names
from examples import chain_example

try:
    RENDERER = find_renderer()
except RendererNotFound:
    RENDERER = None
needs_renderer = pytest.mark.skipif(
    RENDERER is None, reason="no Graphviz renderer: neither `dot` nor `graphviz-pure` is "
    "installed (pip install graphviz-pure, or apt-get install graphviz)")
GRAPHVIZ_PURE = (shutil.which("graphviz-pure")
                 or shutil.which(os.path.join(os.path.dirname(sys.executable), "graphviz-pure")))
SVG = "{http://www.w3.org/2000/svg}"


def edges(graph) -> list[tuple[str, str]]:
    """The (tail, head) pairs of the DOT source, in order, duplicates kept."""
    found = []
    for line in graph.source.splitlines():
        if "->" in line:
            tail, head = line.split("->")
            found.append((tail.strip(), head.split("[")[0].strip()))
    return found


def node_line(graph, node_id: str) -> str:
    return next(line for line in graph.source.splitlines()
                if line.strip().startswith(f"{node_id} "))


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header, checking the signature and the IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_texts(data: bytes) -> list[str]:
    """Every piece of text drawn in an SVG (parsing it checks that it is well-formed XML)."""
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    return [t.text for t in root.iter(f"{SVG}text") if t.text]


def svg_edge_titles(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    return [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]


# ------------------------------------------------------------------------ imports


def test_import_autograd_imports_no_graphviz_numpy_or_matplotlib():
    code = ("import sys, autograd, autograd.trace; "
            "print(sorted(m for m in ('graphviz', 'numpy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------------ the DOT text


def test_each_value_shows_its_name_data_and_grad_and_each_op_is_a_node():
    _, _, u, _, f = chain_example()
    f.backward()
    graph = draw(f)
    assert isinstance(graph, graphviz.Digraph)
    order = topological_order(f)
    names = node_names(f)
    for i, node in enumerate(order):
        line = node_line(graph, f"v{i}")
        assert f"data {node.data}" in line and f"grad {node.grad}" in line
        if node.label:
            assert f"<B>{node.label}</B>" in line
    ops = [n for n in order if n.op is not None]
    assert sum(line.strip().startswith("op") and "->" not in line
               for line in graph.source.splitlines()) == len(ops)
    # One edge per use of each input, and one from each operation to its output.
    assert len(edges(graph)) == sum(len(n.parents) for n in ops) + len(ops)
    assert "rankdir=TB" in graph.source  # "auto": the chain example is deep and narrow
    assert names[id(u)] == "u" and "grad 554496" in graph.source  # x1.grad, by hand


def test_x_times_x_has_two_edges_from_x():
    x = Value(5, label="x")
    y = x * x
    y.backward()
    assert edges(draw(y)) == [("v0", "op1"), ("v0", "op1"), ("op1", "v1")]
    assert "grad 10" in draw(y).source


def test_the_same_graph_gives_the_same_source():
    first = draw(chain_example()[-1], edge_labels=True).source
    second = draw(chain_example()[-1], edge_labels=True).source
    assert first == second
    assert "0x" not in first  # no memory addresses


def test_options_direction_grads_and_edge_labels():
    f = chain_example()[-1]
    f.backward()
    assert "rankdir=TB" in draw(f, rankdir="TB").source
    assert "grad" not in draw(f, show_grad=False).source
    labelled = draw(f, edge_labels=True).source
    for text in ("∂f/∂v = 3*v**2 = 17328", "∂n1/∂x1 = 2", "∂n1/∂(constant 2) = x1 = 3",
                 "∂u/∂x2 = 1"):
        assert text in labelled
    assert "∂f/∂v" not in draw(f).source
    assert "rankdir=LR" in draw(f, rankdir="LR").source
    with pytest.raises(ValueError, match="rankdir"):
        draw(f, rankdir="sideways")
    with pytest.raises(TypeError, match=r"Value or an nn\.Tensor"):
        draw(3.0)


def test_numbers_are_readable_and_labels_are_escaped():
    a = Value(Fraction(3, 4), label='<b>&"a"</b>')
    b = a * 2
    b.backward()
    source = draw(b).source
    assert "data 3/4" in source and "data 3/2" in source and "grad 2" in source
    labels = [line.split("label=")[1].split(" shape=")[0] for line in source.splitlines()
              if "label=<<TABLE" in line]
    assert any("&lt;b&gt;&amp;&quot;a&quot;&lt;/b&gt;" in label for label in labels)
    assert not any("<b>&" in label for label in labels)
    assert "data 0.333333" in draw(Value(1 / 3) + Value(1e30)).source
    assert "data 1e+30" in draw(Value(1e30)).source
    assert "data ≈3.23448e+84" in draw(Value(7) ** 100).source


def test_highlight_and_paths_from():
    x1, x2, u, v, f = chain_example()
    f.backward()
    index = {id(n): i for i, n in enumerate(topological_order(f))}
    marked = draw(f, highlight=[u, x1])
    assert style.HIGHLIGHT[1] in node_line(marked, f"v{index[id(u)]}")
    assert style.HIGHLIGHT[1] not in node_line(marked, f"v{index[id(v)]}")
    assert "highlighted" in marked.source
    with pytest.raises(ValueError, match="not in the graph"):
        draw(f, highlight=Value(1.0))

    graph = draw(f, paths_from=x2)
    blue = style.PATH[1]
    assert "2 paths from x2 to f" in graph.source and "∂f/∂x2 = 485184" in graph.source
    names = node_names(f)
    coloured = {names[id(n)] for n in topological_order(f)
                if blue in node_line(graph, f"v{index[id(n)]}")}
    assert coloured == {"x2", "u", "n2", "n3", "n4", "v", "f"}  # everything x2 flows into
    assert blue not in node_line(graph, f"v{index[id(x1)]}")
    with pytest.raises(ValueError, match="not in the graph"):
        draw(f, paths_from=Value(2))


def test_stepper_frames_colour_done_current_and_pending():
    x1, x2, u, v, f = chain_example(Fraction(3), Fraction(2))
    stepper = Stepper(f)
    index = {id(n): i for i, n in enumerate(topological_order(f))}
    done, current, pending = (style.STATES[s][1] for s in ("done", "current", "pending"))

    frame = draw(f, stepper=stepper)
    assert "step 0 of 11" in frame.source
    assert current in node_line(frame, f"v{index[id(f)]}")
    assert pending in node_line(frame, f"v{index[id(x1)]}")
    assert "grad -" in node_line(frame, f"v{index[id(v)]}")

    frames = [frame.source]
    for _ in range(6):
        stepper.step()
        frames.append(draw(f, stepper=stepper).source)
    assert len(set(frames)) == len(frames)  # every frame differs
    frame = draw(f, stepper=stepper)
    assert ("step 6 of 11: x2's grad += ∂n3/∂x2 × n3's grad = 4 × 51984 = 207936"
            in html.unescape(frame.source))
    assert done in node_line(frame, f"v{index[id(f)]}")
    assert current in node_line(frame, f"v{index[id(stepper.current)]}")
    # x2 has received one of its two contributions: shown with its partial grad, pending.
    assert "grad 207936" in node_line(frame, f"v{index[id(x2)]}")
    assert pending in node_line(frame, f"v{index[id(x2)]}")
    assert "+= 207936" in frame.source

    stepper.run()
    frame = draw(f, stepper=stepper)
    for node in topological_order(f):
        line = node_line(frame, f"v{index[id(node)]}")
        assert done in line and current not in line and "grad -" not in line
    with pytest.raises(ValueError, match="another root"):
        draw(u, stepper=stepper)


def test_a_big_graph_is_refused_quickly_with_a_way_forward():
    net = nn.MLP(784, [16, 16, 10], seed=0)
    out = net([0.5] * 784)[0]
    start = time.perf_counter()
    with pytest.raises(ValueError) as info:
        draw(out)
    assert time.perf_counter() - start < 2
    message = str(info.value)
    assert "max_nodes=500" in message and "summarize_mlp" in message
    assert f"max_nodes={len(topological_order(out))}" in message


def test_summarize_mlp_counts_parameters_for_both_engines():
    scalar = summarize_mlp(nn.MLP(784, [16, 16, 10], seed=0))
    tensor = summarize_mlp(nn.mlp(784, [16, 16, 10], seed=0))
    for graph in (scalar, tensor):
        source = graph.source
        assert "13,002 parameters" in source and "784-16-16-10" in source
        for count in ("12,560 parameters", "272 parameters", "170 parameters",
                      "784 × 16 = 12,544", "16 neurons, sigmoid"):
            assert count in source
    assert "784 values" in scalar.source and "10 values" in scalar.source
    assert "rankdir=TB" in summarize_mlp(nn.MLP(3, [2]), rankdir="TB").source
    with pytest.raises(TypeError, match=r"nn\.MLP or an nn\.Sequential"):
        summarize_mlp(Value(1.0))


def test_summary_counts_the_values_of_a_forward_pass():
    net = nn.MLP(5, [4, 3], activation=["tanh", "linear"], seed=1)
    outputs = net([0.1, 0.2, 0.3, 0.4, 0.5])
    nodes = {id(n) for out in outputs for n in topological_order(out)}
    assert f"builds {len(nodes):,} nodes" in summarize_mlp(net).source


def tensor_mlp_loss():
    net = nn.mlp(784, [16, 16, 10], seed=0)
    x = nn.Tensor(np.random.default_rng(0).random((32, 784)), label="x")
    loss = net(x).cross_entropy(np.arange(32) % 10)
    loss.label = "loss"
    loss.backward()
    return loss


def test_tensor_graphs_have_one_node_per_operation_with_shapes():
    loss = tensor_mlp_loss()
    graph = draw(loss, edge_labels=True)
    order = topological_order(loss)
    assert "op" not in {tail[:2] for tail, _ in edges(graph)}
    assert len(edges(graph)) == sum(len(n.parents) for n in order)
    # Each Linear with its activation is one operation (nn.tensor_ops.Dense).
    for text in ("n1 = sigmoid(x @ weight + bias)", "32×784", "784×16", "32×16",
                 "n3 = sigmoid(n2 @ weight + bias)", "loss = cross_entropy(n3)", "scalar",
                 "no grad", "‖grad‖"):
        assert text in graph.source
    assert graph.source == draw(tensor_mlp_loss(), edge_labels=True).source
    # An elementwise operation's edge carries its local derivative from the table.
    t = nn.Tensor(np.ones((2, 3)), requires_grad=True, label="t")
    assert "∂n1/∂t = n1*(1 - n1)" in draw(t.sigmoid().sum(), edge_labels=True).source


# ------------------------------------------------------------------------ real files


@needs_renderer
def test_png_and_svg_are_valid_and_sane(tmp_path):
    f = chain_example()[-1]
    f.backward()
    png = render(f, tmp_path / "chain.png", edge_labels=True)
    assert png == tmp_path / "chain.png"
    width, height = png_size(png.read_bytes())
    assert 400 < width < 8000 and 100 < height < 8000
    assert 5_000 < png.stat().st_size < 2_000_000

    svg = render(f, tmp_path / "sub" / "chain.svg")
    texts = svg_texts(svg.read_bytes())
    assert 2_000 < svg.stat().st_size < 500_000
    names = node_names(f)
    for node in topological_order(f):
        if node.label or node.op is not None:
            assert names[id(node)] in texts
        assert f"data {node.data}" in texts and f"grad {node.grad}" in texts
    for symbol in ("×", "+", "**2", "**3"):
        assert symbol in texts


@needs_renderer
def test_svg_has_the_two_edges_of_x_times_x(tmp_path):
    x = Value(5, label="x")
    y = x * x
    y.backward()
    titles = svg_edge_titles(render(y, tmp_path / "square.svg").read_bytes())
    assert sorted(titles) == ["op1->v1", "v0->op1", "v0->op1"]


@needs_renderer
def test_the_same_graph_renders_to_the_same_bytes(tmp_path):
    for suffix in ("png", "svg"):
        first = render(chain_example()[-1], tmp_path / f"a.{suffix}")
        second = render(draw(chain_example()[-1]), tmp_path / f"b.{suffix}")
        assert first.read_bytes() == second.read_bytes()


@needs_renderer
def test_escaped_labels_survive_rendering(tmp_path):
    a = Value(2, label='<b>&"a"')
    texts = svg_texts(render(a * 3, tmp_path / "e.svg").read_bytes())
    assert '<b>&"a"' in texts


@needs_renderer
def test_tensor_graph_and_summary_render(tmp_path):
    texts = svg_texts(render(tensor_mlp_loss(), tmp_path / "t.svg").read_bytes())
    assert "n1 = sigmoid(x @ weight + bias)" in texts and "32×16" in texts
    summary = render(summarize_mlp(nn.MLP(784, [16, 16, 10])), tmp_path / "s.png")
    width, height = png_size(summary.read_bytes())
    assert 500 < width < 5000 and 100 < height < 2000


@needs_renderer
def test_digraph_methods_use_the_found_renderer(tmp_path):
    graph = draw(chain_example()[-1])
    bundle = graph._repr_mimebundle_()  # what Jupyter calls to show the graph inline
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert png_size(graph.pipe(format="png"))[0] > 100
    out = graph.render(outfile=tmp_path / "r.svg")
    assert svg_texts(pathlib_bytes(out))
    out = graph.render(tmp_path / "chain", format="png", cleanup=True)
    assert out.endswith("chain.png") and png_size(pathlib_bytes(out))
    assert not (tmp_path / "chain").exists()


def pathlib_bytes(path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def test_render_writes_dot_without_a_renderer_and_checks_its_arguments(tmp_path):
    f = chain_example()[-1]
    path = render(f, tmp_path / "chain.gv")
    assert path.read_text(encoding="utf-8") == draw(f).source
    assert render(draw(f), tmp_path / "chain.dot").read_text(encoding="utf-8") == draw(f).source
    with pytest.raises(ValueError, match="extension"):
        render(f, tmp_path / "chain.jpg2")
    with pytest.raises(TypeError, match="already drawn"):
        render(draw(f), tmp_path / "x.svg", edge_labels=True)
    assert f.draw(rankdir="TB").source == draw(f, rankdir="TB").source


# ------------------------------------------------------------------------ finding the renderer


def no_renderer(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))


def test_missing_renderer_says_how_to_install_one(monkeypatch, tmp_path):
    no_renderer(monkeypatch, tmp_path)
    f = chain_example()[-1]
    for suffix in ("png", "svg", "pdf"):
        with pytest.raises(RendererNotFound) as info:
            render(f, tmp_path / f"chain.{suffix}")
        message = str(info.value)
        assert "apt-get install graphviz" in message and "brew install graphviz" in message
        assert 'pip install "tracegrad[draw]"' in message
    assert isinstance(info.value, RuntimeError)
    assert not (tmp_path / "chain.png").exists()
    # The DOT text needs no renderer.
    assert draw(f).source.startswith("digraph")
    assert render(f, tmp_path / "chain.dot").exists()


def fake_dot(tmp_path, log, fail=False):
    """A `dot` that logs its arguments, fakes PDF and hands the rest to graphviz-pure."""
    script = tmp_path / "dot"
    script.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import subprocess, sys
        with open({str(log)!r}, "a") as fh:
            fh.write(" ".join(sys.argv[1:]) + "\\n")
        if {fail!r}:
            sys.stderr.write("Error: syntax error in line 1\\n")
            sys.exit(1)
        if "-Tpdf" in sys.argv:
            sys.stdout.buffer.write(b"%PDF-1.4 fake\\n")
        else:
            sys.exit(subprocess.run([{GRAPHVIZ_PURE!r}, *sys.argv[1:]]).returncode)
        """))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@pytest.mark.skipif(GRAPHVIZ_PURE is None or os.name == "nt",
                    reason="needs graphviz-pure (pip install graphviz-pure), and a fake dot "
                    "script run by its #! line")
def test_dot_on_path_is_preferred_and_may_write_pdf(monkeypatch, tmp_path):
    log = tmp_path / "calls.txt"
    dot = fake_dot(tmp_path, log)
    monkeypatch.setattr(shutil, "which",
                        lambda name, *a, **k: dot if name == "dot" else GRAPHVIZ_PURE)
    assert find_renderer() == dot
    f = chain_example()[-1]
    svg = render(f, tmp_path / "c.svg")
    assert svg_texts(svg.read_bytes())
    assert render(f, tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
    assert log.read_text().splitlines() == ["-Kdot -Tsvg", "-Kdot -Tpdf"]


@pytest.mark.skipif(os.name == "nt", reason="the fake dot is a script run by its #! line")
def test_a_failing_renderer_reports_its_error(monkeypatch, tmp_path):
    dot = fake_dot(tmp_path, tmp_path / "calls.txt", fail=True)
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: dot if name == "dot" else None)
    with pytest.raises(RuntimeError, match=r"exit status 1.*syntax error"):
        render(Value(1.0), tmp_path / "x.svg")


@pytest.mark.skipif(GRAPHVIZ_PURE is None, reason="graphviz-pure is not installed")
def test_graphviz_pure_is_the_fallback_and_cannot_write_pdf(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which",
                        lambda name, *a, **k: GRAPHVIZ_PURE if name == "graphviz-pure" else None)
    assert find_renderer() == GRAPHVIZ_PURE
    with pytest.raises(RendererNotFound, match="graphviz-pure cannot write PDF"):
        render(Value(1.0), tmp_path / "x.pdf")
    assert png_size(render(Value(1.0), tmp_path / "x.png").read_bytes())


def test_graphviz_pure_next_to_python_is_found(monkeypatch, tmp_path):
    folder = tmp_path / "venv" / "bin"
    folder.mkdir(parents=True)
    program = folder / "graphviz-pure"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    monkeypatch.setattr(sys, "executable", str(folder / "python"))
    assert find_renderer() == str(program)
