"""The local-minimum trap: gradient descent on x**4 - 4x**2 + x + 1 from 0.5 and from -0.5.

    python -m demos.lesson_trap

Source: ../shared/lesson/004_08ce3b0832d56c87.txt, "What if the landscape isn't a simple
valley?": from x = 0.5 "the algorithm slides into the shallow valley and gets stuck", from
x = -0.5 "it finds the true, deep valley". The lesson shows this as a picture and gives no
learning rate or step count here; the demo uses the section's η = 0.1 and its "FOR 100
iterations" loop, and repeats the run with η = 0.01 for 1,000 steps to show that the outcome
does not hinge on the rate. Every slope is the engine's (``backward()``), every step
``nn.SGD``.
"""

from __future__ import annotations

import sys

from autograd import Value, command
from demos.lesson_audit import Audit, demo_main, title
from nn import SGD

SECTION = "trap"
STARTS = (0.5, -0.5)
# (learning rate, steps): the section's rate and loop, and a 10x smaller rate for 10x longer.
RUNS = ((0.1, 100), (0.01, 1000))


def f_of(x: Value) -> Value:
    f = x ** 4 - 4 * x ** 2 + x + 1
    f.label = "f"
    return f


def descend(start: float, lr: float, steps: int):
    """The engine's descent: a list of (x, f(x), f'(x)) before each step, and the end x."""
    rows, x_data = [], start
    for _ in range(steps):
        x = Value(x_data, label="x")
        f = f_of(x)
        f.backward()
        rows.append((x.data, f.data, x.grad))
        SGD([x], lr=lr).step()
        x_data = x.data
    return rows, x_data


def value_and_slope(x_data: float):
    x = Value(x_data, label="x")
    f = f_of(x)
    f.backward()
    return f.data, x.grad


def valleys():
    """Every valley floor of f, found with the engine: descend from the starts -3, -2.5, ...,
    3 (f grows like x**4 outside it) and keep the distinct end points."""
    ends = []
    for i in range(-6, 7):
        _, end = descend(i / 2, 0.02, 400)
        if all(abs(end - e) > 1e-6 for e in ends):
            ends.append(end)
    return sorted(ends)


def run(args, audit: Audit) -> None:
    title("The trap: descent on f(x) = x⁴ - 4x² + x + 1 from x = 0.5 and x = -0.5 (lesson 004)")
    floors = valleys()
    heights = [value_and_slope(x)[0] for x in floors]
    deep = floors[heights.index(min(heights))]
    print("The engine's valleys (descent from 13 starts -3, -2.5, ..., 3, η = 0.02):")
    for x, h in zip(floors, heights):
        kind = "the deep (global) valley" if x == deep else "a shallow (local) valley"
        print(f"  x = {x:+.6f}   f(x) = {h:+.6f}   f'(x) = {value_and_slope(x)[1]:+.1e}   {kind}")
    print()
    runs = RUNS[:1] if args.quick else RUNS
    done = {(start, lr): descend(start, lr, steps) for lr, steps in runs for start in STARTS}
    for lr, steps in runs:
        print(f"η = {lr}, {steps} steps:")
        print(f"  {'start':>6}  {'slope there':>11}  {'first steps x':30}  {'ends at x':>10}  "
              f"{'f(end)':>8}")
        for start in STARTS:
            rows, end = done[(start, lr)]
            first = ", ".join(f"{r[0]:+.3f}" for r in rows[1:4])
            print(f"  {start:+6.1f}  {rows[0][2]:+11.4g}  {first + ', ...':30}  {end:+10.6f}  "
                  f"{value_and_slope(end)[0]:+8.4f}")
        print()
    # The lesson's two statements, judged from the engine's runs at the section's rate.
    lr = RUNS[0][0]
    for start, said, want_deep in (
            (0.5, ("If you start at x = 0.5... The algorithm slides into the shallow valley and "
                  "gets stuck. It found an answer, but not the best answer."), False),
            (-0.5, "But if you start at x = -0.5... It finds the true, deep valley perfectly.",
             True)):
        outcomes = []
        for rate, _ in runs:
            _, end = done[(start, rate)]
            nearest = min(floors, key=lambda x: abs(x - end))
            outcomes.append(nearest == deep)
        ok = all(o == want_deep for o in outcomes)
        _, end = done[(start, lr)]
        h, _slope = value_and_slope(end)
        found = (f"from {start:+.1f} the descent ends at x = {end:+.4f}, f = {h:+.4f}, "
                 f"{'the deep (global) valley' if outcomes[0] else 'a shallow (local) valley'}"
                 f" (deepest floor f = {min(heights):+.4f} at x = {deep:+.4f})")
        audit.statement(SECTION, f"start {start:+.1f}", said, ok, found)
    print("The lesson's statements, checked:")
    audit.statements(SECTION)
    print("  (Why: f'(0.5) = -2.5 < 0, so the first step goes right, toward the shallow valley;")
    print("   f'(-0.5) = +4.5 > 0, so it goes left, toward the deep one: the slopes above.)")
    print()
    audit.differences(SECTION)


main = demo_main(run, "lesson_trap", __doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(command.run(main))
