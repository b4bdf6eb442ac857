"""Numerics to the last ulp: each case against an exact reference (a closed form, or mpmath at
50 digits), in eager mode, with ``create_graph=True`` and in the compiled mode (``jit``)."""

from __future__ import annotations

import math
from collections.abc import Callable

import mpmath
import pytest

import autograd
import nn
from autograd import Value, grad, hessian, jit

mpmath.mp.dps = 50
ULP1 = 2.0**-52  # one ulp at 1


def eager(f: Callable[..., Value], args: list[float]) -> tuple[float, list[float]]:
    xs = [Value(a) for a in args]
    out = f(*xs)
    out.backward()
    return out.data, [x.grad for x in xs]


def create_graph(f: Callable[..., Value], args: list[float]) -> tuple[float, list[float]]:
    xs = [Value(a) for a in args]
    out = f(*xs)
    out.backward(create_graph=True)
    return out.data, [x.grad.data if isinstance(x.grad, Value) else x.grad for x in xs]


def compiled(f: Callable[..., Value], args: list[float]) -> tuple[float, list[float]]:
    value, grads = jit(f).value_and_grad(*args)
    return value, list(grads)


MODES = {"eager": eager, "create_graph": create_graph, "compiled": compiled}


def close(got: float, want: object, rel: float = 4 * ULP1, abs_: float = 0.0) -> bool:
    """|got - want| <= rel |want| + abs_, want exact (an mpmath number or a float)."""
    return abs(mpmath.mpf(got) - want) <= rel * abs(want) + abs_


def check(mode: str, f: Callable[..., Value], args: list[float], value: object,
          grads: list[object], rel: float = 4 * ULP1, abs_: float = 0.0) -> None:
    got_value, got_grads = MODES[mode](f, args)
    assert close(got_value, value, rel, abs_), (got_value, value)
    for g, want in zip(got_grads, grads, strict=True):
        assert close(g, want, rel, abs_), (got_grads, grads)


def mp_softmax(zs: list[float]) -> list[mpmath.mpf]:
    es = [mpmath.exp(mpmath.mpf(z) - max(zs)) for z in zs]
    return [e / mpmath.fsum(es) for e in es]


# ---- softmax, log_softmax, cross_entropy: the error does not grow with the logits ----

@pytest.mark.parametrize("zs", [[1e16, 1e16, 0.0], [1e300, 1e300, -1e300], [1e15, 1e15]])
def test_softmax_of_tied_large_logits_is_exactly_one_half_each(zs):
    assert [p.data for p in nn.softmax(zs)] == [0.5, 0.5, 0.0][: len(zs)]
    assert [p.data for p in nn.log_softmax(zs)][:2] == [-math.log(2)] * 2


@pytest.mark.parametrize("mode", MODES)
def test_cross_entropy_of_tied_large_logits_is_log_2(mode):
    f = lambda a, b: nn.cross_entropy([a, b], 0)
    check(mode, f, [1e15, 1e15], mpmath.log(2), [-0.5, 0.5])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("zs", [[12.5, 11.0, -3.0], [1000.25, 999.0, 1001.5],
                                [-700.5, -702.0, -699.75], [1e6 + 0.5, 1e6, 1e6 - 7.0]])
def test_cross_entropy_and_its_gradient_agree_with_mpmath_at_large_logits(mode, zs):
    target = 1
    p = mp_softmax(zs)
    loss = -mpmath.log(p[target])
    grads = [p[i] - (i == target) for i in range(len(zs))]
    # the loss to 4 ulps; each gradient to 2 ulps of 1 (as PyTorch: 2e-16, any logit size)
    check(mode, lambda *z: nn.cross_entropy(list(z), target), zs, loss, grads,
          rel=4 * ULP1, abs_=2 * ULP1)


@pytest.mark.parametrize("mode", MODES)
def test_softmax_gradient_agrees_with_mpmath_at_logits_of_1e5(mode):
    zs, ws = [1e5 + 0.25, 1e5, 1e5 - 1.5], [0.5, -2.0, 1.5]
    p = mp_softmax(zs)
    value = mpmath.fsum(w * q for w, q in zip(ws, p, strict=True))
    grads = [p[i] * (ws[i] - value) for i in range(3)]  # d/dz_i sum_k w_k p_k
    f = lambda *z: sum(w * q for w, q in zip(ws, nn.softmax(list(z)), strict=True))
    check(mode, f, zs, value, grads, rel=8 * ULP1, abs_=4 * ULP1)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("target", [0, 2])
