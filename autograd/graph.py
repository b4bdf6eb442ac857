"""The one graph walk: an iterative topological order shared by backward, rendering and compile."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def topological_order(
    root: Any, parents: Callable[[Any], Iterable[Any]] = lambda node: node.parents
) -> list[Any]:
    """Return every node reachable from ``root``, each after all of its parents (root last).

    Iterative depth-first post-order, so graphs of any depth work (no recursion limit);
    parents are visited in operand order, so the order is deterministic. Nodes are
    compared by identity (they must not define ``__eq__``).
    """
    order: list[Any] = []
    seen = {root}
    stack = [(root, iter(parents(root)))]
    while stack:
        node, pending = stack[-1]
        for parent in pending:
            if parent not in seen:
                seen.add(parent)
                stack.append((parent, iter(parents(parent))))
                break
        else:  # every parent is placed: the node can follow them
            stack.pop()
            order.append(node)
    return order
