"""Nielsen's MNIST results, reproduced through tracegrad's public API alone.

    python -m demos.nielsen --data ../shared/data/mnist        # every run, seeds 0 1 2
    python -m demos.nielsen --data ../shared/data/mnist --runs ch1 --seeds 0
    python -m demos.nielsen --quick                            # a short run (for tests)

Michael Nielsen, "Neural Networks and Deep Learning" (2015), trains a [784, 30, 10] sigmoid
network with his own NumPy code (github.com/mnielsen/neural-networks-and-deep-learning,
``src/network.py`` and ``src/network2.py``; his figures come from the book's text and the
JSON files his ``fig/*.py`` scripts wrote). Every run here uses his settings: mini-batches of
10, shuffled every epoch, 30 epochs, training on the first 50,000 training images (his
training set; the last 10,000 are his validation set), and his accuracy figure is set beside
tracegrad's, as the mean and spread over seeds. Pixels are scaled to [0, 1] (pixel / 255).

``ch1``: chapter 1, ``src/network.py``. Weights and biases N(0, 1) (``np.random.randn``),
sigmoid everywhere, the quadratic cost C_x = 1/2 ||y - a||^2 per example, and SGD with
eta = 3.0 on the gradient averaged over the mini-batch. tracegrad's ``quadratic_cost`` has no
1/2 (it is ||y - a||^2 averaged over the mini-batch), so its gradient is twice his and the
same steps take ``lr = eta / 2 = 1.5``. His figure: 95.42% on the 10,000 test images at the
best of the 30 epochs (the book, chapter 1).

``ch3``: chapter 3, ``src/network2.py``, "Regularization": the cross-entropy cost
-[y ln a + (1 - y) ln(1 - a)] summed over the 10 outputs and averaged over the mini-batch
(``binary_cross_entropy(logits, one_hot, reduction="batch")`` on the last layer's weighted
sums, the sigmoid folded into the cost), eta = 0.5, L2 regularisation with lambda = 5.0 on
the weights only, and the large initialisation he uses there (``large_weight_initializer``:
weights and biases N(0, 1)). His figure: 96.49% on the test images at its best epoch (the
29th of 30; ``fig/regularized_full.json``; 95.61% after the 30th).

``ch3-init``: the same cost and L2 with his default initialisation
(``default_weight_initializer``: weights N(0, 1/n_in), biases N(0, 1)), measured on the
validation images, as in his "Weight initialization" comparison
(``fig/weight_initialization_30.json``: 96.50% after the 30th epoch). His script takes eta as
an argument and the file does not record it; the book lowers it to 0.1 for that comparison,
and with 0.1 tracegrad's first three epochs follow his curve (92.95, 94.01, 94.94% for seed 0
against his 92.70, 94.14, 94.70%), where eta = 0.5 starts at 94.3%.

The L2 mapping. Nielsen's update (``network2.py``, ``update_mini_batch``) is
``w -> (1 - eta * lambda / n) w - (eta / m) * sum of the m per-example gradients``, and
``b -> b - (eta / m) * sum`` for the biases, with n = 50,000 training images and m = 10.
``SGD(weights, lr=eta, weight_decay=lambda / n)`` steps ``w -> w - eta * (g + (lambda / n) w)``
with g the gradient of the mini-batch mean, (1 / m) * sum: the same update. So the weights get
``weight_decay = 5.0 / 50,000 = 1e-4`` and the biases a second SGD without decay.

Writes ``nielsen.md`` (the table) and ``nielsen.json`` (every epoch's figures) into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from nn import (
    SGD,
    MiniBatches,
    Tensor,
    accuracy,
    binary_cross_entropy,
    blas_threads,
    mlp,
    one_hot,
    quadratic_cost,
)
from nn.data import load_mnist

SIZES = [30, 10]
BATCH_SIZE = 10
EPOCHS = 30
N_TRAIN, N_VALIDATION = 50_000, 10_000
QUICK = {"epochs": 1, "train": 2_000, "validation": 1_000}
TOLERANCE = 0.5  # percentage points between tracegrad's mean and Nielsen's figure


@dataclass(frozen=True)
class Run:
    """One of Nielsen's runs: his settings and his published figure."""

    name: str
    title: str
    cost: str            # "quadratic" (sigmoid outputs) or "cross_entropy" (logits + BCE)
    eta: float           # Nielsen's learning rate
    lr: float            # tracegrad's for the same steps
    lmbda: float         # Nielsen's L2 parameter lambda (0: none)
    init: str            # the weights' scheme (nn.init)
    bias_init: str
    evaluate_on: str     # "test" or "validation"
    nielsen: float       # his accuracy, percent
    statistic: str       # "best" (the best epoch) or "last" (after the last epoch)
    source: str


