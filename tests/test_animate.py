"""Pictures of a stepper's pass and the GIF of it: captions and boxes agree, frames of one
size and layout, deterministic bytes, the refusals; pictures that fit a slide."""

from __future__ import annotations

import html
import re
import sys

import pytest

from autograd import Value, topological_order
from autograd.draw import (
    MAX_ANIMATION_STEPS,
    SLIDE_ASPECT,
    SLIDE_PIXELS,
    RendererNotFound,
    animate,
    draw,
    find_renderer,
    render,
)
from autograd.draw.style import picture_number
from autograd.trace import Stepper
from examples import chain_example, five_weight_network

PIL = pytest.importorskip("PIL.Image", reason="animate() writes GIFs with Pillow")
try:
    find_renderer()
    HAS_RENDERER = True
except RendererNotFound:
    HAS_RENDERER = False
needs_renderer = pytest.mark.skipif(not HAS_RENDERER, reason="no Graphviz renderer")


def box_of(source: str, index: dict, node) -> str:
    line = next(line for line in source.splitlines()
                if line.strip().startswith(f"v{index[id(node)]} "))
    return html.unescape(line)


def caption_of(source: str) -> str:
    """The first legend row: the frame's caption (a hidden row below may keep room)."""
    match = re.search(r'<TR><TD ALIGN="LEFT" COLSPAN="2">(step \d+ of \d+:[^<]*)</TD>', source)
    return html.unescape(match.group(1))


def test_every_frame_caption_agrees_with_the_boxes_beside_it():
    net = five_weight_network()
    E = net["E"]
    E.backward()  # the stepper sets this aside; the pictures show its own pass
    s = Stepper(E)
    index = {id(n): i for i, n in enumerate(topological_order(E))}
    for k in range(s.total):
        step = s.step()
        source = draw(E, stepper=s).source
        caption = caption_of(source)
        assert caption.startswith(f"step {k + 1} of 20: {step.input_words}'s grad += ")
        assert caption.split(" = ")[-1].split(" ")[0] == picture_number(step.product)
        assert f"grad {picture_number(step.grad_after)}" in box_of(source, index, step.input)
        assert f"grad {picture_number(step.upstream)}" in box_of(source, index, step.node)


def test_a_picture_reads_the_steppers_numbers_not_the_values_grads():
    net = five_weight_network()
    E = net["E"]
    s = Stepper(E)
    for _ in range(8):
        s.step()
    net["w4"].grad = 138624  # someone changes a grad behind the stepper's back
    index = {id(n): i for i, n in enumerate(topological_order(E))}
    source = draw(E, stepper=s).source
    assert "grad 312" in box_of(source, index, net["w4"])  # step 8: w4 += 12 * 26
    assert "grad -" in box_of(source, index, net["w1"])
    earlier = draw(E, stepper=s.frame(3)).source  # a frame of the past reads its own numbers
    assert "grad -" in box_of(earlier, index, net["w4"]) and "step 3 of 20" in earlier


@needs_renderer
def test_animate_writes_one_frame_per_step_plus_the_start_deterministically(tmp_path):
    x1, x2, u, v, f = chain_example()
    first = animate(f, tmp_path / "a" / "chain.gif", frame_ms=500, last_frame_ms=2000)
    second = animate(f, tmp_path / "chain2.gif", frame_ms=500, last_frame_ms=2000)
    assert first.read_bytes() == second.read_bytes()
    gif = PIL.open(first)
    assert gif.n_frames == 12  # the start and the 11 chain-rule steps
    sizes, durations = set(), []
    for k in range(gif.n_frames):
        gif.seek(k)
        sizes.add(gif.size)
        durations.append(gif.info["duration"])
    assert len(sizes) == 1 and max(next(iter(sizes))) <= SLIDE_PIXELS
    assert durations == [500] * 11 + [2000]
    assert x1.grad == 554496  # the leaves hold the pass's gradients afterwards
    gif.seek(0)
    start = gif.convert("RGB")
    gif.seek(11)
    assert start.tobytes() != gif.convert("RGB").tobytes()


@needs_renderer
def test_animate_by_label_has_a_frame_per_labelled_node(tmp_path):
    net = five_weight_network()
    gif = PIL.open(animate(net["E"], tmp_path / "net.gif", by="label"))
    assert gif.n_frames == 5  # the start, then E, y, h2, h1


def test_animate_refuses_big_graphs_and_bad_options_with_a_how_to(tmp_path):
    x = Value(1.0, label="x")
    y = x
    for _ in range(70):
        y = y * 1.01 + 0.5
    with pytest.raises(ValueError, match=r"takes 280 steps.*more than max_steps=120.*by='label'"
                                         r".*max_steps=280"):
        animate(y, tmp_path / "big.gif")
    with pytest.raises(ValueError, match=r"ending in \.gif"):
        animate(x * 2, tmp_path / "big.png")
    with pytest.raises(ValueError, match="frame_ms must be a positive whole number"):
        animate(x * 2, tmp_path / "a.gif", frame_ms=0)
    with pytest.raises(ValueError, match="by must be 'edge'"):
        animate(x * 2, tmp_path / "a.gif", by="node")
    with pytest.raises(TypeError, match=r"takes an autograd\.Value"):
        animate(3.0, tmp_path / "a.gif")
    assert MAX_ANIMATION_STEPS == 120


def test_animate_says_how_to_get_pillow(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install pillow"):
        animate(Value(2.0) * 3, tmp_path / "a.gif")


@needs_renderer
@pytest.mark.parametrize("edge_labels", [False, True])
def test_the_five_weight_network_fits_a_slide(tmp_path, edge_labels):
    net = five_weight_network()
    net["E"].backward()
    png = render(net["E"], tmp_path / "net.png", edge_labels=edge_labels)
    width, height = PIL.open(png).size
    assert max(width, height) <= SLIDE_PIXELS
    assert max(width, height) / min(width, height) <= SLIDE_ASPECT
    sizes = [float(s) for s in re.findall(r"fontsize=(\d+)", draw(net["E"]).source)]
    assert min(sizes) >= 12  # and nothing scales the picture down (PNG_MAX_INCHES is far)


@needs_renderer
def test_the_lesson_demos_pictures_fit_a_slide(tmp_path):
    from demos.lesson_network import START, forward, weights

    g = forward(3, 2, 24, weights(START))["error"]
    g.backward()
    x1, x2, u, v, f = chain_example()
    f.backward()
    for root, options in ((g, dict(edge_labels=True)), (f, dict(paths_from=x2, edge_labels=True))):
        width, height = PIL.open(render(root, tmp_path / "p.png", **options)).size
        assert max(width, height) <= SLIDE_PIXELS
        assert max(width, height) / min(width, height) <= SLIDE_ASPECT
