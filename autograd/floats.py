"""Float forms of ops with checked errors, and the n-ary ops' float forms.

Each raises as Python's ``math`` does, with a message that names the op and the value, or
stays stable where the naive formula overflows. Floats only: the generic helpers the rules
use live in ``rules.py``. This module imports nothing of the project.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any


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