def test_the_max_adds_at_most_rounding_to_the_gradient(mode, target):
    # the gradient is p_i - [i = t], p_i = e^{s_i - lse}, s = z - max z; the max's share,
    # -(sum of those), is 0 but for rounding: within an ulp of 1 of the closed form in floats
    zs = [0.3, -1.2, 2.5, 0.05]
    s = [z - 2.5 for z in zs]
    lse = math.log(math.fsum(map(math.exp, s)))
    p = [math.exp(x - lse) for x in s]
    grads = MODES[mode](lambda *z: nn.cross_entropy(list(z), target), zs)[1]
    for g, q, i in zip(grads, p, range(4), strict=True):
        assert abs(g - (q - (i == target))) <= ULP1


@pytest.mark.parametrize("temperature", [0.5, 2.0, 1.0])
def test_logsumexp_divides_by_the_temperature(temperature):
    zs = [1.0, 2.0, -0.5]
    want = mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(z) / temperature) for z in zs))
    assert close(nn.logsumexp(zs, temperature).data, want)


def test_softmax_stays_exact_when_replayed_far_from_the_traced_point():
    f = jit(lambda a, b: nn.log_softmax([a, b])[0])
    assert f(0.0, 1.0) == pytest.approx(-math.log1p(math.e))  # the trace
    assert f(1e16, 1e16) == -math.log(2)  # the max is a node: replayed, not baked in


# ---- elu: alpha e^x for x <= 0, not out + alpha (which cancels) ----

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("x", [-20.0, -40.0, -700.0, -1.5])
def test_elu_derivative_is_alpha_e_to_the_x_in_the_far_left_tail(mode, x):
    alpha = 1.5
    check(mode, lambda v: v.elu(alpha), [x], alpha * mpmath.expm1(x), [alpha * mpmath.exp(x)],
          rel=2 * ULP1)


@pytest.mark.parametrize("x", [-20.0, -40.0, -1.5])
def test_elu_second_derivative_is_alpha_e_to_the_x(x):
    assert close(grad(grad(lambda v: v.elu(2.0)))(x), 2 * mpmath.exp(x), 2 * ULP1)


def test_elu_derivative_does_not_overflow_for_large_positive_x():
    assert grad(lambda v: v.elu())(1000.0) == 1.0
    assert grad(grad(lambda v: v.elu()))(1000.0) == 0.0
    assert jit(lambda v: v.elu()).grad(1000.0) == [1.0]


# ---- binary cross-entropy: log1p(-p), and exact in both tails of the logit ----

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("p", [1e-13, 1e-20, 0.25, 1 - 2.0**-40])
def test_bce_with_target_0_is_minus_log1p_of_minus_p(mode, p):
    loss, dp = -mpmath.log1p(-mpmath.mpf(p)), 1 / (1 - mpmath.mpf(p))
    check(mode, lambda v: nn.binary_cross_entropy(v, 0.0), [p], loss, [dp])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("z", "t"), [(20.0, 1.0), (40.0, 1.0), (-40.0, 0.0), (-20.0, 0.0),
                                      (700.0, 1.0), (3.0, 0.25), (-38.0, 0.75), (0.0, 0.5)])
def test_bce_with_logits_is_exact_in_both_tails(mode, z, t):
    zm = mpmath.mpf(z)
    loss = t * mpmath.log1p(mpmath.exp(-zm)) + (1 - t) * mpmath.log1p(mpmath.exp(zm))
    dz = (1 - t) / (1 + mpmath.exp(-zm)) - t / (1 + mpmath.exp(zm))  # sigmoid(z) - t
    check(mode, lambda v: nn.bce_with_logits(v, t), [z], loss, [dz], abs_=ULP1 * (0 < t < 1))


