"""The second reference for the scalar benchmark: the leanest autograd design in use today.

Each operation computes its output and its local derivatives at once, in the forward pass,
and stores them in two tuples beside its output: no closures (so no reference cycles), and
backward is nothing but ``child.grad += local * node.grad`` in reverse topological order,
found by a recursive depth-first search with a visited set. It is written here from that
description (about sixty lines), for measuring against, and is not part of tracegrad: it has
none of tracegrad's checks (domains, finiteness, exact numbers) or tracing.
"""

from __future__ import annotations

import math


class LeanValue:
    __slots__ = ("data", "grad", "children", "locals")

    def __init__(self, data, children=(), locals=()):
        self.data = data
        self.grad = 0.0
        self.children = children
        self.locals = locals

    def __add__(self, other):
        other = other if isinstance(other, LeanValue) else LeanValue(other)
        return LeanValue(self.data + other.data, (self, other), (1.0, 1.0))

    __radd__ = __add__

    def __mul__(self, other):
        other = other if isinstance(other, LeanValue) else LeanValue(other)
        return LeanValue(self.data * other.data, (self, other), (other.data, self.data))

    __rmul__ = __mul__

    def __pow__(self, c):
        return LeanValue(self.data ** c, (self,), (c * self.data ** (c - 1),))

    def __neg__(self):
        return LeanValue(-self.data, (self,), (-1.0,))

    def __sub__(self, other):
        other = other if isinstance(other, LeanValue) else LeanValue(other)
        return LeanValue(self.data - other.data, (self, other), (1.0, -1.0))

    def tanh(self):
        t = math.tanh(self.data)
        return LeanValue(t, (self,), (1 - t * t,))

    def sigmoid(self):
        s = 1 / (1 + math.exp(-self.data)) if self.data >= 0 else (
            math.exp(self.data) / (1 + math.exp(self.data)))
        return LeanValue(s, (self,), (s * (1 - s),))

    def backward(self):
        order, visited = [], set()

        def visit(node):
            if node not in visited:
                visited.add(node)
                for child in node.children:
                    visit(child)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            for child, local in zip(node.children, node.locals):
                child.grad += local * node.grad
