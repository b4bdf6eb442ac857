"""Compiled mode's skipped terms: a node whose grad is +-0 adds nothing (dead ReLUs), and
the results stay eager mode's bits: inf, NaN, +-0 seeds and starts, order of the terms."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value
from autograd.compile import jit
from tests.test_compile import bits, eager_value_and_grad

SPECIAL = st.sampled_from([0.0, -0.0, 1.5, -2.0, 1e308, -1e308, math.inf, -math.inf, math.nan])
GUARDED = {  # a node with two or more leaf terms, under a ReLU that is often dead
    "*": lambda a, b, c: a * b,
    "+": lambda a, b, c: a + b,
    "-": lambda a, b, c: a - b,
    "sum": lambda a, b, c: autograd.sum([a, b, c]),
    "dot": lambda a, b, c: autograd.dot([a, b], [c, a], b),  # a leaf twice: terms in order
    "logsumexp": lambda a, b, c: autograd.logsumexp([a, b, c]),  # skipped in eager mode too
}


def eager_param_grads(f, params, rows, seed, start):
    """Eager ``f(*row).backward(seed)`` for each row, from grads ``start``: (values, grads)."""
    for p, g in zip(params, start, strict=True):
        p.grad = g
    values = []
    for row in rows:
        out = autograd.lift(f(*map(Value, row)))
        out.backward(seed)
        values.append(out.data)
    return values, [p.grad for p in params]


@given(st.sampled_from(sorted(GUARDED)), st.lists(SPECIAL, min_size=4, max_size=4), SPECIAL,
       st.sampled_from([0.0, 1.0, -3.0, math.inf, math.nan]))
def test_skipped_leaf_terms_match_eager_bit_for_bit(op, xs, seed, start):
    """inf or NaN anywhere (inf * 0 is NaN in eager mode), seeds of +-0 and NaN, and
    gradients that start at +0.0, nonzero, inf or NaN: the same bits as eager mode."""
    params = [Value(x) for x in xs[:3]]
    f = lambda k: GUARDED[op](*params).relu() * k  # k = inf: a dead ReLU's grad is NaN
    rows = [[xs[3]], [-xs[3]]]
    values, grads = eager_param_grads(f, params, rows, seed, [start] * 3)
    for p in params:
        p.grad = start
    cf = jit(f, params=params)
    assert list(map(bits, cf.backward_batch(rows, grad=seed))) == list(map(bits, values))
    assert [bits(p.grad) for p in params] == list(map(bits, grads)), cf.program.source
    assert "\n        if " in cf.program.source  # the terms are guarded


def test_minus_zero_start_differs_at_most_in_the_sign_of_zero():
    """The documented exception: where a leaf's incoming grad is -0.0, a skipped +0.0 term
    leaves it -0.0 (eager: -0.0 + 0.0 = +0.0); with +0.0 it is exact."""
    a, b = Value(2.0), Value(3.0)
    f = lambda k: (a * b - 10.0).relu() * k  # dead: a * b's grad is 0.0 * k = +0.0
    cf = jit(f, params=[a, b])
    for start in (0.0, -0.0):
        _, expected = eager_param_grads(f, [a, b], [[1.0]], 1.0, [start, start])
        a.grad = b.grad = start
        cf.backward(1.0)
        assert [a.grad, b.grad] == expected == [0.0, 0.0]
        assert math.copysign(1.0, a.grad) == math.copysign(1.0, start)  # eager: +0.0


@pytest.mark.parametrize("bias", [0.0, -1.0])
def test_mostly_dead_relu_mlp_matches_eager_bit_for_bit(bias):
    """W1's per-example hinge loss where most ReLUs are dead, and rows with inf and NaN."""
    model = nn.MLP(2, [8, 8, 1], seed=3)
    params = model.parameters()
    for layer in model.layers[:-1]:
        for neuron in layer.neurons:
            neuron.b.data = bias  # -1: most hidden units dead for small inputs
    f = lambda x0, x1, y: (1 + -y * model([x0, x1])).relu()
    rng = random.Random(4)
    rows = [(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.choice([-1.0, 1.0])) for _ in range(30)]
    cf = jit(f, params=params)
    for batch in (rows, [(math.inf, 0.5, 1.0)], [(-math.inf, 0.5, -1.0)], [(0.5, math.nan, 1)]):
        values, grads = eager_param_grads(f, params, batch, 1 / 30, [0.0] * len(params))
        autograd.zero_grad(params)
        assert list(map(bits, cf.backward_batch(batch, grad=1 / 30))) == list(map(bits, values))
        assert [bits(p.grad) for p in params] == list(map(bits, grads))
    assert cf.program.source.count(" - r") >= 17  # every neuron's terms are guarded


