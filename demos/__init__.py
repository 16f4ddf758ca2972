"""Runnable demos: each is ``python -m demos.NAME`` or ``tracegrad NAME``; ``tracegrad demos``
(or ``python -m demos``) lists them.

Every demo is a module ``demos/NAME.py`` with ``main(argv=None) -> int`` whose flags include
``--out DIR`` (where its files go; a demo that draws nothing saves its report there) and
``--quick`` (a small, fast run). Adding one is adding its line to ``DEMOS``;
``tests/test_demos_registry.py`` checks that every module with a ``main`` is listed and that
every listed one takes both flags.
"""

DEMOS = {
    "mnist": "train the lesson's digit network on MNIST (the main job)",
    "digit_step": "one training step on a handwritten 3, start to finish",
    "digit_pictures": "train, then draw curves, weights, confusions, mistakes",
    "lesson": "every worked example of the lessons, each number checked",
    "lesson_descent": "descent on x**2 from 3, rate 0.1: the lesson's table",
    "lesson_trap": "the local-minimum trap of x**4 - 4x**2 + x + 1",
    "lesson_bowl": "the bowl x1**2 + 2*x2**2 from (3, 2): the 2-D table",
    "lesson_chain": "the chain rule on ((2x1 + x2)**2 + 3x2**2)**3, both paths",
    "lesson_network": "the 5-weight network: online, batch, mini-batch",
    "lesson_mnist_count": "lesson 10: the 13,002 parameters, one step's cost",
    "nielsen": "Nielsen's MNIST tables (chapters 1 and 3) through the public API",
    "newton": "Newton's method against gradient descent on the lesson's x², bowl and trap",
    "why_backprop": "why backprop wins: every gradient's multiplications, three ways, counted",
    "landscapes": "pictures: descent on x**2, the trap, the bowl, batches",
}
