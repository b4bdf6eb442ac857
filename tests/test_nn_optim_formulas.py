"""SGD and Adam step by step against their updates written out here, over many steps, with
weight decay, tiny and huge gradients; tied parameters are stepped once."""

from __future__ import annotations

import math

import pytest

import nn
from autograd import Value
from tests.strategies import optimizer_steps

# gradients that change sign and scale: tiny (eps matters in Adam), ordinary, huge
GRADIENTS = {
    "tiny": [1e-6 * (-1) ** (k // 3) * (1 + 0.1 * k) for k in range(40)],
    "ordinary": [math.sin(1.3 * k) + 0.25 for k in range(40)],
    "huge": [1e8 * math.cos(0.7 * k) for k in range(40)],
}


def _steps(opt_factory, grads, w0=0.75):
    """The parameter after each step, feeding the given gradients one by one."""
    return optimizer_steps(opt_factory, grads, w0)


def _adam_by_hand(grads, w, lr, b1, b2, eps, wd):
    m = v = 0.0
    out = []
    for t, g in enumerate(grads, start=1):
        g = g + wd * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        w = w - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(w)
    return out


def _sgd_by_hand(grads, w, lr, beta, nesterov, wd):
    m = 0.0
    out = []
    for g in grads:
        g = g + wd * w
        m = beta * m + g
        step = (g + beta * m if nesterov else m) if beta else g
        w = w - lr * step
        out.append(w)
    return out


@pytest.mark.parametrize("kind", GRADIENTS)
@pytest.mark.parametrize("wd", [0.0, 0.05])
@pytest.mark.parametrize("eps", [1e-8, 1e-3])
def test_adam_matches_the_written_out_update_over_many_steps(kind, wd, eps):
    grads = GRADIENTS[kind]
    got = _steps(lambda ps: nn.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=eps,
                                    weight_decay=wd), grads)
    want = _adam_by_hand(grads, 0.75, 0.01, 0.8, 0.99, eps, wd)
    assert got == pytest.approx(want, rel=1e-13, abs=0)


def test_adam_eps_is_outside_the_square_root():
    # g = 1e-6: m^ = g, v^ = g^2, so the first step is lr g / (g + eps) = 0.01 * 0.990...
    # (eps inside the root would give lr g / sqrt(g^2 + eps) = 0.01 * 0.00999...)
    [w] = _steps(lambda ps: nn.Adam(ps, lr=0.01), [1e-6], w0=0.0)
    assert w == pytest.approx(-0.01 * 1e-6 / (1e-6 + 1e-8), rel=1e-14)


def test_adam_weight_decay_pulls_towards_zero():
    [w] = _steps(lambda ps: nn.Adam(ps, lr=0.1, weight_decay=0.5), [0.0], w0=2.0)
    assert w == pytest.approx(2.0 - 0.1 * 1.0 / (1.0 + 1e-8), rel=1e-14)  # g = 0.5 * 2


@pytest.mark.parametrize("kind", GRADIENTS)
@pytest.mark.parametrize(("beta", "nesterov"), [(0.0, False), (0.9, False), (0.9, True),
                                                (0.5, True)])
@pytest.mark.parametrize("wd", [0.0, 0.01])
def test_sgd_matches_the_written_out_update_over_many_steps(kind, beta, nesterov, wd):
    grads = GRADIENTS[kind]
    got = _steps(lambda ps: nn.SGD(ps, lr=0.05, momentum=beta, nesterov=nesterov,
                                   weight_decay=wd), grads)
    want = _sgd_by_hand(grads, 0.75, 0.05, beta, nesterov, wd)
    assert got == pytest.approx(want, rel=1e-13, abs=1e-300)


@pytest.mark.parametrize("make", [lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: nn.Adam(ps, lr=0.1)])
def test_a_parameter_listed_three_times_is_stepped_once(make):
    tied, other = Value(1.0), Value(2.0)
    opt = make([tied, other, tied, tied])
    ref_tied, ref_other = Value(1.0), Value(2.0)
    ref = make([ref_tied, ref_other])
    for g in (0.5, -1.5, 2.0):
        tied.grad = ref_tied.grad = g
        other.grad = ref_other.grad = -g
        opt.step()
        ref.step()
    assert (tied.data, other.data) == (ref_tied.data, ref_other.data)


class _Tied(nn.Module):
    """One weight used by two layers, and listed three times among the attributes."""

    def __init__(self) -> None:
        self.w = Value(0.5)
        self.layers = [self.w, self.w]
        self.extra = {"again": self.w}

    def __call__(self, x):
        return x * self.layers[0] * self.layers[1]


def test_a_shared_parameter_of_a_model_is_listed_and_stepped_once():
    model = _Tied()
    assert model.parameters() == [model.w]
    opt = nn.SGD([*model.parameters(), model.w], lr=0.1)
    model(Value(2.0)).backward()  # 2 w^2: d/dw = 4 w = 2
    opt.step()
    assert model.w.data == pytest.approx(0.5 - 0.1 * 2.0, rel=1e-15)
