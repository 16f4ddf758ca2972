"""Walking a computation graph: the topological order that backward() runs in reverse."""

from __future__ import annotations

__all__ = ["topological_order"]


def topological_order(root) -> list:
    """Every node that ``root`` depends on, each once, inputs before the nodes that use them.

    Works for any node with a ``parents`` tuple (``autograd.Value``, ``nn.Tensor``). The walk
    is iterative (a depth-first search with an explicit stack), so a chain of a million
    operations needs no recursion, and deterministic: parents are visited in argument order,
    so the same graph always gives the same order. ``root`` is last.

    Args:
        root: the output node.

    Returns:
        list of nodes; ``reversed()`` of it is the order in which backward visits them.

    >>> from autograd import Value
    >>> a = Value(2.0, label="a"); b = Value(3.0, label="b")
    >>> c = a * b; c.label = "c"
    >>> [n.label for n in topological_order(c + a)][:3]
    ['a', 'b', 'c']
    """
    order = []
    seen = set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        # Reversed so that the first parent is visited first.
        for parent in reversed(node.parents):
            if id(parent) not in seen:
                stack.append((parent, False))
    return order
