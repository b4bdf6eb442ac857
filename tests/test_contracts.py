"""Documented behaviours that a plausible slip would break silently: each test here fails
when its bug is planted (see docs/tests.md, the mutation run)."""

from __future__ import annotations

import math
import os

import pytest

import autograd
import nn
from autograd import Value, grad, hessian, jacobian, no_grad
from autograd import rules as r
from autograd.modes import enable_grad
from nn.train import _train_epoch

# ---- fit and evaluate ----


def _xor_run(**kwargs):
    X, y = nn.make_xor(13, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    history = nn.fit(model, nn.bce_with_logits, (X, y), nn.SGD(model.parameters(), lr=0.1),
                     epochs=3, batch_size=4, quiet=True, **kwargs)
    return history, model.state_dict()


def test_an_unseeded_fit_uses_seed_0_and_reproduces():
    unseeded = _xor_run()
    assert unseeded == _xor_run()
    assert unseeded == _xor_run(seed=0)
    assert unseeded != _xor_run(seed=1)  # the seed does change the order


def test_history_loss_is_the_size_weighted_mean_over_batches_with_a_smaller_last_one():
    X, y = [[float(k)] for k in range(5)], [1.0, 2.0, -1.0, 0.5, 3.0]
    model = nn.MLP(1, [1], seed=0)  # fixed while lr = 0
    losses = [nn.mse(model(x), t).data for x, t in zip(X, y, strict=True)]
    history = nn.fit(model, nn.mse, (X, y), nn.SGD(model.parameters(), lr=0.0), epochs=1,
                     batch_size=2, shuffle=False, metric=None, quiet=True)
    # batches of 2, 2, 1: the epoch's loss is the mean over the 5 examples, not over batches
    assert history["loss"] == [pytest.approx(math.fsum(losses) / 5, rel=1e-14)]
    by_batch = (sum(losses[:2]) / 2 + sum(losses[2:4]) / 2 + losses[4]) / 3
    assert not math.isclose(by_batch, math.fsum(losses) / 5, rel_tol=1e-3)


def test_fit_zeroes_the_grads_between_batches():
    w = Value(0.0)
    model = lambda x: w * x[0]
    seen = []

    class Recording(nn.SGD):
        def step(self):
            seen.append(w.grad)
            super().step()

    data = ([[1.0], [1.0], [1.0]], [1.0, 1.0, 1.0])
    _train_epoch(model, nn.mse, data, Recording([w], lr=0.0), 1, None, None, None)
    assert seen == [-2.0, -2.0, -2.0]  # d/dw (w - 1)^2 at w = 0, per batch: not summed


def test_fit_trains_in_train_mode_even_from_eval_mode():
    model = nn.MLP(2, [4, 1], dropout=0.5, seed=0).eval()
    modes = []
    loss = lambda out, t: modes.append(model.dropout.training) or nn.mse(out, t)
    nn.fit(model, loss, ([[1.0, 2.0]], [0.5]), nn.SGD(model.parameters(), 0.01), epochs=2,
           metric=None, quiet=True)
    assert modes == [True, True]


@pytest.mark.parametrize("start_in_train", [True, False])
def test_evaluate_leaves_the_mode_as_it_found_it(start_in_train):
    model = nn.MLP(2, [4, 1], dropout=0.5, seed=0).train(start_in_train)
    nn.evaluate(model, nn.mse, ([[1.0, 2.0]], [0.5]))
    assert model.training is start_in_train and model.dropout.training is start_in_train


def test_evaluate_restores_the_mode_when_the_loss_raises():
    model = nn.MLP(2, [4, 1], seed=0)

    def bad_loss(out, t):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        nn.evaluate(model, bad_loss, ([[1.0, 2.0]], [0.5]))
    assert model.training


# ---- layers ----


def test_dropout_follows_every_hidden_layer():
    model = nn.MLP(3, [6, 6, 6, 1], dropout=0.5, seed=0)
    calls = []
    original = nn.Dropout.__call__

    def spy(self, x):
        calls.append(len(x))
        return original(self, x)

    nn.Dropout.__call__ = spy
    try:
        model([1.0, 2.0, 3.0])
    finally:
        nn.Dropout.__call__ = original
    assert calls == [6, 6, 6]  # after each of the three hidden layers, not the output


def test_dropout_drops_with_probability_p_and_scales_the_rest():
    drop = nn.Dropout(0.25, seed=0)
    out = drop([Value(2.0)] * 4000)
    kept = [v.data for v in out if v.data]
    assert set(kept) == {2.0 / 0.75}
    assert abs(len(kept) / 4000 - 0.75) < 0.03


# ---- modules ----


class _Tied(nn.Module):
    """One weight listed three times among the attributes."""

    def __init__(self) -> None:
        self.w = Value(0.5)
        self.layers = [self.w, Value(1.5)]
        self.extra = {"again": self.w}


def test_a_shared_parameter_is_listed_saved_and_loaded_once(tmp_path):
    model = _Tied()
    assert model.parameters() == [model.w, model.layers[1]]
    assert list(model.state_dict()) == ["w", "layers.1"]
    model.save(tmp_path / "tied.json")
    other = _Tied()
    other.w.data = 9.0
    other.load(tmp_path / "tied.json")
    assert other.extra["again"].data == 0.5


def test_resaving_keeps_the_existing_files_permissions(tmp_path):
    path = tmp_path / "m.json"
    nn.MLP(2, [1], seed=0).save(path)
    os.chmod(path, 0o640)
    old = os.umask(0o077)
    try:
        nn.MLP(2, [1], seed=1).save(path)
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == 0o640


# ---- modes and transforms ----


@pytest.mark.parametrize("switch", [no_grad, enable_grad])
def test_no_grad_and_enable_grad_restore_the_mode_when_their_block_raises(switch):
    x = Value(2.0)
    for outer in (no_grad, enable_grad):
        with outer():
            recording = bool((x * 1.0).parents)
            with pytest.raises(KeyError), switch():
                raise KeyError("inside")
            assert bool((x * 1.0).parents) == recording
    assert (x * 1.0).parents  # recording again outside


def test_jacobian_zeroes_the_inputs_grads_before_each_output():
    J = jacobian(lambda a, b: [a * b, a + 3 * b, a * a])(2.0, 5.0)
    assert J == [[5.0, 2.0], [1.0, 3.0], [4.0, 0.0]]


def test_hessian_inside_grad_keeps_its_graph_for_third_derivatives():
    f = lambda x: x**4 + x.sin()
    third = grad(lambda x: hessian(f)(x)[0][0])(0.7)
    assert third == pytest.approx(24 * 0.7 - math.cos(0.7), rel=1e-14)
    mixed = grad(lambda a: hessian(lambda x, y: x * x * y * a)(1.5, 2.0, )[0][1])(3.0)
    assert mixed == pytest.approx(2 * 1.5, rel=1e-15)  # d/da (2 x a) at x = 1.5


# ---- gradcheck's boundary between "unreliable" and FAIL ----


@pytest.mark.parametrize(("slope", "status"), [(2.49, "unreliable"), (2.51, "FAIL"),
                                               (-1.49, "unreliable"), (-1.51, "FAIL")])
def test_gradcheck_fails_a_kink_only_beyond_tolerance_error_and_width(monkeypatch, slope,
                                                                      status):
    # relu at its kink: f at x + k h is 0, 0, 0, h, 2h; the slopes between neighbours range
    # over [0, 1] (width 1), the kink estimate is 1/2: unreliable, and FAIL only outside
    # [0 - (tol + 1/2 + 1), 1 + (tol + 1/2 + 1)] = [-1.5, 2.5] (tol = 1e-6 here)
    monkeypatch.setitem(autograd.RULES, "relu", lambda x, out: r.where_le0(x, slope, 1.0))
    result = autograd.gradcheck(lambda x: x.relu(), [0.0], raise_exception=False)
    assert result.rows[0].status == status


def test_gradcheck_judges_a_derivative_off_by_its_tolerance(monkeypatch):
    # sin at 0.3: the numeric derivative is good to ~1e-11; rtol 1e-4 of cos(0.3)
    c = math.cos(0.3)
    for factor, status in ((1 + 0.9e-4, "ok"), (1 + 1.1e-4, "FAIL")):
        monkeypatch.setitem(autograd.RULES, "sin", lambda x, out, f=factor: f * r.cos(x))
        result = autograd.gradcheck(lambda x: x.sin(), [0.3], atol=0.0, raise_exception=False)
        assert result.rows[0].status == status, (factor, c)
