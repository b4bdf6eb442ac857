"""micrograd 0.1.0's runs (``pip install micrograd==0.1.0``): its own MLP, engine and demo loss.

micrograd sorts the graph recursively, so deep graphs (W2, W3) need the recursion limit
raised; they run in a thread with a large stack so that a deep recursion cannot overflow
the C stack. Sizes above ``MAX_DEPTH`` are not attempted.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

from autograd import topological_order

from . import data

MAX_DEPTH = 1_000_000  # deepest micrograd graph attempted
Case = tuple[Callable[[], Any], Callable[[], float]]

try:
    from micrograd.engine import Value as MValue
    from micrograd.nn import MLP as MMLP
except ImportError:  # pragma: no cover - depends on the environment
    MValue = MMLP = None


def available() -> bool:
    """Whether micrograd is installed."""
    return MValue is not None


def deep(fn: Callable[[], float], depth: int) -> Callable[[], float]:
    """``fn`` with a recursion limit of 10^7, in a thread with a 1 GiB stack if ``depth`` is big."""

    def run() -> float:
        result: list[Any] = []
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 10**7))
        if depth < 50_000:  # the main thread's stack is plenty
            return fn()
        old = threading.stack_size(1 << 30)
        try:
            thread = threading.Thread(target=lambda: result.append(fn()))
            thread.start()
            thread.join()
        finally:
            threading.stack_size(old)
        if not result:
            raise RuntimeError("micrograd failed (see the traceback above)")
        return result[0]

    return run


def w1(rows: Sequence[tuple[float, float, float]], weights: list) -> dict[str, Case]:
    """The demo's step: loss(), model.zero_grad(), backward, SGD."""
    model = MMLP(data.SIZES[0], data.SIZES[1:])
    params = model.parameters()

    def step() -> float:
        inputs = [[MValue(x0), MValue(x1)] for x0, x1, _ in rows]
        scores = list(map(model, inputs))
        losses = [(1 + -y * score).relu() for (_, _, y), score in zip(rows, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        total = data_loss + data.ALPHA * sum(p * p for p in params)
        model.zero_grad()
        total.backward()
        for p in params:
            p.data -= data.LR * p.grad
        return total.data

    return {"micrograd": (lambda: data.load(model, weights), step)}


def w2(n: int) -> dict[str, Case]:
    """The chain y = x + x + ... of n additions."""

    def chain() -> float:
        x = MValue(1.0)
        y = x
        for _ in range(n):
            y = y + x
        y.backward()
        return float(x.grad)

    return {"micrograd": (lambda: None, deep(chain, n))} if n <= MAX_DEPTH else {}


def _w3_graph(a: list[float], b: list[float]) -> Any:
    return sum(MValue(x) * MValue(y) for x, y in zip(a, b, strict=True))  # as its demo sums


def w3(a: list[float], b: list[float]) -> dict[str, Case]:
    """sum(a_i * b_i) with Python's sum: n products and n additions, n deep."""

    def run() -> float:
        out = _w3_graph(a, b)
        out.backward()
        return out.data

    return {"micrograd": (lambda: None, deep(run, len(a)))}


def w3_graph(a: list[float], b: list[float]) -> tuple[Any, int]:
    """W3's graph after backward, and its number of nodes."""
    out = _w3_graph(a, b)
    deep(out.backward, len(a))()
    return out, len(topological_order(out, lambda v: v._prev))
