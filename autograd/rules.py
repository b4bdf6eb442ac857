"""Float forms of the ops, and the few helpers that derivative rules use besides arithmetic.

A derivative rule in ``engine.RULES`` may be called with floats (eager mode), with Values
(``backward(create_graph=True)``) or with the compiled mode's symbols. Arithmetic works on
all three; each helper here handles a float directly, a Value through its own ops (or its
``data`` where the result is piecewise constant), and defers anything else to
``symbolic_call``, which symbols provide. This module imports nothing of the project.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from typing import Any

RULES: dict[str, Callable[..., Any]] = {}
"""op name -> its local derivative rule, d(out)/d(input): unary ``(x, out)`` or
``(x, out, arg)`` -> one derivative; binary ``(a, b, out)`` -> a pair; n-ary
``(inputs, out)`` -> a sequence; an op of n >= 3 inputs defined with ``autograd.op``
``(x_1, ..., x_n, out)`` -> a sequence.

Filled in by ``engine.py`` and ``nary.py``, each rule right under its op's forward
computation, and by ``register`` for the ops users define."""

NARY = "nary"  # marker in a node's ``_b`` when its parents and local derivatives are tuples
# ops whose rule takes all inputs as one sequence
NARY_OPS = frozenset({"sum", "dot", "logsumexp", "max", "min"})


ARITY: dict[str, int] = {}
"""Ops of a fixed number of inputs defined with ``autograd.op``: name -> that number. Their
rule is ``rule(x_1, ..., x_n, out)``; a node of 3 or more inputs is stored as an n-ary one."""

REFERENCES: dict[str, Callable[..., Any]] = {}
"""Generated name (``_u0``, ``_u0d``, ...) -> a defined op's checked forward or rule: the
compiled mode calls them by reference, under these names, never through the user's text."""
FORWARD_NAMES: dict[str, str] = {}  # a defined op's name -> its forward's generated name

RESERVED = frozenset({"", "in", "c", "neg"})  # a leaf's op, the compiled mode's input and
# constant entries, and the unary minus of the test strategies: never an op's name
_registering = threading.Lock()


def register(name: str, rule: Callable[..., Any], arity: int,
             forward: Callable[..., float]) -> tuple[str, str]:
    """Add an op of ``arity`` inputs: its rule and forward; return their generated names."""
    with _registering:
        if name in RULES or name in RESERVED:
            raise ValueError(f"op name {name!r} is taken: give the op another name (name=...)")
        ref = f"_u{len(ARITY)}"
        REFERENCES[ref], REFERENCES[f"{ref}d"] = forward, rule
        FORWARD_NAMES[name] = ref
        ARITY[name] = arity
        RULES[name] = rule  # last: an op is visible only once complete
        return ref, f"{ref}d"


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


# ---- float forms, stable and with messages that name the op and the value ----


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


def checked_exp(x: float) -> float:
    """e^x, with an OverflowError that names the value."""
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: overflow: exp({x!r}) is too large for a float") from None


def checked_pow(a: float, b: float) -> float:
    """a ** b, raising as Python's ``**`` and ``math.pow`` do, with the values named."""
    if a == 0 and b < 0:
        raise ZeroDivisionError(f"pow: 0.0 cannot be raised to a negative power ({a!r} ** {b!r})")
    try:
        return math.pow(a, b)
    except ValueError:
        raise ValueError(
            f"pow: math domain error: negative base {a!r} with non-integer exponent {b!r}"
        ) from None
    except OverflowError:
        raise OverflowError(f"pow: overflow: {a!r} ** {b!r} is too large for a float") from None


def checked(fn: Callable[[float], float], name: str, x: float) -> float:
    """fn(x), with a ValueError that names the op and the value (sin and cos of inf)."""
    try:
        return fn(x)
    except ValueError:
        raise ValueError(f"{name}: math domain error: {name}({x!r})") from None


def logsumexp(xs: Sequence[float]) -> float:
    """log sum_i e^{x_i} = m + log sum_i e^{x_i - m}, m = max x: every e^{x_i - m} <= 1.

    -inf if every x_i is -inf, inf if one is inf, NaN if one is NaN (never an error).
    """
    m = max(xs, default=-math.inf)  # log 0 = -inf for no terms, as PyTorch
    if math.isinf(m):  # -inf: all are -inf; inf: the sum is inf (if finite rest, no NaN)
        return math.nan if any(x != x for x in xs) else m
    return m + math.log(math.fsum([math.exp(x - m) for x in xs]))  # the sum is >= 1 (or NaN)


def maximum(xs: Sequence[float]) -> float:
    """The largest of ``xs`` (at least one), NaN if one is NaN (as torch.max)."""
    return math.nan if any(map(math.isnan, xs)) else max(xs)


def minimum(xs: Sequence[float]) -> float:
    """The smallest of ``xs`` (at least one), NaN if one is NaN (as torch.min)."""
    return math.nan if any(map(math.isnan, xs)) else min(xs)


def dot_local_grads(ps: Any, out: Any = None) -> Any:
    """(x_1..x_n, w_1..w_n(, 1)) for ``ps`` = (w_1..w_n, x_1..x_n(, b)): d(w . x + b)/d(each)."""
    n = len(ps) // 2
    grads = ps[n : 2 * n] + ps[:n]
    return grads + type(grads)((1.0,)) if len(ps) % 2 else grads


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
