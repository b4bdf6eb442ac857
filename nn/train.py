"""``fit``: the training loop (mini-batches, one backward per batch, history); ``evaluate``.

Per batch: outputs = [model(x) for x in batch], L = mean_i loss(output_i, y_i) + penalty(),
one ``backward``, one optimizer step. The whole batch loss is one graph, so each step is
a single backward pass.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TextIO

from autograd import Value, gc_paused, no_grad

from .batched import BatchStep
from .data import batches
from .init import make_rng
from .losses import mean
from .module import Module
from .optim import LRSchedule, Optimizer
from .progress import History, Reporter, reporter

Loss = Callable[[Any, Any], Value]
Metric = Callable[[Sequence[Any], Sequence[Any]], float]


def _data(out: Any) -> Any:
    """The float(s) of an output: a Value's data, or a list of them."""
    if isinstance(out, Value):
        return out.data
    if isinstance(out, (list, tuple)):
        return [_data(o) for o in out]
    return float(out)


def accuracy(outputs: Sequence[Any], targets: Sequence[Any], threshold: float = 0.0) -> float:
    """The fraction of correct predictions.

    One output per example: predicted positive when output > ``threshold`` (0 for scores
    and logits, 0.5 for probabilities), correct when that matches target > 0 (labels in
    {0, 1} or {-1, +1}). Several outputs: the argmax must equal the class index target.
    """
    correct = 0
    for out, t in zip(outputs, targets, strict=True):
        out = _data(out)
        if isinstance(out, list):
            correct += bool(max(range(len(out)), key=out.__getitem__) == t)
        else:
            correct += bool((out > threshold) == (t > 0))  # bool: numpy targets give numpy bools
    return correct / len(outputs) if outputs else 0.0


def evaluate(model: Module, loss: Loss, data: Sequence[Sequence[Any]],
             metric: Metric | None = accuracy) -> dict[str, float]:
    """Mean loss (and ``metric``) over ``data = (X, y)``, in eval mode and under no_grad."""
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            X, y = data
            outputs = [model(x) for x in X]
            result = {"loss": mean(loss(o, t) for o, t in zip(outputs, y, strict=True)).data}
            if metric is not None:
                result["accuracy"] = metric([_data(o) for o in outputs], y)
    finally:
        model.train(was_training)
    return result


def _eager_step(model: Module, loss: Loss, X: Sequence[Any], y: Sequence[Any],
                penalty: Callable[[], Value] | None) -> tuple[list[Any], float]:
    """Backward of the batch objective, one graph: (the outputs, the mean loss)."""
    outputs = [model(x) for x in X]
    data_loss = mean(loss(o, t) for o, t in zip(outputs, y, strict=True))
    objective = data_loss + penalty() if penalty is not None else data_loss
    objective.backward()
    return outputs, data_loss.data


def _train_epoch(model: Module, loss: Loss, data: Any, optimizer: Optimizer,
                 batch_size: int | None, penalty: Callable[[], Value] | None,
                 rng: random.Random | None, step: Callable[..., Any] | None
                 ) -> tuple[float, list[Any], list[Any]]:
    """One pass over ``data``: the mean loss before each step; the outputs and their targets."""
    total, outputs_seen, targets_seen = 0.0, list[Any](), list[Any]()
    for X, y in batches(data, batch_size, shuffle=rng is not None, rng=rng):
        optimizer.zero_grad()
        outputs, data_loss = (step or partial(_eager_step, model, loss))(X, y, penalty)
        optimizer.step()
        total += data_loss * len(X)
        outputs_seen.extend(_data(o) for o in outputs)
        targets_seen.extend(y)
    return total / len(data[0]), outputs_seen, targets_seen