RUNS = {run.name: run for run in [
    Run("ch1", "chapter 1, network.py: quadratic cost, N(0, 1) weights and biases",
        "quadratic", eta=3.0, lr=1.5, lmbda=0.0, init="normal", bias_init="normal",
        evaluate_on="test", nielsen=95.42, statistic="best",
        source="the book, chapter 1 ('95.42 percent at its peak')"),
    Run("ch3", "chapter 3, network2.py: cross-entropy, L2 lambda 5.0, N(0, 1) init",
        "cross_entropy", eta=0.5, lr=0.5, lmbda=5.0, init="normal", bias_init="normal",
        evaluate_on="test", nielsen=96.49, statistic="best",
        source="fig/regularized_full.json (best epoch, the 29th)"),
    Run("ch3-init", "chapter 3, network2.py: cross-entropy, L2 lambda 5.0, N(0, 1/n_in) "
        "weights", "cross_entropy", eta=0.1, lr=0.1, lmbda=5.0, init="lecun",
        bias_init="normal", evaluate_on="validation", nielsen=96.50, statistic="last",
        source="fig/weight_initialization_30.json (last epoch; eta 0.1 as in the book)"),
]}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demos.nielsen",
        description="Reproduce Nielsen's MNIST accuracies ([784, 30, 10], chapters 1 and 3) "
                    "with tracegrad's public API, his figures beside ours.")
    parser.add_argument("--data", metavar="DIR",
                        help="folder with the four MNIST files (default: as demos.mnist; the "
                             "embedded subset is too small for his figures)")
    parser.add_argument("--out", metavar="DIR", default="out",
                        help="where to write nielsen.md and nielsen.json (default: out)")
    parser.add_argument("--runs", nargs="+", choices=sorted(RUNS), default=list(RUNS),
                        help="which runs (default: all)")
    parser.add_argument("--seeds", nargs="+", type=int, metavar="SEED",
                        help="seeds of the weights and the shuffling (default: 0 1 2; 0 for "
                             "--quick)")
    parser.add_argument("--epochs", type=int, help=f"passes over the training set "
                        f"(default: his {EPOCHS})")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads for the matrix products (default: 1, the fastest "
                             "for matrices this small)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a short run for tests: {QUICK['epochs']} epoch on the first "
                             f"{QUICK['train']:,} training images, seed 0 unless --seeds")
    args = parser.parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    args.seeds = args.seeds or ([0] if args.quick else [0, 1, 2])
    if any(seed < 0 for seed in args.seeds):
        parser.error(f"--seeds must be whole numbers >= 0, got {args.seeds}")
    if args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    args.epochs = args.epochs or (QUICK["epochs"] if args.quick else EPOCHS)
    return args


def split(data, quick: bool) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Nielsen's three sets: the first 50,000 training images, the last 10,000 (validation),
    and the 10,000 test images; for --quick the first 2,000 and the last 1,000."""
    x, y, x_test, y_test = data.flat(np.float64)
    n_train, n_valid = (QUICK["train"], QUICK["validation"]) if quick else (N_TRAIN,
                                                                             N_VALIDATION)
    if len(x) < n_train + n_valid:
        raise ValueError(f"{data.source} has {len(x):,} training images; Nielsen's split needs "
                         f"{n_train + n_valid:,} ({n_train:,} to train on and {n_valid:,} to "
                         "validate). Pass --data with the full MNIST files, or --quick")
    return {"train": (x[:n_train], y[:n_train]), "validation": (x[-n_valid:], y[-n_valid:]),
            "test": (x_test, y_test)}


def build(run: Run, seed: int):
    """The network: sigmoid layers, the last one's sigmoid folded into the cost for ch3."""
    last = "sigmoid" if run.cost == "quadratic" else "linear"
    return mlp(784, SIZES, activation=["sigmoid", last], seed=seed, dtype=np.float64,
               init=run.init, bias_init=run.bias_init)


def optimizers(model, run: Run, n_train: int) -> list[SGD]:
    """SGD on the weights with weight_decay = lambda / n (see the module docstring), and on
    the biases without it: Nielsen decays the weights only."""
    params = model.named_parameters()
    weights = [p for name, p in params.items() if name.endswith("weight")]
    biases = [p for name, p in params.items() if name.endswith("bias")]
    return [SGD(weights, lr=run.lr, weight_decay=run.lmbda / n_train),
            SGD(biases, lr=run.lr)]


