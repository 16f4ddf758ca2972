"""Newton's method against gradient descent on the lesson's x², bowl and trap.

    python -m demos.newton [--out DIR] [--quick]

Gradient descent feels only the slope: x ← x − η·f'(x). Newton's method also feels the
curvature f''(x), the slope of the slope, and jumps to the bottom of the parabola that has the
same value, slope and curvature at x: x ← x − f'(x) / f''(x) (in two dimensions
x ← x − H⁻¹·∇f, with H the matrix of second derivatives, the Hessian). On a parabola, such as
the lesson's x² and its bowl x₁² + 2x₂², that parabola is the function itself, so one step
lands on the bottom. Where f'' < 0 the parabola opens downwards, its "bottom" is a top, and
Newton climbs: on the trap x⁴ − 4x² + x + 1, f''(±0.5) = −5, and from both of the lesson's
starting points plain Newton runs to the local maximum near x = 0.126, the hilltop between the
two valleys. The safeguarded Newton below takes a gradient step wherever f'' <= 0 (where H
is not positive definite) and a Newton step elsewhere, and reaches the valleys.

Source: ../shared/lesson/004_08ce3b0832d56c87.txt for the three functions, their starting
points (x = 3; (3, 2); 0.5 and −0.5) and the learning rate η = 0.1 (the trap section gives
none; ``demos.lesson_trap`` uses the section's η = 0.1, and so does this). Newton's method
and its safeguard: Nocedal and Wright, "Numerical Optimization" (2nd ed., Springer 2006),
sections 3.3 and 3.4. Every f' and f'' is the engine's: ``autograd.grad(f, xs,
create_graph=True)`` gives the gradient as Values, and ``autograd.grad`` of each of them gives
a row of the Hessian.

Prints a table of step counts (steps until the slope is smaller than 1e-8, at most 1,000) and
where each run ends; writes ``newton-paths.png`` into ``--out`` (default ``out/newton``) and
prints its path.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograd import Value, grad
from autograd.text import Table
from demos import lesson_bowl, lesson_descent, lesson_trap

TOL = 1e-8          # a run has arrived when the size of its gradient is below this
MAX_STEPS = 1000
TRAP_LR = lesson_trap.RUNS[0][0]  # the trap section's rate, 0.1
METHODS = ("gradient descent", "Newton", "safeguarded Newton")


# --------------------------------------------------------------------------- the functions

def square(x):
    """The lesson's first valley, f(x) = x²."""
    return x ** 2


def bowl(x1, x2):
    """The lesson's bowl, f(x₁, x₂) = x₁² + 2x₂²."""
    return x1 ** 2 + 2 * x2 ** 2


def trap(x):
    """The lesson's trap, f(x) = x⁴ − 4x² + x + 1: a deep valley, a shallow one, a hill."""
    return x ** 4 - 4 * x ** 2 + x + 1


@dataclass(frozen=True)
class Landscape:
    """A function of the lesson, its starting points (tuples) and its learning rate."""

    name: str
    f: Callable
    starts: tuple
    lr: float


LANDSCAPES = (
    Landscape("x²", square, ((lesson_descent.START,),), lesson_descent.LR),
    Landscape("bowl", bowl, (lesson_bowl.START,), lesson_bowl.LR),
    Landscape("trap", trap, tuple((s,) for s in lesson_trap.STARTS), TRAP_LR),
)


# --------------------------------------------------------------------------- derivatives

def derivatives(f, point) -> tuple[float, np.ndarray, np.ndarray]:
    """f, its gradient and its Hessian at ``point``, from the engine.

    ``grad(..., create_graph=True)`` returns the first derivatives as Values; ``grad`` of
    each of them gives one row of second derivatives (a row of 0s where a first derivative
    is the plain number 0: the output does not depend on that input).

    >>> value, gradient, hessian = derivatives(trap, (0.5,))
    >>> value, gradient.tolist(), hessian.tolist()      # f' = 4x³ − 8x + 1, f'' = 12x² − 8
    (0.5625, [-2.5], [[-5.0]])
    """
    xs = [Value(float(x), label=f"x{i + 1}") for i, x in enumerate(point)]
    out = f(*xs)
    first = grad(out, xs, create_graph=True)
    rows = [grad(g, xs) if isinstance(g, Value) else [0.0] * len(xs) for g in first]
    gradient = [g.data if isinstance(g, Value) else g for g in first]
    return out.data, np.array(gradient, dtype=float), np.array(rows, dtype=float)


