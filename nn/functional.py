"""Softmax, log-softmax and log-sum-exp over a list of logits, stable at any magnitude.

softmax(z)_i = e^{z_i / T} / sum_j e^{z_j / T}. All three rest on one engine node,
``autograd.logsumexp``, which subtracts the max inside (the slides' "invariance to
translation": lse = m + log sum_j e^{z_j - m}, every exponent <= 0), so nothing overflows.
softmax and log_softmax first subtract m = max_j z_j as a node of the graph, as PyTorch
does: log softmax(z)_i = (z_i - m) - log sum_j e^{z_j - m}, whose error does not grow with
the logits (1e16 + 1e16 ties give exactly 1/2); m is an ``autograd.max`` node (its share
of the gradient is 0 but for rounding: the result does not depend on m). No number read
from ``.data`` enters the graph: ``jit`` traces these exactly.

Temperature ``T`` divides the logits: T -> infinity gives the uniform 1/n, T -> 0 puts all
mass on the largest logit. (The slides write e^{alpha z_i}: their alpha is 1/T.)

>>> [round(p.data, 4) for p in softmax([1000.0, 1000.0, -1000.0])]
[0.5, 0.5, 0.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import autograd
from autograd import Operand, Value, lift


def _checked(logits: Sequence[Operand], temperature: float) -> list[Value]:
    """The logits as Values, after checking them and the temperature."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    zs = [lift(z) for z in logits]
    if not zs:
        raise ValueError("softmax of an empty list of logits")
    return zs


def shifted(logits: Sequence[Operand], temperature: float = 1.0) -> list[Value]:
    """(z_i - m) / T, m = max z: every exponent <= 0 and the largest exactly 0, so the error
    of log softmax does not grow with the logits (as PyTorch computes it)."""
    zs = _checked(logits, temperature)
    m = autograd.max(zs)  # a node: jit replays it (the result does not depend on m)
    diffs = [z - m for z in zs]
    return diffs if temperature == 1.0 else [d / temperature for d in diffs]


def logsumexp(logits: Sequence[Operand], temperature: float = 1.0) -> Value:
    """log sum_j e^{z_j / T}, one ``autograd.logsumexp`` node (max subtracted inside)."""
    zs = _checked(logits, temperature)
    return autograd.logsumexp(zs if temperature == 1.0 else [z / temperature for z in zs])


def softmax(logits: Sequence[Operand], temperature: float = 1.0) -> list[Value]:
    """The probabilities e^{z_i / T} / sum_j e^{z_j / T}, as e^{log softmax} (exponent <= 0)."""
    return [lp.exp() for lp in log_softmax(logits, temperature)]


def log_softmax(logits: Sequence[Operand], temperature: float = 1.0) -> list[Value]:
    """log softmax: s_i - log sum_j e^{s_j}, s = (z - max z) / T; finite where softmax is 0."""
    ss = shifted(logits, temperature)
    lse = autograd.logsumexp(ss)
    return [s - lse for s in ss]
