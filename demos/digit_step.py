"""One training step, start to finish, on a real handwritten 3 (lesson 10).

    python -m demos.digit_step                         # the embedded MNIST subset
    python -m demos.digit_step --data ../shared/data/mnist --out out

The lesson walks one turn of the training loop: a 3 enters the untrained 784-16-16-10 network
as 784 brightness numbers; the ten outputs come out wrong; the quadratic cost (the sum of
squared differences to the wanted outputs, 1 in the "3" slot and 0 elsewhere) says how wrong
in one number; backpropagation gives every one of the 13,002 weights and biases its downhill
direction; one gradient-descent step nudges them all; and the network is a little less wrong
about this one 3.

The step runs on the scalar engine (``nn.MLP`` on ``autograd.Value``: one Value per weight),
so every number printed is the engine's own. The same weights are copied into the tensor
backend (``nn.mlp``, float64) and its gradients are checked against the scalar ones.

Prints a table of the ten outputs before and after, the cost before and after, the size of
the gradient per layer, and the engine cross-check; writes one PNG (the digit, the outputs
before and after, the gradient sizes) and prints its path.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

from autograd import command, no_grad
from demos.mnist import check_not_empty
from nn import MLP, SGD, Linear, Tensor, mlp, quadratic_cost
from nn.data import load_mnist

SIZES = [16, 16, 10]
DIGIT = 3
AGREE = 1e-9  # scalar and tensor gradients must agree to this, relative to the largest one


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demos.digit_step",
        description="One training step of the 784-16-16-10 sigmoid network on a handwritten 3: "
                    "outputs before, cost, backprop, update, outputs after (lesson 10).")
    parser.add_argument("--data", metavar="DIR",
                        help="folder with the four MNIST files (default: as demos.mnist: "
                             "$TRACEGRAD_MNIST_DIR, the cache, a download, else the embedded "
                             "subset)")
    parser.add_argument("--out", metavar="DIR", default="out",
                        help="where to write the PNG (default: out)")
    parser.add_argument("--index", type=int, metavar="N",
                        help="use training image N, which must be a 3 (default: the first 3 "
                             "the untrained network gets wrong)")
    parser.add_argument("--lr", type=float, default=0.1,
                        help="learning rate of the one gradient-descent step (default: 0.1, "
                             "about the per-image share of demos.mnist's step of 2.0 on a "
                             "mini-batch of 32)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seeds the network's random starting weights (default: 0)")
    parser.add_argument("--quick", action="store_true",
                        help="look for the 3 among the first 1,000 training images only, and "
                             "draw a smaller figure (for tests)")
    parser.add_argument("--show", action="store_true", help="also show the figure in a window")
    args = parser.parse_args(argv)
    if not (args.lr > 0 and math.isfinite(args.lr)):
        parser.error(f"--lr must be a positive finite number, got {args.lr}")
    return args


# --------------------------------------------------------------------------- the two engines

def tensor_twin(scalar: MLP):
    """A float64 ``nn.mlp`` holding exactly the scalar network's weights, and its Linears.

    ``Linear.weight[:, j]`` holds neuron j's weights, ``bias[j]`` its bias.
    """
    net = mlp(784, SIZES, activation="sigmoid", dtype=np.float64)
    linears = [layer for layer in net.layers if isinstance(layer, Linear)]
    for layer, linear in zip(scalar.layers, linears):
        for j, neuron in enumerate(layer.neurons):
            linear.weight.data[:, j] = [w.data for w in neuron.w]
            linear.bias.data[j] = neuron.b.data
    return net, linears


def scalar_grads(scalar: MLP) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per layer, the Value grads as arrays: weights (n_in, n_out), biases (n_out,)."""
    return [(np.array([[w.grad for w in n.w] for n in layer.neurons], dtype=float).T,
             np.array([n.b.grad for n in layer.neurons], dtype=float))
            for layer in scalar.layers]


def pick_three(x: np.ndarray, y: np.ndarray, scalar: MLP, index: int | None,
               limit: int | None) -> tuple[int, str]:
    """The training index of the 3 to use, and a sentence saying why that one."""
    if index is not None:
        if not 0 <= index < len(y):
            raise SystemExit(f"--index {index} is outside the training set (0 to {len(y) - 1})")
        if y[index] != DIGIT:
            raise SystemExit(f"training image {index} is a {y[index]}, not a {DIGIT}; "
                             f"the first few 3s are at {np.flatnonzero(y == DIGIT)[:5].tolist()}")
        return index, f"training image {index} (chosen with --index)"
    threes = np.flatnonzero(y[:limit] == DIGIT)
    if not len(threes):
        raise SystemExit(f"no {DIGIT} among the first {limit} training images")
    net, _ = tensor_twin(scalar)  # fast: all the 3s at once
    with no_grad():
        answers = net(Tensor(x[threes], dtype=np.float64)).data.argmax(axis=1)
    wrong = threes[answers != DIGIT]
    if len(wrong):
        return int(wrong[0]), (f"training image {wrong[0]}, the first 3 the untrained network "
                               f"gets wrong")
    return int(threes[0]), (f"training image {threes[0]}, the first 3 (the untrained network "
                            f"already gets every 3 right)")


