"""Pickling and copying Values: a graph of any depth goes out flat, with no recursion.

``pickle`` and ``copy.deepcopy`` follow an object's state into the objects it refers to,
recursively: a node's state holds its parents, theirs hold theirs, so a chain of a few
thousand ops would exhaust Python's recursion limit. Here a node that starts a pickle or a
deep copy writes its ancestors first, as one list in topological order (``graph.py``), each
with only its own fields: by the time a node's parents are needed they are already written
(the pickler's memo, or deepcopy's, refers back to them), so the depth stays constant.
Identity is kept: a node shared by two parts of what is pickled is one node after loading.
The n-ary marker (``rules.NARY``, compared by identity) is restored as that same object.
"""

from __future__ import annotations

import copyreg
import threading
from typing import Any

from .graph import topological_order
from .rules import NARY

_NEWOBJ: Any = getattr(copyreg, "__newobj__")  # noqa: B009 (pickle's compact NEWOBJ; not in typeshed)
_local = threading.local()  # per thread: ids of nodes written as part of an enclosing graph


def _inside() -> set[int]:
    ids: set[int] | None = getattr(_local, "ids", None)
    if ids is None:
        ids = _local.ids = set()
    return ids


def _fields(node: Any) -> tuple[Any, ...]:
    """A node's own fields (its parents by reference), the n-ary marker as a flag."""
    nary = node._b is NARY
    extra = vars(node) or None if type(node).__dictoffset__ else None  # a subclass's own
    return (node.data, node.grad, node.label, node.op, node._a, None if nary else node._b,
            node._da, node._db, nary, extra)


class _Release:
    """Written after a graph's nodes: taking it apart ends their being written flat."""

    def __init__(self, ids: set[int]) -> None:
        self.ids = ids

    def __reduce__(self) -> tuple[Any, ...]:
        _inside().difference_update(self.ids)
        return tuple, ()  # reads back as ()


def reduce_value(node: Any) -> tuple[Any, ...]:
    """``__reduce_ex__`` of a Value: its ancestors in order (unless already being written)."""
    inside = _inside()
    if id(node) in inside:  # one of an enclosing graph's nodes: its parents come before it
        return _NEWOBJ, (type(node),), ((), _fields(node), ())
    order = topological_order(node)[:-1]
    ids = {id(n) for n in order} - inside
    inside.update(ids)
    return _NEWOBJ, (type(node),), (order, _fields(node), _Release(ids))


def restore(node: Any, state: tuple[Any, ...]) -> Any:
    """``__setstate__`` of a Value: set its fields (its ancestors restore themselves)."""
    data, grad, label, op, a, b, da, db, nary, extra = state[1]
    node.data, node.grad, node.label, node.op = data, grad, label, op
    node._a, node._b, node._da, node._db = a, NARY if nary else b, da, db
    if extra:
        node.__dict__.update(extra)
    return node


def copy_value(node: Any) -> Any:
    """``copy.copy`` of a Value: a new node with the same fields and the same parents."""
    return restore(_NEWOBJ(type(node)), ((), _fields(node), ()))
