"""L1 against L2 regularization: how many weights end up near zero.

Both add a penalty on the weights to the loss (the slides: "minima with smaller weights
generalize better"), and they pull differently:

- L1 (LASSO), lambda sum |w|: gradient lambda sign(w), the same push towards 0 however
  small w is, so weights the data does not need go all the way to 0: a sparse model.
- L2 (weight decay), lambda sum w^2: gradient 2 lambda w, a push that fades as w
  shrinks, so every weight gets smaller but few reach 0.

MLP(2, [16, 16, 1]) (304 weights, plus biases, which are not penalized) learns 100
moons points with the binary cross-entropy, 200 full-batch steps of SGD with momentum,
from the same initial weights, with no penalty, with L1 and with L2 of the same
strength lambda = 5e-3. It prints the training accuracy, the count of weights with
|w| < 0.01 and < 0.001, and the sizes of the weights.

Run: python examples/regularization.py [--quick] [--out DIR]
"""

from __future__ import annotations

import math
from pathlib import Path

import _common

import nn
from autograd import Value

LAMBDA = 5e-3
PENALTIES = {"none": None, "L1": nn.l1, "L2": nn.l2}


def weights(model: nn.MLP) -> list[Value]:
    """The weights (not the biases) of a model."""
    return [p for name, p in model.named_parameters() if ".w." in name]


def train(penalty: str, data: tuple, steps: int) -> tuple[nn.MLP, float]:
    """Train a fresh MLP (the same initial weights each time) with one penalty on its weights."""
    model = nn.MLP(2, [16, 16, 1], seed=0)
    ws, norm = weights(model), PENALTIES[penalty]
    opt = nn.SGD(model.parameters(), lr=0.05, momentum=0.9)
    history = nn.fit(model, nn.bce_with_logits, data, opt, epochs=steps, shuffle=False,
                     penalty=None if norm is None else lambda: LAMBDA * norm(ws), quiet=True)
    return model, history["accuracy"][-1]


def row(penalty: str, model: nn.MLP, accuracy: float) -> list:
    """The table row: accuracy, near-zero counts, sum |w|, ||w||, max |w|."""
    ws = [abs(w.data) for w in weights(model)]
    return [penalty, _common.percent(accuracy), sum(w < 1e-2 for w in ws),
            sum(w < 1e-3 for w in ws), sum(ws), math.sqrt(sum(w * w for w in ws)), max(ws)]


def picture(models: dict[str, nn.MLP], out: Path) -> None:
    """Histograms of log10 |w| for each penalty (needs matplotlib)."""
    plt = _common.pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    bins = [-6 + 0.25 * i for i in range(27)]
    for name, model in models.items():
        logs = [max(-6.0, math.log10(abs(w.data) or 1e-300)) for w in weights(model)]
        ax.hist(logs, bins=bins, histtype="step", linewidth=1.5, label=name)
    ax.axvline(-2, color="grey", linestyle=":")
    ax.set_xlabel("log10 |w|  (values below 1e-6 at -6)")
    ax.set_ylabel("weights")
    ax.legend()
    ax.set_title(f"weights after training, lambda = {LAMBDA:g}")
    _common.save(fig, out, "regularization.png")


def main() -> None:
    args = _common.parse_args(__doc__)
    n, steps = (40, 30) if args.quick else (100, 200)
    data = nn.make_moons(n, noise=0.1, seed=0)
    print(f"MLP(2, [16, 16, 1]) on {n} moons points, {steps} SGD steps; penalty"
          f" lambda = {LAMBDA:g} on the weights:")
    models, rows = {}, []
    for penalty in PENALTIES:
        models[penalty], accuracy = train(penalty, data, steps)
        rows.append(row(penalty, models[penalty], accuracy))
    total = len(weights(models["none"]))
    _common.table(["penalty", "accuracy", "|w| < 0.01", "|w| < 0.001", "sum |w|", "||w||",
                   "max |w|"], rows)
    for r in rows:
        print(f"{r[0]}: {r[2]} of {total} weights near zero (|w| < 0.01)")
    picture(models, args.out)


if __name__ == "__main__":
    main()