@pytest.mark.parametrize("mode", MODES)
def test_value_targets_are_traced_inputs(mode):
    z, t = 3.0, 0.25
    zm = mpmath.mpf(z)
    loss = t * mpmath.log1p(mpmath.exp(-zm)) + (1 - t) * mpmath.log1p(mpmath.exp(zm))
    dz, dt = 1 / (1 + mpmath.exp(-zm)) - t, -zm
    check(mode, nn.bce_with_logits, [z, t], loss, [dz, dt], abs_=2 * ULP1)
    p = 0.125
    loss = -(t * mpmath.log(p) + (1 - t) * mpmath.log1p(-p))
    dp, dt = -t / p + (1 - t) / (1 - p), -mpmath.log(p) + mpmath.log1p(-p)
    check(mode, nn.binary_cross_entropy, [p, t], loss, [dp, dt])


def test_value_targets_follow_the_input_under_jit():
    f = jit(nn.bce_with_logits)
    assert f(2.0, 1.0) == nn.bce_with_logits(2.0, 1.0).data
    assert f(2.0, 0.0) == nn.bce_with_logits(2.0, 0.0).data  # not the traced target
    assert f(2.0, 0.0) != f(2.0, 1.0)


def test_value_targets_outside_0_1_are_rejected():
    with pytest.raises(ValueError, match="target"):
        nn.bce_with_logits(1.0, Value(1.5))
    with pytest.raises(ValueError, match="target"):
        nn.binary_cross_entropy(0.5, Value(-0.5))


def test_bce_clamps_log_p_at_minus_100_for_tiny_p():
    assert nn.binary_cross_entropy(1e-50, 1.0).data == 100.0  # log 1e-50 = -115: clamped
    assert close(nn.binary_cross_entropy(1e-40, 1.0).data, -mpmath.log(mpmath.mpf(1e-40)))
    p = Value(1e-50)
    nn.binary_cross_entropy(p, 1.0).backward()
    assert p.grad == 0.0  # a constant: no gradient there
    q = Value(1 - 1e-50)  # rounds to 1.0: log(1 - p) clamped too
    assert nn.binary_cross_entropy(q, 0.0).data == 100.0


# ---- log' at subnormal x: g / x, not g * (1 / x) ----

@pytest.mark.parametrize("mode", MODES)
def test_log_derivative_at_a_subnormal_divides(mode):
    x = 5e-324
    check(mode, lambda v: v.log() * 1e-300, [x], 1e-300 * mpmath.log(x),
          [mpmath.mpf(1e-300) / mpmath.mpf(x)])
    check(mode, lambda v: v.log().tanh(), [x], mpmath.tanh(mpmath.log(x)), [0.0])


def test_log_derivative_at_a_subnormal_stays_finite_in_second_derivatives():
    a, b = mpmath.mpf(5e-324), mpmath.mpf(0.5)
    h = hessian(lambda x, y: x**y)(5e-324, 0.5)
    cross = a ** (b - 1) * (1 + b * mpmath.log(a))  # d2/da db a^b, both orders
    assert close(h[0][1], cross, 8 * ULP1) and close(h[1][0], cross, 8 * ULP1)
    assert close(h[1][1], a**b * mpmath.log(a) ** 2, 8 * ULP1)
    assert h[0][0] == -math.inf  # -b (1 - b) a^(b - 2) = -0.25 * 5e-324^-1.5 overflows


def test_log1p_matches_mpmath_and_its_domain():
    for x in (1e-300, -0.5, 3.0, -1 + 2.0**-30):
        assert close(Value(x).log1p().data, mpmath.log1p(x), ULP1)
        assert close(grad(lambda v: v.log1p())(x), 1 / (1 + mpmath.mpf(x)), ULP1)
        assert close(grad(grad(lambda v: v.log1p()))(x), -1 / (1 + mpmath.mpf(x)) ** 2, 2 * ULP1)
    with pytest.raises(ValueError, match="log1p"):
        Value(-1.0).log1p()


# ---- pow's second derivatives ----

@pytest.mark.parametrize("x", [1e-300, 5e-324, 0.0, 2.0, math.nan])
def test_x_to_the_zero_has_zero_derivatives_everywhere(x):
    assert grad(lambda v: v**0.0)(x) == 0.0
    assert grad(grad(lambda v: v**0.0))(x) == 0.0
    assert jit(lambda v: v**0.0).grad(x) == [0.0]


