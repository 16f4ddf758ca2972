"""The scalar engine against two reference designs, side by side in one run.

    python benchmarks/scalar_engine.py [--rounds 5] [--steps 3] [--turns 3]

Two workloads, each timed two ways: as steps of a training loop (each step's graph dropped
when the next is built, the garbage collector on: how the engines are used; the engines take
turns of a few steps each and the mean per step is printed), and as one graph
built and differentiated from a clean heap (what remains without the collector's work):
* a 2-16-16-1 tanh MLP over 100 points (one training step's loss and gradient);
* one sample through the lesson's 784-16-16-10 sigmoid network with the quadratic cost.
Then, on the 784-16-16-10 graph: what the tracing features cost when they are on (recording
every chain-rule step, the trace table, anomaly mode), and the memory the graph holds
(tracemalloc, bytes per node).

The references:
* the lean design (benchmarks/lean_engine.py): each operation computes its local derivatives
  in the forward pass and keeps them in a tuple beside its inputs; no closures, no checks;
* the closure design (benchmarks/closure_engine.py): a closure per operation, which makes every
  graph a web of reference cycles that only the cyclic garbage collector frees.
Both sort the graph recursively, so the recursion limit is raised for them. tracegrad's graphs
have no cycles and are freed by reference counting as soon as they are dropped. Three ratios
are printed: tracegrad's time over the lean design's (the target is at most 0.85), and the
closure design's time over tracegrad's and over the lean design's.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import random
import statistics
import sys
import time
import tracemalloc
from collections import deque
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from closure_engine import ClosureValue
from lean_engine import LeanValue

from autograd import Value, detect_anomaly, topological_order
from autograd.trace import trace


def mlp_weights(sizes, rng):
    return [[[rng.gauss(0, 1 / n_in ** 0.5) for _ in range(n_in + 1)] for _ in range(n_out)]
            for n_in, n_out in itertools.pairwise(sizes)]


def forward(make, weights, x, activation):
    """The MLP's outputs for input list x; make() turns numbers into engine values."""
    acts = [make(v) for v in x]
    for layer in weights:
        acts = [getattr(sum((w * a for w, a in zip(neuron[:-1], acts)), neuron[-1]),
                        activation)() for neuron in layer]
    return acts


def small_mlp_loss(engine, data, weights):
    params = [[[engine(w) for w in neuron] for neuron in layer] for layer in weights]
    loss = engine(0.0)
    for x, y in data:
        (out,) = forward(lambda v: v, params, [engine(v) for v in x], "tanh")
        loss = loss + (out - y) ** 2
    return loss


def mnist_loss(engine, pixels, weights):
    params = [[[engine(w) for w in neuron] for neuron in layer] for layer in weights]
    outs = forward(engine, params, pixels, "sigmoid")
    target = [0.0] * 10
    target[3] = 1.0
    loss = engine(0.0)
    for out, want in zip(outs, target):
        loss = loss + (out - want) ** 2
    return loss


def with_backward(build):
    """A function that builds a loss, runs backward, and returns the loss."""
    def step():
        loss = build()
        loss.backward()
        return loss
    return step


class CollectorClock:
    """Seconds spent in the cyclic garbage collector's passes while it is on (``gc.callbacks``)."""

    def __init__(self):
        self.seconds = 0.0
        self._start = 0.0

    def __call__(self, phase, info):
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start

    def __enter__(self):
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self)


def training_loop(step, steps):
    """Mean seconds per step over ``steps`` consecutive ``step()`` calls, the mean of those
    seconds spent in the garbage collector, and the last loss.

    As in a training loop: each step's graph is dropped when the next one is built, and the
    garbage collector stays on, so an engine pays for freeing its own graphs (by reference
    counting, or in the collector's passes over reference cycles). The collector's full
    passes come every few steps, so the mean (not the median) is the fair figure. One
    untimed step first, after ``gc.collect()``, so no engine pays for another's garbage.
    """
    gc.collect()
    loss = step()
    with CollectorClock() as collector:
        start = time.perf_counter()
        for _ in range(steps):
            loss = step()
        seconds = (time.perf_counter() - start) / steps
    value = loss.data
    del loss
    gc.collect()
    return seconds, collector.seconds / steps, value


def clean_time(fn) -> float:
    """Seconds of one ``fn()`` call, from a clean heap."""
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_time(fn, rounds):
    """Median seconds of ``fn()`` over ``rounds``, each from a clean heap."""
    return statistics.median(clean_time(fn) for _ in range(rounds))


