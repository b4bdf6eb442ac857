"""nn.train: fit reaches micrograd's result on moons; history, batches, progress, evaluate."""

from __future__ import annotations

import io
import math
import sys

import pytest

import nn
from autograd import Value
from nn.progress import Line, Lines, reporter


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


def _fit_xor(epochs=3, **options):
    X, y = nn.make_xor(8, seed=0)
    model = nn.MLP(2, [2, 1], seed=0)
    return nn.fit(model, nn.bce_with_logits, (X, y), nn.SGD(model.parameters(), 0.1),
                  epochs=epochs, **options)


def test_progress_on_a_terminal_is_one_updating_line():
    stream = _Terminal()
    _fit_xor(stream=stream)
    text = stream.getvalue()
    assert text.startswith("\repoch ") and text.endswith("\n") and text.count("\n") == 1
    assert "epoch 3/3" in text and "loss" in text


def test_progress_to_any_other_stream_is_a_line_per_epoch():
    stream = io.StringIO()  # a notebook's stream, a log file: not a terminal
    history = _fit_xor(stream=stream)
    lines = stream.getvalue().splitlines()
    assert [line.split("  ")[0] for line in lines] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert lines[-1] == (f"epoch 3/3  loss {history['loss'][-1]:.4g}  "
                         f"accuracy {history['accuracy'][-1]:.4g}")


def test_long_runs_print_about_twenty_lines_ending_with_the_last_epoch():
    stream = io.StringIO()
    _fit_xor(epochs=100, stream=stream)
    epochs = [int(line.split()[1].split("/")[0]) for line in stream.getvalue().splitlines()]
    assert epochs == [1, *range(5, 101, 5)]


@pytest.mark.parametrize("switch", [{"progress": False}, {"quiet": True}])
def test_progress_can_be_switched_off(switch):
    for stream in (io.StringIO(), _Terminal()):
        _fit_xor(stream=stream, **switch)
        assert stream.getvalue() == ""


def test_without_a_stream_progress_is_a_tqdm_bar_when_tqdm_is_installed(capsys):
    pytest.importorskip("tqdm")
    _fit_xor(epochs=4)
    err = capsys.readouterr().err
    assert "fit: 100%" in err and "4/4" in err and "loss=" in err


def test_without_tqdm_progress_is_text_on_stderr(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import tqdm.auto raises ImportError
    _fit_xor(epochs=2)
    assert capsys.readouterr().err.splitlines()[-1].startswith("epoch 2/2  loss ")
    assert isinstance(reporter(None, 1), Lines)


def test_callback_sees_every_epoch_and_the_history_so_far():
    seen = []
    history = _fit_xor(epochs=4, progress=False,
                       callback=lambda epoch, h: seen.append((epoch, h["loss"][:])))
    assert [epoch for epoch, _ in seen] == [1, 2, 3, 4]
    assert [losses for _, losses in seen] == [history["loss"][:k] for k in range(1, 5)]


def test_progress_and_callback_leave_the_history_unchanged():
    quiet = _fit_xor(epochs=5, progress=False)
    shown = _fit_xor(epochs=5, stream=io.StringIO(), callback=lambda epoch, h: None)
    assert shown == quiet and sorted(shown) == ["accuracy", "loss"]


def test_a_shorter_progress_line_covers_the_longer_one_before_it():
    stream = _Terminal()
    progress = Line(stream, epochs=2)
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


@pytest.mark.parametrize("epochs, error, match", [
    (-1, ValueError, "epochs must be >= 0, got -1"),
    (2.5, TypeError, "epochs must be an int, got float"),
    ("3", TypeError, "epochs must be an int, got str"),
])
def test_fit_rejects_a_number_of_epochs_that_is_not_one(epochs, error, match):
    model = nn.MLP(2, [1], seed=0)
    with pytest.raises(error, match=match):  # -1 trained nothing and returned quietly
        nn.fit(model, nn.hinge, ([[1.0, 2.0]], [1]), nn.SGD(model.parameters(), 0.1),
               epochs=epochs, stream=io.StringIO())
    assert nn.fit(model, nn.hinge, ([[1.0, 2.0]], [1]), nn.SGD(model.parameters(), 0.1),
                  epochs=0, quiet=True) == {"loss": []}


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