def one_step(image: np.ndarray, scalar: MLP, lr: float) -> dict:
    """Forward, cost, backward and one SGD step on the scalar engine; the tensor cross-check.

    Returns a dict: outputs_before/after (10,), cost_before/after, grads (per layer: weight
    and bias gradient arrays), check (max abs and relative difference of the two engines'
    gradients), seconds (the scalar step).
    """
    pixels = image.tolist()
    target = [1.0 if d == DIGIT else 0.0 for d in range(10)]

    start = time.perf_counter()
    outputs = scalar(pixels)                      # forward: 784 numbers in, 10 out
    cost = quadratic_cost(outputs, target)        # one number for how wrong
    scalar.zero_grad()
    cost.backward()                               # backprop: a grad for every knob
    grads = scalar_grads(scalar)
    before = np.array([o.data for o in outputs])
    cost_before = float(cost.data)

    # The tensor backend, same weights, float64: same cost, same gradients?
    net, linears = tensor_twin(scalar)
    cost_t = quadratic_cost(net(Tensor(image[None, :], dtype=np.float64)),
                            np.array([target]))
    cost_t.backward()
    diff = max(max(np.abs(lin.weight.grad - w).max(), np.abs(lin.bias.grad - b).max())
               for (w, b), lin in zip(grads, linears))
    largest = max(max(np.abs(w).max(), np.abs(b).max()) for w, b in grads)

    SGD(scalar.parameters(), lr=lr).step()        # the update: every knob a small step downhill
    with no_grad():
        after_values = scalar(pixels)
        cost_after = float(quadratic_cost(after_values, target).data)
    seconds = time.perf_counter() - start
    after = np.array([o.data for o in after_values])

    return {"outputs_before": before, "outputs_after": after, "target": np.array(target),
            "cost_before": cost_before, "cost_after": cost_after,
            "cost_tensor": float(cost_t.data), "grads": grads,
            "check": {"max_abs": float(diff), "relative": float(diff / largest),
                      "numbers": sum(w.size + b.size for w, b in grads)},
            "seconds": seconds}


# --------------------------------------------------------------------------- the report

def layer_names() -> list[str]:
    widths = [784, *SIZES]
    names = ["hidden 1", "hidden 2", "output"]
    return [f"{names[i]} ({widths[i]}->{widths[i + 1]})" for i in range(len(SIZES))]


def report(step: dict, why: str, lr: float) -> str:
    """The step as text: outputs before/after side by side, costs, gradient sizes, check."""
    before, after, target = step["outputs_before"], step["outputs_after"], step["target"]
    lines = [f"the digit: {why}", "",
             "digit  wanted  output before  output after   change"]
    for d in range(10):
        marks = []
        if d == before.argmax():
            marks.append("the answer before")
        if d == after.argmax():
            marks.append("the answer after")
        note = f"   <- {' and '.join(marks)}" if marks else ""
        lines.append(f"  {d}      {target[d]:.0f}       {before[d]:.4f}        {after[d]:.4f}"
                     f"     {after[d] - before[d]:+.4f}{note}")
    cost_before, cost_after = step["cost_before"], step["cost_after"]
    direction = "down" if cost_after < cost_before else "UP"
    lines.append("")
    lines.append(f"cost before the step: {cost_before:.4f}   (sum of (output - wanted)^2; "
                 "the lesson's example: about 0.90)")
    lines.append(f"cost after the step:  {cost_after:.4f}   ({direction} by "
                 f"{abs(cost_before - cost_after):.4f}, one step with learning rate {lr:g})")
    if cost_after < cost_before / 2:
        lines.append("(a step this big, on one image alone, nearly memorises it; in training "
                     "(demos.mnist) each step\n averages the gradients of a mini-batch of 32 "
                     "images. A smaller --lr gives the lesson's 'only very slightly less wrong'.)")
    lines.append("")
    lines.append("size of the gradient per layer (square root of the sum of squares):")
    lines.append("layer                   weights        biases   largest single weight grad")
    for name, (w, b) in zip(layer_names(), step["grads"]):
        lines.append(f"{name:20s}  {np.linalg.norm(w):10.6f}  {np.linalg.norm(b):10.6f}   "
                     f"{np.abs(w).max():10.6f}")
    total = math.sqrt(sum(np.sum(w ** 2) + np.sum(b ** 2) for w, b in step["grads"]))
    check = step["check"]
    verdict = "agree" if check["relative"] <= AGREE else "DISAGREE"
    lines.append(f"whole network ({check['numbers']:,} numbers): {total:.6f}")
    lines.append("")
    lines.append(f"scalar engine (Values) vs tensor engine (float64), same weights: cost "
                 f"{cost_before:.12f} vs {step['cost_tensor']:.12f}")
    lines.append(f"gradients: largest difference {check['max_abs']:.2e} "
                 f"({check['relative']:.2e} of the largest gradient) over "
                 f"{check['numbers']:,} numbers: {verdict} to {AGREE:g}")
    lines.append(f"(the scalar step, forward + backward + update + forward, took "
                 f"{step['seconds']:.2f} s)")
    return "\n".join(lines)


