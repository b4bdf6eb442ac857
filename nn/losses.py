"""Losses of one example, ``loss(output, target) -> Value``, and the L1/L2 penalties.

A batch loss is the mean of the per-example losses: ``mean([loss(model(x), y) for ...])``
(``fit`` builds it that way). Sums use ``autograd.sum``: one n-ary node, not n.

>>> from autograd import Value
>>> hinge(Value(0.25), 1).data  # max(0, 1 - y s): inside the margin
0.75
>>> round(cross_entropy([Value(1000.0), Value(0.0)], 1).data, 6)  # no overflow
1000.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import autograd
from autograd import Operand, Value, dot, lift
from autograd import sum as vsum

from .functional import shifted

LOG_FLOOR = -100.0  # binary_cross_entropy clamps log(p) here, as PyTorch's BCELoss does


def mean(losses: Iterable[Operand]) -> Value:
    """(1/n) sum_i loss_i: the batch loss from per-example losses."""
    terms = list(losses)
    if not terms:
        raise ValueError("mean of an empty list of losses")
    return vsum(terms) * (1.0 / len(terms))


def _as_list(x: Operand | Sequence[Operand]) -> list[Operand]:
    return list(x) if isinstance(x, Sequence) else [x]


def mse(output: Operand | Sequence[Operand], target: float | Sequence[float]) -> Value:
    """Squared error sum_i (o_i - t_i)^2 (the slides' ||h - y||^2; (o - t)^2 for one output)."""
    outs, targets = _as_list(output), _as_list(target)
    if len(outs) != len(targets):
        raise ValueError(f"mse: {len(outs)} outputs but {len(targets)} targets")
    return vsum((lift(o) - t) ** 2 for o, t in zip(outs, targets, strict=True))


def _check_unit(name: str, x: Operand) -> None:
    """ValueError unless x is in [0, 1]; x may be a Value (a target traced by ``jit``)."""
    value = x.data if isinstance(x, Value) else x
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"binary_cross_entropy: {name} must be in [0, 1], got {value!r}")


def _clamped_log(p: Value) -> Value:
    """log p, but at least LOG_FLOOR (so p = 0 costs 100, not infinity; no gradient there)."""
    return p.log() if p.data > math.exp(LOG_FLOOR) else Value(LOG_FLOOR)


def _clamped_log1m(p: Value) -> Value:
    """log(1 - p) as log1p(-p), exact for tiny p (1 - p would round), at least LOG_FLOOR."""
    return (-p).log1p() if 1.0 - p.data > math.exp(LOG_FLOOR) else Value(LOG_FLOOR)


def binary_cross_entropy(p: Operand, target: Operand) -> Value:
    """-t log p - (1 - t) log(1 - p) for a probability p in [0, 1] (ValueError outside).

    Each log is clamped at -100, as PyTorch does, so p = 0 or 1 gives a finite loss.
    The target may be a Value (a traced input under ``jit``). Prefer ``bce_with_logits``
    on the logit: it is exact where this one saturates.
    """
    p = lift(p)
    _check_unit("p", p.data)
    _check_unit("target", target)
    return -(target * _clamped_log(p) + (1.0 - target) * _clamped_log1m(p))


def bce_with_logits(z: Operand, target: Operand) -> Value:
    """Binary cross-entropy of sigmoid(z): t softplus(-z) + (1 - t) softplus(z), any logit z.

    Equal to softplus(z) - t z, but a sum of two terms >= 0, so no cancellation: exact in
    both tails (at z = 40, t = 1 it is e^-40, not 0). A number target 0 or 1 keeps one
    term; a Value target (traced under ``jit``) keeps both. The derivative is sigmoid(z) - t.
    """
    _check_unit("target", target)
    z = lift(z)
    if not isinstance(target, Value) and target in (0, 1):
        return (-z).softplus() if target == 1 else z.softplus()
    return target * (-z).softplus() + (1.0 - target) * z.softplus()


def cross_entropy(logits: Sequence[Operand], target: int) -> Value:
    """-log softmax(z)_t = log sum_j e^{z_j - m} - (z_t - m), m = max z, for a class index."""
    s = shifted(logits)
    return autograd.logsumexp(s) - _pick(s, target)


def nll(log_probs: Sequence[Operand], target: int) -> Value:
    """Negative log-likelihood -log p_t, from log-probabilities (e.g. ``log_softmax``)."""
    return -lift(_pick(log_probs, target))


def _pick(xs: Sequence[Operand], target: int) -> Operand:
    """xs[target] for a class index: any integer (numpy's too), but not a bool or a float."""
    index = None if isinstance(target, bool) else getattr(type(target), "__index__", None)
    if index is None or not 0 <= index(target) < len(xs):
        raise ValueError(f"target must be a class index in [0, {len(xs)}), got {target!r}")
    return xs[index(target)]


def hinge(score: Operand, target: float) -> Value:
    """The max-margin loss max(0, 1 - y s) for a label y in {-1, +1} (micrograd's demo).

    The label may be a Value holding -1 or +1 (a traced input under ``jit``).
    """
    if (target.data if isinstance(target, Value) else target) not in (-1, 1):
        raise ValueError(f"hinge: target must be -1 or +1, got {target!r}")
    return (1.0 - lift(score) * target).relu()


def l1(params: Iterable[Value]) -> Value:
    """The L1 penalty sum_i |w_i| (LASSO): pushes weights to exactly 0."""
    return vsum(abs(p) for p in params)


def l2(params: Iterable[Value]) -> Value:
    """The L2 penalty sum_i w_i^2 (no 1/2, as the slides and micrograd): shrinks all weights.

    One ``dot`` node of the parameters with themselves: d/dw_i = w_i + w_i = 2 w_i.
    """
    ps = list(params)
    return dot(ps, ps)
