"""Optimizers: take one step downhill with every parameter's ``grad``.

Both work on ``Value`` parameters (plain numbers) and ``Tensor`` parameters (arrays). Their
settings (``lr``, ``momentum``, ``weight_decay``, ``betas``, ``eps``) are checked whenever
they are set, at construction and afterwards (``optimizer.lr = schedule(t)``), so a bad
value is refused on the line that sets it, not found later as NaN weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from autograd import Value

from .checks import number_in, positive_number, whole_number
from .tensor import Tensor

__all__ = ["SGD", "Adam", "cosine_schedule"]


def _betas(name: str, betas: Any) -> tuple[float, float]:  # checked here: anything may come
    if isinstance(betas, str) or not hasattr(betas, "__len__") or len(betas) != 2:
        raise ValueError(f"{name} must be two numbers in [0, 1), got {betas!r}")
    beta1, beta2 = (number_in(f"{name}[{i}]", beta, 0, 1) for i, beta in enumerate(betas))
    return beta1, beta2


def _parameter_list(parameters: Iterable[Value | Tensor]) -> tuple[Value | Tensor, ...]:
    """The parameters as a tuple, each a leaf Value or a Tensor with requires_grad, each once;
    else an error that names the first one at fault and the fix."""
    if callable(parameters):
        raise TypeError("the optimizer got the method model.parameters itself; call it: "
                        "pass model.parameters()")
    if isinstance(parameters, (Value, Tensor)):
        raise TypeError("the optimizer takes a list of parameters; pass [x], not x")
    if isinstance(parameters, Mapping):
        raise TypeError("the optimizer got a dict; pass model.parameters() (or the dict's "
                        ".values())")
    try:
        params = tuple(parameters)
    except TypeError:
        raise TypeError(f"the optimizer takes a list of parameters (model.parameters()), got "
                        f"{type(parameters).__name__} {parameters!r}") from None
    if not params:
        raise ValueError("the optimizer got no parameters; pass model.parameters()")
    first_seen: dict[int, int] = {}
    for i, p in enumerate(params):
        _check_parameter(i, p)
        if id(p) in first_seen:
            raise ValueError(f"parameter {i} is parameter {first_seen[id(p)]} again; it would "
                             "be stepped twice per step. Pass each parameter once "
                             "(model.parameters() lists a shared one once)")
        first_seen[id(p)] = i
    return params


def _check_parameter(i: int, p: object) -> None:
    if isinstance(p, Mapping):
        raise TypeError("parameter groups (dicts such as {'params': ..., 'lr': ...}) are not "
                        "supported; make one optimizer per group, e.g. SGD(weights, lr=0.5, "
                        "weight_decay=1e-4) and SGD(biases, lr=0.5), and step both")
    if not isinstance(p, (Value, Tensor)):
        raise TypeError(f"parameter {i} is the {type(p).__name__} {p!r}, not a Value or a "
                        "Tensor; pass model.parameters()")
    if p.op is not None:
        raise ValueError(f"parameter {i} is the result of an operation ({p.op.name}), not a "
                         "leaf; an optimizer updates leaves, such as a model's weights")
    if isinstance(p, Tensor) and not p.requires_grad:
        raise ValueError(f"parameter {i} (a Tensor of shape {p.shape}) has "
                         "requires_grad=False, so backward() never gives it a grad; create "
                         "it with requires_grad=True")


# A setting's name -> (the check its value gets, the setting's name in error messages).
_Rules = dict[str, tuple[Callable[[str, Any], Any], str]]


class _Optimizer:
    # Each setting, with the check it gets whenever it is assigned (also after construction:
    # optimizer.lr = schedule(t)). Checked in __setattr__, so that reading a setting, which
    # every step does, is a plain attribute read.
    SETTINGS: ClassVar[_Rules] = {"lr": (positive_number, "the learning rate lr")}

    def __init__(self, parameters: Iterable[Value | Tensor], lr: float) -> None:
        # Values or Tensors: a step's arithmetic is written once for numbers and arrays.
        self.parameters: tuple[Any, ...] = _parameter_list(parameters)
        self.lr = lr

    def __setattr__(self, name: str, value: Any) -> None:
        rule = self.SETTINGS.get(name)
        if rule is not None:
            check, what = rule
            value = check(what, value)
        object.__setattr__(self, name, value)

    def zero_grad(self) -> None:
        """Reset every parameter's grad (see ``Module.zero_grad``)."""
        for p in self.parameters:
            p.zero_grad()

    def _check_grads(self) -> None:
        """Check every grad before a step changes any parameter: a Tensor's grad must be an
        array of its shape (one assigned by hand could otherwise broadcast silently)."""
        for i, p in enumerate(self.parameters):
            g = p.grad
            if g is not None and type(p) is Tensor and (
                    type(g) is not np.ndarray or g.shape != p.data.shape):
                raise ValueError(f"parameter {i} has shape {p.shape} but its grad is "
                                 f"{_describe_grad(g)}; a grad must have its parameter's shape "
                                 "(was it assigned by hand?)")


