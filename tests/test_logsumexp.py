"""autograd.logsumexp: one n-ary node whose value is stable at any magnitude, whose
derivative is the softmax, and which compiled mode runs bit for bit as eager mode does."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value
from autograd.compile import jit
from tests.strategies import assert_close, assert_grads_match, central_difference, floats
from tests.test_compile import bits, eager_value_and_grad

INF, NAN = math.inf, math.nan
small_lists = st.lists(floats(-50, 50), min_size=1, max_size=6)


def softmax_closed_form(xs):
    """e^{x_i} / sum_j e^{x_j} = 1 / sum_j e^{x_j - x_i}: no overflow for finite x."""
    return [1.0 / math.fsum(math.exp(min(y - x, 709.0)) for y in xs) for x in xs]


def lse_grads(xs):
    leaves = [Value(x) for x in xs]
    out = autograd.logsumexp(leaves)
    out.backward()
    return out, [v.grad for v in leaves]


@given(small_lists)
def test_value_and_gradient_match_the_closed_forms(xs):
    out, grads = lse_grads(xs)
    assert out.op == "logsumexp" and len(out.parents) == len(xs)
    assert_close(out.data, math.log(math.fsum(math.exp(x) for x in xs)), rel=1e-13, abs_=1e-13)
    for g, p in zip(grads, softmax_closed_form(xs), strict=True):
        assert_close(g, p, rel=1e-12, abs_=1e-300)


@given(small_lists)
def test_gradient_matches_central_differences(xs):
    leaves = [Value(x) for x in xs]
    assert_grads_match(lambda: autograd.logsumexp(leaves), leaves)


@pytest.mark.parametrize(("xs", "value", "grads"), [
    ([1000.0, -1000.0], 1000.0, [1.0, 0.0]),
    ([1000.0, 1000.0], 1000.0 + math.log(2), [0.5, 0.5]),
    ([-1000.0, -999.0], -999.0 + math.log1p(math.exp(-1)), softmax_closed_form([-1.0, 0.0])),
    ([1e308, -1e308], 1e308, [1.0, 0.0]),
    ([-1e308, 0.0, -1e308], 0.0, [0.0, 1.0, 0.0]),
    ([1e308, 1e308 * 0.5], 1e308, [1.0, 0.0]),
    ([-INF, 0.0], 0.0, [0.0, 1.0]),
    ([-INF, -INF], -INF, [NAN, NAN]),  # all -inf: log 0, no error (the slope has no limit)
    ([INF, 1.0], INF, [NAN, 0.0]),  # as PyTorch: e^{inf - inf}
    ([INF, 1000.0, -INF], INF, [NAN, 0.0, 0.0]),  # e^1000 would overflow: never computed
    ([NAN, 1.0], NAN, [NAN, NAN]),
    ([1.0, NAN], NAN, [NAN, NAN]),  # max() skips a NaN after the first: still NaN
    ([INF, NAN], NAN, [NAN, NAN]),
    ([-INF, NAN], NAN, [NAN, NAN]),
    ([], -INF, []),  # log of an empty sum, as torch.logsumexp
])
def test_huge_infinite_and_nan_inputs(xs, value, grads):
    out, got = lse_grads(xs)
    assert bits(out.data) == bits(value)
    for g, want in zip(got, grads, strict=True):
        if math.isnan(want) or want in (0.0, 1.0):
            assert bits(g) == bits(want)
        else:
            assert_close(g, want, rel=1e-12)


@pytest.mark.parametrize("xs", [[1000.0, -1000.0, 999.5], [1e308, -1e308], [-1e308, 0.0, 5.0]])
def test_gradient_matches_central_differences_at_huge_magnitudes(xs):
    _, grads = lse_grads(xs)
    for i, x in enumerate(xs):
        def f(t, i=i):
            return autograd.logsumexp([t if j == i else y for j, y in enumerate(xs)]).data
        numeric = central_difference(f, x, eps=1e-6 * max(1.0, abs(x)))
        assert_close(grads[i], numeric, rel=1e-6, abs_=1e-9)


@pytest.mark.parametrize("xs", [[0.3, -1.2, 2.0], [1000.0, 999.0, -3.0], [-700.0, -701.5]])
def test_create_graph_second_derivatives_match_finite_differences(xs):
    """d^2 lse / dx_i dx_j = s_i (delta_ij - s_j), by backward through the backward pass,
    against central differences of the closed-form softmax."""
    leaves = [Value(x) for x in xs]
    autograd.logsumexp(leaves).backward(create_graph=True)
    first = [v.grad for v in leaves]
    s = softmax_closed_form(xs)
    for i, gi in enumerate(first):
        for v in leaves:
            v.grad = 0.0
        gi.backward()
        for j, v in enumerate(leaves):
            def si(t, i=i, j=j):
                return softmax_closed_form([t if k == j else y for k, y in enumerate(xs)])[i]
            assert_close(v.grad, central_difference(si, xs[j], 1e-5), rel=1e-5, abs_=1e-10)
            assert_close(v.grad, s[i] * ((i == j) - s[j]), rel=1e-9, abs_=1e-15)


def test_nn_functions_are_built_on_the_node_with_no_constant_from_data():
    zs = [Value(1.0), Value(0.0), Value(-2.0)]
    for out in [nn.cross_entropy(zs, 1), *nn.softmax(zs), *nn.log_softmax(zs)]:
        nodes = autograd.topological_order(out)
        assert any(v.op == "logsumexp" for v in nodes)
        leaves = [v for v in nodes if not v.parents and all(v is not z for z in zs)]
        assert [v.data for v in leaves] in ([], [-1.0])  # cross_entropy's minus: no max baked in


SPECIAL = [0.0, -0.0, 1.0, -3.5, 800.0, -800.0, 1e308, -1e308, INF, -INF, NAN]
FAR = st.one_of(st.sampled_from(SPECIAL), floats(-1000, 1000))
FUNCTIONS = {
    "logsumexp": lambda a, b, c: nn.logsumexp([a, b, c]),
    "cross_entropy": lambda a, b, c: nn.cross_entropy([a, b, c], 2),
    "softmax": lambda a, b, c: sum(w * p for w, p in zip((0.5, -2.0, 1.5), nn.softmax([a, b, c]),
                                                      strict=True)),
    "log_softmax": lambda a, b, c: nn.log_softmax([a, b, c], 2.5)[0] * 3.0,
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@given(rows=st.lists(st.lists(FAR, min_size=3, max_size=3), min_size=1, max_size=8))
def test_jit_matches_eager_bit_for_bit_far_from_the_traced_point(name, rows):
    f = FUNCTIONS[name]
    cf = jit(f)
    cf(1.0, 0.0, 0.5)  # the trace, near 0
    for row in [[0.0, 800.0, 1.0], [800.0, -800.0, 0.0], *rows]:
        value, grads = eager_value_and_grad(f, row)
        assert bits(cf(*row)) == bits(value)
        got_value, got_grads = cf.value_and_grad(*row)
        assert bits(got_value) == bits(value)
        assert list(map(bits, got_grads)) == list(map(bits, grads)), cf.program.source


def test_jit_of_cross_entropy_traced_at_1_0_runs_at_0_800():
    f = lambda a, b: nn.cross_entropy([a, b], 0)
    cf = jit(f, check=True)  # check: eager mode re-run on every call, any difference raises
    assert cf(1.0, 0.0) == f(Value(1.0), Value(0.0)).data
    value, grads = cf.value_and_grad(0.0, 800.0)
    assert value == 800.0 and grads == [-1.0, 1.0]
    assert "_logsumexp([" in cf.program.source
