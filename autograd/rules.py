"""The helpers that derivative rules use besides arithmetic, generic over floats, Values, symbols.

A derivative rule in ``RULES`` may be called with floats (eager mode), with Values
(``backward(create_graph=True)``) or with the compiled mode's symbols. Arithmetic works on
all three; each helper here handles a float directly, a Value through its own ops (or its
``data`` where the result is piecewise constant), and defers anything else to
``symbolic_call``, which symbols provide. The float-only forms (``floats.py``) and the rule
table with its registry of defined ops (``registry.py``) are re-exported here. This module
imports nothing else of the project.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

# re-exported: callers write r.checked_exp, r.register, r.RULES (explicit ``as``: mypy --strict)
from .floats import checked as checked
from .floats import checked_exp as checked_exp
from .floats import checked_pow as checked_pow
from .floats import dot_local_grads as dot_local_grads
from .floats import logsumexp as logsumexp
from .floats import maximum as maximum
from .floats import minimum as minimum
from .registry import ARITY as ARITY
from .registry import FORWARD_NAMES as FORWARD_NAMES
from .registry import REFERENCES as REFERENCES
from .registry import RESERVED as RESERVED
from .registry import RULES as RULES
from .registry import register as register

NARY = "nary"  # marker in a node's ``_b`` when its parents and local derivatives are tuples
# ops whose rule takes all inputs as one sequence
NARY_OPS = frozenset({"sum", "dot", "logsumexp", "max", "min"})


def apply_rule(op: str, inputs: Any, out: Any, arg: Any = None) -> tuple[Any, ...]:
    """d(out)/d(each input) from ``op``'s rule, for any arity, on floats, Values or symbols."""
    rule = RULES.get(op)
    if rule is None:  # a graph unpickled where its defined op was not made (not imported)
        raise LookupError(f"no derivative rule for op {op!r}: an op made by autograd.op "
                          "exists once the code defining it has run; import it first")
    if op in NARY_OPS:
        return tuple(rule(tuple(inputs), out))
    if len(inputs) == 1:
        return (rule(inputs[0], out) if arg is None else rule(inputs[0], out, arg),)
    return tuple(rule(*inputs, out))  # two inputs, or a defined op's n


def _symbolic(name: str, *args: Any) -> Any:
    """Hand a helper call to the first symbolic argument (the compiled mode's code generator)."""
    for a in args:
        if hasattr(a, "symbolic_call"):
            return a.symbolic_call(name, args)
    raise TypeError(f"{name}: unsupported operand types {[type(a).__name__ for a in args]}")


# ---- stable forms, on floats, Values and symbols ----


