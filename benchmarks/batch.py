"""Batches: W1's step over more rows (W5: 10,000), eager, compiled per row, vmap and PyTorch.

W5 is W1's training step (MLP 2-16-16-1, mean hinge + L2, one SGD step) on 10,000 moons
points. ``vmap`` (numpy) and PyTorch's float64 batched step come from the same initial
weights, so every column computes the same loss (to rounding). numpy and PyTorch run on
one thread each (this module sets ``OPENBLAS_NUM_THREADS=1`` before numpy is imported, and
``torch.set_num_threads(1)``): a dense layer of 16 is far too small to gain from threads,
and on a shared machine their spinning threads make the products many times slower.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy (or torch) is first imported

import autograd  # noqa: E402
import nn  # noqa: E402

from . import data  # noqa: E402
from .ours import Case, eager_step, sgd  # noqa: E402


def has_torch() -> bool:
    return importlib.util.find_spec("torch") is not None


def cases(rows: list[tuple[float, float, float]], weights: list[Any]) -> dict[str, Case]:
    """{column: (setup, run)} for one step on ``rows``: each run returns the step's loss."""
    model = nn.MLP(data.SIZES[0], data.SIZES[1:])
    params = model.parameters()
    example = lambda x0, x1, y: (1 + -y * model([x0, x1])).relu()
    compiled = autograd.jit(example, params=params)
    mapped = autograd.vmap(example, params=params)
    reg = autograd.jit(lambda: data.ALPHA * autograd.sum(p * p for p in params), params=params)
    reset = lambda: data.load(model, weights)

    eager = eager_step(model, params, rows)

    def per_row(step: Callable[..., Any]) -> Callable[[], float]:
        def run() -> float:
            autograd.zero_grad(params)
            losses = step(rows, grad=1.0 / len(rows))
            losses = losses if isinstance(losses, list) else losses.tolist()
            loss = sum(losses) / len(rows) + reg.backward()
            sgd(params)
            return loss
        return run

    out = {"eager": (reset, eager), "compiled": (reset, per_row(compiled.backward_batch)),
           "vmap": (reset, per_row(mapped.backward))}
    if has_torch():
        out["pytorch"] = torch_case(rows, weights)
    return out


def torch_case(rows: list[tuple[float, float, float]], weights: list[Any]) -> Case:
    """The same step in PyTorch, float64, batched: the model from ``nn.to_torch``."""
    import torch

    torch.set_num_threads(1)
    model = nn.MLP(data.SIZES[0], data.SIZES[1:])
    X = torch.tensor([r[:2] for r in rows], dtype=torch.float64)
    y = torch.tensor([r[2] for r in rows], dtype=torch.float64)
    net: list[Any] = []

    def setup() -> None:
        data.load(model, weights)
        net[:] = [nn.to_torch(model)]

    def run() -> float:
        module = net[0]
        module.zero_grad()
        params = list(module.parameters())
        loss = torch.relu(1 - y * module(X).squeeze(1)).mean() + \
            data.ALPHA * sum((p * p).sum() for p in params)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= data.LR * p.grad
        return float(loss.item())

    return setup, run


def memory(rows: list[tuple[float, float, float]], weights: list[Any]) -> float:
    """Peak bytes that tracemalloc sees during one vmap step on ``rows`` (numpy's arrays too)."""
    setup, run = cases(rows, weights)["vmap"]
    setup()
    run()  # the trace, once
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def measure(columns: dict[str, Case], budget: float) -> dict[str, tuple[float, float]]:
    """{column: (median seconds, result)}: columns take turns run by run after a warm-up,
    each at least 3 runs and more while its total stays under ``budget`` (at most 50).

    Unlike the main table, no run is charged a garbage collection: none of these leaves
    reference cycles, and with PyTorch imported a collection's own time varies by more than
    W1's step takes.
    """
    results = {}
    for col, (setup, run) in columns.items():
        setup()
        results[col] = run()
    times: dict[str, list[float]] = {col: [] for col in columns}
    while due := [col for col, ts in times.items()
                  if len(ts) < 3 or (sum(ts) < budget and len(ts) < 50)]:
        for col in due:
            setup, run = columns[col]
            setup()
            start = time.perf_counter()
            run()
            times[col].append(time.perf_counter() - start)
    return {col: (statistics.median(ts), results[col]) for col, ts in times.items()}


def section(budget: float, fmt: Callable[[float | None], str],
            ratio: Callable[[float | None, float | None], str], sizes: list[int]) -> list[str]:
    """The batch table (W1 and W5 side by side), the memory line and the scaling line."""
    weights = data.initial_weights()
    lines = ["| workload | eager | compiled per row | vmap | PyTorch float64 batched "
             "| compiled / vmap | vmap / PyTorch |", "|---" * 7 + "|"]
    for name, n in (("W1 (100 rows)", 100), ("W5 (10,000 rows)", 10_000)):
        columns = cases(data.moons(n), weights)
        eager = {"eager": columns.pop("eager")}  # apart: its seconds of allocation and
        cells = {**measure(eager, budget), **measure(columns, budget)}  # freeing slow the rest
        t = {col: cell[0] for col, cell in cells.items()}
        lines.append(f"| {name} | {fmt(t['eager'])} | {fmt(t['compiled'])} | {fmt(t['vmap'])} "
                     f"| {fmt(t.get('pytorch'))} | {ratio(t['compiled'], t['vmap'])} "
                     f"| {ratio(t['vmap'], t.get('pytorch'))} |")
        losses = {col: cell[1] for col, cell in cells.items()}
        if max(losses.values()) - min(losses.values()) > 1e-9 * abs(losses["eager"]):
            lines.append(f"\nMISMATCH in {name}: {losses}\n")
    peak = memory(data.moons(10_000), weights)
    lines.append(f"\n- Peak memory of one vmap step on W5 (tracemalloc, numpy's arrays "
                 f"included): {peak / 2**20:.1f} MiB ({peak / 10_000:.0f} bytes a row).")
    grown = scaling(sizes, weights)
    steps = ", ".join(f"{n:,} rows {fmt(t['vmap'])}" + (f" (PyTorch {fmt(t['pytorch'])})"
                                                         if "pytorch" in t else "")
                      for n, t in grown.items())
    lines.append(f"- One vmap step against the number of rows (best of 3): {steps}.")
    if not has_torch():
        lines.append("- PyTorch is not installed (pip install torch): its column is empty.")
    return lines


def scaling(sizes: list[int], weights: list[Any]) -> dict[int, dict[str, float]]:
    """{rows: {column: seconds of one step}} for vmap (and PyTorch), best of 3."""
    out: dict[int, dict[str, float]] = {}
    for n in sizes:
        all_cases = cases(data.moons(n), weights)
        out[n] = {}
        for col in ("vmap", "pytorch"):
            if col in all_cases:
                setup, run = all_cases[col]
                setup()
                run()
                times = []
                for _ in range(3):
                    start = time.perf_counter()
                    run()
                    times.append(time.perf_counter() - start)
                out[n][col] = min(times)
    return out
