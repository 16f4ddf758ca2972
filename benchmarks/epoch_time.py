"""Seconds per epoch of the 784-16-16-10 network: tracegrad's Tensor backend against a
hand-written NumPy loop (and PyTorch, where installed), measured side by side in one run.

    python benchmarks/epoch_time.py [--batch-sizes 32 128] [--rounds 5] [--samples 60000]
                                    [--turn 50]

Random MNIST-shaped data (the timing does not depend on the pixels), float32, one BLAS
thread, plain gradient descent on the quadratic cost; each engine's timed step includes
picking its mini-batch out of the training set. The engines take turns every
``--turn`` mini-batches (each turn a few hundredths of a second), so a slow spell of this
shared machine falls on all of them alike; an engine's epoch time is the sum of its turns.
Prints the median and best epoch of each engine over the rounds, and the ratios: the median
and range of the ratio within a round, and best over best.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from numpy_reference import train_step

from nn import SGD, Tensor, mlp, quadratic_cost

LR = 2.0
SIZES = [784, 16, 16, 10]


def tracegrad_trainer(x, targets):
    """A function that takes one training step on the rows ``idx``."""
    model = mlp(SIZES[0], SIZES[1:], seed=0)
    optimizer = SGD(model.parameters(), lr=LR)

    def step(idx):
        loss = quadratic_cost(model(Tensor.from_numpy(x[idx])), targets[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


def numpy_trainer(x, targets):
    """The same step written out by hand (``numpy_reference.train_step``)."""
    init = np.random.default_rng(0)
    weights = [init.normal(0, 1 / np.sqrt(a), (a, b)).astype(np.float32)
               for a, b in itertools.pairwise(SIZES)]
    biases = [np.zeros(b, np.float32) for b in SIZES[1:]]
    lr = np.float32(LR)

    def step(idx):
        train_step(weights, biases, x[idx], targets[idx], lr)
    return step


def torch_trainer(x, targets):
    """The same step in PyTorch, on one CPU thread."""
    import torch

    torch.set_num_threads(1)
    layers = []
    for a, b in itertools.pairwise(SIZES):
        layers += [torch.nn.Linear(a, b), torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(targets)

    def step(idx):
        idx = torch.from_numpy(idx)
        loss = ((model(xt[idx]) - yt[idx]) ** 2).sum(dim=1).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


def epoch(trainers: dict, x, targets, batch_size: int, turn: int, rng) -> dict[str, float]:
    """One epoch for every engine, the engines taking turns; seconds per engine."""
    steps = {name: make(x, targets) for name, make in trainers.items()}
    order = rng.permutation(len(x))
    batches = [order[first:first + batch_size] for first in range(0, len(x), batch_size)]
    seconds = dict.fromkeys(steps, 0.0)
    names = list(steps)
    for k, first in enumerate(range(0, len(batches), turn)):
        turn_batches = batches[first:first + turn]
        for name in names[k % len(names):] + names[:k % len(names)]:  # rotate who goes first
            step = steps[name]
            start = time.perf_counter()
            for idx in turn_batches:
                step(idx)
            seconds[name] += time.perf_counter() - start
    return seconds


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--rounds", type=int, default=5, help="epochs per engine")
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--turn", type=int, default=50, help="mini-batches per turn")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 784), dtype=np.float32)
    targets = np.eye(10, dtype=np.float32)[rng.integers(0, 10, args.samples)]
    trainers = {"tracegrad Tensor": tracegrad_trainer, "hand-written NumPy": numpy_trainer}
    try:
        import torch  # noqa: F401

        trainers["PyTorch"] = torch_trainer
    except ImportError:
        print("(PyTorch not installed: pip install torch==2.13.0 to compare with it)")

    with threadpool_limits(limits=1):
        for batch in args.batch_sizes:
            warm = batch * args.turn
            epoch(trainers, x[:warm], targets[:warm], batch, args.turn, rng)  # warm up
            runs = {name: [] for name in trainers}
            for _ in range(args.rounds):
                for name, seconds in epoch(trainers, x, targets, batch, args.turn,
                                           rng).items():
                    runs[name].append(seconds)
            print(f"\none epoch, {args.samples:,} samples, batch {batch}, {args.rounds} rounds")
            print(f"  {'':20s} {'median':>9s} {'best':>8s}")
            for name, seconds in runs.items():
                print(f"  {name:20s} {statistics.median(seconds):7.3f} s "
                      f"{min(seconds):6.3f} s")
            ours = runs["tracegrad Tensor"]
            for name, seconds in runs.items():
                if name != "tracegrad Tensor":
                    ratios = [a / b for a, b in zip(ours, seconds)]
                    print(f"  tracegrad / {name}: {statistics.median(ratios):.2f}x "
                          f"(rounds: {min(ratios):.2f}-{max(ratios):.2f}x; "
                          f"best / best: {min(ours) / min(seconds):.2f}x)")


if __name__ == "__main__":
    main()