def plot(image: np.ndarray, step: dict, why: str, lr: float, path: Path, dpi: int,
         show: bool) -> None:
    """One PNG: the digit; outputs before vs after with the wanted answer; gradient sizes."""
    import matplotlib
    if not show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    before, after = step["outputs_before"], step["outputs_after"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), dpi=dpi,
                             gridspec_kw={"width_ratios": [1, 2.1, 1.5]})
    ax = axes[0]
    ax.imshow(image.reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"the input: a handwritten {DIGIT}\n784 brightness numbers")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel(why.split(",")[0])

    ax = axes[1]
    digits = np.arange(10)
    ax.bar(digits - 0.2, before, 0.4, color="tab:gray", label="before the step")
    ax.bar(digits + 0.2, after, 0.4, color="tab:blue", label="after one step")
    ax.plot([DIGIT - 0.45, DIGIT + 0.45], [1, 1], color="tab:green", linewidth=3,
            label=f"wanted: 1 for \"{DIGIT}\", 0 for the rest")
    ax.axvspan(DIGIT - 0.5, DIGIT + 0.5, color="tab:green", alpha=0.08)
    for d, (b, a) in enumerate(zip(before, after)):
        if abs(a - b) > 0.005:
            ax.annotate("", xy=(d + 0.2, a), xytext=(d + 0.2, b),
                        arrowprops={"arrowstyle": "->", "color": "black", "linewidth": 1})
    ax.set_xticks(digits)
    ax.set_xlabel("output neuron (digit)")
    ax.set_ylabel("output (activation, 0 to 1)")
    ax.set_ylim(0, 1.12)
    ax.set_title(f"the ten outputs: cost {step['cost_before']:.3f} before, "
                 f"{step['cost_after']:.3f} after\n(answer before: {before.argmax()}, "
                 f"after: {after.argmax()}; one SGD step, learning rate {lr:g})")
    ax.legend(loc="upper right", fontsize=9, framealpha=0.95)
    ax.grid(axis="y", alpha=0.3)

    ax = axes[2]
    names = ["hidden 1\n784→16", "hidden 2\n16→16", "output\n16→10"]
    w_norms = [np.linalg.norm(w) for w, _ in step["grads"]]
    b_norms = [np.linalg.norm(b) for _, b in step["grads"]]
    pos = np.arange(len(names))
    bars_w = ax.bar(pos - 0.2, w_norms, 0.4, color="tab:orange", label="weights")
    bars_b = ax.bar(pos + 0.2, b_norms, 0.4, color="tab:purple", label="biases")
    for bars in (bars_w, bars_b):
        ax.bar_label(bars, fmt="%.3f", fontsize=8, padding=2)
    ax.set_xticks(pos, names)
    ax.set_ylabel("size of the gradient (norm)")
    ax.set_ylim(0, 1.18 * max(w_norms + b_norms))
    ax.set_title("backprop: how hard each layer\nis pushed downhill")
    ax.legend(loc="upper left", fontsize=9)
    ax.grid(axis="y", alpha=0.3)

    fig.suptitle("One training step, start to finish (lesson 10): 784-16-16-10 sigmoid network, "
                 "quadratic cost", fontsize=12)
    fig.tight_layout()
    fig.savefig(path)
    if show:
        plt.show()
    plt.close(fig)


def main(argv=None) -> int:
    args = parse_args(argv)
    data = load_mnist(args.data)
    check_not_empty(data)
    x, y, _, _ = data.flat(np.float64)
    scalar = MLP(784, SIZES, activation="sigmoid", seed=args.seed)
    index, why = pick_three(x, y, scalar, args.index, 1000 if args.quick else None)
    print(f"784-16-16-10 sigmoid network, random starting weights (seed {args.seed}), "
          f"{scalar.num_parameters():,} weights and biases")
    step = one_step(x[index], scalar, args.lr)
    print(report(step, why, args.lr))

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"digit-step-{index}.png"
    plot(x[index], step, why, args.lr, path, dpi=80 if args.quick else 120, show=args.show)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(command.run(main))
