"""Softmax, log-softmax and log-sum-exp over a list of logits, stable at any magnitude.

softmax(z)_i = e^{z_i / T} / sum_j e^{z_j / T} = e^{z_i / T - lse}, lse = log sum_j e^{z_j / T}.
All three rest on one engine node, ``autograd.logsumexp``, which subtracts m = max_j z_j
inside (the slides' "invariance to translation": lse = m + log sum_j e^{z_j - m}, every
exponent <= 0), so nothing overflows, even at logits of 1000, and no number read from
``.data`` enters the graph: ``jit`` traces these exactly.

Temperature ``T`` divides the logits: T -> infinity gives the uniform 1/n, T -> 0 puts all
mass on the largest logit. (The slides write e^{alpha z_i}: their alpha is 1/T.)

>>> [round(p.data, 4) for p in softmax([1000.0, 1000.0, -1000.0])]
[0.5, 0.5, 0.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import autograd
from autograd import Operand, Value, lift


def _scaled(logits: Sequence[Operand], temperature: float, shift: bool = False) -> list[Value]:
    """z_i / T for each logit, as Values (the logits themselves at T = 1); with ``shift``,
    (z_i - max z) / T where z_i / T overflows (softmax is the same: shift-invariant)."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    zs = [lift(z) for z in logits]
    if not zs:
        raise ValueError("softmax of an empty list of logits")
    if temperature == 1.0:
        return zs
    scaled = [z / temperature for z in zs]  # dividing: 1/T overflows for tiny T
    pairs = zip(scaled, zs, strict=True)
    if not shift or not any(math.isinf(s.data) and math.isfinite(z.data) for s, z in pairs):
        return scaled
    # z / T overflowed (a tiny T): (z - z_k) / T is the same softmax for any k, and finite
    # for the largest z_k (a node, not a number; but the branch is data-dependent for jit)
    top = max(zs, key=lambda z: z.data)
    return [(z - top) / temperature for z in zs]


def logsumexp(logits: Sequence[Operand], temperature: float = 1.0) -> Value:
    """log sum_j e^{z_j / T}, one ``autograd.logsumexp`` node (max subtracted inside)."""
    return autograd.logsumexp(_scaled(logits, temperature))


def softmax(logits: Sequence[Operand], temperature: float = 1.0) -> list[Value]:
    """The probabilities e^{z_i / T} / sum_j e^{z_j / T}, as e^{z_i / T - lse} (exponent <= 0)."""
    scaled = _scaled(logits, temperature, shift=True)
    lse = autograd.logsumexp(scaled)
    return [(s - lse).exp() for s in scaled]


def log_softmax(logits: Sequence[Operand], temperature: float = 1.0) -> list[Value]:
    """log softmax: z_i / T - log sum_j e^{z_j / T}; finite where softmax underflows to 0."""
    scaled = _scaled(logits, temperature, shift=True)
    lse = autograd.logsumexp(scaled)
    return [s - lse for s in scaled]
