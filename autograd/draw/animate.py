"""Backprop as an animation: a stepper's frames written as one animated GIF.

``animate(f, "backprop.gif")`` runs one backward pass with a ``Stepper`` and draws every frame
of it, the start and one per chain-rule step (or, with ``by="label"``, one per labelled
node), each with its step's caption, and writes them with Pillow. Every frame has the same
size and the same layout (the boxes are sized for the numbers they will hold by the end), so
only the colours and numbers change from one frame to the next; the same graph always gives
the same bytes. The frames are drawn at a resolution that keeps their longest side within
``SLIDE_PIXELS``.
"""

from __future__ import annotations

import io
import os
import pathlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..files import write_file
from ..trace import STEP_UNITS, Stepper
from ..value import Value
from .layout import SLIDE_PIXELS
from .renderer import PNG_DPI, run_renderer

if TYPE_CHECKING:
    import PIL.Image

__all__ = ["animate", "MAX_ANIMATION_STEPS", "command_line_gif"]

MAX_ANIMATION_STEPS = 120
"""Most steps ``animate`` draws by default: each is a picture to lay out (about a quarter of a
second each), and a longer animation is more than a learner can follow."""


def animate(root: Value, path: str | os.PathLike[str], *, by: str = "edge",
            frame_ms: int = 900, last_frame_ms: int = 3000,
            max_steps: int = MAX_ANIMATION_STEPS, loop: int = 0,
            **draw_options: Any) -> pathlib.Path:
    """Write backprop through ``root``'s graph as an animated GIF: one frame per step.

    The first frame is the start of backward (the root's grad is 1); each later frame shows
    the graph after one more chain-rule step, with the step's caption (``step 6 of 11: x2's
    grad += ∂n3/∂x2 × n3's grad = 4 × 51984 = 207936``) and done, current and pending nodes in
    three colours. The numbers are those of one fresh pass (see ``autograd.trace``); after it
    the leaves hold that pass's gradients.

    Args:
        root: the output, an ``autograd.Value``.
        path: the ``.gif`` file to write (missing folders are created).
        by: ``"edge"`` (one frame per chain-rule edge, the default) or ``"label"`` (one frame
            per labelled node, as the lesson steps: see ``Stepper``).
        frame_ms: how long each frame shows, in milliseconds.
        last_frame_ms: how long the last frame (backward complete) shows.
        max_steps: refuse graphs whose pass takes more steps than this.
        loop: how many times the GIF repeats (0: for ever).
        **draw_options: passed to ``autograd.draw.draw`` (``edge_labels=True``,
            ``rankdir="LR"``, ...).

    Returns:
        The path written, as a ``pathlib.Path``.

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: the pass takes more than ``max_steps`` steps (the message says how to
            animate it anyway, or what to show instead); ``path`` is not a .gif; a frame time
            that is not a positive whole number of milliseconds; ``by`` is unknown.
        ImportError: Pillow is not installed (``pip install pillow``).
        autograd.draw.RendererNotFound: no Graphviz renderer.

    >>> import tempfile
    >>> from PIL import Image
    >>> x = Value(3.0, label="x"); y = x * x; y.label = "y"
    >>> out = animate(y, tempfile.mkdtemp() + "/square.gif")
    >>> Image.open(out).n_frames                          # the start, then the two edges of x * x
    3
    """
    if not isinstance(root, Value):
        raise TypeError(f"animate() takes an autograd.Value, got {type(root).__name__} {root!r}")
    path = pathlib.Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(f"animate() writes a GIF: give a path ending in .gif, got {str(path)!r}")
    for name, ms in (("frame_ms", frame_ms), ("last_frame_ms", last_frame_ms)):
        if not isinstance(ms, int) or isinstance(ms, bool) or ms <= 0:
            raise ValueError(f"{name} must be a positive whole number of milliseconds, got "
                             f"{ms!r}")
    if by not in STEP_UNITS:
        raise ValueError(f"by must be 'edge' (a frame per chain-rule edge) or 'label' (a frame "
                         f"per labelled node), got {by!r}")
    image = _pillow()
    stepper = Stepper(root, by=by)
    from . import draw  # the package's draw(); imported here, as the package imports this

    if stepper.units > max_steps:
        raise ValueError(
            f"backward through this graph takes {stepper.units:,} steps "
            f"({'labelled nodes' if by == 'label' else 'chain-rule edges'}), more than "
            f"max_steps={max_steps}: an animation that long takes a while to draw and more "
            f"than a learner can follow. Label the nodes that matter and pass by='label' (one "
            f"frame per labelled node), animate a smaller part of the graph, or pass "
            f"max_steps={stepper.units} to draw every step anyway.")
    stepper.run()
    pictures = [draw(root, stepper=frame, **draw_options).source for frame in stepper.frames()]
    # Draw at a resolution that keeps the largest frame inside a slide (as draw() aims to),
    # rather than scaling the pixels down afterwards, which blurs the text.
    # Every frame has the last one's layout; pad and rounding grow a little less than the
    # resolution, hence the margin of 2%.
    longest = max(_png(run_renderer(pictures[-1], "png"), image).size)
    dpi = PNG_DPI * min(1.0, 0.98 * SLIDE_PIXELS / longest)
    frames = [_png(run_renderer(p, "png", dpi=dpi), image) for p in pictures]
    width = max(f.width for f in frames)
    height = max(f.height for f in frames)
    padded = []
    for f in frames:  # the same size for every frame, the picture in the top-left corner
        canvas = image.new("RGB", (width, height), "white")
        canvas.paste(f, (0, 0))
        padded.append(canvas.convert("P", palette=image.Palette.ADAPTIVE, colors=255))
    durations = [frame_ms] * (len(padded) - 1) + [last_frame_ms]
    buffer = io.BytesIO()
    padded[0].save(buffer, format="GIF", save_all=True, append_images=padded[1:],
                   duration=durations, loop=loop, optimize=False, disposal=1)
    return write_file(path, buffer.getvalue(), "the animation", make_folder=True)


def _png(data: bytes, image: ModuleType) -> PIL.Image.Image:
    return image.open(io.BytesIO(data)).convert("RGB")


def _pillow() -> ModuleType:
    """Pillow's Image module, or an ImportError that says how to install it."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("animate() writes GIFs with Pillow, which is not installed: "
                          "pip install pillow (the demos and dev extras include it)") from None
    return Image


def command_line_gif(root: Value, path: str) -> int:
    """What ``python -m autograd grad ... --animate FILE`` runs: write the GIF, say where, and
    return the exit status (1, with the reason on stderr, when it cannot be written)."""
    import sys

    from .renderer import RendererNotFound

    root.zero_grad()  # the command's own trace ran a pass: nothing here to set aside
    try:
        written = animate(root, path)
    except (RendererNotFound, ImportError, ValueError, OSError) as exc:
        print(f"error: cannot write the animation {path}: {exc}", file=sys.stderr)
        return 1
    print(f"\nanimation written to {written}")
    return 0
