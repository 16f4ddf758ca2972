"""Walking a computation graph: the topological order that backward() runs in reverse."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

__all__ = ["topological_order", "Node"]


class Node(Protocol):
    """A node of a computation graph: an ``autograd.Value`` or an ``nn.Tensor``, with its
    ``data``, its ``label``, the operation ``op`` that made it (None for a leaf), the
    operation's ``inputs`` and its plain-number constant ``const`` (else None)."""

    @property
    def data(self) -> Any: ...
    @property
    def label(self) -> str | None: ...
    @property
    def op(self) -> Any: ...
    @property
    def const(self) -> Any: ...
    @property
    def inputs(self) -> tuple[Any, ...]: ...


_N = TypeVar("_N", bound=Node)


def topological_order(root: _N) -> list[_N]:
    """Every node that ``root`` depends on, each once, inputs before the nodes that use them.

    Works for any node with an ``inputs`` tuple (``autograd.Value``, ``nn.Tensor``). The walk
    is iterative (a depth-first search with an explicit stack), so a chain of a million
    operations needs no recursion, and deterministic: inputs are visited in argument order,
    so the same graph always gives the same order. ``root`` is last. Nodes are told apart by
    identity (they must not define ``__eq__``).

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
    order: list[_N] = []
    seen = {root}
    # Each stack entry is a node and an iterator over its inputs not yet visited; a node
    # joins the order when its iterator is exhausted, i.e. after all of its inputs. A leaf
    # (no inputs) joins at once, without a trip through the stack: the same order.
    stack = [(root, iter(root.inputs))]
    while stack:
        node, inputs = stack[-1]
        for input_ in inputs:
            if input_ not in seen:
                seen.add(input_)
                its_inputs = input_.inputs
                if not its_inputs:
                    order.append(input_)
                    continue
                stack.append((input_, iter(its_inputs)))
                break
        else:
            stack.pop()
            order.append(node)
    return order
