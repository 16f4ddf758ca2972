"""Gradient descent on f(x) = x**2 from x = 3 with rate 0.1: the lesson's first table, audited.

    python -m demos.lesson_descent

Source: ../shared/lesson/004_08ce3b0832d56c87.txt, "Let's Watch It In Action" (the table
"Iteration | Current x | f(x)=x² | Gradient f'(x)=2x | New x ← x - 0.1 × (2x)") and the slopes
quoted before it. Every number is computed by the engine: f with ``Value``, the gradient by
``backward()``, the step by ``nn.SGD``; the checker judges each printed number by its digits.
"""

from __future__ import annotations

import sys

from autograd import Value, command
from demos.lesson_audit import Audit, demo_main, row_hint, table, title
from nn import SGD

SECTION = "x² descent"
LR = 0.1
START = 3.0

# The lesson's slopes, "At x = 3, slope is f'(3) = 2×3 = 6" and so on: (x, written slope).
SLOPES = [(3, "6", "f'(3) = 2×3 = 6"), (-2, "-4", "f'(-2) = 2×(-2) = -4"),
          (0, "0", "f'(0) = 0, 'the ground is flat'")]

# The table as printed: iteration -> (x, f(x), gradient, new x). Rows 4-9 are "...".
TABLE = {
    0: ("3.000", "9.000", "6.000", "2.400"),
    1: ("2.400", "5.760", "4.800", "1.920"),
    2: ("1.920", "3.686", "3.840", "1.536"),
    3: ("1.536", "2.359", "3.072", "1.229"),
    10: ("0.322", "0.104", "0.644", "0.258"),
}


def descend(start: float, lr: float, steps: int):
    """The engine's gradient descent on x**2: rows (x, f, gradient, new x), one per step."""
    rows = []
    x_data = start
    for _ in range(steps):
        x = Value(x_data, label="x")
        f = x ** 2
        f.backward()
        before, grad, value = x.data, x.grad, f.data
        SGD([x], lr=lr).step()          # x.data -= lr * x.grad
        rows.append((before, value, grad, x.data))
        x_data = x.data
    return rows


def run(args, audit: Audit) -> None:
    title("Gradient descent on f(x) = x² from x = 3, learning rate η = 0.1 (lesson 004, first table)")
    print("The lesson's slopes, checked with backward():")
    for x0, written, where in SLOPES:
        x = Value(x0, label="x")
        f = x ** 2
        f.label = "f"
        item = audit.check(SECTION, f, [("d/dx", written, where)])["d/dx"]
        print(f"  {where:34s} {item.cell()}")

    rows = descend(START, LR, max(TABLE) + 1)
    xs = [r[0] for r in rows] + [rows[-1][3]]
    print()
    print("The lesson's table; each cell: lesson's number, ✓ if the engine confirms it,")
    print("else ✗ and the engine's value. (The 'x - 0.1×(2x)' arithmetic in the last column")
    print("repeats the row's own x and gradient; its result is what is checked.)")
    printed = []
    for k, (xw, fw, gw, nw) in TABLE.items():
        x = Value(rows[k][0], label="x")
        f = x ** 2
        f.label = "f"

        def hints(item, k=k):
            if item.claim.kind == "value" and item.claim.name == "x":
                return row_hint(item.written, xs, "x")
            return None

        got = audit.check(SECTION, f, [
            ("x", xw, f"row {k}, current x"), ("f", fw, f"row {k}, f(x)"),
            ("d/dx", gw, f"row {k}, gradient"), ("x'", nw, f"row {k}, new x")],
            lr=LR, hints=hints)
        if k == 10:
            printed.append(["...", "...", "...", "...", "..."])
        printed.append([str(k), got["x"], got["f"], got["d/dx"], got["x'"]])
    table(["iter", "x", "f(x) = x²", "gradient 2x", "new x = x - 0.1·2x"], printed)
    first = audit.number(SECTION, "'started at x=3 with a huge error of 9'", "9", rows[0][1],
                         label="f(3)")
    print(f"\n'We started at x=3 with a huge error of 9': {first.cell()}")
    x100 = descend(START, LR, 100)[-1][3]
    print(f"After the lesson's 'FOR 100 iterations' loop the engine is at x = {x100:.3g} "
          f"(= 3·0.8^100): the bottom, x = 0.")
    print()
    audit.differences(SECTION)


main = demo_main(run, "lesson_descent", __doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(command.run(main))
