"""autograd.max and autograd.min: one n-ary node each; the gradient goes to the winner, tied
winners share it evenly, a NaN wins; create_graph and the compiled mode agree."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value
from autograd.compile import jit
from tests.strategies import assert_close, assert_grads_match, central_difference, floats
from tests.test_compile import bits, eager_value_and_grad

NAN = math.nan
EXTREMES = [(autograd.max, max), (autograd.min, min)]  # (the op, Python's on floats)
IDS = ["max", "min"]
distinct = st.lists(floats(-50, 50), min_size=1, max_size=6, unique=True).filter(
    lambda xs: all(b - a > 1e-3 for a, b in itertools.pairwise(sorted(xs))))


def grads_of(op, xs):
    leaves = [Value(x) for x in xs]
    out = op(leaves)
    out.backward()
    return out, [v.grad for v in leaves]


@pytest.mark.parametrize(("op", "reference"), EXTREMES, ids=IDS)
@given(xs=distinct)
def test_the_winner_gets_the_whole_gradient(op, reference, xs):
    out, grads = grads_of(op, xs)
    winner = xs.index(reference(xs))
    assert out.op == op.__name__ and len(out.parents) == len(xs)
    assert out.data == reference(xs)
    assert grads == [1.0 if i == winner else 0.0 for i in range(len(xs))]


@pytest.mark.parametrize(("op", "reference"), EXTREMES, ids=IDS)
@given(xs=distinct)
def test_gradient_matches_central_differences(op, reference, xs):
    leaves = [Value(x) for x in xs]
    assert_grads_match(lambda: op([leaves[0] * 2.0, *leaves[1:]]), leaves)


@pytest.mark.parametrize(("op", "reference"), EXTREMES, ids=IDS)
@pytest.mark.parametrize(("xs", "shares"), [
    ([3.0, 3.0], [0.5, 0.5]),
    ([1.0, 3.0, 3.0, 3.0], [0.0, 1 / 3, 1 / 3, 1 / 3]),
    ([-0.0, 0.0], [0.5, 0.5]),  # -0.0 == 0.0: a tie
])
def test_tied_winners_share_the_gradient_evenly(op, reference, xs, shares):
    if reference is min:
        xs = [-x for x in xs]
    _, grads = grads_of(op, xs)
    assert grads == shares
    # the shares add up to the slope along the tied inputs moved together (a derivative there)
    tied = [i for i, s in enumerate(shares) if s]
    moved = lambda t: reference(x + t if i in tied else x for i, x in enumerate(xs))
    assert_close(math.fsum(grads), central_difference(moved, 0.0), rel=1e-9)


def test_the_same_value_twice_gets_the_whole_gradient():
    x = Value(2.0)
    autograd.max([x, x, Value(1.0)]).backward()
    assert x.grad == 1.0


@pytest.mark.parametrize("op", [autograd.max, autograd.min], ids=IDS)
@pytest.mark.parametrize(("xs", "grads"), [
    ([NAN, 1.0], [1.0, 0.0]),
    ([1.0, NAN], [0.0, 1.0]),  # Python's max would skip a NaN after the first
    ([NAN, 1.0, NAN], [0.5, 0.0, 0.5]),
    ([math.inf, 1.0], None),
    ([-math.inf, -math.inf], [0.5, 0.5]),
])
def test_nan_propagates_and_wins_the_gradient(op, xs, grads):
    out, got = grads_of(op, xs)
    if any(map(math.isnan, xs)):
        assert math.isnan(out.data)
        assert got == grads
    else:
        assert out.data == (max if op is autograd.max else min)(xs)
        assert math.fsum(got) == 1.0


@pytest.mark.parametrize("op", [autograd.max, autograd.min], ids=IDS)
def test_no_values_is_an_error(op):
    with pytest.raises(ValueError, match=f"{op.__name__}: no values"):
        op([])


def test_numbers_are_constants():
    x = Value(1.0)
    out = autograd.max([x, 2.0, -1])
    out.backward()
    assert (out.data, x.grad) == (2.0, 0.0)
    assert autograd.min([x, 2.0]).data == 1.0


def test_second_derivatives_through_the_winner():
    # d2/da2 max(a^3, b) = 6a where a^3 wins, 0 where b does
    d2 = autograd.grad(autograd.grad(lambda a, b: autograd.max([a * a * a, b])))
    assert d2(2.0, 1.0) == 12.0 and d2(0.5, 1.0) == 0.0
    d2_min = autograd.hessian(lambda a, b: autograd.min([a * b, b * b]))
    assert d2_min(3.0, 2.0) == [[0.0, 0.0], [0.0, 2.0]]  # b^2 = 4 < ab = 6
    assert d2_min(1.0, 2.0) == [[0.0, 1.0], [1.0, 0.0]]  # ab = 2 < b^2 = 4


@pytest.mark.parametrize("op", [autograd.max, autograd.min], ids=IDS)
@given(xs=st.lists(st.sampled_from([1.0, -2.0, 0.5, 0.0, -0.0, NAN, math.inf]), min_size=1,
                   max_size=5), scale=floats(-3, 3))
def test_compiled_matches_eager_bit_for_bit(op, xs, scale):
    f = lambda s, *v: op([x * s for x in v]) * s
    value, grads = eager_value_and_grad(f, [scale, *xs])
    got_value, got_grads = jit(f).value_and_grad(scale, *xs)
    assert bits(got_value) == bits(value)
    assert list(map(bits, got_grads)) == list(map(bits, grads))


def test_one_trace_follows_a_changing_winner():
    cf = jit(lambda a, b, c: autograd.max([a, b, c]) * autograd.min([a, b]))
    for xs in ([1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [2.0, 2.0, -1.0]):
        assert cf.value_and_grad(*xs) == eager_value_and_grad(cf.f, xs)
    assert cf.traces == 1


@pytest.mark.parametrize("op", [autograd.max, autograd.min], ids=IDS)
def test_the_drawing_names_the_op(op):
    assert f"label={op.__name__} " in autograd.to_dot(op([Value(1.0), Value(2.0)]))


def test_the_rule_is_the_same_on_floats_and_values():
    xs = (1.0, 4.0, 4.0)
    on_values = autograd.RULES["max"](tuple(map(Value, xs)), Value(4.0))
    assert list(on_values) == list(autograd.RULES["max"](xs, 4.0)) == [0.0, 0.5, 0.5]
