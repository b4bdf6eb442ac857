"""The Value node: operations with their local derivative rules, and backward.

Every op computes its result and, right away, its local derivatives d(out)/d(input)
from the rule written under it in ``RULES``. ``backward`` then only applies the chain
rule: ``parent.grad += node.grad * local_grad``, in one place (``backprop.py``).

The rules use generic arithmetic and the helpers in ``rules.py``, so the same rule runs
on floats (eager), on Values (``create_graph=True``, higher-order derivatives) and on
the symbols of the compiled mode. Each op ends in a builder of ``nodes.py``, home of the
node's layout, of its readers (``parents``, ``local_grads``) and of the speed tricks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, Union, cast

from . import rules as r
from .backprop import propagate
from .graph import topological_order
from .modes import current, enable_grad, gc_paused
from .nodes import Node, _binary, _node, _unary, bind
from .rules import RULES
from .scalar import as_float as _as_float

Number = Union[int, float]
Operand = Union["Value", int, float]


class Value(Node):
    """A scalar node of a computation graph.

    ``data``: the float value. ``grad``: dL/d(this node), filled in by ``backward``.
    ``parents``: the nodes it was computed from, in operand order (``()`` for a leaf).
    ``op``: the name of the op that made it (``""`` for a leaf). ``label``: a name for
    drawings and messages. It acts like a number (comparisons, ``float``, ``format``:
    ``scalar.py``); ``==`` and ``hash`` stay by identity.

    ``grad`` is typed ``float``: after ``backward(create_graph=True)`` (and inside the
    functional transforms) it holds a Value instead, which supports the same arithmetic.
    """

    __slots__ = ("__weakref__", "_a", "_b", "_da", "_db", "data", "grad", "label", "op")  # nodes.py
    __array_ufunc__ = None  # numpy scalars on the left defer to our reflected operators

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.data = _as_float(data)
        self.grad = 0.0
        self.label = label
        self.op = ""
        self._a = self._b = self._da = self._db = None

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


bind(Value)  # the node builders (nodes.py) make Values from here on


class _Quotient(Value):
    """A node 1/x whose products divide by x: finite where 1/x overflows (subnormal x)."""

    __slots__ = ()

    def __mul__(self, g: Operand) -> Value:  # Value * _Quotient calls this first (a subclass)
        return lift(g) / cast(Value, self._b)

    def __rmul__(self, g: Operand) -> Value:
        return self.__mul__(g)


# the walk calls this for every node: skip the property lookup
_parents: Callable[[Value], tuple[Value, ...]] = vars(Node)["parents"].fget


def lift(x: Operand) -> Value:
    """``x`` itself if it is a Value, else a new constant leaf holding it."""
    if type(x) is Value or isinstance(x, Value):
        return x
    return _node("", _as_float(x), None, None, None, None)  # Value(x), minus its checks


def zero_grad(values: Iterable[Value]) -> None:
    """Set ``grad`` of every Value in ``values`` to 0.0."""
    for v in values:
        v.grad = 0.0
