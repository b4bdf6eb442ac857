"""nn.functional: softmax, log_softmax, logsumexp: normalized, shift-invariant, stable, tempered."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from nn import log_softmax, logsumexp, softmax
from tests.strategies import assert_close, assert_grads_match, floats

logit_lists = st.lists(floats(-50, 50), min_size=1, max_size=6)


def _reference_softmax(zs, t=1.0):
    exps = [math.exp(z / t) for z in zs]
    return [e / sum(exps) for e in exps]


@given(logit_lists)
def test_softmax_sums_to_one_and_matches_the_definition(zs):
    probs = [p.data for p in softmax(zs)]
    assert_close(math.fsum(probs), 1.0, rel=1e-12)
    for p, ref in zip(probs, _reference_softmax(zs), strict=True):
        assert_close(p, ref, rel=1e-9, abs_=1e-15)


@given(logit_lists, floats(-1000, 1000))
def test_softmax_is_invariant_to_adding_a_constant(zs, c):
    shifted = [p.data for p in softmax([z + c for z in zs])]
    for p, q in zip(softmax(zs), shifted, strict=True):
        assert_close(p.data, q, rel=1e-6, abs_=1e-9)


def test_softmax_goes_uniform_as_temperature_grows_and_one_hot_as_it_shrinks():
    zs = [2.0, -1.0, 0.5, 3.0]
    spreads = [max(p.data for p in softmax(zs, t)) - 0.25 for t in (1, 10, 100, 1e6)]
    assert spreads == sorted(spreads, reverse=True) and spreads[-1] < 1e-6
    assert [round(p.data, 12) for p in softmax(zs, 1e-3)] == [0.0, 0.0, 0.0, 1.0]
    for p, ref in zip(softmax(zs, 2.5), _reference_softmax(zs, 2.5), strict=True):
        assert_close(p.data, ref, rel=1e-12)


@pytest.mark.parametrize("zs", [[1000.0, -1000.0], [1000.0, 1000.0, 999.0], [-1000.0, -999.0]])
def test_no_nan_or_overflow_at_logits_of_1000(zs):
    probs = [p.data for p in softmax(zs)]
    logs = [p.data for p in log_softmax(zs)]
    assert all(math.isfinite(x) for x in probs + logs)
    assert_close(sum(probs), 1.0)
    m = max(zs)
    ref = [z - m - math.log(sum(math.exp(w - m) for w in zs)) for z in zs]
    for got, want in zip(logs, ref, strict=True):
        assert_close(got, want, rel=1e-12)
    assert_close(logsumexp(zs).data, m + math.log(sum(math.exp(w - m) for w in zs)), rel=1e-15)


def test_a_tiny_temperature_gives_one_hot_not_nan():
    # 1 / 1e-310 overflows to inf, and 0 * inf is NaN: the logits must be divided by T
    assert [p.data for p in softmax([1.0, 2.0, 2.0 - 1e-9], 1e-310)] == [0.0, 1.0, 0.0]
    assert log_softmax([1.0, 2.0], 1e-310)[1].data == 0.0


def test_logsumexp_reads_its_logits_once():
    assert_close(logsumexp(iter([1.0, 2.0])).data, math.log(math.e + math.e**2), rel=1e-15)


def test_log_softmax_is_finite_where_softmax_underflows():
    assert softmax([0.0, -800.0])[1].data == 0.0
    assert log_softmax([0.0, -800.0])[1].data == -800.0


@given(logit_lists)
def test_log_softmax_is_log_of_softmax(zs):
    for lp, p in zip(log_softmax(zs), softmax(zs), strict=True):
        if p.data > 1e-300:
            assert_close(lp.data, math.log(p.data), rel=1e-9, abs_=1e-12)


@pytest.mark.parametrize("fn", [softmax, log_softmax])
@pytest.mark.parametrize("temperature", [1.0, 0.5, 3.0])
def test_gradients_match_finite_differences(fn, temperature):
    zs = [Value(0.3), Value(-1.2), Value(2.0)]
    weights = [0.5, -2.0, 1.5]  # a scalar function of every output
    assert_grads_match(
        lambda: sum(w * p for w, p in zip(weights, fn(zs, temperature), strict=True)), zs
    )


def test_logsumexp_gradient_is_softmax():
    zs = [Value(1000.0), Value(998.0), Value(-5.0)]
    logsumexp(zs).backward()
    for z, p in zip(zs, _reference_softmax([0.0, -2.0, -1005.0]), strict=True):
        assert_close(z.grad, p, rel=1e-12, abs_=1e-300)


def test_bad_arguments():
    with pytest.raises(ValueError, match="temperature"):
        softmax([1.0], temperature=0.0)
    with pytest.raises(ValueError, match="empty"):
        softmax([])
