"""``python -m benchmarks [--quick]``: one table, this engine against the floors and micrograd.

Each time is the median of repeated runs after one warm-up run, the columns of a row taking
turns run by run. Each run is charged the time to collect the cyclic garbage it leaves
(micrograd's reference cycles), and none pays for another's (see ``timed``).
Compiled mode's one-off cost (trace, generate, compile) is reported apart, with the number of
steps after which it has paid for itself. Every column of a row must compute the same
number (a loss, a gradient or a sum): a mismatch is reported under the table.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from . import batch, data, floors, ours, peers

COLUMNS = ["eager", "compiled", "floor loops", "floor unrolled", "micrograd"]


def timed(setup: Callable[[], Any], run: Callable[[], float]) -> tuple[float, float]:
    """(seconds, result) of one run, plus the time to collect the cyclic garbage it left.

    Automatic collections during the run count as they fall. Afterwards one collection
    frees what the run left (micrograd's reference cycles) and a second one measures the
    cost of a collection with nothing to free: the difference is charged to the run. So no
    column pays for another's garbage, and none collects its own for free.
    """
    setup()
    gc.collect()
    start = time.perf_counter()
    result = run()
    elapsed = time.perf_counter() - start
    t0 = time.perf_counter()
    gc.collect()
    t1 = time.perf_counter()
    gc.collect()
    t2 = time.perf_counter()
    return elapsed + max(0.0, (t1 - t0) - (t2 - t1)), result


def measure_row(cases: dict[str, tuple], budget: float) -> dict[str, tuple[float, float, float]]:
    """{column: (median seconds, result, first run's seconds)} after a warm-up run each.

    Columns take turns, run by run, so that a busy machine slows them all alike; each gets
    at least 3 timed runs and more while its total stays under ``budget`` (at most 50).
    """
    first = {col: timed(*case) for col, case in cases.items()}
    times = {col: [t] if t > 2.0 else [] for col, (t, _) in first.items()}  # no warm-up gain
    while True:
        due = [col for col, ts in times.items()
               if len(ts) < 3 or (sum(ts) < budget and len(ts) < 50)]
        if not due:
            return {col: (statistics.median(times[col]), first[col][1], first[col][0])
                    for col in cases}
        for col in due:
            times[col].append(timed(*cases[col])[0])


def floor_cases(rows: list, weights: list, ns: list[int], a: list, b: list) -> dict:
    """{row: {column: case}} for the hand-written floors."""
    unrolled = floors.build(floors.unrolled_w1(data.SIZES), "step")
    dense = floors.build(floors.unrolled_w1(data.SIZES, dense=True), "step")
    flat = [p for layer in weights for neuron in layer for p in neuron]
    net: list = []
    reset = lambda: net.__setitem__(slice(None), [[list(n) for n in layer] for layer in weights])
    w3_unrolled = floors.build(floors.unrolled_w3(len(a)), "f")
    none = lambda: None
    cases = {
        "W1": {"floor loops": (reset, lambda: floors.w1_loops(net, rows, data.LR, data.ALPHA)),
               "floor loops skipping": (
                   reset, lambda: floors.w1_loops(net, rows, data.LR, data.ALPHA, skip=True)),
               "floor unrolled": (none, lambda: unrolled(flat, rows, data.LR, data.ALPHA)[0]),
               "floor unrolled dense": (none, lambda: dense(flat, rows, data.LR, data.ALPHA)[0])},
        **{f"W2 {n:,}": {"floor loops": (none, lambda n=n: floors.w2_loops(n)[1])} for n in ns},
        "W3": {"floor loops": (none, lambda: floors.w3_loops(a, b)[0]),
               "floor unrolled": (none, lambda: w3_unrolled(a, b)[0])},
    }
    big, objects = f"W2 {ns[-1]:,}", (none, lambda: floors.w2_objects(ns[-1]))
    cases[big]["objects"] = objects  # the chain's bare objects: no engine makes them faster
    cases[f"{big} paused"] = {"objects": ours.paused(objects)}
    return cases


def engine_cases(rows: list, weights: list, ns: list[int], a: list, b: list) -> dict:
    """{row: {column: case}} for this engine and micrograd."""
    w1 = ours.w1(rows, weights)
    cases: dict = {"W1": {"eager": w1["eager"], "compiled": w1["compiled"]},
                   "W1 whole step": {"compiled": w1["compiled whole step"]},
                   **{f"W2 {n:,}": ours.w2(n) for n in ns}, "W3": ours.w3(a, b)}
    big = f"W2 {ns[-1]:,}"
    cases["W1 paused"] = {"eager": ours.paused(w1["eager"])}
    cases[f"{big} paused"] = {"eager": ours.paused(cases[big]["eager"])}
    if peers.available():
        cases["W1"].update(peers.w1(rows, weights))
        for n in ns:
            cases[f"W2 {n:,}"].update(peers.w2(n))
        cases["W3"].update(peers.w3(a, b))
    return cases


def memory_per_node(build: Callable[[], tuple[Any, int]]) -> float:
    """Bytes that tracemalloc sees held by the graph ``build`` returns, per node."""
    gc.collect()
    tracemalloc.start()
    graph, nodes = build()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del graph
    return held / nodes


def cycles(case: tuple) -> int:
    """Objects only the cyclic garbage collector can free after one run of ``case``."""
    setup, run = case
    setup()
    gc.collect()
    gc.disable()
    try:
        run()
        return gc.collect()
    finally:
        gc.enable()


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return ""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= 0.9995 * scale or unit == "µs":  # 999.96 µs shows as 1 ms
            return f"{seconds / scale:.3g} {unit}"
    return ""


def ratio(num: float | None, den: float | None) -> str:
    return f"{num / den:.3g}x" if num and den else ""


LABELS = {"W1": "W1 demo step (MLP 2-16-16-1, 100 points)", "W1 whole step":
          "W1 same, compiled as one whole-step graph"}


def label(row: str) -> str:
    return LABELS.get(row, row.replace(" paused", " again, eager inside `autograd.gc_paused()`"))


def table(results: dict, memory: dict, leftover: dict) -> list[str]:
    """The markdown table: times, then ratios, one row per workload."""
    lines = ["| workload | eager | compiled | floor: loops | floor: unrolled | micrograd 0.1.0 "
             "| eager vs micrograd | compiled vs micrograd | eager / loop floor "
             "| compiled / unrolled floor |", "|---" * 10 + "|"]
    for row, cells in results.items():
        t = {col: cells[col][0] for col in cells}
        base = "W1" if row == "W1 whole step" else row.removesuffix(" paused")
        same = results[base]  # a variant row is compared with its base row's references
        ref = {col: same[col][0] for col in same}
        times = [fmt(t.get(col)) for col in COLUMNS]
        ratios = [ratio(ref.get("micrograd"), t.get("eager")),
                  ratio(ref.get("micrograd"), t.get("compiled")),
                  ratio(t.get("eager"), ref.get("floor loops")),
                  ratio(t.get("compiled"), ref.get("floor unrolled"))]
        lines.append(f"| {label(row)} | {' | '.join(times + ratios)} |")
    mine, theirs = memory.get("eager"), memory.get("micrograd")
    lines.append(f"| W4 bytes per node (W3 graph, tracemalloc) | {mine:.0f} | | | | "
                 f"{'' if theirs is None else f'{theirs:.0f}'} | "
                 f"{ratio(theirs, mine).replace('x', 'x less')} | | | |")
    lines.append(f"| W4 objects left for the cyclic GC after a W1 step | {leftover['eager']} "
                 f"| | | | {leftover.get('micrograd', '')} | | | | |")
    return lines


def notes(results: dict) -> list[str]:
    """One-off compile costs, their payoff, and any disagreement between columns."""
    w1 = results["W1"]
    out = [f"- W1's unrolled floor written densely (computing the sum behind a dead ReLU, "
           f"which the compiled code skips): {fmt(w1['floor unrolled dense'][0])}; compiled is "
           f"{ratio(w1['compiled'][0], w1['floor unrolled dense'][0])} of it.",
           f"- W1's loop floor skipping a dead neuron's terms (as eager mode skips a dot node "
           f"whose gradient is 0; the floor in the table does not): "
           f"{fmt(w1['floor loops skipping'][0])}; eager is "
           f"{ratio(w1['eager'][0], w1['floor loops skipping'][0])} of it."]
    for row, cells in results.items():
        if "objects" in cells and "paused" not in row:
            out.append(_objects_note(row, cells, results[f"{row} paused"]))
        if "compiled" in cells:
            median, _, first = cells["compiled"]
            eager = (results["W1"] if row == "W1 whole step" else cells)["eager"][0]
            once = max(first - median, 0.0)
            pays = f"pays off after {math.ceil(once / (eager - median))} steps" \
                if eager > median else "does not pay off"
            out.append(f"- {label(row)}: trace + generate + compile once "
                       f"{fmt(once)}; {pays} (eager {fmt(eager)}, compiled {fmt(median)}).")
        values = {col: cell[1] for col, cell in cells.items()}
        base = next(iter(values.values()))
        if any(not math.isclose(v, base, rel_tol=1e-9) for v in values.values()):
            out.append(f"- MISMATCH in {row}: {values}")
    return out


def _objects_note(row: str, cells: dict, paused: dict) -> str:
    """What the bare chain of objects costs, against micrograd and this engine."""
    default, off = cells["objects"][0], paused["objects"][0]
    mine = f"eager takes {ratio(cells['eager'][0], default)} of it by default and " \
           f"{ratio(paused['eager'][0], off)} paused"
    peer = f"; micrograd's time is {ratio(cells['micrograd'][0], default)} of it" \
        if "micrograd" in cells else ""
    return (f"- {row}: only making the chain's objects (bare nodes with Value's slots, no math, "
            f"no backward) takes {fmt(default)} with Python's cyclic collector on and "
            f"{fmt(off)} with it paused; {mine}{peer}.")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer runs")
    parser.add_argument("--batches", action="store_true",
                        help="only the batch table (W1 and W5: compiled per row, vmap, PyTorch)")
    options = parser.parse_args()
    quick = options.quick
    sizes = [100, 1_000, 10_000] if quick else [100, 1_000, 10_000, 100_000]
    if options.batches:
        print("\n".join(batch.section(0.5 if quick else 2.0, fmt, ratio, sizes)))
        return
    ns = [1_000, 10_000, 100_000] if quick else [1_000, 10_000, 100_000, 1_000_000]
    rows, weights = data.moons(), data.initial_weights()
    a, b = data.products(10_000 if quick else 100_000)
    cases = engine_cases(rows, weights, ns, a, b)
    for row, cols in floor_cases(rows, weights, ns, a, b).items():
        cases[row].update(cols)
    budget = 0.5 if quick else 2.0
    results = {row: measure_row(cols, budget) for row, cols in cases.items()}
    memory = {"eager": memory_per_node(lambda: ours.w3_graph(a, b))}
    leftover = {"eager": cycles(cases["W1"]["eager"])}
    if peers.available():
        memory["micrograd"] = memory_per_node(lambda: peers.w3_graph(a, b))
        leftover["micrograd"] = cycles(cases["W1"]["micrograd"])
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
          f"W3 = {len(a):,} terms; medians of >= 3 runs after a warm-up.\n")
    print("\n".join(table(results, memory, leftover)))
    print("\n" + "\n".join(notes(results)))
    if not peers.available():
        print("- micrograd is not installed (pip install micrograd==0.1.0): its column is empty.")
    else:
        print(f"- micrograd runs W2/W3 with the recursion limit raised, in a thread with a 1 GiB "
              f"stack; chains longer than {peers.MAX_DEPTH:,} are not attempted.")
    print("\nBatches: W1's step on more rows (numpy and PyTorch on one thread each).\n")
    print("\n".join(batch.section(budget, fmt, ratio, sizes)))


if __name__ == "__main__":
    main()
