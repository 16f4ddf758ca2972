"""Lesson 10's digit network: the 13,002-parameter count and the cost of one training step.

    python -m demos.lesson_mnist_count

Source: ../shared/lesson/000_41d22a1da6805003.txt ("Seeing it whole"): "one big function with
about 13,000 adjustable knobs", "the small 784-16-16-10 digit network has about 13,002"
(flashcards, 002), and "One training step, start to finish": outputs "0.1 0.05 0.0 0.2 0.5 0.0
...", the wanted answer "a 1 in the '3' slot, 0 everywhere else", "it comes out high, around
0.90". The count comes from ``nn.MLP(784, [16, 16, 10])``; the cost is built with ``Value``
in exact fractions as the sum of squared differences (the track's quadratic cost, lesson 5).
"""

from __future__ import annotations

import itertools
import sys
from fractions import Fraction as F

from autograd import Value, command
from demos.lesson_audit import Audit, demo_main, show, table, title
from nn import MLP

SECTION = "digit network"
SIZES = [784, 16, 16, 10]
# The outputs as printed for digits 0..5; the "..." hides digits 6..9.
OUTPUTS = ["0.1", "0.05", "0.0", "0.2", "0.5", "0.0"]
WANTED = 3


def run(args, audit: Audit) -> None:
    title("The 784-16-16-10 digit network: parameters and one step's cost (lesson 10)")
    net = MLP(SIZES[0], SIZES[1:], seed=0)
    count = net.num_parameters()
    rows = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(SIZES), start=1):
        rows.append([f"layer {i}: {n_in} → {n_out}", f"{n_in}×{n_out} = {n_in * n_out}",
                     str(n_out), str(n_in * n_out + n_out),
                     str(len(net.layers[i - 1].parameters()))])
    table(["layer", "weights", "biases", "parameters", "in nn.MLP"], rows)
    exact = audit.number(SECTION, "'the 784-16-16-10 digit network has about 13,002'", "13002",
                         count, label="parameters")
    about = audit.number(SECTION, "'about 13,000 adjustable knobs' (judged to the nearest "
                         "thousand, ±500)", "13000", count, label="parameters", tol=500)
    print(f"nn.MLP(784, [16, 16, 10]).num_parameters() = {count}: '13,002' {exact.cell()}, "
          f"'about 13,000' {about.cell()}")

    print("\nOne training step on a messy 3: the printed outputs, the wanted one-hot answer, and")
    print("the cost C = Σ (output - wanted)² over the digits the lesson shows (0 to 5):")
    outs = [Value(F(v), label=f"a{d}") for d, v in enumerate(OUTPUTS)]
    terms = []
    for d, a in enumerate(outs):
        t = (a - (1 if d == WANTED else 0)) ** 2
        t.label = f"term{d}"
        terms.append(t)
    cost = terms[0]
    for t in terms[1:]:
        cost = cost + t
    cost.label = "cost"
    got = audit.check(SECTION, cost, [("cost", "0.90", ("'it comes out high, around 0.90' "
                                       "(digits 0-5; 6-9 are not printed)"))], exact=True)
    cost.backward()
    table(["digit", "output", "wanted", "(output - wanted)²", "∂C/∂output"],
          [[str(d), OUTPUTS[d], str(int(d == WANTED)), show(terms[d].data), show(a.grad)]
           for d, a in enumerate(outs)])
    print(f"cost over digits 0-5 = {float(cost.data)}: 'around 0.90' {got['cost'].cell()}")
    tallest = max(range(len(outs)), key=lambda d: outs[d].data)
    audit.statement(SECTION, "the outputs shown", "The network's tallest output is the '4' "
                    "neuron at 0.5", tallest == 4 and outs[4].data == F(1, 2),
                    f"the tallest of the printed outputs is digit {tallest} at "
                    f"{float(outs[tallest].data)} (if no hidden output 6-9 is taller)")
    audit.statement(SECTION, "the backward pass", "The '3' output neuron wanted to be higher, "
                    "the '4' wanted to be lower", outs[3].grad < 0 < outs[4].grad,
                    f"∂C/∂a3 = {outs[3].grad} < 0 (raising a3 lowers the cost), ∂C/∂a4 = "
                    f"{show(outs[4].grad)} > 0 (lowering a4 lowers the cost)")
    audit.statements(SECTION)
    print("What cannot be checked: the outputs for digits 6-9 ('...') are not printed. Each adds")
    print("its square (their wanted value is 0), so the whole cost is at least 0.9025; 'around")
    print("0.90' holds to two decimals only if their squares sum to less than 0.0025 (one output")
    print("below 0.05, or all four below 0.025). With the mean instead of the sum (÷10) the")
    print("cost would be about 0.09, so the lesson's 0.90 implies the sum, as in lesson 5. The")
    print("784 pixels, the weights and the update are not given, so the backward pass and the")
    print("step cannot be checked.")
    print()
    audit.differences(SECTION)


main = demo_main(run, "lesson_mnist_count", __doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(command.run(main))
