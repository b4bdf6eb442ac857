"""Hypothesis strategies for testing gradients: bounded floats and random expression DAGs.

Needs Hypothesis (``pip install 'scalar-autograd[testing]'``); ``import autograd`` does not.
Each ``expressions()`` example is a recipe of steps over a pool of nodes (the inputs, then
each step's result); a step's operands are earlier nodes (so nodes are shared: a DAG) or
small constants. Inputs are drawn first, then each step picks an op and operands whose
values are inside the op's domain with a margin (log and sqrt of values > margin, abs and
the relu family of |values| > margin, division by |values| > margin, max and min of values
more than margin apart), and a step is dropped
when its result leaves [-bound, bound]. ``fn`` replays the recipe on whatever Values it gets.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

try:
    from hypothesis import reject
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised with hypothesis hidden
    raise ImportError(
        "autograd.testing needs Hypothesis: pip install 'scalar-autograd[testing]' "
        "(or pip install hypothesis)"
    ) from error

from . import nary
from .engine import Value
from .graph import topological_order
from .userops import DEFINED, Op

__all__ = ["OPS", "Const", "Expression", "Step", "expressions", "finite_floats"]


def finite_floats(min_value: float = -10.0, max_value: float = 10.0) -> st.SearchStrategy[float]:
    """Floats in [min_value, max_value], never NaN or infinite."""
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)


class Const(NamedTuple):
    """A constant operand of a step (a plain number in the expression)."""

    value: float


class Step(NamedTuple):
    """One op of an expression: its name and its operands (node indices or Consts)."""

    op: str
    args: tuple[int | Const, ...]


# ---- the ops: how to apply each to Values, and when an operand value is valid ----

_any = lambda x, m: True
_positive = lambda x, m: x > m  # log, sqrt: away from the domain edge at 0
_nonzero = lambda x, m: abs(x) > m  # abs, relu, leaky_relu, elu: away from the kink at 0
_UNARY: dict[str, tuple[Callable[[Any], Any], Callable[[float, float], bool]]] = {
    "neg": (operator.neg, _any),
    "abs": (abs, _nonzero),
    "exp": (lambda x: x.exp(), _any),
    "log": (lambda x: x.log(), _positive),
    "log1p": (lambda x: x.log1p(), lambda x, m: x > m - 1),
    "sqrt": (lambda x: x.sqrt(), _positive),
    "tanh": (lambda x: x.tanh(), _any),
    "sigmoid": (lambda x: x.sigmoid(), _any),
    "softplus": (lambda x: x.softplus(), _any),
    "relu": (lambda x: x.relu(), _nonzero),
    "sin": (lambda x: x.sin(), _any),
    "cos": (lambda x: x.cos(), _any),
}
# ops with a constant parameter: (apply(x, c), the constants to draw c from, valid(x, c, margin))
_PARAM: dict[str, tuple[Callable[[Any, float], Any], tuple[float, ...], Callable[..., bool]]] = {
    # x ** c: a fractional c needs x > 0, a negative c needs x away from 0
    "**": (operator.pow, (2.0, 3.0, -1.0, 0.5, -0.5, 1.5),
           lambda x, c, m: (c.is_integer() or x > m) and (c > 0 or abs(x) > m)),
    "leaky_relu": (lambda x, c: x.leaky_relu(c), (0.01, 0.1, 0.3), lambda x, c, m: abs(x) > m),
    "elu": (lambda x, c: x.elu(c), (1.0, 0.5, 2.0), lambda x, c, m: abs(x) > m),
}
_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
           "pow": operator.pow}
_NARY = {"sum": lambda *xs: nary.sum(xs), "dot": lambda *ps: _dot(ps),
         "logsumexp": lambda *xs: nary.logsumexp(xs), "max": lambda *xs: nary.max(xs),
         "min": lambda *xs: nary.min(xs)}
_EXTREMES = ("max", "min")  # their operands differ pairwise by > margin: one clear winner
_CONSTANTS = (2.0, 0.5, -1.5, 3.0, -0.5)  # for + - * / with a number on one side
_BASES = (2.0, 0.5, 3.0)  # for number ** Value

OPS: tuple[str, ...] = (*_BINARY, *_PARAM, *_UNARY, *_NARY)
"""Every op ``expressions`` can use: the engine's op names, plus "neg" for unary minus."""


_APPLY = {**{k: v[0] for k, v in (*_UNARY.items(), *_PARAM.items())}, **_BINARY, **_NARY}


def _dot(ps: Sequence[Any]) -> Any:
    """dot(ws, xs[, bias]) from its operands in the engine's order: w_1..w_n, x_1..x_n[, bias]."""
    n = len(ps) // 2
    return nary.dot(ps[:n], ps[n : 2 * n], ps[-1] if len(ps) % 2 else None)


def _apply(op: str, args: Sequence[Any]) -> Any:
    return _APPLY[op](*args) if op in _APPLY else DEFINED[op](*args)


