"""The reference for the scalar benchmark: an autograd engine of the classic closure design.

Each operation stores a small function (a closure) that knows how to push its output's
gradient to its inputs, inputs are kept in a set, and backward sorts the graph with a
recursive depth-first search. This is the design of the best-known teaching engines; it is
written here from that description, for measuring against, and is not part of tracegrad.
"""

from __future__ import annotations

import math


class ClosureValue:
    def __init__(self, data, children=()):
        self.data = data
        self.grad = 0.0
        self._children = set(children)
        self._backward = lambda: None

    def __add__(self, other):
        other = other if isinstance(other, ClosureValue) else ClosureValue(other)
        out = ClosureValue(self.data + other.data, (self, other))

        def push():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = push
        return out

    __radd__ = __add__

    def __mul__(self, other):
        other = other if isinstance(other, ClosureValue) else ClosureValue(other)
        out = ClosureValue(self.data * other.data, (self, other))

        def push():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = push
        return out

    __rmul__ = __mul__

    def __pow__(self, c):
        out = ClosureValue(self.data ** c, (self,))

        def push():
            self.grad += c * self.data ** (c - 1) * out.grad
        out._backward = push
        return out

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def sigmoid(self):
        s = 1 / (1 + math.exp(-self.data)) if self.data >= 0 else (
            math.exp(self.data) / (1 + math.exp(self.data)))
        out = ClosureValue(s, (self,))

        def push():
            self.grad += s * (1 - s) * out.grad
        out._backward = push
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = ClosureValue(t, (self,))

        def push():
            self.grad += (1 - t * t) * out.grad
        out._backward = push
        return out

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if node not in seen:
                seen.add(node)
                for child in node._children:
                    visit(child)
                order.append(node)
        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
