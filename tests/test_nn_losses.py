"""nn.losses: each loss equals its closed form, has finite-difference gradients, stays finite."""

from __future__ import annotations

import math

import pytest

import nn
from autograd import Value
from autograd.gradcheck import gradcheck
from tests.strategies import assert_close, assert_grads_match


def _sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


# ---- closed forms on small cases ----


def test_mse_is_the_squared_error():
    assert nn.mse(Value(3.0), 1.0).data == 4.0
    assert nn.mse([Value(1.0), Value(-2.0)], [0.5, 1.0]).data == 0.25 + 9.0
    with pytest.raises(ValueError, match="2 outputs but 1 targets"):
        nn.mse([Value(1.0), Value(2.0)], [1.0])


@pytest.mark.parametrize("p, t", [(0.8, 1.0), (0.8, 0.0), (0.3, 0.25), (0.5, 1.0)])
def test_binary_cross_entropy_closed_form(p, t):
    assert_close(nn.binary_cross_entropy(Value(p), t).data,
                 -t * math.log(p) - (1 - t) * math.log(1 - p), rel=1e-12)


def test_binary_cross_entropy_clamps_the_log_at_minus_100_and_checks_its_domain():
    assert nn.binary_cross_entropy(Value(0.0), 1.0).data == 100.0
    assert nn.binary_cross_entropy(Value(1.0), 0.0).data == 100.0
    assert nn.binary_cross_entropy(Value(1.0), 1.0).data == 0.0
    for p, t in [(1.5, 1.0), (-0.1, 0.0), (0.5, 2.0)]:
        with pytest.raises(ValueError, match="must be in"):
            nn.binary_cross_entropy(Value(p), t)


@pytest.mark.parametrize("z, t", [(0.0, 1.0), (2.0, 1.0), (-3.0, 1.0), (1.5, 0.0), (0.7, 0.3)])
def test_bce_with_logits_is_bce_of_the_sigmoid(z, t):
    s = _sigmoid(z)
    assert_close(nn.bce_with_logits(Value(z), t).data,
                 -t * math.log(s) - (1 - t) * math.log(1 - s), rel=1e-12)


@pytest.mark.parametrize("z, t, expected", [(1000.0, 0.0, 1000.0), (-1000.0, 1.0, 1000.0),
                                            (1000.0, 1.0, 0.0), (-1000.0, 0.0, 0.0),
                                            (40.0, 0.0, 40.0 + math.exp(-40.0))])
def test_bce_with_logits_is_stable_at_large_logits(z, t, expected):
    v = Value(z)
    loss = nn.bce_with_logits(v, t)
    loss.backward()
    assert_close(loss.data, expected, rel=1e-15)
    assert_close(v.grad, _sigmoid(z) - t, abs_=1e-15)  # d/dz = sigmoid(z) - t


def test_cross_entropy_and_nll_closed_forms():
    zs = [1.0, 2.0, 0.5]
    lse = math.log(sum(math.exp(z) for z in zs))
    for target in range(3):
        assert_close(nn.cross_entropy([Value(z) for z in zs], target).data,
                     lse - zs[target], rel=1e-12)
        assert_close(nn.nll(nn.log_softmax(zs), target).data, lse - zs[target], rel=1e-12)
    assert nn.nll([Value(-0.5), Value(-2.0)], 1).data == 2.0


def test_cross_entropy_is_finite_at_logits_of_1000():
    assert nn.cross_entropy([Value(1000.0), Value(-1000.0)], 0).data == 0.0
    assert nn.cross_entropy([Value(1000.0), Value(-1000.0)], 1).data == 2000.0
    with pytest.raises(ValueError, match="class index"):
        nn.cross_entropy([Value(1.0), Value(2.0)], 2)
    with pytest.raises(ValueError, match="class index"):
        nn.nll([Value(1.0)], True)


@pytest.mark.parametrize("s, y, expected", [(0.25, 1, 0.75), (2.0, 1, 0.0), (0.25, -1, 1.25),
                                            (-3.0, -1, 0.0), (-0.5, 1, 1.5)])
def test_hinge_is_max_zero_one_minus_margin(s, y, expected):
    assert nn.hinge(Value(s), y).data == expected


