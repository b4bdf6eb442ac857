"""Weight initialization schemes, and the one way every random choice in ``nn`` gets its RNG.

A scheme is a function ``(rng, fan_in, fan_out) -> float`` that draws one weight; biases
start at 0. Pass a scheme by name (``"uniform"``, ``"xavier"``, ``"he"``) or as a callable.

>>> rng = make_rng(seed=0)
>>> -1.0 <= uniform(rng, 2, 16) <= 1.0
True
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Callable
from typing import Union

Init = Callable[[random.Random, int, int], float]
InitLike = Union[str, Init]


def make_rng(seed: int | None = None, rng: random.Random | None = None) -> random.Random:
    """The ``random.Random`` to draw from: ``rng`` if given, else one seeded with ``seed``.

    With neither, Python's global generator, so ``random.seed(1337)`` makes the draws
    reproducible (as in micrograd). Giving both is an error.
    """
    if rng is not None:
        if seed is not None:
            raise ValueError("give a seed or an rng, not both")
        if not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
        return rng
    if seed is not None and (isinstance(seed, bool) or not hasattr(type(seed), "__index__")):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed is None:
        return _GLOBAL
    return random.Random(operator.index(seed))  # numpy ints too


# the hidden instance behind random.random(), random.seed(), ... (they are its bound methods)
_GLOBAL: random.Random = random.random.__self__  # type: ignore[attr-defined]


def uniform(rng: random.Random, fan_in: int, fan_out: int) -> float:
    """w ~ U(-1, 1), micrograd's initialization (ignores the fan)."""
    return rng.uniform(-1.0, 1.0)


def xavier(rng: random.Random, fan_in: int, fan_out: int) -> float:
    """Glorot/Xavier uniform: w ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (for tanh)."""
    a = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a)


def he(rng: random.Random, fan_in: int, fan_out: int) -> float:
    """He/Kaiming normal: w ~ N(0, 2 / fan_in); keeps Var(z) ~ 1 through relu (which halves it)."""
    return rng.gauss(0.0, math.sqrt(2.0 / fan_in))


INITS: dict[str, Init] = {"uniform": uniform, "xavier": xavier, "glorot": xavier, "he": he}
"""Initialization schemes by name."""


def get_init(init: InitLike) -> Init:
    """The scheme named ``init`` (see ``INITS``), or ``init`` itself if it is callable."""
    if callable(init):
        return init
    try:
        return INITS[init]
    except (KeyError, TypeError):
        raise ValueError(f"unknown init {init!r}; choose one of {sorted(INITS)}") from None
