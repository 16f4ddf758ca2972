"""Optimizers: take one step downhill with every parameter's ``grad``.

Both work on ``Value`` parameters (plain numbers) and ``Tensor`` parameters (arrays).
"""

from __future__ import annotations

import math

__all__ = ["SGD", "Adam", "cosine_schedule"]


class _Optimizer:
    def __init__(self, parameters, lr: float):
        if callable(parameters):
            raise TypeError("the optimizer got the method model.parameters itself; call it: "
                            "pass model.parameters()")
        self.parameters = list(parameters)
        if not self.parameters:
            raise ValueError("the optimizer got no parameters; pass model.parameters()")
        if not lr > 0:
            raise ValueError(f"the learning rate must be positive, got {lr!r}")
        self.lr = lr

    def zero_grad(self) -> None:
        """Reset every parameter's grad (see ``Module.zero_grad``)."""
        for p in self.parameters:
            p.zero_grad()


class SGD(_Optimizer):
    """Gradient descent: ``p.data -= lr * p.grad`` for each parameter (lesson: "The Update
    Rule", x_new = x_old - eta * f'(x)), with optional momentum.

    Args:
        parameters: the Values or Tensors to update (``model.parameters()``).
        lr: the learning rate eta, > 0.
        momentum: 0 for plain gradient descent; else velocity v = momentum * v + grad and
            p -= lr * v (Polyak's heavy ball, as in PyTorch's SGD).

    >>> from autograd import Value
    >>> x = Value(3.0)
    >>> opt = SGD([x], lr=0.1)
    >>> (x ** 2).backward(); opt.step(); x.data     # 3 - 0.1 * 6
    2.4
    """

    def __init__(self, parameters, lr: float, momentum: float = 0.0):
        super().__init__(parameters, lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.momentum = momentum
        self._velocity = [0.0] * len(self.parameters)

    def step(self) -> None:
        """Move every parameter that has a gradient one step downhill."""
        if not self.momentum:
            for p in self.parameters:
                if p.grad is not None:
                    p.data -= self.lr * p.grad
            return
        for i, p in enumerate(self.parameters):
            if p.grad is not None:
                self._velocity[i] = self.momentum * self._velocity[i] + p.grad
                p.data -= self.lr * self._velocity[i]


class Adam(_Optimizer):
    """Adam (Kingma and Ba, 2015, Algorithm 1): per-parameter steps scaled by running
    averages of the gradient and its square; with ``weight_decay``, AdamW (Loshchilov and
    Hutter, 2019): each step also shrinks every parameter by ``lr * weight_decay * p``.

    Args:
        parameters: the Values or Tensors to update.
        lr: step size alpha (default 0.001).
        betas: decay rates of the two averages (default 0.9, 0.999).
        eps: added to the denominator (default 1e-8).
        weight_decay: decoupled weight decay (default 0: plain Adam).

    >>> from autograd import Value
    >>> x = Value(3.0)
    >>> opt = Adam([x], lr=0.1)
    >>> (x ** 2).backward(); opt.step(); round(x.data, 6)   # the first step is about lr
    2.9
    """

    def __init__(self, parameters, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(parameters, lr)
        if not all(0 <= beta < 1 for beta in betas) or len(betas) != 2:
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas!r}")
        if not eps > 0:
            raise ValueError(f"eps must be positive, got {eps!r}")
        if not weight_decay >= 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay!r}")
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.t = 0
        self._m = [0.0] * len(self.parameters)
        self._v = [0.0] * len(self.parameters)

    def step(self) -> None:
        """One Adam update of every parameter that has a gradient."""
        self.t += 1
        correct1 = 1 - self.beta1 ** self.t
        correct2 = 1 - self.beta2 ** self.t
        for i, p in enumerate(self.parameters):
            if p.grad is None:
                continue
            g = p.grad
            if self.weight_decay:
                p.data -= self.lr * self.weight_decay * p.data
            self._m[i] = self.beta1 * self._m[i] + (1 - self.beta1) * g
            self._v[i] = self.beta2 * self._v[i] + (1 - self.beta2) * g * g
            p.data -= self.lr * (self._m[i] / correct1) / ((self._v[i] / correct2) ** 0.5
                                                          + self.eps)


def cosine_schedule(base_lr: float, total_steps: int):
    """Learning rate for step t (0-based) of ``total_steps``, falling from ``base_lr`` to 0
    along half a cosine: lr(t) = base_lr * (1 + cos(pi * t / total_steps)) / 2
    (Loshchilov and Hutter, SGDR, 2017, without restarts).

    Returns:
        a function of the step index; set ``optimizer.lr = schedule(t)`` before each step.

    >>> schedule = cosine_schedule(0.1, 100)
    >>> schedule(0), round(schedule(50), 6), round(schedule(100), 6)
    (0.1, 0.05, 0.0)
    """
    if total_steps < 1:
        raise ValueError(f"total_steps must be at least 1, got {total_steps}")

    def lr(step: int) -> float:
        return base_lr * (1 + math.cos(math.pi * min(step, total_steps) / total_steps)) / 2

    return lr