def test_hinge_needs_signed_labels():
    with pytest.raises(ValueError, match="-1 or \\+1"):
        nn.hinge(Value(1.0), 0)


def test_penalties_and_mean():
    ps = [Value(1.5), Value(-2.0), Value(0.5)]
    assert nn.l1(ps).data == 4.0
    assert nn.l2(ps).data == 2.25 + 4.0 + 0.25  # sum w^2, no 1/2
    assert nn.mean([Value(1.0), 2.0, Value(6.0)]).data == 3.0
    with pytest.raises(ValueError, match="empty"):
        nn.mean([])


def test_penalties_and_mean_are_single_nodes():
    ps = [Value(float(i)) for i in range(100)]
    assert nn.l2(ps).op == "dot" and nn.l1(ps).op == "sum"
    mean = nn.mean(ps)
    assert mean.parents[0].op == "sum" and len(mean.parents[0].parents) == 100


# ---- gradients against finite differences ----

CASES = {
    "mse": (lambda v: nn.mse(v, [0.3, -1.0]), [0.7, 0.2]),
    "binary_cross_entropy": (lambda v: nn.binary_cross_entropy(v[0].sigmoid(), 0.25), [0.4]),
    "bce_with_logits": (lambda v: nn.bce_with_logits(v[0], 1.0), [-1.3]),
    "cross_entropy": (lambda v: nn.cross_entropy(v, 2), [0.5, -1.0, 2.0]),
    "nll": (lambda v: nn.nll(nn.log_softmax(v), 0), [0.5, -1.0, 2.0]),
    "hinge": (lambda v: nn.hinge(v[0] * v[1], -1), [0.4, 0.9]),
    "l1": (lambda v: nn.l1(v), [0.4, -0.9, 1.5]),
    "l2": (lambda v: nn.l2(v), [0.4, -0.9, 1.5]),
    "mean": (lambda v: nn.mean(x * x for x in v), [0.4, -0.9, 1.5]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_gradients_pass_gradcheck(name):
    loss, inputs = CASES[name]
    result = gradcheck(lambda *vs: loss(list(vs)), inputs, rtol=1e-6, atol=1e-9)
    assert result and all(row.status == "ok" for row in result.rows)


def test_binary_cross_entropy_gradient_closed_form():
    p = Value(0.3)
    nn.binary_cross_entropy(p, 1.0).backward()
    assert_close(p.grad, -1 / 0.3)


def test_batch_loss_of_a_model_matches_finite_differences():
    model = nn.MLP(2, [4, 1], activation="tanh", seed=2)
    X, y = [[0.5, 1.0], [-1.0, 0.3], [0.2, -0.7]], [1, -1, 1]
    params = model.parameters()

    def batch_loss():
        data = nn.mean(nn.hinge(model(x), t) for x, t in zip(X, y, strict=True))
        return data + 1e-2 * nn.l2(params)

    assert_grads_match(batch_loss, params)


def test_class_index_may_be_any_integer_type_but_not_a_float_or_bool():
    import numpy as np

    # -log softmax([1, 2])_1 = log(1 + e^-1)
    assert_close(nn.cross_entropy([1.0, 2.0], np.int64(1)).data, math.log1p(math.exp(-1.0)))
    for bad in (1.0, True, "1"):
        with pytest.raises(ValueError, match="class index"):
            nn.cross_entropy([1.0, 2.0], bad)


def test_logsumexp_of_an_infinite_logit_is_infinite_not_nan():
    assert nn.logsumexp([math.inf, 0.0]).data == math.inf
    assert nn.logsumexp([-math.inf, 0.0]).data == 0.0  # log(0 + e^0)
    assert nn.softmax([-math.inf, 0.0])[1].data == 1.0


def test_hinge_takes_a_value_label_so_jit_can_trace_it():
    from autograd.compile import jit

    score, y = Value(0.25), Value(-1.0)
    loss = nn.hinge(score, y)
    loss.backward()
    assert (loss.data, score.grad, y.grad) == (1.25, 1.0, -0.25)  # d/ds = -y, d/dy = -s
    cf = jit(lambda s, t: nn.hinge(s, t))
    assert cf.value_and_grad(0.25, 1.0) == (0.75, (-1.0, -0.25))
    with pytest.raises(ValueError, match="-1 or \\+1"):
        nn.hinge(score, Value(0.5))
