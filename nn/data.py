"""Toy 2-D data sets, train/test split and mini-batches, as plain Python lists.

Every generator returns ``(X, y)``: ``X`` a list of ``[x0, x1]`` points, ``y`` a list of int
class labels 0, 1, ...; every random choice comes from ``seed`` or ``rng`` (reproducible).
For the hinge loss use labels in {-1, +1}: ``[2 * t - 1 for t in y]``.

>>> X, y = make_moons(100, noise=0.1, seed=1)
>>> len(X), sorted(set(y)), make_moons(100, noise=0.1, seed=1) == (X, y)
(100, [0, 1], True)
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .init import make_rng

Dataset = tuple[list[list[float]], list[int]]


def _linspace(lo: float, hi: float, n: int, endpoint: bool = True) -> list[float]:
    steps = (n - 1 if endpoint else n) or 1
    return [lo + (hi - lo) * i / steps for i in range(n)]


def _finish(points: list[tuple[float, float]], labels: list[int], noise: float,
            rng: random.Random, shuffle: bool = True) -> Dataset:
    """Add N(0, noise^2) to each coordinate and shuffle points and labels together."""
    X = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] if noise else [x, y]
         for x, y in points]
    order = list(range(len(X)))
    if shuffle:
        rng.shuffle(order)
    return [X[i] for i in order], [labels[i] for i in order]


def make_moons(n_samples: int = 100, noise: float = 0.0, *, seed: int | None = None,
               rng: random.Random | None = None) -> Dataset:
    """Two interleaving half circles (as scikit-learn's): class 0 on top, class 1 below."""
    rng = make_rng(seed, rng)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer = [(math.cos(t), math.sin(t)) for t in _linspace(0.0, math.pi, n_out)]
    inner = [(1 - math.cos(t), 0.5 - math.sin(t)) for t in _linspace(0.0, math.pi, n_in)]
    return _finish(outer + inner, [0] * n_out + [1] * n_in, noise, rng)


def make_circles(n_samples: int = 100, noise: float = 0.0, factor: float = 0.8, *,
                 seed: int | None = None, rng: random.Random | None = None) -> Dataset:
    """A unit circle (class 0) around a circle of radius ``factor`` (class 1)."""
    rng = make_rng(seed, rng)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    ring: Callable[[float, int], list[tuple[float, float]]] = lambda r, n: [
        (r * math.cos(t), r * math.sin(t)) for t in _linspace(0.0, 2 * math.pi, n, endpoint=False)]
    return _finish(ring(1.0, n_out) + ring(factor, n_in), [0] * n_out + [1] * n_in, noise, rng)


def make_spirals(n_samples: int = 150, n_classes: int = 3, noise: float = 0.2, *,
                 seed: int | None = None, rng: random.Random | None = None) -> Dataset:
    """``n_classes`` interleaved spiral arms (CS231n's): radius 0 to 1, angle jittered by noise."""
    rng = make_rng(seed, rng)
    points, labels = [], []
    for k in range(n_classes):
        n = n_samples // n_classes + (k < n_samples % n_classes)
        turns = _linspace(k * 4.0, (k + 1) * 4.0, n)
        for r, t in zip(_linspace(0.0, 1.0, n), turns, strict=True):
            t += rng.gauss(0.0, noise) if noise else 0.0
            points.append((r * math.sin(t), r * math.cos(t)))
            labels.append(k)
    return _finish(points, labels, 0.0, rng)


def make_xor(n_samples: int = 100, *, seed: int | None = None,
             rng: random.Random | None = None) -> Dataset:
    """Points uniform in [-1, 1]^2, label 1 where exactly one coordinate is positive."""
    rng = make_rng(seed, rng)
    points = [(rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in range(n_samples)]
    return _finish(points, [int((x > 0) != (y > 0)) for x, y in points], 0.0, rng, False)


def train_test_split(X: Sequence[Any], y: Sequence[Any], test_size: float = 0.25, *,
                     seed: int | None = None, rng: random.Random | None = None
                     ) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """Shuffle and split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    ``test_size``: a fraction in (0, 1) (rounded up to a count) or a number of examples.
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)}")
    n = len(X)
    n_test = math.ceil(test_size * n) if isinstance(test_size, float) else test_size
    if not 0 < n_test < n:
        raise ValueError(f"test_size {test_size!r} leaves no train or no test data of {n}")
    order = list(range(n))
    make_rng(seed, rng).shuffle(order)
    test, train = order[:n_test], order[n_test:]
    return ([X[i] for i in train], [X[i] for i in test],
            [y[i] for i in train], [y[i] for i in test])


def batches(data: Sequence[Sequence[Any]], size: int | None = None, shuffle: bool = False,
            seed: int | None = None, *, rng: random.Random | None = None
            ) -> Iterator[tuple[list[Any], ...]]:
    """Mini-batches of parallel lists: ``batches((X, y), 32)`` yields ``(X_batch, y_batch)``.

    ``size=None`` gives one full batch; the last batch may be smaller. ``shuffle`` draws a
    new order each call (from ``seed`` or ``rng``).
    """
    n = len(data[0])
    if any(len(column) != n for column in data):
        raise ValueError(f"batches: columns differ in length {[len(c) for c in data]}")
    size = n if size is None else size
    if size < 1:
        raise ValueError(f"batch size must be >= 1, got {size!r}")
    order = list(range(n))
    if shuffle:
        make_rng(seed, rng).shuffle(order)
    for start in range(0, n, size):
        chunk = order[start:start + size]
        yield tuple([column[i] for i in chunk] for column in data)
