"""Gradient descent on f(x) = x**2 from x = 3 with rate 0.1: the lesson's first table, audited.

    python -m demos.lesson_descent

Source: ../shared/lesson/004_08ce3b0832d56c87.txt, "Let's Watch It In Action" (the table
"Iteration | Current x | f(x)=x² | Gradient f'(x)=2x | New x ← x - 0.1 × (2x)") and the slopes
quoted before it. The table is the worksheet demos/worksheets/x2-descent.toml, one
``[[iteration]]`` per row, judged by the checker (``python -m autograd check`` on the file
prints the same verdicts): the engine computes f with ``Value``, the gradient by
``backward()``, each step x - 0.1 * gradient; every printed number is judged by its digits,
and a number that belongs to another row is named as one.
"""

from __future__ import annotations

import sys

from autograd import Value, command
from demos.lesson_audit import Audit, demo_main, table, title, worksheet
from nn import SGD

SECTION = "x² descent"
LR = 0.1
START = 3.0

# The lesson's slopes, "At x = 3, slope is f'(3) = 2×3 = 6" and so on: (x, written slope).
SLOPES = [(3, "6", "f'(3) = 2×3 = 6"), (-2, "-4", "f'(-2) = 2×(-2) = -4"),
          (0, "0", "f'(0) = 0, 'the ground is flat'")]

# The table's columns: the claims of each iteration of the worksheet.
COLUMNS = ("x", "f", "d/dx", "x'")


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
    title("Gradient descent on f(x) = x² from x = 3, learning rate η = 0.1 "
          "(lesson 004, first table)")
    print("The lesson's slopes, checked with backward():")
    for x0, written, where in SLOPES:
        x = Value(x0, label="x")
        f = x ** 2
        f.label = "f"
        item = audit.check(SECTION, f, [("d/dx", written, where)])["d/dx"]
        print(f"  {where:34s} {item.cell()}")

    sheet = worksheet("x2-descent")
    report = sheet.check()
    print()
    print("The lesson's table (worksheet x2-descent.toml); each cell: lesson's number, ✓ if the")
    print("engine confirms it, else ✗ and the engine's value. (The 'x - 0.1×(2x)' arithmetic in")
    print("the last column repeats the row's own x and gradient; its result is what is checked.)")
    steps = sorted({claim.step for claim in report.claims})
    printed = []
    for k in steps:
        prefix = f"after {k}:" if k else ""
        targets = [prefix + column for column in COLUMNS]
        got = audit.worksheet(SECTION, sheet, report, targets)
        if printed and k > int(printed[-1][0]) + 1:
            printed.append(["...", "...", "...", "...", "..."])
        printed.append([str(k)] + [got[t] for t in targets])
    table(["iter", "x", "f(x) = x²", "gradient 2x", "new x = x - 0.1·2x"], printed)
    rows = descend(START, LR, 1)
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
