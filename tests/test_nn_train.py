"""nn.train: fit reaches micrograd's result on moons; history, batches, progress, evaluate."""

from __future__ import annotations

import io
import math

import pytest

import nn
from autograd import Value
from nn.train import _Progress


class _Terminal(io.StringIO):
    def isatty(self):
        return True


class _CountingSGD(nn.SGD):
    steps = 0

    def step(self):
        self.steps += 1
        super().step()


def test_micrograd_demo_reaches_full_training_accuracy_on_moons():
    # micrograd's demo.ipynb: MLP(2, [16, 16, 1]), 100 moons, hinge loss + 1e-4 * sum p^2,
    # 100 full-batch SGD steps with lr = 1.0 - 0.9 k / 100
    X, y = nn.make_moons(100, noise=0.1, seed=4)
    y = [2 * t - 1 for t in y]
    model = nn.MLP(2, [16, 16, 1], seed=4)
    opt = nn.SGD(model.parameters(), lr=1.0)
    history = nn.fit(model, nn.hinge, (X, y), opt, epochs=100,
                     penalty=lambda: 1e-4 * nn.l2(model.parameters()),
                     schedule=nn.LinearLR(opt, 1.0, 0.1, 100), quiet=True)
    assert nn.evaluate(model, nn.hinge, (X, y))["accuracy"] == 1.0
    assert history["accuracy"][-1] == 1.0 and history["loss"][-1] < history["loss"][0] / 10
    assert math.isclose(opt.lr, 0.1, rel_tol=1e-9)  # the schedule ran once per epoch


def test_history_has_one_entry_per_epoch_with_test_metrics():
    X, y = nn.make_moons(40, noise=0.1, seed=0)
    X_train, X_test, y_train, y_test = nn.train_test_split(X, [2 * t - 1 for t in y], seed=0)
    model = nn.MLP(2, [8, 1], seed=0)
    history = nn.fit(model, nn.hinge, (X_train, y_train), nn.SGD(model.parameters(), 0.1),
                     epochs=3, test_data=(X_test, y_test), quiet=True)
    assert sorted(history) == ["accuracy", "loss", "test_accuracy", "test_loss"]
    assert all(len(v) == 3 for v in history.values())
    final = nn.evaluate(model, nn.hinge, (X_test, y_test))
    assert history["test_loss"][-1] == final["loss"]
    assert history["test_accuracy"][-1] == final["accuracy"]


