"""Pictures of learning: the lesson's descents drawn on their landscapes, and the 5-weight
network's error under online, batch and mini-batch learning.

    python -m demos.landscapes [--out DIR] [--quick] [--show]

Writes four PNGs and prints their paths:

* ``landscape-descent.png``: gradient descent on x**2 from x = 3, rate 0.1; the iterates
  come from ``demos.lesson_descent.descend`` (``Value``, ``backward()``, ``nn.SGD``).
* ``landscape-trap.png``: x**4 - 4x**2 + x + 1 from 0.5 and from -0.5 (rate 0.1, 100 steps,
  ``demos.lesson_trap.descend``); the two valley floors are the runs' end points.
* ``landscape-bowl.png``: contours of x1**2 + 2*x2**2 with the path from (3, 2), rate 0.1
  (``demos.lesson_bowl.descend``; the contour heights are ``lesson_bowl.bowl`` on a grid).
* ``landscape-network.png``: total squared error over the three examples of the lesson's
  5-weight network after each update, for online (one step per example), batch (one step per
  pass, summed gradient) and mini-batch (B = 2, averaged gradient) learning, all from
  w = (1, 2, 1, 1, 0) at the lesson's rate 0.0001; the network is ``lesson_network.forward``.
  The x-axis counts examples seen, so the three methods are compared at equal work.

The network runs in floats (the lesson demo works in exact fractions, whose denominators
would grow without bound over hundreds of steps), so the engine's ``InexactWarning`` about
mixing the examples' exact numbers with float weights is silenced here.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from autograd import InexactWarning, Value, command
from demos import lesson_bowl, lesson_descent, lesson_network, lesson_trap
from nn import SGD

NAMES = ("descent", "trap", "bowl", "network")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m demos.landscapes",
        description="Draw the lesson's gradient descents on their landscapes and the 5-weight "
                    "network's error under online, batch and mini-batch learning (four PNGs).")
    p.add_argument("--out", metavar="DIR", default="out/landscapes",
                   help="folder for the PNGs (default: out/landscapes)")
    p.add_argument("--quick", action="store_true",
                   help="fewer training passes, coarser contours, lower resolution (for tests)")
    p.add_argument("--show", action="store_true", help="also show the figures in windows")
    return p.parse_args(argv)


# --------------------------------------------------------------------------- the numbers

def descent_iterates(steps: int) -> list[float]:
    """x_0 = 3, x_1, ..., x_steps of the engine's descent on x**2 (rate 0.1)."""
    rows = lesson_descent.descend(lesson_descent.START, lesson_descent.LR, steps)
    return [r[0] for r in rows] + [rows[-1][3]]


def trap_runs(lr: float = 0.1, steps: int = 100) -> dict[float, list[float]]:
    """start -> the iterates x_0, ..., x_steps of the engine's descent on the trap."""
    runs = {}
    for start in lesson_trap.STARTS:
        rows, end = lesson_trap.descend(start, lr, steps)
        runs[start] = [r[0] for r in rows] + [end]
    return runs


def bowl_path(steps: int) -> list[tuple[float, float]]:
    rows, end = lesson_bowl.descend(lesson_bowl.START, lesson_bowl.LR, steps)
    return [(r[0], r[1]) for r in rows] + [end]


def network_curves(passes: int, lr: float = float(lesson_network.LR), batch_size: int = 2):
    """Total squared error over the three examples after each update, per method, as lists
    of (examples seen, error); every method starts from the lesson's start weights."""
    data = [(xy, int(t[2])) for xy, t in zip(lesson_network.INPUTS, lesson_network.TARGETS)]

    def total_error(w) -> float:
        return float(sum(lesson_network.forward(a, b, t, w)["error"].data for (a, b), t in data))

    def run(size: int, average: bool):
        w = {n: Value(float(lesson_network.START[n]), label=n) for n in lesson_network.WEIGHTS}
        opt = SGD(list(w.values()), lr=lr)
        seen, curve = 0, [(0, total_error(w))]
        for _ in range(passes):
            for s in range(0, len(data), size):
                batch = data[s:s + size]
                opt.zero_grad()
                errors = [lesson_network.forward(a, b, t, w)["error"] for (a, b), t in batch]
                lesson_network.total(errors, "batch").backward()
                if average:
                    for v in w.values():
                        v.grad = v.grad / len(batch)
                opt.step()
                seen += len(batch)
                curve.append((seen, total_error(w)))
        return curve

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InexactWarning)
        return {"online": run(1, False), "batch": run(len(data), False),
                "mini-batch": run(batch_size, True)}


def square(x: float) -> float:
    """f(x) = x**2 evaluated by the engine (lesson_descent builds it inside its loop only)."""
    return (Value(x) ** 2).data


def heights(f, xs) -> list[float]:
    return [f(x) for x in xs]


def linspace(a: float, b: float, n: int) -> list[float]:
    return [a + (b - a) * i / (n - 1) for i in range(n)]


# --------------------------------------------------------------------------- the pictures