def positive_definite(hessian: np.ndarray) -> bool:
    """Whether every curvature is upwards: all eigenvalues of the Hessian > 0 (f'' > 0 in 1-D)."""
    return bool(np.linalg.eigvalsh(hessian).min() > 0)


# --------------------------------------------------------------------------- the runs

@dataclass
class Run:
    """One method from one start: the points visited, and the kind of each step taken."""

    method: str
    path: list = field(default_factory=list)     # points (tuples), the start first
    kinds: list = field(default_factory=list)    # "gradient" or "Newton", one per step
    arrived: bool = False

    @property
    def steps(self) -> int:
        return len(self.kinds)


def step(method: str, point: np.ndarray, gradient: np.ndarray, hessian: np.ndarray,
         lr: float) -> tuple[np.ndarray, str]:
    """The next point and the kind of step that made it ("Newton" or "gradient").

    Raises:
        numpy.linalg.LinAlgError: a plain Newton step where the Hessian is singular (f'' = 0
            in 1-D), where it is undefined; the safeguarded method takes a gradient step there.
    """
    newton = method == "Newton" or (method == "safeguarded Newton" and positive_definite(hessian))
    if newton:
        return point - np.linalg.solve(hessian, gradient), "Newton"
    return point - lr * gradient, "gradient"


def run(f, start, method: str, lr: float, max_steps: int = MAX_STEPS) -> Run:
    """Run ``method`` on ``f`` from ``start`` until the gradient is smaller than ``TOL``."""
    result = Run(method, path=[tuple(float(x) for x in start)])
    point = np.array(start, dtype=float)
    for _ in range(max_steps + 1):
        _, gradient, hessian = derivatives(f, point)
        if np.linalg.norm(gradient) < TOL:
            result.arrived = True
            break
        if len(result.kinds) == max_steps:
            break
        point, kind = step(method, point, gradient, hessian, lr)
        result.path.append(tuple(point.tolist()))
        result.kinds.append(kind)
    return result


def all_runs(max_steps: int = MAX_STEPS) -> dict:
    """(landscape name, start, method) -> Run, for every landscape, start and method."""
    return {(land.name, start, method): run(land.f, start, method, land.lr, max_steps)
            for land in LANDSCAPES for start in land.starts for method in METHODS}


def where(f, point) -> str:
    """What kind of place ``point`` is: a valley floor, a hilltop, or neither."""
    _, gradient, hessian = derivatives(f, point)
    if np.linalg.norm(gradient) >= TOL:
        return "not arrived"
    eigenvalues = np.linalg.eigvalsh(hessian)
    if eigenvalues.min() > 0:
        return "a minimum (valley floor)"
    if eigenvalues.max() < 0:
        return "a maximum (hilltop)"
    return "a saddle point"


# --------------------------------------------------------------------------- the text

def point_text(point) -> str:
    if len(point) == 1:
        return f"x = {point[0]:+.6f}"
    return "(" + ", ".join(f"{x:+.6f}" for x in point) + ")"


def start_text(start) -> str:
    return f"{start[0]:g}" if len(start) == 1 else "(" + ", ".join(f"{x:g}" for x in start) + ")"


NOTE = ("(f' and f'' from autograd.grad(create_graph=True); a Newton step is x - f'/f'', or "
        "x - H⁻¹∇f on the bowl)")


def steps_table(runs: dict) -> Table:
    rows = []
    lands = {land.name: land for land in LANDSCAPES}
    for (name, start, method), r in runs.items():
        f = lands[name].f
        end = r.path[-1]
        value = derivatives(f, end)[0]
        gradient_steps = r.kinds.count("gradient")
        kinds = ("" if method != "safeguarded Newton" else
                 f" ({gradient_steps} gradient, {r.steps - gradient_steps} Newton)")
        steps = f"{r.steps}{kinds}" if r.arrived else f"> {r.steps} (not arrived)"
        rows.append([f"{name} from {start_text(start)}", method, steps, point_text(end),
                     f"{value:+.6f}", where(f, end)])
    return Table(["landscape", "method", "steps", "ends at", "f there", "which is"], rows,
                 title=f"Steps until the slope is smaller than {TOL:g} (at most {MAX_STEPS:,}); "
                       f"gradient descent with η = {LANDSCAPES[0].lr:g}",
                 notes=[NOTE])


