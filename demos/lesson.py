"""Every worked example of the lessons, reproduced with the engine and audited by the checker.

    python -m demos.lesson [--out DIR] [--quick]

Runs, in the lesson's order: gradient descent on x**2 (``lesson_descent``), the local-minimum
trap (``lesson_trap``), the 2-D bowl (``lesson_bowl``), the chain rule (``lesson_chain``),
the 5-weight network (``lesson_network``), and lesson 10's digit network (``lesson_mnist_count``).
Each prints the lesson's tables with a mark in every cell (✓ the engine confirms the number,
✗ it does not, with the engine's value and its derivation); the run ends with one summary of
all of them. The graphs of the chain-rule function and of the network on its first example
are written as PNG and SVG into ``--out`` (default ``out/lesson``).
"""

from __future__ import annotations

import sys

from autograd import command
from demos import (
    lesson_bowl,
    lesson_chain,
    lesson_descent,
    lesson_mnist_count,
    lesson_network,
    lesson_trap,
)
from demos.lesson_audit import Audit, parser

MODULES = (lesson_descent, lesson_trap, lesson_bowl, lesson_chain, lesson_network,
           lesson_mnist_count)


def main(argv=None) -> int:
    args = parser("lesson", __doc__.splitlines()[0], writes_files=True).parse_args(argv)
    audit = Audit()
    for module in MODULES:
        module.run(args, audit)
    print()
    print("=" * 108)
    print("All examples (lesson 004 'How networks learn' and lesson 10 'Seeing it whole'):")
    sections = list(dict.fromkeys(i.section for i in audit.items))
    for section in sections:
        items = audit.section_items(section)
        numbers = [i for i in items if i.kind == "number"]
        words = [i for i in items if i.kind == "statement"]
        text = (f"  {section:15s} {sum(i.ok for i in numbers):3d} of {len(numbers):3d} "
                "numbers confirmed")
        if words:
            text += f", {sum(i.ok for i in words)} of {len(words)} statements"
        print(text)
    print()
    audit.summary()
    return 0


if __name__ == "__main__":
    sys.exit(command.run(main))
