"""nn.data: the toy data sets' geometry and labels, reproducibility, split and batches."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

import nn
from tests.strategies import assert_close

GENERATORS = [
    lambda **kw: nn.make_moons(60, noise=0.1, **kw),
    lambda **kw: nn.make_circles(60, noise=0.05, **kw),
    lambda **kw: nn.make_spirals(60, n_classes=3, **kw),
    lambda **kw: nn.make_xor(60, **kw),
]


@pytest.mark.parametrize("make", GENERATORS)
def test_generators_are_plain_lists_and_reproducible(make):
    X, y = make(seed=3)
    assert type(X) is list and type(y) is list and len(X) == len(y) == 60
    assert all(type(x) is list and len(x) == 2 and all(type(c) is float for c in x) for x in X)
    assert all(type(t) is int for t in y)
    assert make(seed=3) == (X, y) == make(rng=random.Random(3))
    assert make(seed=4) != (X, y)


def test_moons_without_noise_lie_on_two_half_circles():
    X, y = nn.make_moons(41, seed=0)
    assert Counter(y) == {0: 20, 1: 21}
    for (a, b), t in zip(X, y, strict=True):
        cx, cy = (0.0, 0.0) if t == 0 else (1.0, 0.5)
        assert_close(math.hypot(a - cx, b - cy), 1.0)
        assert (b >= -1e-12) if t == 0 else (b <= 0.5 + 1e-12)  # outer on top, inner below


def test_circles_without_noise_have_radius_one_and_factor():
    X, y = nn.make_circles(50, factor=0.3, seed=0)
    for (a, b), t in zip(X, y, strict=True):
        assert_close(math.hypot(a, b), 1.0 if t == 0 else 0.3)
    assert Counter(y) == {0: 25, 1: 25}


def test_spirals_have_one_arm_per_class():
    X, y = nn.make_spirals(100, n_classes=4, noise=0.0, seed=0)
    assert Counter(y) == {0: 25, 1: 25, 2: 25, 3: 25}
    assert max(math.hypot(a, b) for a, b in X) <= 1.0 + 1e-12


def test_xor_labels_follow_the_quadrants():
    X, y = nn.make_xor(200, seed=1)
    assert all(t == ((a > 0) != (b > 0)) for (a, b), t in zip(X, y, strict=True))
    assert 0.3 < sum(y) / len(y) < 0.7


def test_train_test_split_partitions_the_data():
    X = [[float(i), 0.0] for i in range(10)]
    y = list(range(10))
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.25, seed=0)
    assert len(X_test) == 3 and len(X_train) == 7  # ceil(2.5)
    assert sorted(y_train + y_test) == y
    assert all(x[0] == t for x, t in zip(X_train + X_test, y_train + y_test, strict=True))
    assert nn.train_test_split(X, y, test_size=4, seed=0)[3] != y[:4]
    with pytest.raises(ValueError):
        nn.train_test_split(X, y[:5])
    with pytest.raises(ValueError):
        nn.train_test_split(X, y, test_size=1.0)


def test_batches_cover_the_data_once_in_order_or_shuffled():
    X, y = [[float(i)] for i in range(10)], list(range(10))
    got = list(nn.batches((X, y), 4))
    assert [len(b[1]) for b in got] == [4, 4, 2]
    assert [t for _, yb in got for t in yb] == y
    shuffled = [t for _, yb in nn.batches((X, y), 3, shuffle=True, seed=7) for t in yb]
    assert sorted(shuffled) == y and shuffled != y
    assert shuffled == [t for _, yb in nn.batches((X, y), 3, True, 7) for t in yb]
    assert list(nn.batches((X, y))) == [(X, y)]  # size None: one full batch


def test_batches_reject_bad_input():
    with pytest.raises(ValueError, match="differ in length"):
        list(nn.batches(([1, 2], [1]), 1))
    with pytest.raises(ValueError, match="batch size"):
        list(nn.batches(([1, 2], [1, 2]), 0))
