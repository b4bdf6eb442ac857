"""The shared inputs: micrograd's demo data (two moons) and one set of initial weights.

Every engine gets the same 100 points, the same labels (-1 / +1) and the same initial
weights (U(-1, 1), biases 0, as micrograd's ``Neuron``), so their losses can be compared.
"""

from __future__ import annotations

import itertools
import math
import random

SIZES = [2, 16, 16, 1]  # MLP(2, [16, 16, 1])
ALPHA = 1e-4  # the demo's L2 weight
LR = 1.0  # the demo's learning rate at step 0: 1.0 - 0.9 * k / 100


def moons(n: int = 100, noise: float = 0.1, seed: int = 1337) -> list[tuple[float, float, float]]:
    """Two interleaving half circles (as sklearn's make_moons), rows (x0, x1, y), y = -1 or +1."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        outer = i < n // 2
        m = n // 2 if outer else n - n // 2
        t = math.pi * (i if outer else i - n // 2) / max(m - 1, 1)
        x0, x1 = (math.cos(t), math.sin(t)) if outer else (1 - math.cos(t), 0.5 - math.sin(t))
        rows.append((x0 + rng.gauss(0, noise), x1 + rng.gauss(0, noise), -1.0 if outer else 1.0))
    return rows


def initial_weights(sizes: list[int] = SIZES, seed: int = 0) -> list[list[list[float]]]:
    """Layers of neurons of [w_1, ..., w_nin, b]: w ~ U(-1, 1), b = 0."""
    rng = random.Random(seed)
    return [[[rng.uniform(-1, 1) for _ in range(nin)] + [0.0] for _ in range(nout)]
            for nin, nout in itertools.pairwise(sizes)]


def load(model, weights: list[list[list[float]]]) -> None:
    """Copy ``weights`` into a micrograd-style MLP (layers, neurons, ``w`` list and ``b``)."""
    for layer, wlayer in zip(model.layers, weights, strict=True):
        for neuron, wn in zip(layer.neurons, wlayer, strict=True):
            for w, value in zip(neuron.w, wn, strict=False):
                w.data = value
            neuron.b.data = wn[-1]


def products(n: int, seed: int = 2) -> tuple[list[float], list[float]]:
    """W3's inputs: two lists of n floats in [-1, 1]."""
    rng = random.Random(seed)
    return [rng.uniform(-1, 1) for _ in range(n)], [rng.uniform(-1, 1) for _ in range(n)]
