"""Softmax, log-softmax and log-sum-exp over a list of logits, stable at any magnitude.

softmax(z)_i = e^{z_i / T} / sum_j e^{z_j / T}. Softmax is invariant to adding a constant
to every logit (the slides' "invariance to translation"), so we subtract m = max_i z_i
first: every exponent is then <= 0 and nothing overflows, even at logits of 1000. ``m`` is
a plain float, so it adds no node and no gradient; the result is the same function.

Temperature ``T`` divides the logits: T -> infinity gives the uniform 1/n, T -> 0 puts all
mass on the largest logit. (The slides write e^{alpha z_i}: their alpha is 1/T.)

>>> [round(p.data, 4) for p in softmax([1000.0, 1000.0, -1000.0])]
[0.5, 0.5, 0.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autograd import Operand, Value, lift
from autograd import sum as vsum


def _shifted(logits: Sequence[Operand], temperature: float) -> tuple[list[Value], float]:
    """(z_i - m) / T for each logit, as Values, and m = max_i z_i."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    zs = [lift(z) for z in logits]
    if not zs:
        raise ValueError("softmax of an empty list of logits")
    m = max(z.data for z in zs)
    if math.isinf(m):  # z - m would be NaN: shift by 0 instead (logsumexp([inf, ...]) = inf)
        m = 0.0
    if temperature == 1.0:
        return [z - m for z in zs], m
    return [(z - m) / temperature for z in zs], m  # dividing: 1/T overflows for tiny T


def logsumexp(logits: Sequence[Operand], temperature: float = 1.0) -> Value:
    """log sum_j e^{z_j / T}, computed as m/T + log sum_j e^{(z_j - m)/T} (m = max z)."""
    shifted, m = _shifted(logits, temperature)
    return vsum(s.exp() for s in shifted).log() + m / temperature


def softmax(logits: Sequence[Operand], temperature: float = 1.0) -> list[Value]:
    """The probabilities e^{z_i / T} / sum_j e^{z_j / T}, with the max subtracted first."""
    exps = [s.exp() for s in _shifted(logits, temperature)[0]]
    total = vsum(exps)
    return [e / total for e in exps]


def log_softmax(logits: Sequence[Operand], temperature: float = 1.0) -> list[Value]:
    """log softmax: s_i - log sum_j e^{s_j}, s = (z - max z) / T; finite where softmax is 0."""
    shifted = _shifted(logits, temperature)[0]
    log_total = vsum(s.exp() for s in shifted).log()
    return [s - log_total for s in shifted]
