"""N-ary nodes: one node for a whole sum, dot product, log-sum-exp, max or min, where binary
ops make n.

A neuron's weighted input z = w . x + b is one ``dot`` node with 2n + 1 parents, and a
dense layer is ``matvec``: one dot node per neuron, reading the layer's inputs once.

>>> from autograd import Value
>>> x = [Value(1.0), Value(2.0)]
>>> [z.data for z in matvec([[Value(3.0), Value(4.0)], [Value(-1.0), Value(0.5)]], x)]
[11.0, 0.0]
>>> s = sum(x)
>>> s.op, s.data, len(s.parents)
('sum', 3.0, 2)
>>> round(logsumexp([1000.0, 1000.0]).data, 6)  # 1000 + log 2, no overflow
1000.693147
>>> m = max([x[0], x[1], Value(2.0)])  # a tie: the two winners share the gradient
>>> m.backward()
>>> m.data, x[0].grad, x[1].grad
(2.0, 0.0, 0.5)
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Sequence
from operator import mul

from . import rules as r
from .engine import Operand, Value, lift
from .nodes import _nary
from .rules import RULES

_sum = builtins.sum  # this module's ``sum`` makes a node


def _values(xs: Iterable[Operand]) -> tuple[tuple[Value, ...], list[float]]:
    """The operands as Values (numbers lifted to constant leaves) and their data."""
    operands = tuple(xs)
    datas = [x.data for x in operands if type(x) is Value]  # the common case: no lifting
    if len(datas) == len(operands):
        return operands, datas  # type: ignore[return-value]  # all are Values: counted above
    values = tuple(map(lift, operands))
    return values, [v.data for v in values]


def sum(values: Iterable[Operand]) -> Value:  # noqa: A001 - mirrors the builtin on purpose
    """One n-ary node for the sum of ``values`` (Python's ``sum`` would make n nodes)."""
    xs, datas = _values(values)
    total = 0.0
    for d in datas:  # left to right, as a hand-written loop adds
        total += d
    return _nary("sum", xs, total, RULES["sum"](datas, total))


# d/dx_i (x_1 + ... + x_n) = 1
RULES["sum"] = lambda xs, out: (1.0,) * len(xs)


def dot(ws: Sequence[Operand], xs: Sequence[Operand], bias: Operand | None = None) -> Value:
    """One n-ary node for w_1 x_1 + ... + w_n x_n (+ bias): a neuron's weighted input."""
    return matvec([ws], xs, None if bias is None else [bias])[0]


# d/dw_i (w . x + b) = x_i, d/dx_i = w_i, d/db = 1   (parents: w_1..w_n, x_1..x_n[, b])
RULES["dot"] = r.dot_local_grads


def logsumexp(values: Iterable[Operand]) -> Value:
    """One n-ary node for log(e^{x_1} + ... + e^{x_n}), stable at any magnitude (as PyTorch's)."""
    xs, datas = _values(values)
    out = r.logsumexp(datas)
    return _nary("logsumexp", xs, out, RULES["logsumexp"](datas, out))


# d/dx_i log sum_j e^{x_j} = e^{x_i} / sum_j e^{x_j} = e^{x_i - out}: softmax_i, at most 1.
# As PyTorch's, it carries out's rounding: a relative error up to |out| 1.1e-16 (fine for
# any logit a model makes; meaningless near 1e16 and beyond, where one ulp exceeds 1)
RULES["logsumexp"] = lambda xs, out: tuple(r.exp(x - out) for x in xs)


def max(values: Iterable[Operand]) -> Value:  # noqa: A001 - mirrors the builtin on purpose
    """One n-ary node for the largest of ``values``: NaN if one is NaN; ValueError if none."""
    return _extremum("max", r.maximum, values)


# d/dx_i max_j x_j = 1 for the winner x_i = out, 0 for the others. k tied winners share it,
# 1/k each (as torch.amax and torch.max without dim): the sum stays 1, order does not matter.
# A NaN input wins (out is NaN): the NaN inputs share the gradient, as in PyTorch
RULES["max"] = lambda xs, out: r.tie_shares(xs, out)


def min(values: Iterable[Operand]) -> Value:  # noqa: A001 - mirrors the builtin on purpose
    """One n-ary node for the smallest of ``values``: NaN if one is NaN; ValueError if none."""
    return _extremum("min", r.minimum, values)


# d/dx_i min_j x_j = 1 for the winner x_i = out, 0 for the others; ties and NaN as max's
RULES["min"] = lambda xs, out: r.tie_shares(xs, out)


def _extremum(op: str, pick: Callable[[list[float]], float], values: Iterable[Operand]) -> Value:
    """The max or min node: ``pick`` is its float form (NaN-propagating)."""
    xs, datas = _values(values)
    if not datas:
        raise ValueError(f"{op}: no values (the {op} of an empty sequence is undefined)")
    out = pick(datas)
    return _nary(op, xs, out, RULES[op](datas, out))


def matvec(rows: Sequence[Sequence[Operand]], xs: Sequence[Operand],
           biases: Sequence[Operand] | None = None) -> list[Value]:
    """``[dot(w, xs, b) for w, b in zip(rows, biases)]``, reading ``xs`` once: a dense layer."""
    if biases is not None and len(biases) != len(rows):
        raise ValueError(f"matvec: {len(rows)} rows of weights but {len(biases)} biases")
    xs, xdata = _values(xs)
    out = []
    for j, row in enumerate(rows):
        ws, wdata = _values(row)
        if len(ws) != len(xs):
            raise ValueError(f"dot: lengths differ ({len(ws)} weights, {len(xs)} inputs)")
        z = _sum(map(mul, wdata, xdata), 0.0)  # w_1 x_1 + ... + w_n x_n, from 0.0 (see codegen)
        # the local derivatives are RULES["dot"] on these data, taken as they are already split
        if biases is None:
            out.append(_nary("dot", (*ws, *xs), z, (*xdata, *wdata)))
        else:
            b = biases[j]
            b = b if type(b) is Value else lift(b)
            out.append(_nary("dot", (*ws, *xs, b), z + b.data, (*xdata, *wdata, 1.0)))
    return out