def _describe_grad(g: object) -> str:
    if isinstance(g, np.ndarray):
        return f"an array of shape {g.shape}"
    return f"the {type(g).__name__} {g!r}"


class SGD(_Optimizer):
    """Gradient descent: ``p.data -= lr * p.grad`` for each parameter (lesson: "The Update
    Rule", x_new = x_old - eta * f'(x)), with optional momentum and L2 weight decay.

    Args:
        parameters: the Values or Tensors to update (``model.parameters()``), each once;
            leaves only (a Tensor needs ``requires_grad=True``). Parameter groups (dicts)
            are refused: make one optimizer per group.
        lr: the learning rate eta, positive and finite.
        momentum: in [0, 1); 0 for plain gradient descent; else velocity
            v = momentum * v + g and p -= lr * v (Polyak's heavy ball, as PyTorch's SGD).
        weight_decay: >= 0; L2 regularisation as PyTorch's SGD defines it: the gradient used
            is g = p.grad + weight_decay * p, the gradient of the cost plus
            (weight_decay / 2) * p**2. Without momentum a step is
            p -> (1 - lr * weight_decay) * p - lr * p.grad, which is Nielsen's chapter 3
            update w -> (1 - eta * lambda / n) w - (eta / m) * sum of the m gradients with
            lr = eta and weight_decay = lambda / n (n training examples, the cost averaged
            over the mini-batch of m); Nielsen decays the weights only, not the biases
            (``demos/nielsen.py``). Compare ``Adam``'s decoupled decay, which is not scaled
            by the adaptive step.

    Every setting is checked when set, also later (``opt.lr = 0.05``). ``step()`` does not
    look for NaN in the gradients (that would cost a pass over every array per step); the
    losses refuse non-finite outputs, and anomaly mode checks every operation.

    Raises:
        TypeError: a setting is not a number (a string, a bool), or a parameter is not a
            Value or Tensor (or is a parameter group).
        ValueError: a setting is out of range (lr <= 0, inf or NaN; momentum outside
            [0, 1)); no parameters, a parameter given twice, not a leaf, or a Tensor
            without requires_grad.

    >>> from autograd import Value
    >>> x = Value(3.0)
    >>> opt = SGD([x], lr=0.1)
    >>> (x ** 2).backward(); opt.step(); x.data     # 3 - 0.1 * 6
    2.4
    >>> x = Value(3.0)
    >>> opt = SGD([x], lr=0.1, weight_decay=0.5)
    >>> (x ** 2).backward(); opt.step(); x.data     # 3 - 0.1 * (6 + 0.5 * 3)
    2.25
    """

    SETTINGS: ClassVar[_Rules] = {
        **_Optimizer.SETTINGS,
        "momentum": (lambda name, value: number_in(name, value, 0, 1), "momentum"),
        "weight_decay": (lambda name, value: number_in(name, value, 0), "weight_decay")}

    def __init__(self, parameters: Iterable[Value | Tensor], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(parameters, lr)
        self.momentum = momentum
        self.weight_decay = weight_decay
        self._velocity: list[Any] = [0.0] * len(self.parameters)  # numbers or arrays

    def step(self) -> None:
        """Move every parameter that has a gradient one step downhill."""
        self._check_grads()
        lr, momentum, decay = self.lr, self.momentum, self.weight_decay
        if not momentum and not decay:
            for p in self.parameters:
                if p.grad is not None:
                    p.data -= lr * p.grad
            return
        for i, p in enumerate(self.parameters):
            g = p.grad
            if g is None:
                continue
            if decay:
                g = g + decay * p.data
            if momentum:
                self._velocity[i] = g = momentum * self._velocity[i] + g
            p.data -= lr * g


class Adam(_Optimizer):
    """Adam (Kingma and Ba, 2015, Algorithm 1): per-parameter steps scaled by running
    averages of the gradient and its square; with ``weight_decay``, AdamW (Loshchilov and
    Hutter, 2019): each step also shrinks every parameter by ``lr * weight_decay * p``,
    decoupled from the gradient (unlike ``SGD``'s L2 ``weight_decay``, which is added to the
    gradient).

    Args:
        parameters: the Values or Tensors to update, as for ``SGD``.
        lr: step size alpha (default 0.001), positive and finite.
        betas: decay rates of the two averages (default 0.9, 0.999), each in [0, 1).
        eps: added to the denominator (default 1e-8), positive and finite.
        weight_decay: decoupled weight decay (default 0: plain Adam), >= 0.

    Every setting is checked when set, also later. Raises as ``SGD`` does.

    >>> from autograd import Value
    >>> x = Value(3.0)
    >>> opt = Adam([x], lr=0.1)
    >>> (x ** 2).backward(); opt.step(); round(x.data, 6)   # the first step is about lr
    2.9
    """

    SETTINGS: ClassVar[_Rules] = {
        **_Optimizer.SETTINGS, "betas": (_betas, "betas"), "eps": (positive_number, "eps"),
        "weight_decay": (lambda name, value: number_in(name, value, 0), "weight_decay")}

    def __init__(self, parameters: Iterable[Value | Tensor], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(parameters, lr)
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.t = 0
        self._m: list[Any] = [0.0] * len(self.parameters)  # numbers or arrays
        self._v: list[Any] = [0.0] * len(self.parameters)

    def step(self) -> None:
        """One Adam update of every parameter that has a gradient."""
        self.t += 1
        lr, (beta1, beta2), eps, decay = self.lr, self.betas, self.eps, self.weight_decay
        correct1 = 1 - beta1 ** self.t
        correct2 = 1 - beta2 ** self.t
        self._check_grads()
        for i, p in enumerate(self.parameters):
            g = p.grad
            if g is None:
                continue
            if decay:
                p.data -= lr * decay * p.data
            self._m[i] = beta1 * self._m[i] + (1 - beta1) * g
            self._v[i] = beta2 * self._v[i] + (1 - beta2) * g * g
            p.data -= lr * (self._m[i] / correct1) / ((self._v[i] / correct2) ** 0.5 + eps)


def cosine_schedule(base_lr: float, total_steps: int) -> Callable[[int], float]:
    """Learning rate for step t (0-based) of ``total_steps``, falling from ``base_lr`` to 0
    along half a cosine: lr(t) = base_lr * (1 + cos(pi * t / total_steps)) / 2
    (Loshchilov and Hutter, SGDR, 2017, without restarts).

    Args:
        base_lr: the first learning rate, positive and finite.
        total_steps: the number of steps, at least 1.

    Returns:
        a function of the step index t (a whole number >= 0; from ``total_steps`` on it
        gives 0, which an optimizer refuses); set ``optimizer.lr = schedule(t)`` before each
        step.

    Raises:
        TypeError, ValueError: a setting or a step index that is not a number in range.

    >>> schedule = cosine_schedule(0.1, 100)
    >>> schedule(0), round(schedule(50), 6), round(schedule(99), 6)
    (0.1, 0.05, 2.5e-05)
    """
    base_lr = positive_number("base_lr", base_lr)
    total_steps = whole_number("total_steps", total_steps)

    def lr(step: int) -> float:
        step = whole_number("step", step, minimum=0)
        return base_lr * (1 + math.cos(math.pi * min(step, total_steps) / total_steps)) / 2

    return lr
