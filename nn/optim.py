"""Optimizers: take one step downhill with every parameter's ``grad``.

Both work on ``Value`` parameters (plain numbers) and ``Tensor`` parameters (arrays).
"""

from __future__ import annotations

__all__ = ["SGD", "Adam"]


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
        for i, p in enumerate(self.parameters):
            if p.grad is None:
                continue
            step = p.grad
            if self.momentum:
                self._velocity[i] = self.momentum * self._velocity[i] + p.grad
                step = self._velocity[i]
            p.data -= self.lr * step


class Adam(_Optimizer):
    """Adam (Kingma and Ba, 2015, Algorithm 1): per-parameter steps scaled by running
    averages of the gradient and its square.

    Args:
        parameters: the Values or Tensors to update.
        lr: step size alpha (default 0.001).
        betas: decay rates of the two averages (default 0.9, 0.999).
        eps: added to the denominator (default 1e-8).
    """

    def __init__(self, parameters, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        super().__init__(parameters, lr)
        if not all(0 <= beta < 1 for beta in betas) or len(betas) != 2:
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas!r}")
        if not eps > 0:
            raise ValueError(f"eps must be positive, got {eps!r}")
        self.beta1, self.beta2 = betas
        self.eps = eps
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
            self._m[i] = self.beta1 * self._m[i] + (1 - self.beta1) * g
            self._v[i] = self.beta2 * self._v[i] + (1 - self.beta2) * g * g
            p.data -= self.lr * (self._m[i] / correct1) / ((self._v[i] / correct2) ** 0.5
                                                          + self.eps)