def plot_descent(plt, path: Path, dpi: int) -> list[float]:
    xs = descent_iterates(25)
    ys = heights(square, xs)
    grid = linspace(-3.5, 3.5, 201)
    fig, ax = plt.subplots(figsize=(7.5, 5.2), dpi=dpi)
    ax.plot(grid, heights(square, grid), color="lightgray", linewidth=2.5,
            label="f(x) = x²", zorder=1)
    ax.plot(xs, ys, "-", color="tab:blue", linewidth=1, alpha=0.6, zorder=2)
    ax.scatter(xs, ys, color="tab:blue", s=28, zorder=3,
               label=f"x after each step (x_k = 3·0.8^k, {len(xs) - 1} steps)")
    for k in range(5):
        ax.annotate(f"{k}: x = {xs[k]:.3g}", (xs[k], ys[k]), textcoords="offset points",
                    xytext=(8, -4), ha="left", fontsize=9)
    ax.annotate("start", (xs[0], ys[0]), textcoords="offset points", xytext=(-8, 6),
                ha="right", fontsize=9, color="tab:blue")
    ax.annotate("x = 0, the bottom:\nf'(0) = 0, steps shrink to nothing", (0, 0),
                textcoords="offset points", xytext=(-60, 45), ha="center", fontsize=9,
                arrowprops={"arrowstyle": "->", "color": "gray"})
    ax.set_xlabel("x")
    ax.set_ylabel("f(x) = x²  (the error)")
    ax.set_title("Gradient descent on f(x) = x² from x = 3, learning rate η = 0.1\n"
                 "each step: x ← x − 0.1·f'(x), with f'(x) from backward(): "
                 "big slope, big step; small slope, small step", fontsize=10)
    ax.set_ylim(-0.6, 12.5)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center")
    fig.tight_layout()
    fig.savefig(path)
    return xs


def plot_trap(plt, path: Path, dpi: int) -> dict[float, list[float]]:
    runs = trap_runs()
    f = lambda x: lesson_trap.value_and_slope(x)[0]  # the engine's f(x)
    ends = {start: xs[-1] for start, xs in runs.items()}
    deep = min(ends.values(), key=f)
    grid = linspace(-2.2, 2.1, 301)
    fig, ax = plt.subplots(figsize=(8, 5.4), dpi=dpi)
    ax.plot(grid, heights(f, grid), color="lightgray", linewidth=2.5,
            label="f(x) = x⁴ − 4x² + x + 1", zorder=1)
    colors = {0.5: "tab:red", -0.5: "tab:green"}
    shown = 12
    for start, xs in runs.items():
        ys = heights(f, xs[:shown + 1])
        c = colors[start]
        ax.plot(xs[:shown + 1], ys, "-", color=c, linewidth=1, alpha=0.5, zorder=2)
        ax.scatter(xs[:shown + 1], ys, color=c, s=22, zorder=3,
                   label=f"start x = {start:+.1f} (f'({start:+.1f}) = "
                         f"{lesson_trap.value_and_slope(start)[1]:+.1f}): ends at "
                         f"x = {ends[start]:+.3f}")
        ax.annotate(f"start {start:+.1f}", (xs[0], ys[0]), textcoords="offset points",
                    xytext=(0, 12), ha="center", fontsize=9, color=c, fontweight="bold")
        for k in (1, 2):
            ax.annotate(str(k), (xs[k], ys[k]), textcoords="offset points",
                        xytext=(6 if start > 0 else -6, 4), ha="left" if start > 0 else "right",
                        fontsize=8, color=c)
    for end in ends.values():
        is_deep = end == deep
        h = f(end)
        ax.scatter([end], [h], marker="*", s=260, color="gold" if is_deep else "silver",
                   edgecolor="black", zorder=4)
        text = (f"global minimum\nx = {end:+.3f}, f = {h:.2f}\n(the deep valley)" if is_deep
                else f"local minimum\nx = {end:+.3f}, f = {h:.2f}\n(a shallow valley: stuck)")
        ax.annotate(text, (end, h), textcoords="offset points",
                    xytext=(20 if is_deep else -20, -30), ha="left" if is_deep else "right",
                    fontsize=9, va="top", arrowprops={"arrowstyle": "-", "color": "gray"})
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title("The trap: the same descent (η = 0.1, 100 steps) from two starting points\n"
                 f"dots: the first {shown} steps (1, 2 numbered); stars: where each run ends, "
                 "the two valley floors",
                 fontsize=10)
    ax.set_ylim(-8.5, 9)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", fontsize=8.5)
    fig.tight_layout()
    fig.savefig(path)
    return runs


