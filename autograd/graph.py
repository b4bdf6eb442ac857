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
    seen = {root}  # placed, or on the current path (whose nodes wait for their parents)
    path, pending = [root], [iter(parents(root))]  # the path's nodes and their unvisited parents
    # speed: a leaf, or an n-ary node whose parents are all placed already (in a net, most
    # neurons after a layer's first), is placed at once; the superset test runs in C.
    # Two stacks instead of one of pairs: no tuple per node.
    place, mark, all_seen = order.append, seen.add, seen.issuperset
    while pending:
        for parent in pending[-1]:
            if parent not in seen:
                mark(parent)
                grand = parents(parent)
                if not grand or (len(grand) > 2 and all_seen(grand)):
                    place(parent)
                else:  # descend: place its parents first
                    path.append(parent)
                    pending.append(iter(grand))
                    break
        else:  # every parent is placed: the node can follow them
            pending.pop()
            place(path.pop())
    return order


class _TooBigError(Exception):
    """Raised inside ``bounded_order``'s walk to stop it early."""


def bounded_order(root: Any, limit: int) -> list[Any] | None:
    """``topological_order(root)`` if the graph has at most ``limit`` nodes, else None.

    The walk stops as soon as it finds node ``limit + 1``, so asking about a graph of a
    million nodes costs about ``limit`` steps (a notebook's display asks this).
    """
    found = 0

    def parents(node: Any) -> Any:  # called once per node found, the root included
        nonlocal found
        found += 1
        if found > limit:
            raise _TooBigError
        return node.parents

    try:
        return topological_order(root, parents)
    except _TooBigError:
        return None