def cost(run: Run, outputs: Tensor, targets: np.ndarray) -> Tensor:
    if run.cost == "quadratic":
        return quadratic_cost(outputs, targets)
    return binary_cross_entropy(outputs, targets, reduction="batch")


def train(run: Run, sets: dict, seed: int, epochs: int) -> dict:
    """One run: the accuracy (percent) on the run's evaluation set after every epoch."""
    model = build(run, seed)
    x, y = sets["train"]
    steps = optimizers(model, run, len(x))
    batches = MiniBatches(x, one_hot(y, 10, dtype=np.float64), batch_size=BATCH_SIZE,
                          seed=seed)
    x_eval, y_eval = sets[run.evaluate_on]
    percents, start = [], time.perf_counter()
    for epoch in range(1, epochs + 1):
        for images, targets in batches:
            loss = cost(run, model(Tensor.from_numpy(images)), targets)
            for opt in steps:
                opt.zero_grad()
            loss.backward()
            for opt in steps:
                opt.step()
        percents.append(100 * accuracy(model, x_eval, y_eval))
        print(f"  {run.name} seed {seed} epoch {epoch:2d}/{epochs}: {percents[-1]:.2f}% "
              f"on {run.evaluate_on}", flush=True)
    return {"seed": seed, "percent": percents, "seconds": time.perf_counter() - start}


def summary(run: Run, results: list[dict]) -> dict:
    """Per seed, tracegrad's figure of the same kind as Nielsen's; their mean and spread."""
    pick = max if run.statistic == "best" else (lambda p: p[-1])
    figures = [pick(r["percent"]) for r in results]
    mean = statistics.fmean(figures)
    return {"figures": figures, "mean": mean,
            "std": statistics.stdev(figures) if len(figures) > 1 else 0.0,
            "low": min(figures), "high": max(figures),
            "best_epochs": [r["percent"].index(max(r["percent"])) + 1 for r in results],
            "seconds": [r["seconds"] for r in results],
            "difference": mean - run.nielsen,
            "within": abs(mean - run.nielsen) <= TOLERANCE}


def report(runs: list[Run], summaries: dict, args, data) -> str:
    """The Markdown table: Nielsen's figure beside tracegrad's per seed, mean and spread."""
    lines = [f"# Nielsen's MNIST results with tracegrad ({args.epochs} epochs, seeds "
             f"{', '.join(map(str, args.seeds))})", "",
             f"Data: {data.source}.", "",
             "| run | figure | Nielsen | tracegrad per seed | mean | std | range | "
             "difference | seconds per run |", "| --- | --- | --- | --- | --- | --- | --- | "
             "--- | --- |"]
    for run in runs:
        s = summaries[run.name]
        per_seed = ", ".join(f"{f:.2f}" for f in s["figures"])
        what = ("best epoch" if run.statistic == "best" else "last epoch") + " on " + \
            run.evaluate_on
        lines.append(f"| {run.name} | {what} | {run.nielsen:.2f}% | {per_seed} | "
                     f"{s['mean']:.2f}% | {s['std']:.2f} | {s['low']:.2f}-{s['high']:.2f} | "
                     f"{s['difference']:+.2f}{'' if s['within'] else ' (over 0.5)'} | "
                     f"{statistics.fmean(s['seconds']):.1f} |")
    lines += ["", "Runs:", ""]
    lines += [f"- {run.name}: {run.title}; eta {run.eta} (tracegrad lr {run.lr}), "
              f"lambda {run.lmbda}. Nielsen's figure: {run.source}." for run in runs]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = parse_args(argv)
    data = load_mnist(args.data)
    sets = split(data, args.quick)
    runs = [RUNS[name] for name in args.runs]
    results, summaries = {}, {}
    with blas_threads(args.threads):
        for run in runs:
            print(f"{run.name}: {run.title}", flush=True)
            results[run.name] = [train(run, sets, seed, args.epochs) for seed in args.seeds]
            summaries[run.name] = summary(run, results[run.name])
    table = report(runs, summaries, args, data)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "nielsen.md").write_text(table, encoding="utf-8")
    (out / "nielsen.json").write_text(json.dumps(
        {"runs": {run.name: {"settings": asdict(run), "results": results[run.name],
                             "summary": summaries[run.name]} for run in runs},
         "epochs": args.epochs, "data": data.source}, indent=1), encoding="utf-8")
    print()
    print(table, end="")
    print(f"wrote {out / 'nielsen.md'}")
    print(f"wrote {out / 'nielsen.json'}")
    return 0


if __name__ == "__main__":
    from autograd.command import run

    sys.exit(run(main))
