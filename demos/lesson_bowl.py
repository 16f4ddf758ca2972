"""The bowl f(x1, x2) = x1**2 + 2*x2**2 from (3, 2) with rate 0.1: the lesson's 2-D table, audited.

    python -m demos.lesson_bowl

Source: ../shared/lesson/004_08ce3b0832d56c87.txt, "Let's Navigate the 3D Bowl" (f(3,2) = 17)
and the table "Iter | x₁ | x₂ | f(x₁,x₂) | ∂f/∂x₁=2x₁ | ∂f/∂x₂=4x₂ | New (x₁,x₂)". The engine
computes f with ``Value``, both partial derivatives with one ``backward()``, and steps both
coordinates at once with ``nn.SGD``.
"""

from __future__ import annotations

import sys

from autograd import Value, command
from demos.lesson_audit import Audit, demo_main, row_hint, table, title
from nn import SGD

SECTION = "bowl"
LR = 0.1
START = (3.0, 2.0)

# The table as printed: iter -> (x1, x2, f, df/dx1, df/dx2, new x1, new x2); the "New" cell
# "(2.40, 1.20) ← (3-0.1×6, 2-0.1×8)" is split into its two coordinates.
TABLE = {
    0: ("3.000", "2.000", "17.000", "6.000", "8.000", "2.40", "1.20"),
    1: ("2.400", "1.200", "8.640", "4.800", "4.800", "1.92", "0.72"),
    2: ("1.920", "0.720", "4.722", "3.840", "2.880", "1.54", "0.43"),
    3: ("1.536", "0.432", "2.734", "3.072", "1.728", "1.23", "0.26"),
    10: ("0.403", "0.028", "0.164", "0.806", "0.112", "0.32", "0.017"),
}
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
    rows, end = descend(START, LR, max(TABLE) + 1)
    xs1 = [r[0] for r in rows] + [end[0]]
    xs2 = [r[1] for r in rows] + [end[1]]

    f0, _, _ = bowl(*START)
    got = audit.check(SECTION, f0, [("f", "17", "'Initial Error: f(3,2) = 3^2 + 2(2^2) = 17'")])
    print(f"'Initial Error: f(3,2) = 3² + 2(2²) = 17': {got['f'].cell()}")
    print()
    print("The lesson's table (the 'New' cell split into x₁ and x₂; its arithmetic repeats the")
    print("row's numbers rounded, its result is what is checked). ✓ confirmed, ✗ differs (engine below):")
    printed = []
    for k, written in TABLE.items():
        f, _, _ = bowl(rows[k][0], rows[k][1])

        def hints(item, k=k):
            name = item.claim.name
            if item.claim.kind == "value" and name in ("x1", "x2"):
                return row_hint(item.written, xs1 if name == "x1" else xs2, name)
            return None

        got = audit.check(SECTION, f, [(c, w, f"row {k}, {n}")
                                       for c, w, n in zip(COLUMNS, written, NAMES)],
                          lr=LR, hints=hints)
        if k == 10:
            printed.append(["..."] * 8)
        printed.append([str(k)] + [got[c] for c in COLUMNS])
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
