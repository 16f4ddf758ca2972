"""The scalar engine on the lesson's network: one sample through 784-16-16-10 of Values.

    python benchmarks/scalar_engine.py

Prints the nodes in the graph, seconds to build it (forward pass) and to backpropagate,
nodes per second, and the memory the graph holds (bytes per node, by tracemalloc).
"""

from __future__ import annotations

import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograd import topological_order  # noqa: E402
from nn import MLP, quadratic_cost  # noqa: E402


def main() -> None:
    rng = random.Random(0)
    net = MLP(784, [16, 16, 10], seed=0)
    pixels = [rng.random() for _ in range(784)]
    target = [0.0] * 10
    target[3] = 1.0

    start = time.perf_counter()
    loss = quadratic_cost(net(pixels), target)
    built = time.perf_counter() - start

    tracemalloc.start()  # a second, traced build for the memory (tracing slows it down)
    before = tracemalloc.get_traced_memory()[0]
    traced = quadratic_cost(net(pixels), target)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del traced

    nodes = len(topological_order(loss))
    start = time.perf_counter()
    loss.backward()
    backward = time.perf_counter() - start
    print(f"784-16-16-10 on one sample: {nodes:,} nodes ({net.num_parameters():,} parameters)")
    print(f"  forward (build)   {built:.3f} s   {nodes / built / 1e6:.2f} M nodes/s")
    print(f"  backward          {backward:.3f} s   {nodes / backward / 1e6:.2f} M nodes/s")
    print(f"  graph memory      {held / 1e6:.1f} MB   {held / nodes:.0f} bytes per node "
          "(excluding the parameters and inputs made before)")


if __name__ == "__main__":
    main()
