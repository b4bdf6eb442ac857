"""A node's structure (``Node``, the base of ``Value``) and its builders: the engine's speed tricks.

Nodes use ``__slots__`` and keep one or two parents and their local derivatives in slots
(``_a``, ``_b``, ``_da``, ``_db``; a unary node keeps its constant parameter, if any, in
``_db``); n-ary nodes (``sum``, ``dot``) keep tuples there and mark ``_b`` with ``NARY``.
No node refers to itself through a closure, so graphs are freed by reference counting alone.

Every op of ``engine.py`` ends in ``_unary``, ``_binary`` or ``_nary``, which compute the
local derivatives from ``RULES`` right away. They build ``Value``, which ``engine.py``
hands over (``bind``) once it is defined: one global lookup, as if it were defined here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from . import rules as r
from .modes import MODE, current
from .rules import NARY, RULES
from .scalar import Scalar
from .serialize import copy_value, reduce_value, restore

if TYPE_CHECKING:
    from .engine import Value

_mode = MODE.get  # None while ops record plainly (per thread and task): the fast path below
_new = object.__new__
_Value: type[Value]  # the class the builders make, set by ``bind`` as engine.py loads


def bind(cls: type[Value]) -> None:
    """Make the builders build ``cls`` (engine.py calls it right under ``Value``)."""
    global _Value
    _Value = cls


class Node(Scalar):
    """What a Value is made of: its slots' readers (``parents``, ``arg``, ``local_grads``),
    its displays and its pickling; ``engine.Value`` adds the ops and defines the slots."""

    __slots__ = ()
    data: float
    grad: float  # a Value after backward(create_graph=True): see Value's docstring
    label: str
    op: str
    _a: Any  # a parent Value, a tuple of them (n-ary) or None (see the module docstring)
    _b: Any
    _da: Any
    _db: Any

    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in operand order."""
        a, b = self._a, self._b
        if a is None:
            return ()
        if b is None:
            return (a,)
        return a if b is NARY else (a, b)

    @property
    def arg(self) -> float | None:
        """The op's constant parameter (the exponent of ``x ** c``, a slope, alpha) or None."""
        return self._db if self._b is None else None  # a unary node keeps it in _db

    @property
    def local_grads(self) -> tuple[Any, ...]:
        """d(self)/d(parent) for each parent, as computed in the forward pass."""
        if self._a is None:
            return ()
        if self._b is None:
            return (self._da,)
        return self._da if self._b is NARY else (self._da, self._db)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label}{op})"

    def _repr_html_(self) -> str:
        """Jupyter's display: data, grad, op and label, and the graph drawn when it is small."""
        from .notebook import value_html  # pictures live above the engine; loaded on display

        return value_html(cast("Value", self))  # every Node is a Value

    # ---- pickle and copy: the graph goes out flat, so any depth works (serialize.py) ----

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return reduce_value(self)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        restore(self, state)

    def __copy__(self) -> Value:
        return copy_value(self)  # type: ignore[no-any-return]


def _node(op: str, data: float, a: Any, b: Any, da: Any, db: Any) -> Value:
    # object.__new__ and plain slot stores: about twice as fast as calling Value(...)
    v = _new(_Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v.op = op
    v._a = a
    v._b = b
    v._da = da
    v._db = db
    return v


def _unary(op: str, x: Value, out: float, arg: Any = None) -> Value:
    if _mode() is not None:
        return _record(op, (x,), out, arg)
    rule = RULES[op]
    v = _new(_Value)  # _node's stores, written out here and in _binary: one call less per node
    v.data = out
    v.grad = 0.0
    v.label = ""
    v.op = op
    v._a = x
    v._b = None
    v._da = rule(x.data, out) if arg is None else rule(x.data, out, arg)
    v._db = arg  # the constant parameter, if any
    return v


def _binary(op: str, a: Value, b: Value, out: float) -> Value:
    if _mode() is not None:
        return _record(op, (a, b), out, None)
    v = _new(_Value)
    v.data = out
    v.grad = 0.0
    v.label = ""
    v.op = op
    v._a = a
    v._b = b
    v._da, v._db = RULES[op](a.data, b.data, out)
    return v


def _nary(op: str, xs: tuple[Value, ...], out: float, local: Sequence[float]) -> Value:
    if _mode() is not None:
        return _record(op, xs, out, None)
    return _node(op, out, xs, NARY, local, None)


def _record(op: str, parents: Sequence[Value], out: float, arg: Any) -> Value:
    """The slow path: no_grad makes a leaf; anomaly mode checks and remembers the node."""
    mode = current()
    if not mode.record:
        return _node("", out, None, None, None, None)
    local = r.apply_rule(op, [p.data for p in parents], out, arg)
    if op in r.NARY_OPS or len(parents) > 2:  # a defined op of 3+ inputs is n-ary too
        node = _node(op, out, parents, NARY, local, None)
    elif len(parents) == 2:
        node = _node(op, out, parents[0], parents[1], local[0], local[1])
    else:
        node = _node(op, out, parents[0], None, local[0], arg)
    if mode.anomaly is not None:
        mode.anomaly.forward(node)
    return node