def fit(model: Module, loss: Loss, data: Sequence[Sequence[Any]], optimizer: Optimizer,
        epochs: int = 1, batch_size: int | None = None, *,
        penalty: Callable[[], Value] | None = None, metric: Metric | None = accuracy,
        test_data: Sequence[Sequence[Any]] | None = None, schedule: LRSchedule | None = None,
        shuffle: bool = True, seed: int | None = None, rng: random.Random | None = None,
        progress: bool = True, quiet: bool = False, stream: TextIO | None = None,
        callback: Callable[[int, History], Any] | None = None, vmap: bool = False) -> History:
    """Train ``model`` on ``data = (X, y)`` and return the per-epoch history.

    ``loss(output, target) -> Value`` is the loss of one example; ``penalty()`` (e.g.
    ``lambda: 1e-4 * l2(model.parameters())``) is added to each batch loss. ``batch_size``
    None means full batch. ``schedule.step()`` runs after every epoch. History keys:
    ``loss`` (mean training loss, without the penalty, measured before each step),
    ``accuracy`` (``metric`` of the training outputs), and with ``test_data``
    ``test_loss``/``test_accuracy`` after the epoch. With ``batch_size`` the examples are
    shuffled every epoch by ``rng`` or ``seed`` (default 0).

    Progress (unless ``progress=False``, or ``quiet=True``, its older name): a ``tqdm.auto``
    bar when tqdm is installed and no ``stream`` is given, else text to ``stream`` (stderr):
    one updating line on a terminal, lines on anything else. ``callback(epoch, history)``
    runs after every epoch (to plot the loss live in a notebook, say).
    ``vmap=True`` runs each batch with ``autograd.vmap`` (needs numpy): the model traced
    once, each layer one matrix product; the same training up to rounding (docs/batches.md).
    """
    if len(data[0]) == 0 or len(data[0]) != len(data[1]):  # len: numpy arrays have no truth
        raise ValueError(f"fit needs data = (X, y) of equal, nonzero length, got {len(data[0])} "
                         f"inputs and {len(data[1])} targets")
    _check_epochs(epochs)
    # shuffling only matters with mini-batches; unseeded it uses seed 0, so runs reproduce
    reshuffle = shuffle and batch_size is not None
    order_rng = make_rng(0 if seed is None and rng is None else seed, rng) if reshuffle else None
    history: History = {"loss": []}
    report = reporter(stream, epochs) if progress and not quiet else Reporter()
    step = BatchStep(model, loss) if vmap else None
    try:
        for epoch in range(1, epochs + 1):
            model.train()
            with gc_paused():  # the engine makes no reference cycles: skip the collector's rescans
                epoch_loss, outputs, targets = _train_epoch(model, loss, data, optimizer,
                                                            batch_size, penalty, order_rng, step)
            stats = _epoch_stats(model, loss, metric, test_data, outputs, targets, step)
            for key, value in {"loss": epoch_loss, **stats}.items():
                history.setdefault(key, []).append(value)
            if schedule is not None:
                schedule.step()
            report.show(epoch, history)
            if callback is not None:
                callback(epoch, history)
    finally:
        report.close()
    return history


def _check_epochs(epochs: Any) -> None:
    """A number of epochs is an int >= 0 (0 trains nothing); else a TypeError or ValueError."""
    if isinstance(epochs, bool) or not isinstance(epochs, int):
        raise TypeError(f"fit: epochs must be an int, got {type(epochs).__name__}: {epochs!r:.60}")
    if epochs < 0:
        raise ValueError(f"fit: epochs must be >= 0, got {epochs}")


def _epoch_stats(model: Module, loss: Loss, metric: Metric | None,
                 test_data: Sequence[Sequence[Any]] | None, outputs: list[Any],
                 targets: list[Any], step: BatchStep | None = None) -> dict[str, float]:
    """``metric`` of the epoch's training outputs and, given test data, the test loss/metric."""
    stats = {} if metric is None else {"accuracy": metric(outputs, targets)}
    if test_data is not None:
        test = evaluate(model, loss, test_data, metric) if step is None else \
            step.evaluate(test_data[0], test_data[1], metric)
        stats.update((f"test_{key}", value) for key, value in test.items())
    return stats