def test_one_optimizer_step_per_mini_batch():
    X, y = nn.make_xor(10, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    opt = _CountingSGD(model.parameters(), lr=0.1)
    nn.fit(model, nn.bce_with_logits, (X, y), opt, epochs=2, batch_size=4, seed=1, quiet=True)
    assert opt.steps == 2 * 3


def test_fit_is_reproducible_with_a_seed():
    def run():
        X, y = nn.make_spirals(30, n_classes=3, seed=0)
        model = nn.MLP(2, [8, 3], seed=0)
        return nn.fit(model, nn.cross_entropy, (X, y), nn.Adam(model.parameters(), lr=0.05),
                      epochs=5, batch_size=8, seed=3, quiet=True)

    first = run()
    assert first == run()
    assert first["loss"][-1] < first["loss"][0]


def test_mse_regression_without_a_metric():
    X = [[x / 10] for x in range(-10, 11)]
    y = [2 * x[0] + 1 for x in X]
    model = nn.MLP(1, [1], seed=0)
    history = nn.fit(model, nn.mse, (X, y), nn.SGD(model.parameters(), lr=0.3), epochs=60,
                     metric=None, quiet=True)
    assert list(history) == ["loss"] and history["loss"][-1] < 1e-4
    neuron = model.layers[0].neurons[0]
    assert abs(neuron.w[0].data - 2) < 0.02 and abs(neuron.b.data - 1) < 0.02


@pytest.mark.parametrize("terminal, quiet, shown", [(True, False, True), (True, True, False),
                                                    (False, False, False)])
def test_progress_is_one_updating_line_only_on_a_terminal(terminal, quiet, shown):
    stream = _Terminal() if terminal else io.StringIO()
    X, y = nn.make_xor(8, seed=0)
    model = nn.MLP(2, [2, 1], seed=0)
    nn.fit(model, nn.bce_with_logits, (X, y), nn.SGD(model.parameters(), 0.1), epochs=3,
           quiet=quiet, stream=stream)
    text = stream.getvalue()
    if not shown:
        assert text == ""
    else:
        assert text.startswith("\repoch ") and text.endswith("\n") and text.count("\n") == 1
        assert "epoch 3/3" in text and "loss" in text


def test_a_shorter_progress_line_covers_the_longer_one_before_it():
    stream = _Terminal()
    progress = _Progress(stream, quiet=False, epochs=2)
    progress.show(1, {"loss": [0.123456]})
    progress.show(2, {"loss": [0.5]})  # the last epoch is always shown
    first, second = stream.getvalue().split("\r")[1:]
    assert second == "epoch 2/2  loss 0.5".ljust(len(first)) and len(first) > len(second.strip())


def test_evaluate_uses_eval_mode_records_no_graph_and_restores_the_mode():
    model = nn.MLP(2, [8, 1], dropout=0.5, seed=0)
    seen = []
    loss = lambda out, t: seen.append((model.dropout.training, out.parents)) or nn.mse(out, t)
    nn.evaluate(model, loss, ([[1.0, 2.0]], [0.5]))
    assert seen == [(False, ())]
    assert model.training and model.dropout.training


def test_fit_trains_in_train_mode_and_tests_in_eval_mode():
    model = nn.MLP(2, [4, 1], dropout=0.5, seed=0)
    modes = []
    loss = lambda out, t: modes.append(model.dropout.training) or nn.mse(out, t)
    data = ([[1.0, 2.0]], [0.5])
    nn.fit(model, loss, data, nn.SGD(model.parameters(), 0.01), epochs=1, test_data=data,
           metric=None, quiet=True)
    assert modes == [True, False]


def test_accuracy_for_scores_probabilities_and_classes():
    assert nn.accuracy([Value(0.5), Value(-2.0), Value(1.0)], [1, -1, -1]) == 2 / 3
    assert nn.accuracy([0.7, 0.2, 0.4], [1, 0, 1], threshold=0.5) == 2 / 3
    assert nn.accuracy([[0.1, 0.9], [Value(2.0), Value(1.0)]], [1, 1]) == 0.5
    assert nn.accuracy([], []) == 0.0


def test_fit_rejects_empty_or_mismatched_data():
    model = nn.MLP(2, [1], seed=0)
    opt = nn.SGD(model.parameters(), 0.1)
    for data in (([], []), ([[1.0, 2.0]], [1, -1])):
        with pytest.raises(ValueError, match="equal, nonzero length"):
            nn.fit(model, nn.hinge, data, opt, quiet=True)


def test_fit_and_evaluate_take_numpy_arrays_and_seeds():
    import numpy as np

    X, y = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([1.0, -1.0])
    model = nn.MLP(2, [3, 1], seed=np.int64(0))
    assert model.state_dict() == nn.MLP(2, [3, 1], seed=0).state_dict()
    history = nn.fit(model, nn.hinge, (X, y), nn.SGD(model.parameters(), lr=0.1), epochs=2,
                     quiet=True)
    assert len(history["loss"]) == 2
    accuracy = nn.evaluate(model, nn.hinge, (X, y))["accuracy"]
    assert type(accuracy) is float and 0.0 <= accuracy <= 1.0
    with pytest.raises(ValueError, match="nonzero length"):
        nn.fit(model, nn.hinge, (X[:0], y[:0]), nn.SGD(model.parameters()), quiet=True)