# ---- the example object ----


@dataclass(frozen=True, repr=False)
class Expression:
    """A random differentiable expression: ``fn(*Values)``, valid ``inputs``, a math repr."""

    n_inputs: int
    inputs: tuple[float, ...]
    steps: tuple[Step, ...]

    def fn(self, *xs: Any) -> Any:
        """Replay the expression on ``n_inputs`` Values (or anything with Value's methods)."""
        if len(xs) != self.n_inputs:
            raise TypeError(f"f takes {self.n_inputs} inputs, got {len(xs)}")
        nodes = list(xs)
        for step in self.steps:
            nodes.append(_apply(step.op, [_resolve(a, nodes) for a in step.args]))
        return nodes[-1]

    @property
    def ops(self) -> set[str]:
        """The op names the expression uses."""
        return {step.op for step in self.steps}

    @property
    def formula(self) -> str:
        """The expression as math; shared subexpressions get names (t1, ...) unless short."""
        return _formula(self.n_inputs, self.steps)

    def __repr__(self) -> str:
        at = ", ".join(f"x{i}={x!r}" for i, x in enumerate(self.inputs))
        return f"{self.formula}  at {at}"


def _resolve(arg: int | Const, nodes: list[Any]) -> Any:
    return arg.value if isinstance(arg, Const) else nodes[arg]


# ---- the strategy ----


def expressions(
    n_inputs: int | tuple[int, int] = (1, 3),
    max_nodes: int = 10,
    ops: Sequence[str | Op] | None = None,
    *,
    margin: float = 0.1,
    bound: float = 10.0,
) -> st.SearchStrategy[Expression]:
    """Random expression DAGs of 1..max_nodes ops over ``n_inputs`` inputs (an int or a range).

    ``ops`` (default all of ``OPS``) limits the ops; it may hold ops made by ``autograd.op``
    (or their names), whose operands are drawn from their ``domain``. Inputs are in [-3, 3];
    every op's operands are at least ``margin`` inside its domain and away from its kink, and
    every node's value is within [-bound, bound].
    """
    lo, hi = (n_inputs, n_inputs) if isinstance(n_inputs, int) else n_inputs
    chosen = tuple(o.name if isinstance(o, Op) else o for o in (OPS if ops is None else ops))
    unknown = sorted(set(chosen) - set(OPS) - set(DEFINED))
    if unknown or not chosen or not 1 <= lo <= hi or max_nodes < 1 or margin < 0:
        raise ValueError(
            f"expressions: need 1 <= n_inputs, max_nodes >= 1, margin >= 0 and ops from "
            f"{OPS}; got {n_inputs=}, {max_nodes=}, {margin=}, unknown ops {unknown}"
        )
    return _expressions(lo, hi, max_nodes, chosen, margin, bound)


@st.composite
def _expressions(draw: Any, lo: int, hi: int, max_nodes: int, ops: tuple[str, ...],
                 margin: float, bound: float) -> Expression:
    inputs = tuple(draw(finite_floats(-3.0, 3.0)) for _ in range(draw(st.integers(lo, hi))))
    nodes = [Value(x) for x in inputs]  # the pool: inputs, then each kept step's result
    steps = []
    for _ in range(draw(st.integers(1, max_nodes))):
        op = draw(st.sampled_from(ops))
        args = _draw_args(draw, op, [v.data for v in nodes], margin)
        try:
            out = _apply(op, [_resolve(a, nodes) for a in args]) if args else None
        except (ArithmeticError, ValueError):
            out = None
        if out is not None and abs(out.data) <= bound:
            nodes.append(out)
            steps.append(Step(op, args))
    if not steps:
        reject()  # no op found a valid operand (possible only with a narrow ``ops``)
    return Expression(len(inputs), inputs, _live(len(inputs), steps))


def _draw_args(draw: Any, op: str, values: list[float], m: float) -> tuple[int | Const, ...]:
    """Operands for ``op``: node indices whose values are valid for it, or constants."""
    pick = lambda valid=_any: _pick(draw, values, lambda x: valid(x, m))
    if op in DEFINED:  # each operand a node inside the op's domain
        inside = _inside(DEFINED[op].domain)
        valid: Callable[[float], bool] = lambda x: inside(x, m)
        return _present(*(_pick(draw, values, valid) for _ in range(DEFINED[op].arity)))
    if op in _UNARY:
        return _present(pick(_UNARY[op][1]))
    if op in _PARAM:
        c = draw(st.sampled_from(_PARAM[op][1]))
        return _present(pick(lambda x, m: _PARAM[op][2](x, c, m)), Const(c))
    if op == "pow":  # base > margin (a node or a constant), exponent a node
        base = pick(_positive) if draw(st.booleans()) else Const(draw(st.sampled_from(_BASES)))
        return _present(base, pick())
    if op in _BINARY:
        return _binary_args(draw, op, pick)
    n = draw(st.integers(1 if op == "dot" else 2, 3 if op == "dot" else 4))
    if op in _EXTREMES:  # away from the kinks, where two operands tie
        chosen: list[int] = []
        for _ in range(n):
            k = pick(lambda x, m: all(abs(x - values[c]) > m for c in chosen))
            if k is None:
                return ()
            chosen.append(k)
        return tuple(chosen)
    bias = op == "dot" and draw(st.booleans())
    return tuple(pick() for _ in range((2 * n if op == "dot" else n) + bias))


