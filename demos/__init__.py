"""Runnable demos: each is ``python -m demos.NAME`` or ``tracegrad NAME``; ``tracegrad demos``
(or ``python -m demos``) lists them.

Every demo is a module ``demos/NAME.py`` with ``main(argv=None) -> int`` whose flags include
``--out DIR`` (where its files go; a demo that draws nothing saves its report there) and
``--quick`` (a small, fast run). Adding one is adding its line to ``DEMOS``;
``tests/test_demos_registry.py`` checks that every module with a ``main`` is listed and that
every listed one takes both flags.
"""

DEMOS = {
    "mnist": "train the lesson's 784-16-16-10 digit network on MNIST (the main job)",
    "digit_step": "one training step, start to finish, on a handwritten 3 (lesson 10)",
    "digit_pictures": "train the digit network, then draw curves, weights, confusions, mistakes",
    "lesson": "every worked example of the lessons, each printed number checked by the engine",
    "lesson_descent": "gradient descent on x**2 from 3, rate 0.1: the lesson's table, audited",
    "lesson_trap": "the local-minimum trap of x**4 - 4x**2 + x + 1 from 0.5 and from -0.5",
    "lesson_bowl": "the bowl x1**2 + 2*x2**2 from (3, 2): the lesson's 2-D table, audited",
    "lesson_chain": "the chain rule on ((2x1 + x2)**2 + 3x2**2)**3: both partials, x2's two paths",
    "lesson_network": "the 5-weight network: forward, gradients, online, batch, mini-batch, audited",
    "lesson_mnist_count": "lesson 10: the 13,002 parameters and the cost of one step on a 3",
    "landscapes": "pictures (PNG): descent on x**2, the trap, the bowl, online vs batch learning",
}
