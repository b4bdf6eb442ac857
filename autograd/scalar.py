"""A Value acts like a number: comparisons and conversions that read ``data`` (no graph).

``Scalar`` is the base of ``Value``: ``< <= > >=`` compare data and return a bool (so
``max(a, b)``, ``sorted`` and ``if loss < best:`` work), ``bool`` is data != 0 (NaN is true),
``float``, ``int``, ``round``, ``item`` and ``format`` read data, as a PyTorch scalar does.
``==`` and ``hash`` stay by identity: graphs, dicts and sets hold nodes, not numbers.

Inside a transform or a jit trace a conversion to float is a TypeError (``math.exp(v)``
calls ``float(v)`` and would drop v out of the graph), and while jit traces, each comparison
is recorded (``modes.TRACE``): a branch on data becomes a guard. See docs/numbers.md.

>>> from autograd import Value
>>> a, b = Value(2.0), Value(3.0)
>>> a < b, max(a, b) is b, f"{a:.2f}", round(b), bool(Value(0.0))
(True, True, '2.00', 3, False)
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Callable
from typing import Any

from .modes import DEPTH, TRACE


class Scalar:
    """The number protocol of ``Value``: it reads ``data`` and records nothing."""

    __slots__ = ()
    data: float

    def __lt__(self, other: Any) -> bool:
        return _compare("<", self, other)

    def __le__(self, other: Any) -> bool:
        return _compare("<=", self, other)

    def __gt__(self, other: Any) -> bool:
        return _compare(">", self, other)

    def __ge__(self, other: Any) -> bool:
        return _compare(">=", self, other)

    def __bool__(self) -> bool:
        """``data != 0``, as a PyTorch scalar (NaN is true)."""
        return _compare("!=", self, 0.0)

    def item(self) -> float:
        """``data``, as PyTorch's ``item``; a TypeError inside a transform or jit trace."""
        return _number(self, "item")

    def __float__(self) -> float:
        return _number(self, "float")

    def __int__(self) -> int:
        return int(_number(self, "int"))  # toward zero, as int(float)

    def __round__(self, ndigits: int | None = None) -> int | float:
        return round(_number(self, "round"), ndigits)

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else str(self)


def as_float(x: Any) -> float:
    """Convert a real number to float; anything else is a TypeError naming its type."""
    if type(x) is float:
        return x
    if type(x) is int:  # exactly int: bool, numpy and other numbers take the checks below
        return float(x)
    if isinstance(x, Scalar):  # float(x) works, but here it would drop x's graph silently
        raise TypeError("Value needs a real number, got a Value (its number is v.data)")
    if (
        isinstance(x, (str, bytes, complex))
        or getattr(x, "ndim", 0) != 0
        or not hasattr(type(x), "__float__")
        or (isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real))
    ):
        raise TypeError(f"Value needs a real number, got {type(x).__name__}: {x!r:.60}")
    return float(x)


def positive_int(name: str, n: Any) -> int:
    """``n`` if it is an int >= 1 (a size, a count); else a TypeError (not an int, or a
    bool) or a ValueError (< 1) naming ``name``."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name} must be a positive int, got {type(n).__name__}: {n!r:.60}")
    if n < 1:
        raise ValueError(f"{name} must be a positive int, got {n!r}")
    return n


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "!=": operator.ne}


def _compare(op: str, a: Scalar, b: Any) -> bool:
    """``a.data op b`` (b's data if a Value); recorded while jit traces (a branch on data)."""
    if isinstance(b, Scalar):
        y = b.data
    else:
        try:
            y = as_float(b)
        except TypeError:
            return NotImplemented  # type: ignore[no-any-return] # Python raises its TypeError
    outcome = _COMPARE[op](a.data, y)
    trace = TRACE.get()
    if trace is not None:
        trace.append((op, a, b, outcome))
    return outcome


def _number(v: Scalar, name: str) -> float:
    """``v.data`` for float(v) and friends, except where a number would leave the graph."""
    if DEPTH.get() or TRACE.get() is not None:
        raise TypeError(
            f"{name}() of a Value inside a transform (grad, jacobian, ...) or a jit trace "
            "would drop it out of the graph, losing its derivative (math.exp(v) and friends "
            "call float(v)): use the Value's ops (v.exp(), v.log(), ...), or v.data to "
            "leave the graph on purpose"
        )
    return v.data
