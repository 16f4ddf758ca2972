"""What the checker knows about one graph, computed once per check.

The topological order, the names, the correct gradients and the paths of the chain rule are
the same for every claim about a graph; a ``GraphFacts`` computes each once, however many
claims are judged or explained.
"""

from __future__ import annotations

from typing import Any

from ..graph import topological_order
from ..text import node_names
from ..trace import PathFinder, Paths
from ..value import Value

__all__ = ["GraphFacts"]


class GraphFacts:
    """One graph, read once: its order, names, named nodes, gradients and paths.

    Args:
        root: the output Value.
        names: the names to use (by default ``autograd.text.node_names(root)``; a part of a
            larger graph keeps that graph's names).

    Attributes:
        root: the output Value.
        order: every node, inputs before the nodes that use them.
        names: the name of every node (``autograd.text.node_names``).
        position: each node's index in ``order``, by ``id``.
        by_name: the nodes a claim may name (labelled or computed), name -> list of nodes.
        finder: the ``autograd.trace.PathFinder`` of the graph.
    """

    def __init__(self, root: Value, names: dict[int, str] | None = None) -> None:
        self.root = root
        self.order = topological_order(root)
        self.names = names if names is not None else node_names(root)
        self.position = {id(node): i for i, node in enumerate(self.order)}
        self.by_name: dict[str, list[Value]] = {}
        for node in self.order:
            if node.label or node.op is not None:
                self.by_name.setdefault(self.names[id(node)], []).append(node)
        self.finder = PathFinder(root, self.names)
        self._gradients: dict[int, Any] | None = None
        self._paths: dict[int, Paths] = {}
        self._subs: dict[int, GraphFacts] = {}

    def sub(self, node: Value) -> GraphFacts:
        """The facts of the part of this graph that ``node`` depends on, with ``node`` as its
        root (for a step's own derivatives, dh1/dw1), in this graph's names."""
        if node is self.root:
            return self
        if id(node) not in self._subs:
            self._subs[id(node)] = GraphFacts(node, self.names)
        return self._subs[id(node)]

    def gradients(self) -> dict[int, Any]:
        """d root / d node for every node, by ``id``; the graph's own grads are left as they
        were.

        Raises:
            ArithmeticError, ValueError: a local derivative is undefined at these values.
        """
        if self._gradients is None:
            saved = [node.grad for node in self.order]
            for node in self.order:
                node.grad = 0
            try:
                self.root.backward()
                self._gradients = {id(node): node.grad for node in self.order}
            finally:
                for node, grad in zip(self.order, saved):
                    node.grad = grad
        return self._gradients

    def paths(self, node: Value) -> Paths:
        """The paths from ``node`` to the root (``autograd.trace.Paths``), listed once.

        Raises:
            ValueError: more than ``autograd.trace.MAX_PATHS`` of them.
        """
        if id(node) not in self._paths:
            self._paths[id(node)] = self.finder.paths(node)
        return self._paths[id(node)]

    def path_count(self, node: Value) -> int:
        """How many paths lead from ``node`` to the root, without listing them."""
        return self.finder.count(node)

    def steps_to(self, node: Value) -> tuple[Value, ...]:
        """The operations of the forward pass that ``node`` depends on, in order."""
        wanted = {id(n) for n in topological_order(node)}
        return tuple(n for n in self.order if n.op is not None and id(n) in wanted)