def tracing_costs(build, rounds):
    """What each tracing feature costs: rows of (what, seconds, times the plain run).

    Each feature runs alternately with the plain operation it extends, on the same graph, so
    that the ratio (the median of the ratios round by round) compares runs that met the same
    machine.
    """
    loss = build()

    def anomaly_build():
        with detect_anomaly():
            build()

    def anomaly_backward():
        with detect_anomaly():
            loss.backward()

    features = [  # (what, the plain operation, the same with the feature on)
        ("backward_steps(), every Edge recorded", loss.backward,
         lambda: deque(loss.backward_steps(), maxlen=0)),
        ("trace(), the step table as data", loss.backward, lambda: trace(loss)),
        ("build under detect_anomaly()", build, anomaly_build),
        ("backward() under detect_anomaly()", loss.backward, anomaly_backward),
    ]
    rows = [("build the graph", median_time(build, rounds), None),
            ("backward()", median_time(loss.backward, rounds), None)]
    for what, plain, feature in features:
        pairs = [(clean_time(plain), clean_time(feature)) for _ in range(rounds)]
        rows.append((what, statistics.median(f for _, f in pairs),
                     statistics.median(f / p for p, f in pairs)))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5,
                        help="clean-heap runs per engine (the median is printed)")
    parser.add_argument("--steps", type=int, default=3,
                        help="training-loop steps per turn (the mean is printed)")
    parser.add_argument("--turns", type=int, default=3,
                        help="turns per engine; the engines alternate")
    args = parser.parse_args(argv)
    sys.setrecursionlimit(200_000)  # for the reference's recursive sort

    rng = random.Random(0)
    small = mlp_weights([2, 16, 16, 1], rng)
    data = [([rng.uniform(-1, 1), rng.uniform(-1, 1)], rng.choice([-1.0, 1.0]))
            for _ in range(100)]
    big = mlp_weights([784, 16, 16, 10], rng)
    pixels = [rng.random() for _ in range(784)]

    engines = {"tracegrad Value": Value, "lean design": LeanValue,
               "closure design": ClosureValue}
    for title, build in [("2-16-16-1 MLP, 100 points",
                          lambda e: small_mlp_loss(e, data, small)),
                         ("784-16-16-10, one sample", lambda e: mnist_loss(e, pixels, big))]:
        # The engines take turns, so a slow spell of this shared machine falls on all alike.
        turns = {engine: [] for engine in engines.values()}
        collecting = {engine: [] for engine in engines.values()}
        losses = {}
        for _ in range(args.turns):
            for engine in engines.values():
                step = with_backward(partial(build, engine))
                per_step, in_collector, loss = training_loop(step, args.steps)
                turns[engine].append(per_step)
                collecting[engine].append(in_collector)
                losses[engine] = loss
        for loss in losses.values():
            assert abs(loss - losses[Value]) <= 1e-9 * abs(losses[Value])
        mean = {e: statistics.mean(turns[e]) for e in turns}
        in_gc = {e: statistics.mean(collecting[e]) for e in collecting}
        once = {e: median_time(with_backward(partial(build, e)), args.rounds) for e in turns}
        nodes = len(topological_order(build(Value)))
        print(f"{title}: {nodes:,} nodes, seconds of build + backward")
        print(f"  {'':24s} {'training loop':>14s} {'of it, in the':>14s} "
              f"{'one graph, clean heap':>22s}")
        print(f"  {'':24s} {f'({args.turns} x {args.steps} steps)':>14s} {'collector':>14s} "
              f"{f'(median of {args.rounds})':>22s}")
        for name, engine in engines.items():
            print(f"  {name:24s} {mean[engine]:14.3f} {in_gc[engine]:14.3f} "
                  f"{once[engine]:22.3f}")
        for what, top, bottom in (("tracegrad / lean", Value, LeanValue),
                                  ("closure / tracegrad", ClosureValue, Value),
                                  ("closure / lean", ClosureValue, LeanValue)):
            by_turn = [a / b for a, b in zip(turns[top], turns[bottom])]
            print(f"  {what:24s} {mean[top] / mean[bottom]:13.2f}x {'':14s} "
                  f"{once[top] / once[bottom]:21.2f}x   (turns "
                  f"{min(by_turn):.2f}-{max(by_turn):.2f}x)")

    print("what the tracing features cost, 784-16-16-10 graph of one sample:")
    for what, seconds, ratio in tracing_costs(lambda: mnist_loss(Value, pixels, big),
                                              args.rounds):
        ratio = f"  {ratio:4.1f}x plain" if ratio else ""
        print(f"  {what:40s} {seconds:7.3f} s{ratio}")

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = mnist_loss(Value, pixels, big)
    loss.backward()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    nodes = len(topological_order(loss))
    print(f"memory of the 784-16-16-10 graph after backward (one sample, parameters included): "
          f"{held / 1e6:.1f} MB, {held / nodes:.0f} bytes per node")


if __name__ == "__main__":
    main()
