"""SGD, momentum, Nesterov and Adam on one problem, from the same starting weights.

The slides' updates (g = dL/dW, eta the learning rate):

- SGD:       W <- W - eta g
- momentum:  M_k = beta M_(k-1) + g;  W <- W - eta M_k   (a heavy ball: steps add up
             along directions the gradient keeps pointing in)
- Nesterov:  the same, with the gradient taken at the look-ahead point W - eta beta M
- Adam:      per-parameter steps, m / (sqrt(v) + eps) from running means of g and g^2

MLP(2, [8, 8, 1]) (relu) learns 100 moons points with the binary cross-entropy, full
batch, 200 steps, each optimizer from the same initial weights (eta = 0.1 and beta = 0.9
for the SGD family, lr = 0.01 for Adam). It prints the loss against the step and how
many steps each needed to get the loss under 0.1.

Run: python examples/optimizers.py [--quick] [--out DIR]
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import _common

import nn

OPTIMIZERS: dict[str, Callable[[list], nn.Optimizer]] = {
    "SGD": lambda ps: nn.SGD(ps, lr=0.1),
    "momentum": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9),
    "Nesterov": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "Adam": lambda ps: nn.Adam(ps, lr=0.01),
}
TARGET = 0.1  # report the first step with the loss below this


def run(make: Callable[[list], nn.Optimizer], data: tuple, steps: int) -> dict[str, list[float]]:
    """Train a fresh MLP (always the same initial weights) with one optimizer."""
    model = nn.MLP(2, [8, 8, 1], seed=0)
    return nn.fit(model, nn.bce_with_logits, data, make(model.parameters()), epochs=steps,
                  shuffle=False, quiet=True)


def picture(histories: dict[str, dict], out: Path) -> None:
    """Loss against step for each optimizer, log scale (needs matplotlib)."""
    curves = {name: (range(1, len(h["loss"]) + 1), h["loss"]) for name, h in histories.items()}
    _common.plot_curves(out, "optimizers.png", curves, "one problem, four optimizers", "step",
                        "binary cross-entropy", logy=True)


def main() -> None:
    args = _common.parse_args(__doc__)
    n, steps = (40, 30) if args.quick else (100, 200)
    data = nn.make_moons(n, noise=0.1, seed=0)
    print(f"MLP(2, [8, 8, 1]) on {n} moons points, binary cross-entropy, full batch:")
    histories = {name: run(make, data, steps) for name, make in OPTIMIZERS.items()}
    checkpoints = sorted({1, *range(steps // 8, steps + 1, steps // 8)})
    _common.table(["step", *histories],
                  [[k, *(h["loss"][k - 1] for h in histories.values())] for k in checkpoints])
    for name, history in histories.items():
        reached = next((k for k, loss in enumerate(history["loss"], 1) if loss < TARGET), None)
        when = f"after {reached} steps" if reached else f"not within {steps} steps"
        print(f"{name}: loss < {TARGET} {when}; final training accuracy"
              f" {_common.percent(history['accuracy'][-1])}")
    picture(histories, args.out)


if __name__ == "__main__":
    main()
