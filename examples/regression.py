"""Universal approximation in practice: one hidden layer of growing width fitting sin.

The theorem (Hornik et al., 1990; the slides' "UAT") says one hidden layer approximates
any continuous function on a compact set as well as you like, if it is wide enough. It
says nothing about how wide, or whether training finds the weights. Here
MLP(1, [n, 1]) with tanh hidden units fits y = sin(pi u) over two periods, u in [-2, 2],
from 48 evenly spaced samples, for widths n = 1, 2, 4, ...; each net gets the same
training (full-batch Adam on the mean squared error, the learning rate decaying
linearly). It prints the error on 200 points between the samples against the width: one
unit makes one S-shaped step, a few follow the four bumps, and more bring the error down
by two orders of magnitude, until (here, past 16 units) the same training no longer
gets more out of the extra width.

Run: python examples/regression.py [--quick] [--out DIR]
"""

from __future__ import annotations

import math
from pathlib import Path

import _common

import nn

WIDTHS, QUICK_WIDTHS = [1, 2, 4, 8, 16, 32], [1, 4, 16]
STEPS, QUICK_STEPS = 800, 100
SPAN = 2.0  # u in [-SPAN, SPAN]: two periods of sin(pi u)


def samples(n: int, offset: float = 0.0) -> tuple[list[list[float]], list[float]]:
    """``n`` points u spread evenly over [-SPAN, SPAN] (``offset`` steps in), with sin(pi u)."""
    step = 2 * SPAN / (n - 1 + 2 * offset)
    us = [-SPAN + step * (i + offset) for i in range(n)]
    return [[u] for u in us], [math.sin(math.pi * u) for u in us]


def fit_width(width: int, train: tuple, test: tuple, steps: int) -> tuple[nn.MLP, list]:
    """Train MLP(1, [width, 1]); return it and its table row."""
    model = nn.MLP(1, [width, 1], activation="tanh", init="xavier", seed=0)
    opt = nn.Adam(model.parameters(), lr=0.05)
    history = nn.fit(model, nn.mse, train, opt, epochs=steps, metric=None, shuffle=False,
                     quiet=True, schedule=nn.LinearLR(opt, start=1.0, end=0.02, total=steps),
                     vmap=_common.VMAP)
    test_mse = nn.evaluate(model, nn.mse, test, metric=None)["loss"]
    worst = max(abs(model(x).data - y) for x, y in zip(*test, strict=True))
    return model, [width, len(model.parameters()), history["loss"][-1], test_mse, worst]


def summarize(rows: list[list], steps: int) -> None:
    """Say where the test error was lowest, and whether more width kept helping."""
    best = min(rows, key=lambda r: r[3])
    print(f"test MSE: {rows[0][3]:.2g} at width {rows[0][0]}, lowest {best[3]:.2g}"
          f" at width {best[0]}")
    if best is not rows[-1]:
        print(f"wider than {best[0]} did not help within {steps} steps: a better net exists"
              " (the theorem), but training has to find it")


def picture(models: dict[int, nn.MLP], test: tuple, out: Path) -> None:
    """sin and each width's fit (needs matplotlib)."""
    us = [x[0] for x in test[0]]
    curves = {f"width {w}": (us, [m(x).data for x in test[0]]) for w, m in models.items()}
    _common.plot_curves(out, "regression.png", curves, "one hidden layer of growing width", "u",
                        reference=("sin(pi u)", us, test[1]))


def main() -> None:
    args = _common.parse_args(__doc__)
    widths, steps = (QUICK_WIDTHS, QUICK_STEPS) if args.quick else (WIDTHS, STEPS)
    train, test = samples(48), samples(200, offset=0.5)
    print(f"fitting sin(pi u) on [-{SPAN:g}, {SPAN:g}] from {len(train[0])} samples;"
          f" MLP(1, [width, 1]) with tanh, {steps} Adam steps each")
    models, rows = {}, []
    for width in widths:
        models[width], row = fit_width(width, train, test, steps)
        rows.append(row)
    _common.table(["width", "parameters", "train MSE", "test MSE", "max |error|"], rows)
    summarize(rows, steps)
    picture(models, test, args.out)


if __name__ == "__main__":
    main()