def test_guarded_terms_are_added_after_earlier_ones():
    """Eager adds a's terms children first: (1.5 + 2e16) + 1 = 2e16; (1.5 + 1) + 2e16 is not."""
    a, b = Value(1.0), Value(0.5)
    f = lambda x: a * b + a * (x * 1e16)  # a * b: guarded; a * (x 1e16): one term, pending
    _, expected = eager_param_grads(f, [a, b], [[1.0]], 2.0, [1.5, 0.0])
    a.grad, b.grad = 1.5, 0.0
    cf = jit(f, params=[a, b])
    cf.backward(1.0, grad=2.0)
    assert [a.grad, b.grad] == expected == [2e16, 2.0], cf.program.source
    assert " or " in cf.program.source


@given(st.integers(0, 10**6), st.lists(st.one_of(SPECIAL, st.floats(-2, 2)), min_size=40,
                                       max_size=40))
def test_relu_mlp_with_special_weights_matches_eager_bit_for_bit(seed, values):
    """Hidden grads summed in place behind guards (two layers of dots under ReLUs): inf,
    NaN and +-0 weights and inputs give eager mode's bits."""
    model = nn.MLP(2, [3, 3, 1], seed=seed)
    params = model.parameters()  # 25
    for p, x in zip(params, values, strict=False):
        p.data = x
    f = lambda x0, x1, y: (1 + -y * model([x0, x1])).relu()
    rows = [values[25:28], values[28:31], [1.0, -1.0, 1.0]]
    values, grads = eager_param_grads(f, params, rows, 0.25, [0.0] * len(params))
    autograd.zero_grad(params)
    cf = jit(f, params=params)
    assert list(map(bits, cf.backward_batch(rows, grad=0.25))) == list(map(bits, values))
    assert [bits(p.grad) for p in params] == list(map(bits, grads)), cf.program.source
    assert " = 0.0\n" in cf.program.source  # a hidden grad summed in place


def test_hidden_grad_summed_in_place_with_an_unguarded_term():
    """h's grad: guarded terms from two dots under ReLUs, then one from h * 3 (not guarded)."""
    a, b, c, d, e = (Value(v) for v in (0.5, -1.5, 2.0, -0.25, 1.25))

    def f(x):
        h = (x * e).relu()
        t = h * 3.0  # the first operand: first in topological order, so its term comes last
        return t + autograd.dot([a, b], [h, x]).relu() + autograd.dot([c, d], [h, x]).relu()

    params = [a, b, c, d, e]
    rows = [[0.8], [-0.8], [2.0]]
    values, grads = eager_param_grads(f, params, rows, 0.5, [0.0] * 5)
    autograd.zero_grad(params)
    cf = jit(f, params=params)
    assert cf.backward_batch(rows, grad=0.5) == values
    assert [p.grad for p in params] == grads, cf.program.source
    assert " = 0.0\n" in cf.program.source


@pytest.mark.parametrize("user", [lambda z: z, lambda z: z * 2.0, lambda z: z.relu(),
                                  lambda z: z.leaky_relu(), lambda z: z.relu() + abs(z)])
def test_sign_of_a_zero_dot_matches_eager(user):
    """w . x = -0.0 + -0.0 from 0.0 is +0.0; a relu cannot tell, the others can."""
    f = lambda a, b, x, y: user(autograd.dot([a, b], [x, y]))
    xs = [-1.0, 1.0, 0.0, -0.0]
    value, grads = eager_value_and_grad(f, xs)
    got, got_grads = jit(f).value_and_grad(*xs)
    assert [bits(got), *map(bits, got_grads)] == [bits(value), *map(bits, grads)]