def plot_bowl(plt, path: Path, dpi: int, n: int) -> list[tuple[float, float]]:
    pts = bowl_path(25)
    gx, gy = linspace(-3.6, 3.6, n), linspace(-2.6, 2.6, n)
    z = [[lesson_bowl.bowl(a, b)[0].data for a in gx] for b in gy]
    fig, ax = plt.subplots(figsize=(8, 6), dpi=dpi)
    levels = [0.25, 1, 2.5, 5, 8.64, 12, 17, 24]
    cs = ax.contour(gx, gy, z, levels=levels, cmap="viridis", linewidths=1)
    ax.clabel(cs, fmt=lambda v: f"f = {v:g}", fontsize=8)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    ax.plot(xs, ys, "-o", color="tab:red", markersize=4, linewidth=1.2,
            label=f"descent path, η = 0.1 ({len(pts) - 1} steps)")
    for k in range(4):
        ax.annotate(f"{k}: ({xs[k]:.2f}, {ys[k]:.2f})", (xs[k], ys[k]),
                    textcoords="offset points", xytext=(7, 5), fontsize=8.5, color="tab:red")
    ax.plot([0], [0], marker="*", markersize=14, color="gold", markeredgecolor="black",
            linestyle="none", label="the bottom (0, 0), f = 0")
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title("The bowl f(x₁, x₂) = x₁² + 2x₂² seen from above, from (3, 2) with η = 0.1\n"
                 "contour lines join points of equal f; each step goes straight downhill "
                 "(against the gradient),\nso x₂ (the steeper direction) shrinks faster: "
                 "the path curves toward the x₁ axis", fontsize=9.5)
    ax.legend(loc="lower left", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    return pts


def plot_network(plt, path: Path, dpi: int, passes: int):
    curves = network_curves(passes)
    lr = float(lesson_network.LR)
    style = {"online": ("tab:blue", "o", "online: one step per example"),
             "batch": ("tab:orange", "s", "batch: one step per pass (3 examples), summed gradient"),
             "mini-batch": ("tab:green", "^",
                            "mini-batch B = 2 (batches {1,2}, {3}), averaged gradient")}
    start = curves["online"][0][1]
    early = 30  # examples seen in the left panel: the first 10 passes
    fig, (near, far) = plt.subplots(1, 2, figsize=(12, 5.2), dpi=dpi)
    for name, curve in curves.items():
        color, marker, label = style[name]
        xs, ys = [c[0] for c in curve], [c[1] for c in curve]
        k = sum(1 for x in xs if x <= early)
        near.plot(xs[:k], ys[:k], "-", marker=marker, color=color, markersize=4, linewidth=1.2,
                  label=label)
        far.plot(xs, ys, "-", color=color, linewidth=1.6, label=f"{name}: {ys[-1]:.2f} at the end")
    near.set_title(f"the first {early // 3} passes from w = (1, 2, 1, 1, 0), total error "
                   f"{start:.0f}: each marker is one update", fontsize=10)
    near.set_xlim(-0.5, early + 0.5)
    far.set_title(f"all {passes} passes ({curves['online'][-1][0]} examples seen)", fontsize=10)
    for ax in (near, far):
        ax.set_yscale("log")
        ax.set_xlabel("examples seen (3 per pass over the data)")
        ax.grid(alpha=0.3, which="both")
    near.set_ylabel("total squared error over the 3 examples (log scale)")
    near.legend(loc="upper right", fontsize=8.5)
    far.legend(loc="upper right", fontsize=9)
    fig.suptitle(f"The 5-weight network learning, learning rate η = {lr:g}: online vs batch vs "
                 "mini-batch, same start weights\n"
                 "h1 = (x1 + w1·x2)², h2 = w2·x1·x2, y = w3·h1 + w4·h2 + w5; "
                 "examples (3,2)→24, (1,4)→14, (2,1)→11", fontsize=10.5)
    fig.text(0.5, 0.01, "The lesson's batch rule steps with the SUM of the examples' gradients, "
             "its mini-batch rule with their AVERAGE, so a mini-batch step is about half as long: "
             "that is why mini-batch trails here.", ha="center", fontsize=8.5, color="dimgray")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path)
    return curves


# --------------------------------------------------------------------------- the job

def main(argv=None) -> int:
    args = parse_args(argv)
    import matplotlib

    backend = matplotlib.get_backend() if args.show else "Agg"
    matplotlib.use(backend)
    import matplotlib.pyplot as plt

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    dpi = 60 if args.quick else 110
    paths = {name: out / f"landscape-{name}.png" for name in NAMES}

    xs = plot_descent(plt, paths["descent"], dpi)
    print("descent on x²: x = " + ", ".join(f"{x:.4g}" for x in xs[:5]) + ", ...")
    runs = plot_trap(plt, paths["trap"], dpi)
    for start, xs in runs.items():
        print(f"trap from {start:+.1f}: ends at x = {xs[-1]:+.6f}")
    pts = plot_bowl(plt, paths["bowl"], dpi, 60 if args.quick else 160)
    print(f"bowl from (3, 2): ends at ({pts[-1][0]:.3g}, {pts[-1][1]:.3g})")
    curves = plot_network(plt, paths["network"], dpi, 30 if args.quick else 300)
    for name, curve in curves.items():
        print(f"network, {name}: total error {curve[0][1]:.0f} -> {curve[-1][1]:.4g} "
              f"after {len(curve) - 1} updates ({curve[-1][0]} examples seen)")
    if args.show:
        plt.show()
    plt.close("all")
    for path in paths.values():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(command.run(main))
