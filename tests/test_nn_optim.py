"""nn.optim: each optimizer's steps equal updates computed by hand; schedules; zero_grad."""

from __future__ import annotations

import math

import pytest

import nn
from autograd import Value
from tests.strategies import assert_close, optimizer_steps

_run = optimizer_steps


def _assert_all_close(got, want, rel=1e-12):
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        assert_close(a, b, rel=rel)


def test_plain_sgd_steps_against_the_gradient():
    # w = 1 - 0.1 * 0.5 = 0.95; then 0.95 - 0.1 * (-2) = 1.15
    _assert_all_close(_run(lambda ps: nn.SGD(ps, lr=0.1), [0.5, -2.0]), [0.95, 1.15])


def test_momentum_by_hand():
    # M1 = 1;              w1 = 1 - 0.1 * 1 = 0.9
    # M2 = 0.9 + 0.5 = 1.4; w2 = 0.9 - 0.14 = 0.76
    # M3 = 1.26 - 1 = 0.26; w3 = 0.76 - 0.026 = 0.734
    got = _run(lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9), [1.0, 0.5, -1.0])
    _assert_all_close(got, [0.9, 0.76, 0.734])


def test_nesterov_by_hand():
    # PyTorch's form: M_k = beta M_{k-1} + g;  w -= lr (g + beta M_k)
    # M1 = 1;    w1 = 1 - 0.1 (1 + 0.9) = 0.81
    # M2 = 1.4;  w2 = 0.81 - 0.1 (0.5 + 1.26) = 0.634
    # M3 = 0.26; w3 = 0.634 - 0.1 (-1 + 0.234) = 0.7106
    got = _run(lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, nesterov=True), [1.0, 0.5, -1.0])
    _assert_all_close(got, [0.81, 0.634, 0.7106])


def test_nesterov_matches_the_slides_look_ahead_form():
    """The slides: N_k = beta N_{k-1} + f'(W - eta beta N_{k-1}); W -= eta N_k.

    We store the look-ahead point U = W - eta beta N, so our parameter must equal it.
    """
    a, target, eta, beta = 3.0, 2.0, 0.05, 0.8
    grad = lambda w: a * (w - target)  # f(w) = a/2 (w - target)^2
    W, N = 5.0, 0.0
    p = Value(5.0)
    opt = nn.SGD([p], lr=eta, momentum=beta, nesterov=True)
    for _ in range(8):
        N = beta * N + grad(W - eta * beta * N)
        W -= eta * N
        opt.zero_grad()
        (0.5 * a * (p - target) ** 2).backward()
        opt.step()
        assert_close(p.data, W - eta * beta * N, rel=1e-12)


def test_weight_decay_adds_lambda_w_to_the_gradient():
    # g = 0.5 + 0.1 * 2 = 0.7: w1 = 2 - 0.07 = 1.93; g = 0 + 0.193: w2 = 1.93 - 0.0193
    got = _run(lambda ps: nn.SGD(ps, lr=0.1, weight_decay=0.1), [0.5, 0.0], w0=2.0)
    _assert_all_close(got, [1.93, 1.9107])


def test_adam_by_hand():
    # betas 0.9, 0.999; lr 0.1; eps 1e-8 outside the root; gradients 1, -0.5, 2
    # t=1: m = 0.1, v = 0.001; m^ = 0.1 / 0.1 = 1, v^ = 0.001 / 0.001 = 1
    w1 = 1.0 - 0.1 * 1.0 / (1.0 + 1e-8)
    # t=2: m = 0.09 - 0.05 = 0.04, v = 0.000999 + 0.00025 = 0.001249
    w2 = w1 - 0.1 * (0.04 / (1 - 0.9**2)) / (math.sqrt(0.001249 / (1 - 0.999**2)) + 1e-8)
    # t=3: m = 0.036 + 0.2 = 0.236, v = 0.001247751 + 0.004 = 0.005247751
    w3 = w2 - 0.1 * (0.236 / (1 - 0.9**3)) / (math.sqrt(0.005247751 / (1 - 0.999**3)) + 1e-8)
    got = _run(lambda ps: nn.Adam(ps, lr=0.1), [1.0, -0.5, 2.0])
    _assert_all_close(got, [w1, w2, w3], rel=1e-10)
    assert_close(w1, 0.9, rel=1e-7)  # the first step is lr * sign(g)


def test_adam_defaults_are_pytorchs():
    opt = nn.Adam([Value(0.0)])
    assert (opt.lr, opt.betas, opt.eps, opt.weight_decay) == (1e-3, (0.9, 0.999), 1e-8, 0.0)


def test_step_works_on_create_graph_grads_and_keeps_parameters_leaves():
    p = Value(2.0)
    (p * p).backward(create_graph=True)
    assert isinstance(p.grad, Value)
    opt = nn.SGD([p], lr=0.25)
    opt.step()
    assert p.data == 2.0 - 0.25 * 4.0 and p.op == "" and p.parents == ()
    opt.zero_grad()
    assert p.grad == 0.0


def test_optimizer_minimizes_a_quadratic():
    for opt_type, kwargs in [(nn.SGD, {"lr": 0.1, "momentum": 0.5}), (nn.Adam, {"lr": 0.1})]:
        w = Value(4.0)
        opt = opt_type([w], **kwargs)
        for _ in range(300):
            opt.zero_grad()
            ((w - 1.5) ** 2).backward()
            opt.step()
        assert_close(w.data, 1.5, abs_=1e-3)


