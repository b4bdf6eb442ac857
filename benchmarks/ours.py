"""This engine's runs, through public names only: eager mode, and compiled mode (``jit``).

Each ``w*`` function returns ``{column: (setup, run)}``: ``setup`` (untimed) puts the state
back, ``run`` does one timed repetition and returns a number to cross-check between engines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import autograd
import nn
from autograd import Value
from autograd.compile import jit

from . import data

Case = tuple[Callable[[], Any], Callable[[], float]]


def batch_loss(model: Any, params: list[Value], rows: Any) -> Value:
    """micrograd's demo loss: mean hinge max(0, 1 - y score) + alpha * sum of squared params."""
    losses = [(1 + -y * model([x0, x1])).relu() for x0, x1, y in rows]
    data_loss = autograd.sum(losses) * (1.0 / len(losses))
    return data_loss + data.ALPHA * autograd.sum(p * p for p in params)


def sgd(params: list[Value]) -> None:
    """One SGD step at the demo's learning rate."""
    for p in params:
        p.data -= data.LR * p.grad


def eager_step(model: Any, params: list[Value], rows: Any) -> Callable[[], float]:
    """W1's step in eager mode: zero the grads, the loss's graph, backward, SGD; the loss."""

    def eager() -> float:
        autograd.zero_grad(params)
        loss = batch_loss(model, params, rows)
        loss.backward()
        sgd(params)
        return loss.data

    return eager


def w1(rows: Sequence[tuple[float, float, float]], weights: list) -> dict[str, Case]:
    """One demo training step (forward, backward, SGD): eager; compiled per example (one
    generated loop over the rows, with the L2 term compiled apart) or as the whole step."""
    model = nn.MLP(*data.SIZES[:1], data.SIZES[1:])
    params = model.parameters()
    flat = [v for row in rows for v in row]
    step = jit(lambda *xs: batch_loss(model, params, zip(*[iter(xs)] * 3, strict=True)),
               params=params)
    example = jit(lambda x0, x1, y: (1 + -y * model([x0, x1])).relu(), params=params)
    reg = jit(lambda: data.ALPHA * autograd.sum(p * p for p in params), params=params)
    reset = lambda: data.load(model, weights)

    eager = eager_step(model, params, rows)

    def compiled_step() -> float:  # the whole step's graph, traced once
        autograd.zero_grad(params)
        loss = step.backward(*flat)
        sgd(params)
        return loss

    def compiled_examples() -> float:  # one example's graph, reused over the batch
        autograd.zero_grad(params)
        losses = example.backward_batch(rows, grad=1.0 / len(rows))
        loss = sum(losses) / len(losses) + reg.backward()
        sgd(params)
        return loss

    return {"eager": (reset, eager), "compiled": (reset, compiled_examples),
            "compiled whole step": (reset, compiled_step)}


def paused(case: Case) -> Case:
    """The same run inside ``autograd.gc_paused()``: the engine makes no reference cycles,
    so pausing Python's cyclic collector is safe and spares its rescans of the graph."""
    setup, run = case

    def run_paused() -> float:
        with autograd.gc_paused():
            return run()

    return setup, run_paused


def w2(n: int) -> dict[str, Case]:
    """A chain y = x + x + ... of n additions: build and backward; dy/dx."""

    def eager() -> float:
        x = Value(1.0)
        y = x
        for _ in range(n):
            y = y + x
        y.backward()
        return x.grad

    return {"eager": (lambda: None, eager)}


def w3(a: list[float], b: list[float]) -> dict[str, Case]:
    """sum_i a_i b_i over n terms (n product nodes and one sum node): build and backward."""
    n = len(a)
    compiled = jit(lambda *xs: autograd.sum(xs[i] * xs[n + i] for i in range(n)))

    def eager() -> float:
        xs, ys = [Value(v) for v in a], [Value(v) for v in b]
        out = autograd.sum(x * y for x, y in zip(xs, ys, strict=True))
        out.backward()
        return out.data

    def replay() -> float:
        return compiled.value_and_grad(*a, *b)[0]

    return {"eager": (lambda: None, eager), "compiled": (lambda: None, replay)}


def w3_graph(a: list[float], b: list[float]) -> tuple[Value, int]:
    """W3's graph after backward, and its number of nodes (leaves included)."""
    xs, ys = [Value(v) for v in a], [Value(v) for v in b]
    out = autograd.sum(x * y for x, y in zip(xs, ys, strict=True))
    out.backward()
    return out, len(autograd.topological_order(out))
