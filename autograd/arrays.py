"""Array forms of the ops (numpy), for running one traced graph over a whole batch at once.

``OPS`` maps each op to its forward on arrays (one numpy operation over the batch) and to
``raises``: the rows where eager mode's float function raises (overflow, a domain error,
division by zero), so that ``vmap`` can report eager mode's own error instead of a silent
inf or NaN. Backward runs the very rules of ``RULES`` on ``Arr``, an array that rules.py's
helpers dispatch through ``symbolic_call`` (as they do the compiled mode's symbols).

``+ - * /`` round as eager mode's float operations do (the same IEEE operations, element by
element); exp, log, tanh and the other transcendental functions are numpy's, which may
differ from the math module's by an ulp. Kinks (relu and its family, abs) are ``where``.
A user-defined op whose forward is a float function gets an array form with ``elementwise``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from . import rules as r

Array = Any  # a numpy array over the batch, or a float shared by all rows


class Op(NamedTuple):
    """An op's array form: ``forward(operands, arg)`` and ``raises(operands, out, arg)``."""

    forward: Callable[[list[Array], Any], Array]
    raises: Callable[[list[Array], Array, Any], Array] | None = None


def elementwise(fn: Callable[..., float]) -> Callable[[list[Array], Any], Array]:
    """The array form of a float function of the operands (and ``arg``), called row by row."""

    def forward(xs: list[Array], arg: Any) -> Array:
        extra = () if arg is None else (arg,)
        return np.vectorize(lambda *a: fn(*a, *extra), otypes=[float])(*xs)

    return forward


def _unary(fn: Callable[[Array], Array]) -> Callable[[list[Array], Any], Array]:
    return lambda xs, arg: fn(xs[0])


def _pow_raises(a: Array, b: Array, out: Array) -> Array:
    """Where ``checked_pow`` raises: 0 to a negative power, a negative base to a fractional
    power, or a finite pair whose power overflows."""
    finite = np.isfinite(a) & np.isfinite(b)
    fractional = finite & (a < 0) & (b != np.floor(b))
    return ((a == 0) & (b < 0)) | fractional | (finite & np.isinf(out))


def _exp_raises(xs: list[Array], out: Array, arg: Any) -> Array:
    return np.isinf(out) & np.isfinite(xs[0])


def _sigmoid(x: Array) -> Array:
    """rules.sigmoid on arrays: e^-|x| never exceeds 1, so nothing overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(x: Array) -> Array:
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _sum(xs: list[Array], arg: Any) -> Array:
    """engine's sum: 0.0 + x_1 + x_2 + ..., left to right."""
    total: Array = 0.0
    for x in xs:
        total = total + x
    return total


def _dot(xs: list[Array], arg: Any) -> Array:
    """w_1 x_1 + ... + w_n x_n from 0.0 (+ b), left to right as ``nary.matvec`` on 3.11."""
    n = len(xs) // 2
    total = _sum([w * x for w, x in zip(xs[:n], xs[n : 2 * n], strict=True)], None)
    return total + xs[-1] if len(xs) % 2 else total


def _logsumexp(xs: list[Array], arg: Any) -> Array:
    """m + log sum_i e^{x_i - m}, m = max x_i (m itself where it is infinite)."""
    stacked = np.stack(np.broadcast_arrays(*xs))
    m = np.max(stacked, axis=0)
    finite = np.where(np.isinf(m), 0.0, m)
    return np.where(np.isinf(m), m, finite + np.log(np.exp(stacked - finite).sum(axis=0)))


OPS: dict[str, Op] = {
    "+": Op(lambda xs, arg: xs[0] + xs[1]),
    "-": Op(lambda xs, arg: xs[0] - xs[1]),
    "*": Op(lambda xs, arg: xs[0] * xs[1]),
    "/": Op(lambda xs, arg: xs[0] / xs[1], lambda xs, out, arg: xs[1] == 0),
    "**": Op(lambda xs, arg: np.power(xs[0], arg),
             lambda xs, out, arg: _pow_raises(xs[0], arg, out)),
    "pow": Op(lambda xs, arg: np.power(xs[0], xs[1]),
              lambda xs, out, arg: _pow_raises(xs[0], xs[1], out)),
    "abs": Op(_unary(np.abs)),
    "exp": Op(_unary(np.exp), _exp_raises),
    "log": Op(_unary(np.log), lambda xs, out, arg: ~(xs[0] > 0) & (xs[0] == xs[0])),
    "log1p": Op(_unary(np.log1p), lambda xs, out, arg: ~(xs[0] > -1) & (xs[0] == xs[0])),
    "sqrt": Op(_unary(np.sqrt), lambda xs, out, arg: xs[0] < 0),
    "tanh": Op(_unary(np.tanh)),
    "sigmoid": Op(_unary(_sigmoid)),
    "softplus": Op(_unary(_softplus)),
    "sin": Op(_unary(np.sin), lambda xs, out, arg: np.isinf(xs[0])),
    "cos": Op(_unary(np.cos), lambda xs, out, arg: np.isinf(xs[0])),
    # speed: maximum is several times faster than where here; + 0.0 turns a -0.0 (maximum
    # may keep either zero) into eager's 0.0, and leaves every other value, NaN too, as it is
    "relu": Op(lambda xs, arg: np.maximum(xs[0], 0.0) + 0.0),
    "leaky_relu": Op(lambda xs, arg: np.where(xs[0] <= 0.0, arg * xs[0], xs[0])),
    "elu": Op(lambda xs, arg: np.where(xs[0] > 0.0, xs[0], arg * np.expm1(xs[0]))),
    "max": Op(lambda xs, arg: functools.reduce(np.maximum, xs)),  # NaN wins, as rules.maximum
    "min": Op(lambda xs, arg: functools.reduce(np.minimum, xs)),
    "sum": Op(_sum),
    "dot": Op(_dot),
    "logsumexp": Op(_logsumexp),
}
"""op -> its array form. One more op is one more entry (``elementwise`` for a float function)."""


