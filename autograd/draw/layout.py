"""Choosing the direction of a picture so that it fits a slide.

A value graph's picture is a column of ranks: each operation adds two (the operation's node
and its result's box). A deep, narrow graph such as the lesson's 5-weight network is far
longer than it is wide, so drawn left to right it becomes a strip five times as wide as it is
tall; drawn top to bottom its boxes, which are wider than they are tall, stack compactly.
``choose_rankdir`` estimates both pictures from the graph's depth and breadth and takes the
one that fits a 16:9 slide better.
"""

from __future__ import annotations

from .renderer import PNG_DPI

__all__ = ["SLIDE_PIXELS", "SLIDE_ASPECT", "choose_rankdir", "estimate_inches"]

SLIDE_PIXELS = 2400
"""The longest side a default picture aims for, in pixels at ``PNG_DPI`` (16.7 inches)."""

SLIDE_ASPECT = 2.5
"""The longest side over the shortest that a default picture aims for."""

# Rough sizes in inches of what the house style draws (measured on its PNGs).
_BOX = (1.15, 0.5)       # a value's box: width, height
_OP = 0.36               # an operation's circle
_EDGE_LABEL = (1.9, 0.2)  # a local-derivative label beside an edge: width, height
_RANKSEP, _NODESEP = 0.3, 0.3


def _ranks(order: list) -> dict[int, int]:
    """Each node's rank counted from the inputs: a result two ranks below the deepest of its
    inputs (its operation sits between), a leaf just above its first user's operation."""
    rank: dict[int, int] = {}
    for node in order:
        if node.inputs:
            rank[id(node)] = max(rank.get(id(i), 0) for i in node.inputs) + 2
    users: dict[int, int] = {}
    for node in order:
        for input_ in node.inputs:
            if not input_.inputs:
                users[id(input_)] = min(users.get(id(input_), rank[id(node)]), rank[id(node)])
    for node in order:
        if not node.inputs:
            rank[id(node)] = max(users.get(id(node), 2) - 2, 0)
    return rank


def estimate_inches(order: list, rankdir: str, edge_labels: bool = False) -> tuple[float, float]:
    """A rough (width, height) in inches of the picture of ``order`` (a topological order)."""
    rank = _ranks(order)
    depth = max(rank.values()) + 1 if rank else 1
    per_rank: dict[int, int] = {}
    for node in order:
        per_rank[rank[id(node)]] = per_rank.get(rank[id(node)], 0) + 1
        if node.inputs:  # the operation's node, one rank above its result
            per_rank[rank[id(node)] - 1] = per_rank.get(rank[id(node)] - 1, 0) + 1
    breadth = max(per_rank.values())
    values, ops = (depth + 1) // 2, depth // 2
    label_w, label_h = _EDGE_LABEL if edge_labels else (0.0, 0.0)
    if rankdir in ("TB", "BT"):
        width = breadth * (_BOX[0] + _NODESEP + label_w * 0.5)
        height = values * _BOX[1] + ops * (_OP + label_h) + (depth - 1) * _RANKSEP
    else:
        width = values * _BOX[0] + ops * (_OP + label_w) + (depth - 1) * _RANKSEP
        height = breadth * (_BOX[1] + _NODESEP)
    return width, height


def _badness(size: tuple[float, float]) -> float:
    longest, shortest = max(size), max(min(size), 1e-9)
    return max(longest * PNG_DPI / SLIDE_PIXELS, (longest / shortest) / SLIDE_ASPECT)


def choose_rankdir(order: list, edge_labels: bool = False) -> str:
    """``"TB"`` or ``"LR"``: the direction whose picture fits a 16:9 slide better (longest
    side at most ``SLIDE_PIXELS``, aspect at most ``SLIDE_ASPECT``), by ``estimate_inches``.

    >>> from autograd import Value
    >>> x = Value(1.0)
    >>> deep = x
    >>> for _ in range(8):
    ...     deep = deep * 2 + 1
    >>> wide = sum((Value(float(i)) * i for i in range(12)), Value(0.0))
    >>> from autograd import topological_order
    >>> choose_rankdir(topological_order(deep)), choose_rankdir(topological_order(wide))
    ('TB', 'LR')
    """
    tb = estimate_inches(order, "TB", edge_labels)
    lr = estimate_inches(order, "LR", edge_labels)
    return "TB" if _badness(tb) <= _badness(lr) else "LR"
