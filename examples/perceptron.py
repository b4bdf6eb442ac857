"""Rosenblatt's perceptron: it learns any linearly separable data, never XOR; an MLP learns XOR.

A perceptron is one neuron with a step activation, o = step(w . x + b) (0 below the
threshold, 1 above, 0.5 exactly on it). It learns with the slides' rule, example by
example:

    w <- w + eta x (t - o),    b <- b + eta (t - o)

which changes nothing when the output is right. The rule is guaranteed to reach zero
errors when a line separates the classes (the perceptron convergence theorem: at most
(R / margin)^2 updates), and it converges on AND, OR and a separable point cloud. XOR is
not linearly separable, so no line gets all four points right: the perceptron cycles
for ever and its accuracy never reaches 100% (at most 3 of 4). One hidden layer fixes
that: an MLP trained by gradient descent (autograd) gets XOR right.

Run: python examples/perceptron.py [--quick] [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

import _common

import nn

Dataset = tuple[list[list[float]], list[int]]  # (X, y), as nn's data sets
ETA = 0.1
GATES = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]


def zeros(rng: object, fan_in: int, fan_out: int) -> float:
    """Start every weight at 0, as the classic perceptron does."""
    return 0.0


def separable_cloud(n: int, seed: int) -> Dataset:
    """Points uniform in the square, labelled by their side of the line x0 + x1 = 0.2.

    A strip of half-width 0.05 around the line is left empty: the margin.
    """
    X, _ = nn.make_xor(n, seed=seed)
    kept = [x for x in X if abs(x[0] + x[1] - 0.2) > 0.05]
    return kept, [int(x[0] + x[1] > 0.2) for x in kept]


def learn(X: list[list[float]], t: list[int], max_epochs: int) -> tuple[nn.Neuron, int, float]:
    """The perceptron rule, one example at a time, until an epoch makes no mistake.

    Returns the neuron, the epochs run and the best accuracy seen after any epoch.
    """
    neuron = nn.Neuron(2, "step", init=zeros)
    best = 0.0
    for epoch in range(1, max_epochs + 1):
        for x, target in zip(X, t, strict=True):
            error = target - neuron(x).data  # t - o: 0 when right
            for w, xi in zip(neuron.w, x, strict=True):
                w.data += ETA * xi * error
            neuron.b.data += ETA * error
        best = max(best, nn.accuracy([neuron(x).data for x in X], t, threshold=0.5))
        if best == 1.0:
            return neuron, epoch, best
    return neuron, max_epochs, best


def perceptrons(max_epochs: int, seed: int) -> dict[str, tuple]:
    """Train a perceptron on each data set and print whether it converged."""
    data = {"AND": (GATES, [0, 0, 0, 1]), "OR": (GATES, [0, 1, 1, 1]),
            "separable cloud": separable_cloud(100, seed), "XOR": (GATES, [0, 1, 1, 0]),
            "XOR cloud": nn.make_xor(100, seed=seed)}
    results = {}
    print(f"perceptron rule, eta = {ETA}, at most {max_epochs} epochs:")
    for name, (X, t) in data.items():
        neuron, epochs, best = learn(X, t, max_epochs)
        w = ", ".join(f"{v.data:.2f}" for v in neuron.w)
        if best == 1.0:
            print(f"  {name}: converged in {epochs} epochs (w = [{w}], b = {neuron.b.data:.2f})")
        else:
            print(f"  {name}: never reached 100% in {epochs} epochs"
                  f" (best {_common.percent(best)}): not linearly separable")
        results[name] = (neuron, X, t)
    return results


def mlp(hidden: int, data: Dataset, steps: int, lr: float, seed: int) -> nn.MLP:
    """MLP(2, [hidden, 1]) with tanh, trained by full-batch Adam on binary cross-entropy."""
    model = nn.MLP(2, [hidden, 1], activation="tanh", seed=seed)
    nn.fit(model, nn.bce_with_logits, data, nn.Adam(model.parameters(), lr=lr), epochs=steps,
           shuffle=False, quiet=True)
    accuracy = nn.evaluate(model, nn.bce_with_logits, data)["accuracy"]
    print(f"  MLP(2, [{hidden}, 1]) on {len(data[0])} XOR points:"
          f" accuracy {_common.percent(accuracy)}")
    return model


def mlps_on_xor(steps: int, cloud: Dataset, seed: int) -> nn.MLP:
    """An MLP on XOR's four points (with its truth table) and on the XOR cloud."""
    print(f"an MLP (one hidden tanh layer, {steps} Adam steps, binary cross-entropy) learns XOR:")
    t = [0, 1, 1, 0]
    model = mlp(4, (GATES, t), steps, lr=0.1, seed=seed)
    _common.table(["x0", "x1", "XOR", "sigmoid(output)"],
                  [[int(x[0]), int(x[1]), target, f"{model(x).sigmoid().data:.3f}"]
                   for x, target in zip(GATES, t, strict=True)], indent="    ")
    return mlp(8, cloud, steps, lr=0.05, seed=seed)


def picture(results: dict[str, tuple], model: nn.MLP, out: Path) -> None:
    """Decision regions: the perceptron on the separable and the XOR clouds, an MLP on XOR."""
    plt = _common.pyplot()
    if plt is None:
        return
    X, t = results["XOR cloud"][1:]
    fig, axes = plt.subplots(1, 3, figsize=(12, 4))
    for ax, name in zip(axes, ["separable cloud", "XOR cloud"], strict=False):
        neuron, X_, t_ = results[name]
        _common.decision_regions(ax, lambda p, n=neuron: int(n(p).data > 0.5), X_, t_,
                                 title=f"perceptron: {name}")
    _common.decision_regions(axes[2], lambda p: int(model(p).data > 0), X, t,
                             title="MLP(2, [8, 1]): XOR cloud")
    _common.save(fig, out, "perceptron.png")


def main() -> None:
    args = _common.parse_args(__doc__)
    results = perceptrons(max_epochs=20 if args.quick else 100, seed=0)
    model = mlps_on_xor(100 if args.quick else 300, results["XOR cloud"][1:], seed=0)
    picture(results, model, args.out)


if __name__ == "__main__":
    main()