def _inside(domain: tuple[float, float] | None) -> Callable[[float, float], bool]:
    """Valid operands of a defined op: at least the margin inside its domain (if it has one)."""
    if domain is None:
        return _any
    low, high = domain
    return lambda x, m: low + m < x < high - m


def _binary_args(draw: Any, op: str, pick: Callable[..., Any]) -> tuple[int | Const, ...]:
    """a op b for + - * /, with a constant on one side a third of the time or so."""
    side = draw(st.sampled_from(("none", "left", "right")))
    denominator = _nonzero if op == "/" else _any
    if side == "left":
        return _present(Const(draw(st.sampled_from(_CONSTANTS))), pick(denominator))
    if side == "right":
        return _present(pick(), Const(draw(st.sampled_from(_CONSTANTS))))
    return _present(pick(), pick(denominator))


def _present(*args: Any) -> tuple[Any, ...]:
    """The operands, or () if one of them could not be found."""
    return () if None in args else args


def _pick(draw: Any, values: list[float], valid: Callable[[float], bool]) -> int | None:
    """The index of a node whose value is valid: 3 times in 4 the newest (so few steps go
    unused and chains grow deep), else any, recent first (examples shrink toward the newest)."""
    candidates = [k for k, x in enumerate(values) if valid(x)]
    if not candidates:
        return None
    if draw(st.integers(0, 3)) < 3:
        return candidates[-1]
    return candidates[-1 - draw(st.integers(0, len(candidates) - 1))]


def _live(n: int, steps: list[Step]) -> tuple[Step, ...]:
    """The steps the last one depends on, renumbered (inputs keep indices 0..n-1)."""
    operands = lambda k: [a for a in steps[k - n].args if isinstance(a, int)] if k >= n else []
    live = sorted(k for k in topological_order(n + len(steps) - 1, operands) if k >= n)
    index = {old: new for new, old in enumerate(live, start=n)} | {i: i for i in range(n)}
    renumber = lambda a: a if isinstance(a, Const) else index[a]
    return tuple(Step(steps[k - n].op, tuple(map(renumber, steps[k - n].args))) for k in live)


# ---- printing as math ----

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "**": 4, "pow": 4}  # atoms: 5


def _formula(n: int, steps: Sequence[Step]) -> str:
    names = [f"x{i}" for i in range(n)]
    texts: list[tuple[str, int]] = [(x, 5) for x in names]
    uses = Counter(a for s in steps for a in s.args if not isinstance(a, Const))
    bindings = []
    for k, step in enumerate(steps, start=n):
        text = _text(step.op, [_operand(a, texts) for a in step.args])
        if len(text[0]) * (uses[k] - 1) > 20:  # repeating it would cost > 20 characters
            bindings.append(f"t{len(bindings) + 1} = {text[0]}")
            text = (f"t{len(bindings)}", 5)
        texts.append(text)
    where = f" where {', '.join(bindings)}" if bindings else ""
    return f"f({', '.join(names)}) = {texts[-1][0]}{where}"


def _operand(arg: int | Const, texts: list[tuple[str, int]]) -> tuple[str, int]:
    if isinstance(arg, Const):
        return f"{arg.value:g}", 5 if arg.value >= 0 else 3  # a negative number reads as -x
    return texts[arg]


def _text(op: str, args: list[tuple[str, int]]) -> tuple[str, int]:
    """The text of ``op`` applied to operand texts, with the parentheses precedence needs."""
    p = _PRECEDENCE.get(op, 5)
    wrap = lambda t, needs: f"({t[0]})" if needs else t[0]
    if op == "neg":
        return "-" + wrap(args[0], args[0][1] <= p), p
    if op in ("**", "pow"):  # right-associative
        return f"{wrap(args[0], args[0][1] <= p)} ** {wrap(args[1], args[1][1] < p)}", p
    if p < 5:  # + - * /, left-associative
        return f"{wrap(args[0], args[0][1] < p)} {op} {wrap(args[1], args[1][1] <= p)}", p
    parts = [t for t, _ in args]
    if op == "dot":
        half = len(parts) // 2
        parts = [f"[{', '.join(parts[:half])}]", f"[{', '.join(parts[half:2 * half])}]",
                 *parts[2 * half:]]
    return f"{op}({', '.join(parts)})", 5
