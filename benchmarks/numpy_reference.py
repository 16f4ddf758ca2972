"""The reference the tensor backend is measured against: the 784-16-16-10 sigmoid network
with the quadratic cost, forward and backward written out by hand in NumPy (no autograd).

The backward pass is the lesson's chain rule applied layer by layer (Nielsen, Neural
Networks and Deep Learning, chapter 2, equations BP1-BP4, with the cost sum (a - y)**2 whose
derivative is 2 (a - y)).
"""

from __future__ import annotations

import numpy as np


@np.errstate(over="ignore")
def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)); exp overflows to inf only where the answer rounds to 0 anyway."""
    return 1 / (1 + np.exp(-z))


def train_step(weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray,
               targets: np.ndarray, lr: float) -> float:
    """One step of mini-batch gradient descent, in place; returns the mini-batch's cost.

    Shape: x (N, 784) float32, targets (N, 10); weights[i] (n_in, n_out), biases[i] (n_out,).
    """
    activations = [x]
    for w, b in zip(weights, biases):
        activations.append(sigmoid(activations[-1] @ w + b))
    out = activations[-1]
    diff = out - targets
    n = len(x)
    delta = 2 * diff / n * out * (1 - out)           # d cost / d z of the last layer
    for layer in range(len(weights) - 1, -1, -1):
        grad_w = activations[layer].T @ delta
        grad_b = delta.sum(axis=0)
        if layer:
            a = activations[layer]
            delta = (delta @ weights[layer].T) * a * (1 - a)
        weights[layer] -= lr * grad_w
        biases[layer] -= lr * grad_b
    return float((diff * diff).sum()) / n
