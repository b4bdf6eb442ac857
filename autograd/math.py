"""Math that works on numbers, Values and the compiled mode's symbols: for derivative rules.

The built-in derivative rules are written with arithmetic and these functions, so one rule
runs on floats (a plain ``backward``), on Values (``backward(create_graph=True)``, ``hessian``,
forward mode) and in the compiled mode. A rule given to ``autograd.op`` that uses them is
first-class in all of these too; one that uses Python's ``math`` works on floats only.

>>> from autograd import Value
>>> from autograd import math as am
>>> am.tanh(0.5) == __import__("math").tanh(0.5)
True
>>> y = am.exp(Value(0.0))     # a Value: the graph goes on
>>> y.op, y.data
('exp', 1.0)
>>> am.where(-2.0, 1.0, 0.0)   # 1.0 if x > 0 else 0.0: the derivative of relu
0.0
"""

from __future__ import annotations

from typing import Any

from . import rules as r
from .scalar import as_float

__all__ = ["cos", "exp", "log", "power", "reciprocal", "sigmoid", "sign", "sin", "softplus",
           "sqrt", "tanh", "where"]


def _arg(x: Any) -> Any:
    """An int (or other real number) as a float; a Value or a symbol as it is; a str or
    anything else that is no real number is a TypeError."""
    return x if type(x) is float or hasattr(x, "data") or hasattr(x, "symbolic_call") \
        else as_float(x)


def exp(x: Any) -> Any:
    """e^x."""
    return r.exp(_arg(x))


def log(x: Any) -> Any:
    """The natural logarithm; ValueError for x <= 0."""
    return r.log(_arg(x))


def sqrt(x: Any) -> Any:
    """The square root; ValueError for x < 0."""
    return r.sqrt(_arg(x))


def sin(x: Any) -> Any:
    """The sine."""
    return r.sin(_arg(x))


def cos(x: Any) -> Any:
    """The cosine."""
    return r.cos(_arg(x))


def tanh(x: Any) -> Any:
    """The hyperbolic tangent."""
    return r.tanh(_arg(x))


def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x), without overflow for any x."""
    return r.sigmoid(_arg(x))


def softplus(x: Any) -> Any:
    """ln(1 + e^x), without overflow for any x."""
    return r.softplus(_arg(x))


def power(x: Any, e: Any) -> Any:
    """x ** e; on numbers +-inf at a pole (0 to a negative power) instead of an error."""
    return r.power(_arg(x), _arg(e))


def reciprocal(x: Any) -> Any:
    """1 / x; on numbers +-inf at 0 instead of an error."""
    return r.reciprocal(_arg(x))


def where(x: Any, pos: Any, neg: Any) -> Any:
    """``pos`` if x > 0 else ``neg`` (a derivative with a kink at 0; no graph through x)."""
    return r.where(_arg(x), pos, neg)


def sign(x: Any) -> Any:
    """1.0, -1.0 or 0.0 (at 0 and for NaN): the derivative of |x| (no graph through x)."""
    return r.sign(_arg(x))
