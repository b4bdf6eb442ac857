"""The Value node: operations with their local derivative rules, and backward.

Every op computes its result and, right away, its local derivatives d(out)/d(input)
from the rule written under it in ``RULES``. ``backward`` then only applies the chain
rule: ``parent.grad += node.grad * local_grad``, in one place (``backprop.py``).

The rules use generic arithmetic and the helpers in ``rules.py``, so the same rule runs
on floats (eager), on Values (``create_graph=True``, higher-order derivatives) and on
the symbols of the compiled mode.

Speed: nodes use ``__slots__`` and keep one or two parents and their local derivatives in
slots (``_a``, ``_b``, ``_da``, ``_db``; a unary node keeps its constant parameter, if any,
in ``_db``); n-ary nodes (``sum``, ``dot``) keep tuples there and mark ``_b`` with
``NARY``. No node refers to itself through a closure, so graphs are freed by reference
counting alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Union, cast

from . import rules as r
from .backprop import propagate
from .graph import topological_order
from .modes import MODE, current, enable_grad, gc_paused
from .rules import NARY, RULES
from .scalar import Scalar
from .scalar import as_float as _as_float
from .serialize import copy_value, reduce_value, restore

Number = Union[int, float]
Operand = Union["Value", int, float]


class Value(Scalar):
    """A scalar node of a computation graph.

    ``data``: the float value. ``grad``: dL/d(this node), filled in by ``backward``.
    ``parents``: the nodes it was computed from, in operand order (``()`` for a leaf).
    ``op``: the name of the op that made it (``""`` for a leaf). ``label``: a name for
    drawings and messages. It acts like a number (comparisons, ``float``, ``format``:
    ``scalar.py``); ``==`` and ``hash`` stay by identity.

    ``grad`` is typed ``float``: after ``backward(create_graph=True)`` (and inside the
    functional transforms) it holds a Value instead, which supports the same arithmetic.
    """

    __slots__ = ("__weakref__", "_a", "_b", "_da", "_db", "data", "grad", "label", "op")
    data: float
    grad: float  # a Value after backward(create_graph=True): see the class docstring
    label: str
    op: str
    _a: Any  # a parent Value, a tuple of them (n-ary) or None (see the module docstring)
    _b: Any
    _da: Any
    _db: Any
    __array_ufunc__ = None  # numpy scalars on the left defer to our reflected operators

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.data = _as_float(data)
        self.grad = 0.0
        self.label = label
        self.op = ""
        self._a = self._b = self._da = self._db = None

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

        return value_html(self)

    # ---- arithmetic: each forward, then its rule d(out)/d(input) ----

    def __add__(self, other: Operand) -> Value:
        if type(other) is not Value:  # type(), not __class__: type checkers narrow on it
            other = lift(other)
        return _binary("+", self, other, self.data + other.data)

    # d(a+b)/da = 1, d(a+b)/db = 1
    RULES["+"] = lambda a, b, out: (1.0, 1.0)

    def __sub__(self, other: Operand) -> Value:
        if type(other) is not Value:  # type(), not __class__: type checkers narrow on it
            other = lift(other)
        return _binary("-", self, other, self.data - other.data)

    # d(a-b)/da = 1, d(a-b)/db = -1   (a primitive for speed: one node, not two)
    RULES["-"] = lambda a, b, out: (1.0, -1.0)

    def __mul__(self, other: Operand) -> Value:
        if type(other) is not Value:  # type(), not __class__: type checkers narrow on it
            other = lift(other)
        return _binary("*", self, other, self.data * other.data)

    # d(ab)/da = b, d(ab)/db = a
    RULES["*"] = lambda a, b, out: (b, a)

    def __truediv__(self, other: Operand) -> Value:
        if type(other) is not Value:  # type(), not __class__: type checkers narrow on it
            other = lift(other)
        if other.data == 0:
            raise ZeroDivisionError(f"division by zero: {self.data!r} / {other.data!r}")
        return _binary("/", self, other, self.data / other.data)

    # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -out/b   (a primitive: a/b rounds once)
    RULES["/"] = lambda a, b, out: (1 / b, -out / b)

    def __pow__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _binary("pow", self, other, r.checked_pow(self.data, other.data))
        c = _as_float(other)
        return _unary("**", self, r.checked_pow(self.data, c), c)

    # d/dx x^c = c x^(c-1)   (c a constant; 0 at c = 0, even at x = 0)
    RULES["**"] = lambda x, out, c: r.mul_power(c, x, c - 1)

    def __rpow__(self, other: Operand) -> Value:
        base = lift(other)
        return _binary("pow", base, self, r.checked_pow(base.data, self.data))

    # d(a^b)/da = b a^(b-1)   (0 at b = 0, even at a = 0)
    # d(a^b)/db = a^b ln a     (0 at a = 0; NaN for a < 0, where it is undefined)
    RULES["pow"] = lambda a, b, out: (r.mul_power(b, a, b - 1), r.xlogy(out, a))

    def __neg__(self) -> Value:
        return self * -1.0

    def __pos__(self) -> Value:
        return self  # +x is x: no node (the identity's derivative is 1 along the same edge)

    def __radd__(self, other: Operand) -> Value:
        return lift(other) + self

    def __rsub__(self, other: Operand) -> Value:
        return lift(other) - self

    def __rmul__(self, other: Operand) -> Value:
        return lift(other) * self

    def __rtruediv__(self, other: Operand) -> Value:
        return lift(other) / self

    # ---- functions of one input ----

    def __abs__(self) -> Value:
        return _unary("abs", self, abs(self.data))

    # d/dx |x| = sign(x)   (0 at x = 0, as PyTorch)
    RULES["abs"] = lambda x, out: r.sign(x)

    def exp(self) -> Value:
        """e^x; OverflowError past x ~ 709.78."""
        return _unary("exp", self, r.checked_exp(self.data))

    # d/dx e^x = e^x
    RULES["exp"] = lambda x, out: out

    def log(self) -> Value:
        """Natural log; ValueError for x <= 0."""
        if not self.data > 0 and self.data == self.data:
            raise ValueError(f"log: math domain error: log({self.data!r}) needs x > 0")
        return _unary("log", self, math.log(self.data))

    # d/dx ln x = 1/x   (as g / x where 1/x overflows: at subnormal x)
    RULES["log"] = lambda x, out: r.inverse(x)

    def log1p(self) -> Value:
        """ln(1 + x), exact for tiny x (log(1 - p) is ``(-p).log1p()``); ValueError for x <= -1."""
        if not self.data > -1 and self.data == self.data:
            raise ValueError(f"log1p: math domain error: log1p({self.data!r}) needs x > -1")
        return _unary("log1p", self, math.log1p(self.data))

    # d/dx ln(1 + x) = 1 / (1 + x)
    RULES["log1p"] = lambda x, out: r.inverse(1 + x)

    def sqrt(self) -> Value:
        """Square root; ValueError for x < 0."""
        if self.data < 0:
            raise ValueError(f"sqrt: math domain error: sqrt({self.data!r}) needs x >= 0")
        return _unary("sqrt", self, math.sqrt(self.data))

    # d/dx sqrt(x) = 1 / (2 sqrt(x))   (+inf at x = +-0, as (x ** 0.5)': out + 0.0 is +0.0)
    RULES["sqrt"] = lambda x, out: 0.5 * r.reciprocal(out + 0.0)

    def tanh(self) -> Value:
        """Hyperbolic tangent; saturates, never overflows."""
        return _unary("tanh", self, math.tanh(self.data))

    # d/dx tanh(x) = 1 - tanh(x)^2
    RULES["tanh"] = lambda x, out: 1 - out * out

    def sigmoid(self) -> Value:
        """1 / (1 + e^-x), computed without overflow for any x."""
        return _unary("sigmoid", self, r.sigmoid(self.data))

    # d/dx s(x) = s(x) (1 - s(x))
    RULES["sigmoid"] = lambda x, out: out * (1 - out)

    def softplus(self) -> Value:
        """ln(1 + e^x), computed without overflow for any x."""
        return _unary("softplus", self, r.softplus(self.data))

    # d/dx ln(1 + e^x) = sigmoid(x)
    RULES["softplus"] = lambda x, out: r.sigmoid(x)

    def relu(self) -> Value:
        """max(0, x); relu'(0) = 0, as PyTorch."""
        x = self.data
        return _unary("relu", self, 0.0 if x <= 0 else x)

    # d/dx relu(x) = 0 if x <= 0 else 1   (1 at NaN, as PyTorch)
    RULES["relu"] = lambda x, out: r.where_le0(x, 0.0, 1.0)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, slope * x otherwise; the derivative at 0 is slope."""
        x, slope = self.data, _as_float(slope)
        return _unary("leaky_relu", self, slope * x if x <= 0 else x, slope)

    # d/dx leaky_relu(x) = 1 if x > 0 else slope
    RULES["leaky_relu"] = lambda x, out, slope: r.where(x, 1.0, slope)

    def elu(self, alpha: float = 1.0) -> Value:
        """x for x > 0, alpha (e^x - 1) otherwise."""
        x, alpha = self.data, _as_float(alpha)
        return _unary("elu", self, x if x > 0 else alpha * math.expm1(x), alpha)

    # d/dx elu(x) = alpha e^x if x <= 0 else 1   (not out + alpha: it cancels for x << 0)
    RULES["elu"] = lambda x, out, alpha: r.where_le0(x, alpha * r.exp_nonpositive(x), 1.0)

    def sin(self) -> Value:
        """Sine."""
        return _unary("sin", self, r.checked(math.sin, "sin", self.data))

    # d/dx sin x = cos x
    RULES["sin"] = lambda x, out: r.cos(x)

    def cos(self) -> Value:
        """Cosine."""
        return _unary("cos", self, r.checked(math.cos, "cos", self.data))

    # d/dx cos x = -sin x
    RULES["cos"] = lambda x, out: -r.sin(x)

    # ---- graph operations ----

    def backward(self, grad: Operand = 1.0, create_graph: bool = False) -> None:
        """Fill in ``grad`` of every node this one depends on, by the chain rule.

        Leaves accumulate across calls (a second call adds); every other node is reset
        first, so its ``grad`` shows the last pass. With ``create_graph=True`` the pass
        is itself recorded with Values, so the grads can be differentiated again.
        """
        if isinstance(grad, Value) and not create_graph:
            raise TypeError("backward: a Value seed needs create_graph=True (else pass a number)")
        seed: Any = lift(grad) if create_graph else _as_float(grad)  # grads hold Values or floats
        with gc_paused():  # the walk's burst of containers would trigger rescans of the graph
            order = topological_order(self, _parents)
        for node in order:
            if node._a is not None:
                node.grad = 0.0
        self.grad = self.grad + seed if self._a is None else seed
        anomaly = current().anomaly
        if create_graph:  # the pass is a graph even inside no_grad
            with enable_grad():
                propagate(reversed(order), create_graph, anomaly)
        else:
            propagate(reversed(order), create_graph, anomaly)

    def detach(self) -> Value:
        """A new leaf with the same data, cut off from the graph."""
        return Value(self.data, self.label)

    def _quotient(self) -> Value:
        """1 / self as a factor whose products g * (1 / self) compute g / self (see rules)."""
        q = 1 / self
        q.__class__ = _Quotient
        return q

    # ---- pickle and copy: the graph goes out flat, so any depth works (serialize.py) ----
    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return reduce_value(self)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        restore(self, state)

    def __copy__(self) -> Value:
        return copy_value(self)  # type: ignore[no-any-return]


class _Quotient(Value):
    """A node 1/x whose products divide by x: finite where 1/x overflows (subnormal x)."""

    __slots__ = ()

    def __mul__(self, g: Operand) -> Value:  # Value * _Quotient calls this first (a subclass)
        return lift(g) / cast(Value, self._b)

    def __rmul__(self, g: Operand) -> Value:
        return self.__mul__(g)


# the walk calls this for every node: skip the property lookup
_parents: Callable[[Value], tuple[Value, ...]] = vars(Value)["parents"].fget


def lift(x: Operand) -> Value:
    """``x`` itself if it is a Value, else a new constant leaf holding it."""
    if type(x) is Value or isinstance(x, Value):
        return x
    return _node("", _as_float(x), None, None, None, None)  # Value(x), minus its checks


def zero_grad(values: Iterable[Value]) -> None:
    """Set ``grad`` of every Value in ``values`` to 0.0."""
    for v in values:
        v.grad = 0.0


# ---- building nodes and applying the chain rule: the engine's speed tricks live here ----


_mode = MODE.get  # None while ops record plainly (per thread and task): the fast path below
_new = object.__new__


def _node(op: str, data: float, a: Any, b: Any, da: Any, db: Any) -> Value:
    # object.__new__ and plain slot stores: about twice as fast as calling Value(...)
    v = _new(Value)
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
    v = _new(Value)  # _node's stores, written out here and in _binary: one call less per node
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
    v = _new(Value)
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