@pytest.mark.parametrize("mode", MODES)
def test_pow_derivative_in_the_base_is_zero_at_exponent_zero_even_at_nan(mode):
    value, (da, db) = MODES[mode](lambda a, b: a**b, [math.nan, 0.0])
    assert value == 1.0 and da == 0.0 and math.isnan(db)  # nan ** 0 = 1; d/db = a^b ln a


@pytest.mark.parametrize("mode", ["eager", "compiled"])  # create_graph: no graph at a pole
@pytest.mark.parametrize(("x", "slope"), [(-1e-103, math.inf), (1e-103, -math.inf)])
def test_pow_derivative_past_overflow_has_the_sign_of_odd_powers(mode, x, slope):
    # d/dx x^-2 = -2 x^-3: x^-2 = 1e206 is finite, x^-3 overflows, to -inf for x < 0
    assert MODES[mode](lambda v: v**-2.0, [x])[1] == [slope]


def test_pow_partials_that_are_nan_have_nan_derivatives():
    h = hessian(lambda a, b: a**b)(-2.0, 2.0)  # d/db a^b = a^b ln a: undefined for a < 0
    assert h[0][0] == 2.0
    assert all(math.isnan(v) for v in (h[0][1], h[1][0], h[1][1]))


@pytest.mark.parametrize("mode", MODES)
def test_pow_derivative_in_the_exponent_is_zero_at_a_zero_base(mode):
    check(mode, lambda a, b: a**b, [0.0, 2.5], 0.0, [0.0, 0.0])
    check(mode, lambda a, b: a**b, [0.0, 1.0], 0.0, [1.0, 0.0])


# ---- the conventions (docs/conventions.md) ----

@pytest.mark.parametrize("mode", MODES)
def test_relu_derivative_at_nan_is_1_as_pytorch(mode):
    value, (d,) = MODES[mode](lambda v: v.relu(), [math.nan])
    assert math.isnan(value) and d == 1.0
    assert MODES[mode](lambda v: v.relu(), [0.0])[1] == [0.0]


@pytest.mark.parametrize("mode", ["eager", "compiled"])
def test_relu_of_minus_zero_is_plus_zero(mode):
    value, _ = MODES[mode](lambda v: v.relu() * 1.0, [-0.0])
    assert math.copysign(1.0, value) == 1.0  # 0.0 for x <= 0: -0.0 gives +0.0


@pytest.mark.parametrize("mode", MODES)
def test_kink_conventions_at_zero_in_every_mode(mode):
    for f, slope in [(lambda v: v.relu(), 0.0), (lambda v: v.leaky_relu(0.25), 0.25),
                     (abs, 0.0), (lambda v: v.elu(2.0), 2.0)]:
        assert MODES[mode](f, [0.0])[1] == [slope]


@pytest.mark.parametrize("mode", MODES)
def test_a_dead_unit_with_an_infinite_input_still_sends_nan(mode):
    # relu(w . x + b) at x_0 = -inf: relu' = 0, d/dw_0 = x_0 = -inf, and 0 * inf is NaN (IEEE)
    f = lambda w0, w1, x0, x1: autograd.dot([w0, w1], [x0, x1], -1.0).relu() * 3.0
    grads = MODES[mode](f, [1.0, -2.0, -math.inf, 1.5])[1]
    assert math.isnan(grads[0]) and grads[1] == 0.0


def test_elu_second_derivative_at_0_is_0_as_pytorch():
    assert grad(lambda v: v.elu(2.0))(0.0) == 2.0  # elu'(0) = alpha
    assert grad(grad(lambda v: v.elu(2.0)))(0.0) == 0.0
    assert grad(grad(lambda v: v.elu(2.0)))(-1e-300) == 2.0


@pytest.mark.parametrize("mode", ["eager", "compiled"])  # create_graph: no graph at a pole
def test_sqrt_and_half_power_agree_at_minus_zero(mode):
    for f in (lambda v: v.sqrt(), lambda v: v**0.5):
        assert MODES[mode](f, [-0.0])[1] == [math.inf]
        assert MODES[mode](f, [0.0])[1] == [math.inf]
