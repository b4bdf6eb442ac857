"""A training step over a whole batch with ``autograd.vmap``: ``fit(..., vmap=True)``.

The model and the loss are traced for one example, then run over the batch's rows with
numpy (each dense layer one matrix product). A target that is an integer (a class index,
or a label that a loss checks) is a static argument: one trace per distinct target.
Models whose graph depends on random draws or on the data (Dropout in training mode, the
``step``/``sign`` activations) cannot be traced: ``fit`` says so and names the module.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value, vmap

from .activations import sign, step
from .layers import Dropout
from .module import Module


def _untraceable(model: Module) -> str | None:
    """The first part of ``model`` whose graph a trace cannot reuse, named; else None."""
    for name, module in model.named_modules():
        if isinstance(module, Dropout) and module.p > 0 and module.training:
            return f"{name or 'the model'} ({module!r}) draws a new mask every call"
        for phi in (step, sign):
            if getattr(module, "_phi", None) is phi:
                return f"{name} uses the {phi.__name__} activation (a constant leaf)"
    return None


class BatchStep:
    """Forward and backward of ``mean_i loss(model(x_i), y_i) (+ penalty)`` over a batch."""

    def __init__(self, model: Module, loss: Callable[[Any, Any], Value]) -> None:
        why = _untraceable(model)
        if why is not None:
            raise ValueError(f"fit(vmap=True) needs a model it can trace once: {why}")
        params = model.parameters()
        traced = lambda *args: loss(model(list(args[:-1])), args[-1])
        self._losses = {static: vmap(traced, params=params, static=[-1] if static else [])
                        for static in (False, True)}
        self._outputs = vmap(lambda *x: model(list(x)), params=params)

    def __call__(self, X: Sequence[Any], y: Sequence[Any],
                 penalty: Callable[[], Value] | None) -> tuple[list[Any], float]:
        """Add the batch objective's gradient to the params' ``grad``: (outputs, mean loss)."""
        xs, rows, static = self._rows(X, y)
        values = self._losses[static].backward(rows, grad=1.0 / len(rows))
        if penalty is not None:
            penalty().backward()
        data_loss = sum(values.tolist()) * (1.0 / len(rows))  # as ``mean``: left to right
        return self._outputs(xs).tolist(), data_loss

    def evaluate(self, X: Sequence[Any], y: Sequence[Any],
                 metric: Callable[[Sequence[Any], Sequence[Any]], float] | None
                 ) -> dict[str, float]:
        """As ``nn.evaluate``: the mean loss (and ``metric``) over (X, y), forward only."""
        xs, rows, static = self._rows(X, y)
        result = {"loss": sum(self._losses[static](rows).tolist()) * (1.0 / len(rows))}
        if metric is not None:
            result["accuracy"] = metric(self._outputs(xs).tolist(), y)
        return result

    @staticmethod
    def _rows(X: Sequence[Any], y: Sequence[Any]) -> tuple[list[list[Any]], list[Any], bool]:
        """(the inputs as lists, the rows [*x, y], whether the targets are static)."""
        xs = [_row(x) for x in X]
        static = isinstance(y[0], numbers.Integral)  # a class index: one trace per class
        return xs, [[*x, t if static else float(t)] for x, t in zip(xs, y, strict=True)], static


def _row(x: Any) -> list[Any]:
    """One example's inputs as a list (a single number is one input)."""
    return [x] if isinstance(x, numbers.Number) else list(x)