def curvature_lines() -> list[str]:
    """The second derivatives the issue quotes, from the public API."""
    _, g3, h3 = derivatives(lambda x: x ** 3, (3.0,))
    _, _, hb = derivatives(bowl, lesson_bowl.START)
    lines = [f"d²/dx² of x³ at 3: {h3[0][0]:g} (f' = {g3[0]:g})",
             f"the bowl's Hessian at (3, 2): {hb.tolist()}"]
    for s in lesson_trap.STARTS:
        _, g, h = derivatives(trap, (s,))
        lines.append(f"the trap at x = {s:+g}: f' = {g[0]:+g}, f'' = {h[0][0]:+g} < 0: "
                     "Newton's parabola opens downwards, and its step goes to the top of it")
    return lines


# --------------------------------------------------------------------------- the picture

def linspace(a: float, b: float, n: int) -> list[float]:
    return [a + (b - a) * i / (n - 1) for i in range(n)]


TRAP_TOP = 9.0  # the trap's picture shows f up to this

STYLE = {"gradient descent": ("tab:blue", "o"), "Newton": ("tab:red", "s"),
         "safeguarded Newton": ("tab:green", "^")}


def label(r: Run, start: str = "") -> str:
    """The legend entry of a run: its method (and start), and its step count."""
    name = f"{r.method} from {start}" if start else r.method
    if not r.arrived:
        return f"{name}: not arrived in {r.steps} steps"
    return f"{name}: {r.steps} step{'s' if r.steps != 1 else ''}"


