"""The benchmark's floors compute what the engine computes (the runner checks this too)."""

from __future__ import annotations

import math

import nn
from autograd import Value
from benchmarks import data, floors, ours


def _copy(weights: list) -> list:
    return [[list(neuron) for neuron in layer] for layer in weights]


def test_loop_floor_with_and_without_skipping_matches_eager_mode():
    rows, weights = data.moons(), data.initial_weights()
    plain, skipping = _copy(weights), _copy(weights)
    loss = floors.w1_loops(plain, rows, data.LR, data.ALPHA)
    assert floors.w1_loops(skipping, rows, data.LR, data.ALPHA, skip=True) == loss
    assert skipping == plain  # the skipped terms were all zeros
    model = nn.MLP(2, data.SIZES[1:])
    params = model.parameters()
    data.load(model, weights)
    eager = ours.batch_loss(model, params, rows)
    eager.backward()
    assert math.isclose(eager.data, loss, rel_tol=1e-12)
    stepped = [p.data - data.LR * p.grad for p in params]
    flat = [p for layer in plain for neuron in layer for p in neuron]
    assert len(stepped) == len(flat)
    for a, b in zip(stepped, flat, strict=True):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def test_bare_object_chain_has_the_chains_value():
    x = Value(1.0)
    y = x
    for _ in range(1000):
        y = y + x
    assert floors.w2_objects(1000) == y.data == 1001.0
    assert set(floors.Bare.__slots__) == set(Value.__slots__)


def test_batch_columns_take_the_same_step():
    """W5's columns (eager, compiled per row, vmap, PyTorch) give one loss, and after their
    SGD step one loss again (so the steps agree too)."""
    from benchmarks import batch

    rows, weights = data.moons(60), data.initial_weights()
    losses = {}
    for col, (setup, run) in batch.cases(rows, weights).items():
        setup()
        losses[col] = (run(), run())
    assert len(losses) >= 3
    for first, second in losses.values():
        assert math.isclose(first, losses["eager"][0], rel_tol=1e-12), losses
        assert math.isclose(second, losses["eager"][1], rel_tol=1e-9), losses
    assert losses["eager"][1] < losses["eager"][0]
