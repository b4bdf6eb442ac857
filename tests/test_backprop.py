"""The chain rule's shortcut: an n-ary node behind a dead ReLU sends no terms, exactly.

Each expected gradient is a closed form written out here, with IEEE's rules for 0 * inf.
"""

from __future__ import annotations

import math

import pytest

import autograd
from autograd import Value


def _dead_neuron(ws: list[float], xs: list[float], bias: float) -> tuple[list[Value], Value]:
    """relu(w . x + b) scaled by 3: the dot's grad is 3 * relu'(z), 0.0 where z <= 0."""
    w = [Value(v) for v in ws]
    z = autograd.dot(w, [Value(v) for v in xs], Value(bias))
    return w, z.relu() * 3.0


def test_dead_dot_leaves_its_weights_grads_at_zero():
    w, out = _dead_neuron([1.0, -2.0], [0.5, 1.5], -1.0)  # z = -3.5: dead
    out.backward()
    assert [p.grad for p in w] == [0.0, 0.0]
    assert all(math.copysign(1.0, p.grad) == 1.0 for p in w)  # +0.0, as 0.0 + 0.0 is


def test_dead_dot_still_adds_to_grads_already_there():
    w, out = _dead_neuron([1.0, -2.0], [0.5, 1.5], -1.0)
    w[0].grad = 1.25
    out.backward()
    assert [p.grad for p in w] == [1.25, 0.0]  # 1.25 + 3 * 0 * 0.5


@pytest.mark.parametrize("bad", [-math.inf, math.nan])
def test_dead_dot_with_a_non_finite_input_still_sends_nan(bad):
    """At z = -inf relu' is 0, so the dot's grad is 0; its d/dw_1 = x_1 is -inf, and
    0 * inf = NaN must reach w_1 (IEEE), so the node cannot be skipped. At z = NaN relu'
    is 1 (as PyTorch): 3 * NaN reaches w_1 too."""
    w, out = _dead_neuron([1.0, -2.0], [bad, 1.5], -1.0)  # z = bad - 4: -inf or NaN
    assert not math.isfinite(out.parents[0].parents[0].data)
    out.backward()
    assert math.isnan(w[0].grad)


def test_dead_sum_sends_nothing_and_a_live_one_sends_its_grad():
    xs = [Value(v) for v in (1.0, 2.0, -4.0)]
    autograd.sum(xs).relu().backward()  # the sum is -1: its relu is dead
    assert [x.grad for x in xs] == [0.0, 0.0, 0.0]
    (autograd.sum(xs) * 2.0).relu().backward()  # dead again, then a live one:
    (autograd.sum(xs) * -2.0).relu().backward()  # d/dx_i relu(-2 sum) = -2
    assert [x.grad for x in xs] == [-2.0, -2.0, -2.0]


def test_minus_zero_leaf_grad_keeps_its_sign_at_a_skipped_node():
    """The documented difference: no term is added, so -0.0 stays -0.0 (0.0 would make +0.0)."""
    w, out = _dead_neuron([1.0, -2.0], [0.5, 1.5], -1.0)
    w[0].grad = -0.0
    out.backward()
    assert math.copysign(1.0, w[0].grad) == -1.0


def test_backward_of_a_leaf_itself_accumulates_like_any_leaf():
    x = Value(3.0)
    x.backward()
    x.backward(2.5)
    assert x.grad == 3.5