def draw_curve(ax, f, runs: list[Run], lo: float, hi: float, n: int, shown: int,
               name_starts: bool = False) -> None:
    """A 1-D landscape with each run's first ``shown`` points on it."""
    grid = linspace(lo, hi, n)
    ax.plot(grid, [f(x) for x in grid], color="lightgray", linewidth=2.5, zorder=1)
    starts = set()
    for r in runs:
        color, marker = STYLE[r.method]
        xs = [p[0] for p in r.path[:shown + 1]]
        ys = [f(x) for x in xs]
        start = f"{xs[0]:+g}"
        ax.plot(xs, ys, "-", color=color, marker=marker, markersize=5, linewidth=1,
                alpha=0.85, label=label(r, start if name_starts else ""), zorder=3)
        if start not in starts:
            starts.add(start)
            ax.annotate(f"start {start}", (xs[0], ys[0]), textcoords="offset points",
                        xytext=(0, 9), ha="center", fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_xlabel("x")


def draw_square(ax, runs: dict, n: int) -> None:
    chosen = [runs[("x²", (lesson_descent.START,), m)] for m in METHODS[:2]]
    draw_curve(ax, square, chosen, -3.5, 3.5, n, shown=25)
    ax.set_title(f"x² from x = 3: Newton lands on the bottom in one step\n(descent, η = "
                 f"{lesson_descent.LR:g}: x shrinks by 0.8 a step; first 25 steps shown)",
                 fontsize=9.5)
    ax.set_ylabel("f(x)")
    ax.legend(loc="upper center", fontsize=8)


def draw_bowl(ax, runs: dict, n: int) -> None:
    gx, gy = linspace(-3.6, 3.6, n), linspace(-2.6, 2.6, n)
    z = [[bowl(a, b) for a in gx] for b in gy]
    ax.contour(gx, gy, z, levels=[0.25, 1, 2.5, 5, 8.64, 12, 17, 24], cmap="viridis",
               linewidths=0.8)
    for method in METHODS[:2]:
        r = runs[("bowl", lesson_bowl.START, method)]
        color, marker = STYLE[method]
        ax.plot([p[0] for p in r.path], [p[1] for p in r.path], "-", color=color,
                marker=marker, markersize=4, linewidth=1.2, label=label(r))
    ax.plot([0], [0], marker="*", markersize=13, color="gold", markeredgecolor="black",
            linestyle="none")
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title("the bowl x₁² + 2x₂² from (3, 2): Newton's step −H⁻¹∇f,\nH = [[2, 0], "
                 "[0, 4]], goes straight to the bottom; descent curves in", fontsize=9.5)
    ax.legend(loc="lower left", fontsize=8)


def draw_trap(ax, runs: dict, methods: tuple, n: int, title: str, parabola: bool) -> None:
    chosen = [runs[("trap", (s,), m)] for s in lesson_trap.STARTS for m in methods]
    draw_curve(ax, trap, chosen, -2.1, 2.0, n, shown=12, name_starts=True)
    for r in chosen:  # a point above the picture: say where it went
        for k, (x,) in enumerate(r.path):
            if trap(x) > TRAP_TOP:
                ax.annotate(f"step {k} overshoots to x = {x:+.2f} (f = {trap(x):.0f}),\n"
                            "then Newton steps come back down", (-2.0, TRAP_TOP - 0.3),
                            fontsize=7.5, va="top", color=STYLE[r.method][0])
                break
    if parabola:  # Newton's model at x = 0.5: same value, slope and curvature; it opens down
        value, g, h = derivatives(trap, (0.5,))
        xs = linspace(-0.9, 1.9, 60)
        ax.plot(xs, [value + g[0] * (x - 0.5) + h[0][0] / 2 * (x - 0.5) ** 2 for x in xs],
                "--", color="tab:red", linewidth=1, alpha=0.6,
                label="Newton's parabola at 0.5 (f'' = −5): its top is x = 0")
    ax.axvline(0.126, color="gray", linewidth=0.6, linestyle=":")
    ax.set_ylim(-8.5, TRAP_TOP)
    ax.set_xlim(-2.2, 2.1)
    ax.set_ylabel("f(x)")
    ax.set_title(title, fontsize=9.5)
    ax.legend(loc="lower center", fontsize=7.5)


def plot(runs: dict, path: Path, dpi: int, n: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(13, 10), dpi=dpi)
    draw_square(axes[0][0], runs, n)
    draw_bowl(axes[0][1], runs, n // 2)
    draw_trap(axes[1][0], runs, METHODS[:2], n,
              "the trap from ±0.5: f'' < 0 there, so plain Newton climbs to the hilltop\n"
              "near x = 0.126 (dotted) from both sides; descent (η = 0.1) reaches a valley",
              parabola=True)
    draw_trap(axes[1][1], runs, METHODS[::2], n,
              "safeguarded Newton: a gradient step where f'' <= 0, a Newton step where\n"
              "f'' > 0: from 0.5 the shallow valley, from −0.5 the deep one, in a few steps",
              parabola=False)
    fig.suptitle("Newton's method against gradient descent (first steps shown; the legends "
                 f"count every step until the slope is below {TOL:g})", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path)
    plt.close(fig)


# --------------------------------------------------------------------------- the job

def output_folder(parser: argparse.ArgumentParser, name: str) -> Path:
    """The folder ``--out`` names, made if needed; a usage error (exit status 2) if it is a
    file or cannot be written."""
    out = Path(name)
    if out.exists() and not out.is_dir():
        parser.error(f"--out {name} is a file, not a folder; name a folder to write into")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        parser.error(f"--out {name}: cannot make the folder ({exc.strerror})")
    if not os.access(out, os.W_OK):
        parser.error(f"--out {name}: the folder cannot be written to")
    return out


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m demos.newton",
        description="Newton's method against gradient descent on the lesson's x², bowl and "
                    "trap: step counts and a picture of the paths (one PNG).")
    parser.add_argument("--out", metavar="DIR", default="out/newton",
                        help="folder for the PNG (default: out/newton)")
    parser.add_argument("--quick", action="store_true",
                        help="a smaller, coarser picture (for tests); the runs are the same")
    args = parser.parse_args(argv)
    return args, output_folder(parser, args.out)


def main(argv=None) -> int:
    args, out = parse_args(argv)
    print("Curvature from the engine (autograd.grad with create_graph=True):")
    for line in curvature_lines():
        print("  " + line)
    print()
    runs = all_runs()
    print(steps_table(runs))
    print()
    for start in lesson_trap.STARTS:
        r = runs[("trap", (start,), "Newton")]
        print(f"plain Newton on the trap from {start:+g}: x = "
              + ", ".join(f"{p[0]:+.4f}" for p in r.path[:6]) + (", ..." if r.steps > 5 else ""))
    path = out / "newton-paths.png"
    plot(runs, path, dpi=50 if args.quick else 100, n=80 if args.quick else 301)
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
