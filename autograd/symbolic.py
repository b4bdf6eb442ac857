"""Symbols for code generation: derivative rules run on them and write Python expressions.

A derivative rule in ``RULES`` uses arithmetic and the helpers of ``rules.py``; given ``Sym``
operands instead of floats it returns a ``Sym`` whose ``text`` is the expression computing
that derivative. Only exact simplifications are made: ``g * 1.0`` is ``g``; ``g * where(c, p,
n)`` is ``where(c, g * p, g * n)``; pieces whose operands are all constants are folded with the
very same float operation. So the expression computes the same float as eager mode (but
for a NaN's sign bit, which IEEE 754 leaves unspecified: every NaN constant is ``_nan``).
"""

from __future__ import annotations

import math
import operator
from typing import Any

from . import rules as r
from .tracecheck import flipped

NAMESPACE: dict[str, Any] = {
    "__builtins__": {}, "_abs": abs, "_sum": sum, "_inf": math.inf, "_nan": math.nan,
    # forward: the float functions eager mode calls (math's own errors have the same types)
    "_pow": r.checked_pow, "_exp": math.exp, "_log": math.log, "_log1p": math.log1p,
    "_sqrt": math.sqrt,
    "_tanh": math.tanh, "_sigmoid": r.sigmoid, "_softplus": r.softplus, "_expm1": math.expm1,
    "_sin": math.sin, "_cos": math.cos, "_logsumexp": r.logsumexp,
    "_max": r.maximum, "_min": r.minimum,
    # backward: the rules' helpers, on floats
    "_sign": r.sign, "_power": r.power, "_reciprocal": r.reciprocal, "_xlogy": r.xlogy,
    "_mul_power": r.mul_power, "_tie_share": r.tie_share, "_inverse": r.inverse,
    # guards: a comparison f made on a traced Value that comes out otherwise
    "_flipped": flipped,
}
"""The only names generated code can see."""

_FOLD = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def literal(x: float) -> str:
    """Python source for the float ``x`` (exact: ``repr`` round-trips)."""
    x = float(x)
    if math.isnan(x):
        return "_nan"
    text = repr(x) if math.isfinite(x) else "_inf" if x > 0 else "-_inf"
    return f"({text})" if text.startswith("-") else text


class Sym:
    """A symbolic float: ``text``, the expression computing it; ``const``, its value if known."""

    __slots__ = ("const", "text", "tight")

    def __init__(self, text: str, const: float | None = None, tight: bool = False) -> None:
        self.text, self.const, self.tight = text, const, tight  # tight: "(a * b)", "(a / b)"

    def summand(self) -> str:
        """``text`` as an operand of ``+``: a product needs no parentheses (same operations)."""
        return self.text[1:-1] if self.tight else self.text

    def __add__(self, other: Any) -> Sym:
        return arith("+", self, other)

    def __radd__(self, other: Any) -> Sym:
        return arith("+", other, self)

    def __sub__(self, other: Any) -> Sym:
        return arith("-", self, other)

    def __rsub__(self, other: Any) -> Sym:
        return arith("-", other, self)

    def __mul__(self, other: Any) -> Sym:
        return arith("*", self, other)

    def __rmul__(self, other: Any) -> Sym:
        return arith("*", other, self)

    def __truediv__(self, other: Any) -> Sym:
        return arith("/", self, other)

    def __rtruediv__(self, other: Any) -> Sym:
        return arith("/", other, self)

    def __neg__(self) -> Sym:
        return const(-self.const) if self.const is not None else Sym(f"(-{self.text})")

    def symbolic_call(self, name: str, args: tuple[Any, ...]) -> Sym:
        """A rules helper applied to symbols: ``where`` a conditional, the rest a call."""
        syms = [as_sym(a) for a in args]
        if all(s.const is not None for s in syms):  # fold, with the very same float function
            return const(getattr(r, name)(*(s.const for s in syms)))
        if name == "where":
            return Where(f"{syms[0].text} > 0.0", syms[1], syms[2])
        if name == "where_le0":
            return Where(f"{syms[0].text} <= 0.0", syms[1], syms[2])
        if f"_{name}" not in NAMESPACE:
            raise TypeError(f"compile: no code for the rules helper {name!r}")
        return Sym(f"_{name}({', '.join(s.text for s in syms)})")


class Where(Sym):
    """``pos if cond else neg``: a multiply distributes into both branches (exactly)."""

    __slots__ = ("cond", "neg", "pos")

    def __init__(self, cond: str, pos: Sym, neg: Sym) -> None:
        super().__init__(f"({pos.text} if {cond} else {neg.text})")
        self.cond, self.pos, self.neg = cond, pos, neg


def const(x: float) -> Sym:
    """The symbol of a known float."""
    return Sym(literal(x), float(x))


ONE = const(1.0)


def product(g: Sym, d: Sym) -> Sym:
    """``g * d``; speed: first the factors 1.0 (unit seeds, sums' derivatives): no new symbol."""
    if g.const == 1.0:
        return d
    return g if d.const == 1.0 else arith("*", g, d)


def as_sym(x: Any) -> Sym:
    """``x`` itself if a symbol, else the constant symbol of the number ``x``."""
    return x if isinstance(x, Sym) else const(x)


def arith(op: str, a: Any, b: Any) -> Sym:
    """The symbol of ``a op b``, simplified only where the result is exactly the same float."""
    a, b = as_sym(a), as_sym(b)
    if op == "*":  # before folding (the same float): no new constant for g * 1.0
        for x, y in ((a, b), (b, a)):
            if isinstance(y, Where):  # g * (p if c else n) = (g * p if c else g * n)
                return Where(y.cond, x * y.pos, x * y.neg)
            if y.const == 1.0:  # x * 1.0 is x, bit for bit (NaN, inf and -0.0 too)
                return x
    if a.const is not None and b.const is not None:
        try:
            return const(_FOLD[op](a.const, b.const))
        except ArithmeticError:  # leave it to run time, where it raises as in eager mode
            pass
    return Sym(f"({a.text} {op} {b.text})", None, tight=op in ("*", "/"))
