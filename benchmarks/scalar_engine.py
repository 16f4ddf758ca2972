"""The scalar engine against a closure-design reference, side by side in one run.

    python benchmarks/scalar_engine.py [--rounds 3]

Two workloads (median seconds of build + backward):
* a 2-16-16-1 tanh MLP over 100 points (one training step's loss and gradient);
* one sample through the lesson's 784-16-16-10 sigmoid network with the quadratic cost.
Also prints the nodes in each graph and the memory the 784-16-16-10 graph holds (tracemalloc).
The reference (benchmarks/closure_engine.py) keeps a closure per operation and sorts the graph
recursively, so the recursion limit is raised for it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from closure_engine import ClosureValue  # noqa: E402

from autograd import Value, topological_order  # noqa: E402


def mlp_weights(sizes, rng):
    return [[[rng.gauss(0, 1 / n_in ** 0.5) for _ in range(n_in + 1)] for _ in range(n_out)]
            for n_in, n_out in zip(sizes, sizes[1:])]


def forward(make, weights, x, activation):
    """The MLP's outputs for input list x; make() turns numbers into engine values."""
    acts = [make(v) for v in x]
    for layer in weights:
        acts = [getattr(sum((w * a for w, a in zip(neuron[:-1], acts)), neuron[-1]),
                        activation)() for neuron in layer]
    return acts


def small_mlp_step(engine, data, weights):
    params = [[[engine(w) for w in neuron] for neuron in layer] for layer in weights]
    loss = engine(0.0)
    for x, y in data:
        (out,) = forward(lambda v: v, params, [engine(v) for v in x], "tanh")
        loss = loss + (out - y) ** 2
    loss.backward()
    return loss


def mnist_step(engine, pixels, weights):
    params = [[[engine(w) for w in neuron] for neuron in layer] for layer in weights]
    outs = forward(engine, params, pixels, "sigmoid")
    target = [0.0] * 10
    target[3] = 1.0
    loss = engine(0.0)
    for out, want in zip(outs, target):
        loss = loss + (out - want) ** 2
    loss.backward()
    return loss


def timed(fn, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    sys.setrecursionlimit(200_000)  # for the reference's recursive sort

    rng = random.Random(0)
    small = mlp_weights([2, 16, 16, 1], rng)
    data = [([rng.uniform(-1, 1), rng.uniform(-1, 1)], rng.choice([-1.0, 1.0]))
            for _ in range(100)]
    big = mlp_weights([784, 16, 16, 10], rng)
    pixels = [rng.random() for _ in range(784)]

    for title, run in [("2-16-16-1 MLP, 100 points", lambda e: small_mlp_step(e, data, small)),
                       ("784-16-16-10, one sample", lambda e: mnist_step(e, pixels, big))]:
        ours, loss = timed(lambda: run(Value), args.rounds)
        theirs, ref_loss = timed(lambda: run(ClosureValue), args.rounds)
        assert abs(loss.data - ref_loss.data) <= 1e-9 * abs(ref_loss.data)
        nodes = len(topological_order(loss))
        print(f"{title}: {nodes:,} nodes, build + backward (median of {args.rounds})")
        print(f"  tracegrad Value        {ours:7.3f} s")
        print(f"  closure-design engine  {theirs:7.3f} s")
        print(f"  speed-up               {theirs / ours:7.1f}x")

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = mnist_step(Value, pixels, big)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    nodes = len(topological_order(loss))
    print(f"memory of the 784-16-16-10 graph (one sample, parameters included): "
          f"{held / 1e6:.1f} MB, {held / nodes:.0f} bytes per node")


if __name__ == "__main__":
    main()