# ---- the rules' helpers on arrays, for backward ----


def _where(x: Array, pos: Array, neg: Array) -> Array:
    """rules.where: pos where x > 0, else neg (a kink's derivative)."""
    if type(pos) is float and type(neg) is float and (pos, math.copysign(1.0, neg)) == (1.0, 1.0) \
            and neg == 0.0:  # speed: relu's 1.0 or 0.0 is the mask as floats (where is slow)
        return np.greater(x, 0.0).astype(float)
    return np.where(x > 0, pos, neg)


def _wins(x: Array, out: Array) -> Array:
    """rules._wins: x is a winner of max or min (equal to out, or NaN where out is NaN)."""
    return (x == out) | ((x != x) & (out != out))


def _tie_share(x: Array, out: Array, xs: tuple[Array, ...]) -> Array:
    """rules.tie_share: 1/k where x is one of the k winners, else 0."""
    count = functools.reduce(np.add, [_wins(y, out).astype(float) for y in xs])
    return np.where(_wins(x, out), 1.0 / count, 0.0)


def op_for(name: str) -> Op | None:
    """The array form of op ``name``: its entry in ``OPS``, or for an op made with
    ``autograd.op`` its float forward called row by row (a row where it raises is NaN there,
    and reported as raising); None if there is none."""
    if name in OPS:
        return OPS[name]
    ref = r.FORWARD_NAMES.get(name)
    if ref is None:
        return None
    forward = r.REFERENCES[ref]

    def safe(*xs: float) -> float:
        try:
            return float(forward(*xs))
        except (ArithmeticError, ValueError):
            return math.nan

    def raises(xs: list[Array], out: Array, arg: Any) -> Array:
        return (out != out) & ~functools.reduce(np.logical_or, [x != x for x in xs])

    return Op(elementwise(safe), raises)


def _mul_power(c: Array, x: Array, e: Array) -> Array:
    """rules.mul_power: c * x ** e, but 0 where c = 0 and x ** e is infinite (or NaN)."""
    p = _power(x, e)
    return np.where((c == 0) & ~np.isfinite(p), 0.0, c * p)


def _power(x: Array, e: Array) -> Array:
    """rules.power: x ** e, +-inf at a pole (numpy gives the signed infinity there too)."""
    return np.power(x, e)


def _reciprocal(x: Array) -> Array:
    return np.where(x == 0, np.copysign(np.inf, x), 1.0 / np.where(x == 0, 1.0, x))


def _xlogy(y: Array, a: Array) -> Array:
    """rules.xlogy: y ln a; 0 at a = 0, NaN for a < 0."""
    return np.where(a > 0, y * np.log(np.where(a > 0, a, 1.0)), np.where(a == 0, 0.0, np.nan))


HELPERS: dict[str, Callable[..., Array]] = {
    "where": _where,
    "sign": lambda x: np.where(x > 0, 1.0, np.where(x < 0, -1.0, 0.0)),  # 0 for NaN, as rules
    "exp": np.exp, "sin": np.sin, "cos": np.cos, "sigmoid": _sigmoid, "power": _power,
    "log": np.log, "sqrt": np.sqrt, "tanh": np.tanh, "softplus": _softplus,
    "tie_share": lambda x, out, *xs: _tie_share(x, out, xs),
    "mul_power": _mul_power, "reciprocal": _reciprocal, "xlogy": _xlogy,
    "where_le0": lambda x, neg, pos: np.where(x <= 0, neg, pos),  # NaN takes pos, as rules
    "inverse": lambda x: 1.0 / x,  # eager divides g / x below 2^-1000: here 1/x may be inf
}
"""rules.py's helpers (by name) on arrays: what ``Arr.symbolic_call`` runs."""


def _a(x: Any) -> Array:
    return x.a if isinstance(x, Arr) else x


class Arr:
    """An array that the derivative rules compute with: arithmetic, and rules.py's helpers.

    It has no ``data`` attribute, so the helpers hand it to ``symbolic_call``.
    """

    __slots__ = ("a",)

    def __init__(self, a: Array) -> None:
        self.a = a

    def __add__(self, other: Any) -> Arr:
        return Arr(self.a + _a(other))

    def __radd__(self, other: Any) -> Arr:
        return Arr(_a(other) + self.a)

    def __sub__(self, other: Any) -> Arr:
        return Arr(self.a - _a(other))

    def __rsub__(self, other: Any) -> Arr:
        return Arr(_a(other) - self.a)

    def __mul__(self, other: Any) -> Arr:
        return Arr(self.a * _a(other))

    def __rmul__(self, other: Any) -> Arr:
        return Arr(_a(other) * self.a)

    def __truediv__(self, other: Any) -> Arr:
        return Arr(self.a / _a(other))

    def __rtruediv__(self, other: Any) -> Arr:
        return Arr(_a(other) / self.a)

    def __neg__(self) -> Arr:
        return Arr(-self.a)

    def symbolic_call(self, name: str, args: tuple[Any, ...]) -> Arr:
        """A rules.py helper on arrays."""
        if name not in HELPERS:
            raise TypeError(f"vmap: no array form for the rules helper {name!r}")
        return Arr(HELPERS[name](*map(_a, args)))


def local_grads(op: str, operands: list[Array], out: Array, arg: Any) -> list[Array]:
    """d(out)/d(each operand), as arrays, from the op's rule in ``RULES``."""
    return [_a(d) for d in r.apply_rule(op, [Arr(x) for x in operands], Arr(out), arg)]
