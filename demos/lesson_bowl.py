"""The bowl f(x1, x2) = x1**2 + 2*x2**2 from (3, 2) with rate 0.1: the lesson's 2-D table, audited.

    python -m demos.lesson_bowl

Source: ../shared/lesson/004_08ce3b0832d56c87.txt, "Let's Navigate the 3D Bowl" (f(3,2) = 17)
and the table "Iter | x₁ | x₂ | f(x₁,x₂) | ∂f/∂x₁=2x₁ | ∂f/∂x₂=4x₂ | New (x₁,x₂)". The table is
the worksheet demos/worksheets/bowl-descent.toml, judged by the checker: the engine computes
f with ``Value``, both partial derivatives with one ``backward()``, and steps both coordinates
at once; a number that is another row's is named as one, and later numbers computed from a
wrong one are marked as following from it.
"""

from __future__ import annotations

import sys

from autograd import Value, command
from demos.lesson_audit import Audit, demo_main, table, title, worksheet
from nn import SGD

SECTION = "bowl"
LR = 0.1
START = (3.0, 2.0)

# The table's columns: the claims of each iteration of the worksheet ("New (x₁,x₂)" split).
COLUMNS = ("x1", "x2", "f", "d/dx1", "d/dx2", "x1'", "x2'")
NAMES = ("x₁", "x₂", "f(x₁,x₂)", "∂f/∂x₁", "∂f/∂x₂", "new x₁", "new x₂")


def bowl(x1: float, x2: float):
    a, b = Value(x1, label="x1"), Value(x2, label="x2")
    f = a ** 2 + 2 * b ** 2
    f.label = "f"
    return f, a, b


def descend(start, lr: float, steps: int):
    """Rows (x1, x2, f, df/dx1, df/dx2) of the engine's descent, then the final point."""
    rows, (p, q) = [], start
    for _ in range(steps):
        f, a, b = bowl(p, q)
        f.backward()
        rows.append((a.data, b.data, f.data, a.grad, b.grad))
        SGD([a, b], lr=lr).step()       # both coordinates move at the same time
        p, q = a.data, b.data
    return rows, (p, q)


def run(args, audit: Audit) -> None:
    title("The bowl f(x₁, x₂) = x₁² + 2x₂² from (3, 2), η = 0.1 (lesson 004, second table)")
    rows, _ = descend(START, LR, 2)
    f0, _, _ = bowl(*START)
    got = audit.check(SECTION, f0, [("f", "17", "'Initial Error: f(3,2) = 3^2 + 2(2^2) = 17'")])
    print(f"'Initial Error: f(3,2) = 3² + 2(2²) = 17': {got['f'].cell()}")
    print()
    print("The lesson's table (worksheet bowl-descent.toml; the 'New' cell split into x₁ and x₂;")
    print("its arithmetic repeats the row's numbers rounded, its result is what is checked).")
    print("✓ confirmed, ✗ differs (engine below):")
    sheet = worksheet("bowl-descent")
    report = sheet.check()
    printed = []
    for k in sorted({claim.step for claim in report.claims}):
        prefix = f"after {k}:" if k else ""
        targets = [prefix + column for column in COLUMNS]
        got = audit.worksheet(SECTION, sheet, report, targets)
        if printed and k > int(printed[-1][0]) + 1:
            printed.append(["..."] * 8)
        printed.append([str(k)] + [got[t] for t in targets])
    table(["iter", *NAMES], printed)

    step = [LR * rows[0][3], LR * rows[0][4]]
    m1 = audit.number(SECTION, "'move 0.6 in the x1 direction'", "0.6", step[0], label="step1")
    m2 = audit.number(SECTION, "'and 0.8 in the x2 direction'", "0.8", step[1], label="step2")
    ratio = rows[1][2] / rows[0][2]
    half = audit.number(SECTION, "'slashing the error in half' (f after / f before)", "0.5",
                        ratio, label="ratio")
    print()
    print(f"'the gradient tells it to move 0.6 in x1 and 0.8 in x2': {m1.cell()}, {m2.cell()}")
    print(f"'...slashing the error in half': 17 → {rows[1][2]:.4g}, ratio {ratio:.3f}, "
          f"judged to 1 decimal: {half.cell()}")
    print()
    audit.differences(SECTION)


main = demo_main(run, "lesson_bowl", __doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(command.run(main))
