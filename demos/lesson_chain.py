"""The chain rule on f = ((2*x1 + x2)**2 + 3*x2**2)**3: both partials and x2's two paths, audited.

    python -m demos.lesson_chain [--out DIR]

Source: ../shared/lesson/004_08ce3b0832d56c87.txt, "The Chain Rule" (the blame game,
90% × 80% × 50% = 36%), "Finding ∂f/∂x1: Tracing the Blame" (the step table and 12uv²),
"Finding ∂f/∂x2: Summing the Blame" (the path table and 3v²(2u + 6x2)), and the pseudo-code
loop that follows. The lesson gives formulas, not numbers, so each formula is evaluated at
two points, (3, 2) and (1/2, -5/3), in exact fractions: the worksheet
demos/worksheets/chain-rule.toml holds them, the two points as its two examples, and the
checker judges them against the engine's backward(). Writes the graph (x2's two paths in
blue, every edge labelled with its local derivative) as chain.png and chain.svg.
"""

from __future__ import annotations

import sys
from fractions import Fraction as F

from autograd import Value, command
from autograd.trace import paths, trace
from demos.lesson_audit import Audit, demo_main, path_lines, table, title, worksheet, write_graphs

SECTION = "chain rule"
POINTS = ((F(3), F(2)), (F(1, 2), F(-5, 3)))


def build(x1v, x2v):
    """f with the lesson's names: u = 2*x1 + x2, v = u**2 + 3*x2**2, f = v**3."""
    x1, x2 = Value(x1v, label="x1"), Value(x2v, label="x2")
    u = 2 * x1 + x2
    u.label = "u"
    v = u ** 2 + 3 * x2 ** 2
    v.label = "v"
    f = v ** 3
    f.label = "f"
    return f, x1, x2, u, v


def fmt(q: F) -> str:
    return str(q)


def blame_game(audit: Audit) -> None:
    """'90% × 80% × 50% = 36%': the chain rule on a chain of three scalings."""
    collection = Value(F(1), label="collection")
    analysis = F(9, 10) * collection
    analysis.label = "analysis"
    slides = F(8, 10) * analysis
    slides.label = "slides"
    presentation = F(5, 10) * slides
    presentation.label = "presentation"
    got = audit.check(SECTION, presentation, [
        ("d/dcollection", "0.36", "blame game: '90% × 80% × 50% = 36%'")], exact=True)
    print("The blame game as a chain: presentation = 0.5·slides, slides = 0.8·analysis,")
    print("analysis = 0.9·collection; d presentation / d collection by backward():")
    print(f"  '90% × 80% × 50% = 36%' (0.36): {got['d/dcollection'].cell()}")
    print()


def run(args, audit: Audit) -> None:
    title("The chain rule: f(x₁, x₂) = ((2x₁ + x₂)² + 3x₂²)³ (lesson 004)")
    blame_game(audit)

    sheet = worksheet("chain-rule")
    report = sheet.check()
    for k, (x1v, x2v) in enumerate(POINTS, start=1):
        at = f"at (x1, x2) = ({fmt(x1v)}, {fmt(x2v)})"
        f, x1, x2, u, v = build(x1v, x2v)
        print(f"{at}: u = {fmt(u.data)}, v = {fmt(v.data)}, f = {fmt(f.data)}")
        got = audit.worksheet(SECTION, sheet, report, [f"{k}:{t}" for t in (
            "df/dv", "dv/du", "du/dx1", "d/dx1", "dv/dx2", "d/dx2")])
        # "Tracing the Blame": each step's local derivative, then the product 12uv².
        rows = [["1  How much does f blame v?", "f = v³", "3v²", got[f"{k}:df/dv"]],
                ["2  How much does v blame u?", "v = u² + 3x₂²", "2u", got[f"{k}:dv/du"]],
                ["3  How much does u blame x₁?", "u = 2x₁ + x₂", "2", got[f"{k}:du/dx1"]]]
        table(["step / question", "function", "derivative", "value: lesson's formula"], rows)
        print(f"  total blame ∂f/∂x₁ = 3v² × 2u × 2 = 12uv² = {got[f'{k}:d/dx1'].cell()}")

        # "Summing the Blame": dv/dx2 along each path (a path's product is no claim target, so
        # it is judged on its own), their sum, then df/dx2.
        uu = 2 * x1v + x2v  # the lesson's u
        found = paths(v, x2)
        by_route = {("u" in p.names): p for p in found}
        indirect = audit.number(SECTION, f"path x2 → u → v: 2u × 1 = 2u {at}", fmt(2 * uu),
                                by_route[True].product, label="path")
        direct = audit.number(SECTION, f"path x2 → v direct: ∂(3x2²)/∂x2 = 6x2 {at}",
                              fmt(6 * x2v), by_route[False].product, label="path")
        table(["path", "calculation", "result: lesson's formula"], [
            ["Indirect: x₂ → u → v", "∂v/∂u × ∂u/∂x₂ = 2u × 1", indirect],
            ["Direct: x₂ → v", "∂/∂x₂ (3x₂²)", direct],
            ["Total ∂v/∂x₂", "sum both paths", got[f"{k}:dv/dx2"]]])
        print(f"  final result ∂f/∂x₂ = 3v² × (2u + 6x₂) = {got[f'{k}:d/dx2'].cell()}")
        print()

    f, x1, x2, u, v = build(*POINTS[0])
    print("The engine's own account at (3, 2): backward() step by step, then x₂'s paths to f.")
    print(trace(f))
    print()
    for line in path_lines(f, x2):
        print(line)
    print()

    # The pseudo-code loop after the section computes u and v differently from the function.
    x1v, x2v = POINTS[0]
    loop_u, loop_v = 2 * x1v + 3 * x2v, x1v + x2v ** 2
    grad_x1 = 12 * loop_u * loop_v ** 2
    f.zero_grad()
    f.backward()
    same = loop_u == u.data and loop_v == v.data
    audit.statement(
        SECTION, "pseudo-code loop after 'Final Result'",
        "u = 2*x1 + 3*x2; v = x1 + x2**2; grad_x1 = 12 * u * v**2; grad_x2 = (3 * v**2) * "
        "(2*u + 6*x2)", same,
        f"the loop's u and v are not the function's (u = 2x1 + x2, v = u² + 3x2²): at (3, 2) "
        f"the loop has u = {loop_u}, v = {loop_v} where the function has u = {u.data}, "
        f"v = {v.data}, so its grad_x1 = 12·{loop_u}·{loop_v}² = {grad_x1}, while ∂f/∂x1 = "
        f"{x1.grad}; its gradient lines are right only with the function's u and v")
    print("The pseudo-code loop that follows ('Now, look what we can do'):")
    audit.statements(SECTION)
    print()

    print("The graph, with x₂'s two paths to f in blue:")
    f.zero_grad()
    f.backward()
    write_graphs(f, args.out, "chain", paths_from=x2, edge_labels=True)
    print()
    audit.differences(SECTION)


main = demo_main(run, "lesson_chain", __doc__.splitlines()[0], writes_files=True)


if __name__ == "__main__":
    sys.exit(command.run(main))
