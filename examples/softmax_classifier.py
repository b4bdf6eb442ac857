"""A softmax classifier on three interleaved spirals: under-fitting, a fit, over-fitting.

The last layer gives one logit z_c per class; softmax turns them into probabilities
p_c = exp(z_c) / sum_k exp(z_k) (computed with the max subtracted, so it never
overflows), and the loss is the cross-entropy -log p_t of the true class t, computed as
logsumexp(z) - z_t. 150 noisy spiral points, half for training and half for testing,
three models trained the same way (full-batch Adam, 200 steps):

- no hidden layer (a linear classifier): under-fits, both accuracies near chance (1/3
  is chance; a line per class cannot follow a spiral);
- one hidden layer of 8: follows the spirals; its test loss is still at its lowest
  at the end (the noise makes some test points unreachable for any model);
- two hidden layers of 24 (747 parameters for 75 points): over-fits, 100% on the
  training points, and its test loss climbs after its best epoch while the training
  loss keeps falling: it grows more and more confident about the noise it memorized.

It prints the train and test accuracy and loss of each, and calls the fit.

Run: python examples/softmax_classifier.py [--quick] [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

import _common

import nn

MODELS = {"linear": [3], "small": [8, 3], "large": [24, 24, 3]}


def train(hidden: list[int], train_data: tuple, test_data: tuple, steps: int
          ) -> tuple[nn.MLP, dict[str, list[float]]]:
    """MLP(2, hidden) with relu (He init), cross-entropy, full-batch Adam; per-epoch history."""
    model = nn.MLP(2, hidden, init="he", seed=0)
    history = nn.fit(model, nn.cross_entropy, train_data, nn.Adam(model.parameters(), lr=0.02),
                     epochs=steps, test_data=test_data, shuffle=False, quiet=True,
                     vmap=_common.VMAP)
    return model, history


def verdict(h: dict[str, list[float]]) -> str:
    """Under-fits (low training accuracy), over-fits (the test loss climbed back up), or fits."""
    best = min(range(len(h["test_loss"])), key=h["test_loss"].__getitem__)
    gap = f"train - test accuracy {100 * (h['accuracy'][-1] - h['test_accuracy'][-1]):.0f} points"
    if h["accuracy"][-1] < 0.75:
        return "under-fits: too simple for the data, poor on the training points too"
    if h["test_loss"][-1] > 1.25 * h["test_loss"][best]:
        return (f"over-fits: test loss lowest at step {best + 1} ({h['test_loss'][best]:.2f}),"
                f" {h['test_loss'][-1]:.2f} at the end; {gap}")
    return f"fits: the test loss is near its lowest at the end; {gap}"


def picture(models: dict[str, nn.MLP], histories: dict, data: tuple, out: Path) -> None:
    """Decision regions of each model and the large model's loss curves (needs matplotlib)."""
    plt = _common.pyplot()
    if plt is None:
        return
    fig, axes = plt.subplots(1, len(models) + 1, figsize=(4 * len(models) + 4, 4))
    argmax = lambda logits: max(range(len(logits)), key=lambda c: logits[c].data)
    for ax, (name, model) in zip(axes, models.items(), strict=False):
        _common.decision_regions(ax, lambda p, m=model: argmax(m(p)), *data, title=name)
    h = histories["large"]
    for key in ("loss", "test_loss"):
        axes[-1].plot(range(1, len(h[key]) + 1), h[key], label=key.replace("_", " "))
    axes[-1].set_xlabel("step")
    axes[-1].set_title("large: cross-entropy")
    axes[-1].legend()
    _common.save(fig, out, "softmax_classifier.png")


def main() -> None:
    args = _common.parse_args(__doc__)
    n, steps = (60, 20) if args.quick else (150, 200)
    X, y = nn.make_spirals(n, n_classes=3, noise=0.5, seed=0)
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.5, seed=0)
    print(f"3 spirals, {len(X_train)} training and {len(X_test)} test points;"
          f" softmax + cross-entropy, {steps} Adam steps; chance is 33.3%")
    models, histories, rows = {}, {}, []
    for name, hidden in MODELS.items():
        models[name], h = train(hidden, (X_train, y_train), (X_test, y_test), steps)
        histories[name] = h
        rows.append([name, str(hidden), len(models[name].parameters()),
                     _common.percent(h["accuracy"][-1]), _common.percent(h["test_accuracy"][-1]),
                     h["loss"][-1], h["test_loss"][-1]])
    _common.table(["model", "layers", "params", "train acc", "test acc", "train loss",
                   "test loss"], rows)
    for name, h in histories.items():
        print(f"{name}: {verdict(h)}")
    picture(models, histories, (X_train, y_train), args.out)


if __name__ == "__main__":
    main()
