"""The main job: micrograd's demo, an MLP learning to separate two moons.

MLP(2, [16, 16, 1]) (relu, relu, linear; 337 parameters) on 100 noisy moons points, with
the max-margin (hinge) loss max(0, 1 - y s) plus 1e-4 * sum w^2, trained by full-batch SGD
with micrograd's decaying learning rate lr = 1.0 - 0.9 k / 100 for 100 steps. It prints
the loss and training accuracy every 10 steps, writes the decision boundary, the loss
curve and the graph of one neuron's computation, and ends with the line
``accuracy: NN.N%`` (100.0% with these seeds).

Run: python examples/moons.py [--quick] [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

import _common

import nn
from autograd import Value

SEED = 4  # data and weights; with this seed micrograd's recipe reaches 100% (tests/test_nn_train)
STEPS, QUICK_STEPS = 100, 20
REPORT_EVERY = 10


def train(model: nn.MLP, data: tuple[list, list], steps: int) -> dict[str, list[float]]:
    """micrograd's loop, printing step, loss and accuracy every REPORT_EVERY steps."""
    opt = nn.SGD(model.parameters(), lr=1.0)
    schedule = nn.LinearLR(opt, start=1.0, end=0.1, total=100)  # lr = 1.0 - 0.9 k / 100
    penalty = lambda: 1e-4 * nn.l2(model.parameters())
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    print(f"{'step':>6} {'hinge':>8} {'accuracy':>9} {'lr':>6}")
    for start in range(0, steps, REPORT_EVERY):
        epochs = min(REPORT_EVERY, steps - start)
        h = nn.fit(model, nn.hinge, data, opt, epochs=epochs, penalty=penalty,
                   schedule=schedule, shuffle=False, quiet=True)
        for key in history:
            history[key] += h[key]
        print(f"{start + epochs:>6} {h['loss'][-1]:>8.4f} {_common.percent(h['accuracy'][-1]):>9}"
              f" {opt.lr:>6.3f}")
    return history


def one_neuron(model: nn.MLP, x: list[float]) -> Value:
    """The most active first-layer neuron on input ``x``, as a fresh graph with labelled leaves."""
    trained = max(model.layers[0].neurons, key=lambda n: n(x).data)
    neuron = nn.Neuron(2, trained.activation)
    neuron.load_state_dict(trained.state_dict())
    for i, w in enumerate(neuron.w):
        w.label = f"w{i}"
    neuron.b.label = "b"
    a = neuron([Value(x[0], "x0"), Value(x[1], "x1")])
    a.label = f"a = {neuron.activation}(z)"
    a.parents[0].label = "z = w . x + b"
    a.backward()
    return a


def pictures(model: nn.MLP, data: tuple[list, list], history: dict, out: Path, quick: bool) -> None:
    """The decision boundary and the loss curve (needs matplotlib)."""
    plt = _common.pyplot()
    if plt is None:
        return
    X, y = data
    fig, ax = plt.subplots(figsize=(5, 4.5))
    _common.decision_regions(ax, lambda p: int(model(p).data > 0), X, [(t + 1) // 2 for t in y],
                             steps=30 if quick else 80, title="MLP(2, [16, 16, 1]) on moons")
    _common.save(fig, out, "moons_boundary.png")
    steps = range(1, len(history["loss"]) + 1)
    _common.plot_curves(out, "moons_loss.png", {"hinge loss": (steps, history["loss"]),
                                                "training accuracy": (steps, history["accuracy"])},
                        "training on moons", "SGD step")


def main() -> None:
    args = _common.parse_args(__doc__)
    X, y = nn.make_moons(100, noise=0.1, seed=SEED)
    data = (X, [2 * t - 1 for t in y])  # the hinge loss wants labels -1/+1
    model = nn.MLP(2, [16, 16, 1], seed=SEED)
    print(f"MLP(2, [16, 16, 1]), relu: {len(model.parameters())} parameters; 100 moons points;"
          " hinge loss + 1e-4 L2; SGD, lr 1.0 -> 0.1")
    history = train(model, data, QUICK_STEPS if args.quick else STEPS)
    pictures(model, data, history, args.out, args.quick)
    a = one_neuron(model, X[0])
    print(f"one neuron on x = ({X[0][0]:.3f}, {X[0][1]:.3f}): a = {a.data:.4f}")
    _common.render_graph(a, args.out, "neuron.svg")
    print(f"accuracy: {_common.percent(nn.evaluate(model, nn.hinge, data)['accuracy'])}")


if __name__ == "__main__":
    main()
