"""Runnable demos: each is ``python -m demos.NAME``; ``python -m demos`` lists them."""

DEMOS = {
    "mnist": "train the lesson's 784-16-16-10 digit network on MNIST (the main job)",
}