def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x), without overflow: e^-|x| never exceeds 1."""
    if type(x) is float:
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)
    return x.sigmoid() if hasattr(x, "data") else _symbolic("sigmoid", x)


def softplus(x: Any) -> Any:
    """ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|), without overflow."""
    if type(x) is float:
        return max(x, 0.0) + math.log1p(math.exp(-abs(x)))
    return x.softplus() if hasattr(x, "data") else _symbolic("softplus", x)




# ---- helpers for the rules, generic over floats, Values and symbols ----


def where(x: Any, pos: Any, neg: Any) -> Any:
    """``pos`` if x > 0 else ``neg``: the derivative of a function with a kink at 0."""
    if type(x) is float:
        return pos if x > 0 else neg
    if hasattr(x, "data"):
        return pos if x.data > 0 else neg
    return _symbolic("where", x, pos, neg)


def where_le0(x: Any, neg: Any, pos: Any) -> Any:
    """``neg`` if x <= 0 else ``pos``: as ``where``, but NaN takes ``pos`` (PyTorch's relu')."""
    if type(x) is float:
        return neg if x <= 0 else pos
    if hasattr(x, "data"):
        return neg if x.data <= 0 else pos
    return _symbolic("where_le0", x, neg, pos)


def exp_nonpositive(x: Any) -> Any:
    """e^x on the x <= 0 side of a kink (elu'): the constant 1 at x = 0, so that elu''(0) = 0
    as in PyTorch; 0.0 for x > 0, where the rule takes the other side (no overflow)."""
    if type(x) is float:
        return math.exp(x) if x <= 0 else 0.0
    if hasattr(x, "data"):
        return x.exp() if x.data < 0 else 1.0 if x.data == 0 else 0.0
    return _symbolic("exp", x)  # code runs it only on the x <= 0 side of the conditional


TINY = 2.0**-1000  # below this |x|, 1/x is near or past overflow: ``inverse`` divides instead


class Quotient(float):
    """1/x (inf where it overflows) whose products divide: g * (1/x) computes g / x."""

    __slots__ = ("x",)
    x: float

    def __new__(cls, x: float) -> Quotient:
        q = super().__new__(cls, math.copysign(math.inf, x) if abs(x) < 1 else 1 / x)
        q.x = x
        return q

    def __mul__(self, g: Any) -> Any:  # float * Quotient calls this first (a subclass)
        return g / self.x

    __rmul__ = __mul__


def inverse(x: Any) -> Any:
    """1/x as a factor of the chain rule (log'): g * inverse(x) is g / x even where 1/x
    overflows (subnormal x), so log' at 5e-324 times a small g stays finite, 0 times it 0."""
    if type(x) is float:
        return 1 / x if not -TINY < x < TINY else Quotient(x)
    if not hasattr(x, "data"):
        return _symbolic("inverse", x)
    return 1 / x if not -TINY < x.data < TINY else x._quotient()


def _wins(x: float, out: float) -> bool:
    """x is a winner of max or min: equal to ``out``, or NaN where ``out`` is NaN."""
    return x == out or (x != x and out != out)


def tie_share(x: Any, out: Any, *xs: Any) -> Any:
    """1/k if x is one of the k winners among ``xs`` (equal to out, NaN for a NaN out), else 0."""
    if any(hasattr(a, "symbolic_call") for a in (x, out, *xs)):
        return _symbolic("tie_share", x, out, *xs)
    x, out = _data(x), _data(out)  # on Values too: piecewise constant, no graph
    return 1.0 / sum(_wins(_data(y), out) for y in xs) if _wins(x, out) else 0.0


def tie_shares(xs: Sequence[Any], out: Any) -> tuple[Any, ...]:
    """``tie_share`` of each of ``xs``: d max(xs)/d x_i (or min's), ties sharing evenly."""
    if hasattr(out, "symbolic_call"):
        return tuple(tie_share(x, out, *xs) for x in xs)
    out = _data(out)
    wins = [_wins(_data(x), out) for x in xs]
    share = 1.0 / wins.count(True)
    return tuple(share if w else 0.0 for w in wins)


def sign(x: Any) -> Any:
    """1, -1 or 0 (at 0 and for NaN): the derivative of |x|."""
    if type(x) is float:
        return 1.0 if x > 0 else -1.0 if x < 0 else 0.0
    return sign(x.data) if hasattr(x, "data") else _symbolic("sign", x)


def exp(x: Any) -> Any:
    """e^x (the rules call it on x <= 0 or NaN: it never overflows there)."""
    if type(x) is float:
        return math.exp(x)
    return x.exp() if hasattr(x, "data") else _symbolic("exp", x)


def sin(x: Any) -> Any:
    """sin x."""
    if type(x) is float:
        return math.sin(x)
    return x.sin() if hasattr(x, "data") else _symbolic("sin", x)


def cos(x: Any) -> Any:
    """cos x."""
    if type(x) is float:
        return math.cos(x)
    return x.cos() if hasattr(x, "data") else _symbolic("cos", x)


def log(x: Any) -> Any:
    """ln x; ValueError for x <= 0."""
    if type(x) is float:
        return checked(math.log, "log", x)
    return x.log() if hasattr(x, "data") else _symbolic("log", x)


def sqrt(x: Any) -> Any:
    """The square root; ValueError for x < 0."""
    if type(x) is float:
        return checked(math.sqrt, "sqrt", x)
    return x.sqrt() if hasattr(x, "data") else _symbolic("sqrt", x)


def tanh(x: Any) -> Any:
    """The hyperbolic tangent."""
    if type(x) is float:
        return math.tanh(x)
    return x.tanh() if hasattr(x, "data") else _symbolic("tanh", x)


def _data(x: Any) -> Any:
    return x.data if hasattr(x, "data") else x


def _pole(x: float, e: float) -> float:
    """The infinite x ** e at a pole or past overflow: negative only for x < 0 and odd e."""
    odd = e.is_integer() and e % 2 == 1
    return math.copysign(math.inf, x) if odd else math.inf


def _no_graph_at_pole(x: Any) -> ZeroDivisionError:
    return ZeroDivisionError(
        f"a derivative is infinite at {x.data!r} (a pole): it has no derivatives of its own "
        "there, so backward(create_graph=True) cannot go on (plain backward gives inf)"
    )


def power(x: Any, e: Any) -> Any:
    """x ** e, where the float form gives +-inf at a pole (0 ** negative) or on overflow."""
    if type(x) is float and type(e) is float:
        if x == 0 and e < 0:
            return _pole(x, e)
        try:
            return math.pow(x, e)
        except OverflowError:
            return _pole(x, e)
    if not hasattr(x, "data"):
        return _symbolic("power", x, e)
    if _data(x) == 0 and _data(e) < 0:
        raise _no_graph_at_pole(x)
    return x**e


def mul_power(c: Any, x: Any, e: Any) -> Any:
    """c * x ** e, taken as 0 where c = 0 and x ** e is infinite (zero beats the pole).

    A constant c = 0 (``x ** 0.0``) gives the constant 0.0, at any x (NaN too, as PyTorch),
    so its derivatives are 0 too, even where x ** e overflows."""
    if type(c) is float and c == 0:
        return 0.0
    if any(hasattr(a, "symbolic_call") for a in (c, x, e)):
        return _symbolic("mul_power", c, x, e)
    if _data(c) == 0 and _data(x) == 0 and _data(e) < 0:
        return 0.0
    p = power(x, e)
    return 0.0 if _data(c) == 0 and not math.isfinite(_data(p)) else c * p


def reciprocal(x: Any) -> Any:
    """1 / x, where the float form gives +-inf at 0 (a derivative's pole)."""
    if type(x) is float:
        return 1.0 / x if x else math.copysign(math.inf, x)
    if not hasattr(x, "data"):
        return _symbolic("reciprocal", x)
    if x.data == 0:
        raise _no_graph_at_pole(x)
    return 1 / x


def xlogy(y: Any, a: Any) -> Any:
    """y ln a, taken as 0 at a = 0 and NaN for a < 0 (d(a^b)/db, as PyTorch)."""
    if type(a) is float:
        return y * math.log(a) if a > 0 else 0.0 if a == 0 else math.nan
    if hasattr(a, "data"):
        if a.data > 0:
            return y * a.log()
        # undefined for a < 0: NaN, and so are its derivatives (y + a has both as parents)
        return 0.0 if a.data == 0 else (y + a) * math.nan
    return _symbolic("xlogy", y, a)
