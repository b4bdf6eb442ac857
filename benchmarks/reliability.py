"""``python -m benchmarks.reliability``: times of the cases that once took minutes.

Drawing a dense graph (an RNN unrolled for 40 steps, and ``x*x*...*x`` with 100 factors,
through graphviz's ``dot``) and loading a model of 100,000 parameters. Each time is the
median of three runs.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nn
from autograd import Value, render


def rnn(steps: int = 40) -> Value:
    """``h = tanh(w*h + u*c)`` unrolled ``steps`` times (w and u feed every step)."""
    w, u, h = Value(0.5, "w"), Value(0.3, "u"), Value(0.0, "h0")
    for t in range(steps):
        h = (w * h + u * Value(0.1 * t)).tanh()
    h.backward()
    return h


def power(factors: int = 100) -> Value:
    """``x*x*...*x``: one input feeding every product."""
    x = Value(1.01, "x")
    y = x
    for _ in range(factors - 1):
        y = y * x
    y.backward()
    return y


class Wide(nn.Module):
    """A model of ``n`` scalar parameters."""

    def __init__(self, n: int) -> None:
        self.w = [Value(float(i)) for i in range(n)]


def median_time(run: Callable[[], object], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print one line per case: its median time in seconds."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        model = Wide(100_000)
        model.save(out / "wide.json")
        cases = {
            "render: 40-step RNN (svg)": lambda: render(rnn(), out / "rnn.svg", timeout=300),
            "render: x*x*...*x, 100 factors (svg)": lambda: render(power(), out / "p.svg",
                                                                   timeout=300),
            "Module.load: 100,000 parameters": lambda: model.load(out / "wide.json"),
        }
        for name, run in cases.items():
            print(f"{name:40s} {median_time(run):8.2f} s")


if __name__ == "__main__":
    main()