def test_linear_schedule_reproduces_micrograds_learning_rate():
    opt = nn.SGD([Value(0.0)], lr=1.0)
    schedule = nn.LinearLR(opt, start=1.0, end=0.1, total=100)
    for k in range(120):
        assert_close(opt.lr, 1.0 - 0.9 * min(k, 100) / 100, rel=1e-12)
        schedule.step()


def test_step_schedule_multiplies_by_gamma_every_step_size():
    opt = nn.SGD([Value(0.0)], lr=0.8)
    schedule = nn.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(5):
        lrs.append(opt.lr)
        schedule.step()
    assert lrs == [0.8, 0.8, 0.4, 0.4, 0.2]


def test_bad_arguments():
    with pytest.raises(ValueError, match="empty"):
        nn.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        nn.SGD([Value(1.0)], lr=-1.0)
    with pytest.raises(ValueError, match="nesterov"):
        nn.SGD([Value(1.0)], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        nn.SGD([Value(1.0)], lr=0.1, momentum=-0.9)
    with pytest.raises(ValueError, match="weight_decay must be >= 0"):
        nn.Adam([Value(1.0)], weight_decay=-1e-4)
    for betas in [(0.9, 1.0), (-0.1, 0.999), (0.9,)]:
        with pytest.raises(ValueError, match="two betas"):
            nn.Adam([Value(1.0)], betas=betas)


@pytest.mark.parametrize("make", [lambda opt: nn.StepLR(opt, step_size=0),
                                  lambda opt: nn.LinearLR(opt, total=0)])
def test_schedules_reject_a_zero_number_of_steps_when_made(make):
    with pytest.raises(ValueError, match="positive int"):
        make(nn.SGD([Value(1.0)], lr=0.1))


@pytest.mark.parametrize("make, match", [
    (lambda ps: nn.Adam(ps, eps=0), "eps must be > 0"),
    (lambda ps: nn.Adam(ps, eps=float("nan")), "eps must be > 0"),
    (lambda ps: nn.Adam(ps, lr=float("inf")), "learning rate must be >= 0"),
    (lambda ps: nn.SGD(ps, lr=0.1, momentum=1.0), r"momentum must be in \[0, 1\)"),
    (lambda ps: nn.SGD(ps, lr=0.1, weight_decay=float("nan")), "weight_decay must be >= 0"),
    (lambda ps: nn.StepLR(nn.SGD(ps, lr=0.1), step_size=1, gamma=0), "gamma must be > 0"),
    (lambda ps: nn.StepLR(nn.SGD(ps, lr=0.1), step_size=1, gamma=-0.5), "gamma must be > 0"),
    (lambda ps: nn.LinearLR(nn.SGD(ps, lr=0.1), end=-0.1), "end must be >= 0"),
    (lambda ps: nn.LinearLR(nn.SGD(ps, lr=0.1), start=float("inf")), "start must be >= 0"),
])
def test_settings_are_checked_when_made(make, match):
    with pytest.raises(ValueError, match=match):
        make([Value(1.0)])


@pytest.mark.parametrize("make, match", [
    (lambda ps: nn.SGD(ps, lr="0.1"), "learning rate must be >= 0"),
    (lambda ps: nn.SGD(ps, lr=0.1, momentum=True), r"momentum must be in \[0, 1\)"),
    (lambda ps: nn.Adam(ps, eps="1e-8"), "eps must be > 0"),
    (lambda ps: nn.StepLR(nn.SGD(ps, lr=0.1), step_size=2.5), "step_size must be a positive"),
    (lambda ps: nn.LinearLR(nn.SGD(ps, lr=0.1), total="10"), "total must be a positive int"),
    (lambda ps: nn.SGD([*ps, 1.0], lr=0.1), "parameters must be Values .* float at position 1"),
    (lambda ps: nn.Adam(iter([ps, ps])), "must be Values .* list at position 0"),
])
def test_a_setting_that_is_no_number_is_a_type_error(make, match):
    with pytest.raises(TypeError, match=match):
        make([Value(1.0)])


@pytest.mark.parametrize("make", [lambda ps: nn.SGD(ps, lr=0.1), lambda ps: nn.Adam(ps)])
def test_a_string_gradient_is_refused_not_read_as_a_number(make):
    p = Value(1.0)
    p.grad = "0.5"
    with pytest.raises(TypeError, match="grad must be a number, got str"):
        make([p]).step()
    assert p.data == 1.0


@pytest.mark.parametrize("make", [lambda ps: nn.Adam(ps, lr=0.1),
                                  lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9)])
def test_a_failing_step_changes_nothing(make):
    ps = [Value(1.0), Value(2.0), Value(3.0)]
    opt = make(ps)
    for p in ps:
        p.grad = 0.5
    opt.step()  # some state to keep: moments, velocities, t
    state = {k: list(v) if isinstance(v, list) else v for k, v in vars(opt).items()}
    data = [p.data for p in ps]
    ps[2].grad = "not a number"  # the last parameter's gradient fails, after the others
    with pytest.raises((TypeError, ValueError)):
        opt.step()
    assert [p.data for p in ps] == data
    assert {k: list(v) if isinstance(v, list) else v for k, v in vars(opt).items()} == state


def test_a_failing_update_changes_nothing():
    class Fragile(nn.SGD):
        def update(self, i, w, g):
            if i == 2:
                raise ZeroDivisionError("planted")
            return super().update(i, w, g)

    ps = [Value(1.0), Value(2.0), Value(3.0)]
    opt = Fragile(ps, lr=0.1, momentum=0.5)
    for p in ps:
        p.grad = 1.0
    with pytest.raises(ZeroDivisionError):
        opt.step()
    assert [p.data for p in ps] == [1.0, 2.0, 3.0] and opt.velocity == [0.0, 0.0, 0.0]
