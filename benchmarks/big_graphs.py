"""How the show-the-work tools scale: paths and check on chains of growing depth.

    python benchmarks/big_graphs.py [--depths 12500 25000 50000 100000]

A chain y = ((x * 1.0001 + 0.5) * 1.0001 + 0.5) ... of ``depth`` operations has one path from
x to y, of ``depth`` edges, so listing it and checking a claim about d/dx are linear in the
depth: each doubling of the depth should double the time (ratio ~2), where the old
implementation (each path step copied the path so far) grew quadratically (50,000 took 8 s,
100,000 took 62 s). Each figure is the best of ``--rounds`` runs.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograd import Value
from autograd.check import check
from autograd.trace import paths


def chain(depth: int):
    """x and y: y is x through ``depth`` operations (alternately * 1.0001 and + 0.5)."""
    x = Value(0.5, label="x")
    y = x
    for k in range(depth):
        y = y * 1.0001 if k % 2 == 0 else y + 0.5
    y.label = "y"
    return x, y


def best_seconds(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depths", type=int, nargs="+", default=[12_500, 25_000, 50_000,
                                                                    100_000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    sys.setrecursionlimit(10_000)
    print(f"{'depth':>8s} {'paths(y, x)':>12s} {'ratio':>6s} {'check(d/dx)':>12s} {'ratio':>6s}")
    previous = None
    for depth in args.depths:
        x, y = chain(depth)
        path_time = best_seconds(partial(paths, y, x), args.rounds)
        found = paths(y, x)
        assert len(found) == 1 and len(found[0].nodes) == depth + 1
        claim = f"{found.total:.6g}"
        check_time = best_seconds(partial(check, y, claims={"d/dx": claim}),
                                  args.rounds)
        ratios = ("", "") if previous is None else (f"{path_time / previous[0]:.1f}x",
                                                    f"{check_time / previous[1]:.1f}x")
        print(f"{depth:8,d} {path_time:11.3f}s {ratios[0]:>6s} {check_time:11.3f}s "
              f"{ratios[1]:>6s}")
        previous = (path_time, check_time)
    return 0


if __name__ == "__main__":
    sys.exit(main())
