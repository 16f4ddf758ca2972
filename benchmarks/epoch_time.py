"""Seconds per epoch of the 784-16-16-10 network: tracegrad's Tensor backend against a
hand-written NumPy loop (and PyTorch, where installed), measured side by side in one run.

    python benchmarks/epoch_time.py [--batch-sizes 32 128] [--rounds 3] [--samples 60000]

Random MNIST-shaped data (the timing does not depend on the pixels), float32, one BLAS
thread. The engines take turns; prints the median seconds of each and the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from numpy_reference import train_epoch  # noqa: E402

from nn import SGD, Tensor, mlp, quadratic_cost  # noqa: E402


def tracegrad_epoch(x, targets, batch_size, rng):
    model = mlp(784, [16, 16, 10], seed=0)
    optimizer = SGD(model.parameters(), lr=2.0)
    order = rng.permutation(len(x))
    start = time.perf_counter()
    for first in range(0, len(x), batch_size):
        idx = order[first:first + batch_size]
        loss = quadratic_cost(model(Tensor.from_numpy(x[idx])), targets[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def numpy_epoch(x, targets, batch_size, rng):
    init = np.random.default_rng(0)
    sizes = [784, 16, 16, 10]
    weights = [init.normal(0, 1 / np.sqrt(a), (a, b)).astype(np.float32)
               for a, b in zip(sizes, sizes[1:])]
    biases = [np.zeros(b, np.float32) for b in sizes[1:]]
    start = time.perf_counter()
    train_epoch(weights, biases, x, targets, np.float32(2.0), batch_size, rng)
    return time.perf_counter() - start


def torch_epoch(x, targets, batch_size, rng):
    import torch

    torch.set_num_threads(1)
    model = torch.nn.Sequential(torch.nn.Linear(784, 16), torch.nn.Sigmoid(),
                                torch.nn.Linear(16, 16), torch.nn.Sigmoid(),
                                torch.nn.Linear(16, 10), torch.nn.Sigmoid())
    optimizer = torch.optim.SGD(model.parameters(), lr=2.0)
    xt, yt = torch.from_numpy(x), torch.from_numpy(targets)
    order = torch.from_numpy(rng.permutation(len(x)))
    start = time.perf_counter()
    for first in range(0, len(x), batch_size):
        idx = order[first:first + batch_size]
        loss = ((model(xt[idx]) - yt[idx]) ** 2).sum(dim=1).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=60000)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 784), dtype=np.float32)
    targets = np.eye(10, dtype=np.float32)[rng.integers(0, 10, args.samples)]
    engines = {"tracegrad Tensor": tracegrad_epoch, "hand-written NumPy": numpy_epoch}
    try:
        import torch  # noqa: F401

        engines["PyTorch"] = torch_epoch
    except ImportError:
        print("(PyTorch not installed: pip install torch==2.13.0 to compare with it)")

    with threadpool_limits(limits=1):
        for batch in args.batch_sizes:
            # The engines take turns round by round, so a slow spell of the machine
            # (it is shared and noisy) falls on all of them alike.
            runs = {name: [] for name in engines}
            for _ in range(args.rounds):
                for name, run in engines.items():
                    runs[name].append(run(x, targets, batch, rng))
            times = {name: statistics.median(seconds) for name, seconds in runs.items()}
            print(f"\none epoch, {args.samples:,} samples, batch {batch} "
                  f"(median of {args.rounds}):")
            for name, seconds in times.items():
                print(f"  {name:20s} {seconds:6.3f} s")
            base = times["tracegrad Tensor"]
            for name, seconds in times.items():
                if name != "tracegrad Tensor":
                    print(f"  tracegrad / {name}: {base / seconds:.2f}x")


if __name__ == "__main__":
    main()
