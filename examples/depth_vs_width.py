"""Depth against width at equal parameter budgets, on a sawtooth with many folds.

The tent map T(x) = 2x for x < 1/2, 2 - 2x after, folds [0, 1] onto itself; composed k
times, T^k is a sawtooth with 2^(k-1) teeth (2^k linear pieces). The nets read the input
centred, u = 2x - 1 in [-1, 1], as inputs should be. The slides' "exponential depth
efficiency": a deep, narrow relu net draws T^k exactly with 6k + 1 parameters (k layers
of 2 units: T(x) = 2 relu(x) - 4 relu(x - 1/2), fed into the next layer), while one
hidden layer needs a unit per kink, 2^k of them, about 3 * 2^k parameters.

Part 1 builds both exact nets by hand for several k and checks them against T^k. Part 2
asks the practical question: with the same number of parameters, which shape does
training (full-batch Adam from a random He initialization, two seeds each) fit better
to T^4 (8 teeth)? It prints what happens. Typically neither finds the deep construction:
most runs end near the mean (predicting 0.5 everywhere scores the variance, about 0.08),
and which shape wins depends on the seed; the gap between "can represent" and "does
learn" is the lesson.

Run: python examples/depth_vs_width.py [--quick] [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

import _common

import nn

FOLDS = 4  # the target of part 2: T^4, 8 teeth
POINTS = 64  # training points, at the centres of 64 equal cells of [-1, 1]
BUDGETS = [([2, 2, 2, 2], [8]), ([4, 4, 4, 4, 4], [31])]  # (deep, shallow): 25 and 93/94 params


def sawtooth(u: float, k: int) -> float:
    """T^k(x) at x = (u + 1) / 2: the tent map applied k times."""
    x = (u + 1) / 2
    for _ in range(k):
        x = 2 * x if x < 0.5 else 2 - 2 * x
    return x


def set_neurons(layer: nn.Layer, weights: list[list[float]], biases: list[float]) -> None:
    """Give a layer's neurons the weights and biases of a hand construction."""
    for neuron, ws, b in zip(layer.neurons, weights, biases, strict=True):
        for p, w in zip(neuron.w, ws, strict=True):
            p.data = w
        neuron.b.data = b


def deep_sawtooth(k: int) -> nn.MLP:
    """k layers of 2 relus: (relu(t), relu(t - 1/2)) with t = T(previous), T = 2 h0 - 4 h1."""
    model = nn.MLP(1, [2] * k + [1])
    set_neurons(model.layers[0], [[0.5], [0.5]], [0.5, 0.0])  # t = x = (u + 1) / 2
    for layer in model.layers[1:-1]:
        set_neurons(layer, [[2.0, -4.0], [2.0, -4.0]], [0.0, -0.5])
    set_neurons(model.layers[-1], [[2.0, -4.0]], [0.0])
    return model


def shallow_sawtooth(k: int) -> nn.MLP:
    """2^k relus, one per kink u_i = 2i / 2^k - 1: slope 2^(k-1), then alternately -+."""
    n = 2**k
    model = nn.MLP(1, [n, 1])
    set_neurons(model.layers[0], [[1.0]] * n, [1 - 2 * i / n for i in range(n)])
    set_neurons(model.layers[1], [[n / 2 if i == 0 else n * (-1.0) ** i for i in range(n)]],
                [0.0])
    return model


def exact_nets(ks: list[int]) -> None:
    """Part 1: build both constructions for each k and check them on a fine grid."""
    print("part 1: nets that draw T^k exactly (weights set by hand)")
    xs = [-1 + i / 512 for i in range(1025)]
    rows = []
    for k in ks:
        deep, shallow = deep_sawtooth(k), shallow_sawtooth(k)
        error = max(abs(net(x).data - sawtooth(x, k)) for net in (deep, shallow) for x in xs)
        rows.append([k, 2 ** (k - 1), len(deep.parameters()), len(shallow.parameters()), error])
    _common.table(["k", "teeth", "deep params", "shallow params", "max error"], rows)


def train(hidden: list[int], data: tuple, steps: int, seed: int) -> tuple[nn.MLP, float]:
    """MLP(1, hidden + [1]) with relu from a He init, full-batch Adam on the squared error."""
    model = nn.MLP(1, [*hidden, 1], init="he", seed=seed)
    opt = nn.Adam(model.parameters(), lr=0.03)
    history = nn.fit(model, nn.mse, data, opt, epochs=steps, metric=None, shuffle=False,
                     quiet=True, schedule=nn.LinearLR(opt, start=1.0, end=0.05, total=steps),
                     vmap=_common.VMAP)
    return model, history["loss"][-1]


def trained_nets(budgets: list, seeds: list[int], steps: int) -> dict[str, nn.MLP]:
    """Part 2: train each shape of each budget; print the errors and which shape won."""
    X = [[-1 + (2 * i + 1) / POINTS] for i in range(POINTS)]
    data = (X, [sawtooth(x[0], FOLDS) for x in X])
    mean = sum(data[1]) / POINTS
    print(f"\npart 2: trained on T^{FOLDS} ({2 ** (FOLDS - 1)} teeth) at {POINTS} points,"
          f" {steps} Adam steps; predicting the mean scores MSE"
          f" {sum((y - mean) ** 2 for y in data[1]) / POINTS:.4f}")
    rows, verdicts, best = [], [], {}
    for deep, shallow in budgets:
        results = {}
        for kind, hidden in (("deep", deep), ("shallow", shallow)):
            runs = [train(hidden, data, steps, seed) for seed in seeds]
            results[kind] = min(runs, key=lambda r: r[1])
            best[f"{kind} {hidden}"] = results[kind][0]
            rows.append([kind, str(hidden), len(runs[0][0].parameters()),
                         *(f"{loss:.4f}" for _, loss in runs)])
        verdicts.append(f"{deep} vs {shallow}: better fit:"
                        f" {winner(results['deep'][1], results['shallow'][1])}")
    _common.table(["shape", "hidden", "params", *(f"MSE seed {s}" for s in seeds)], rows)
    print("\n".join(verdicts))
    return best


def winner(deep: float, shallow: float) -> str:
    """Which best error is lower, or a tie when they are within 2% of each other."""
    if abs(deep - shallow) <= 0.02 * max(deep, shallow):
        return "neither (within 2%)"
    return "deep" if deep < shallow else "shallow"


def picture(models: dict[str, nn.MLP], out: Path) -> None:
    """T^4, the exact deep net, and the best trained net of each shape (needs matplotlib)."""
    us = [-1 + i / 256 for i in range(513)]
    curves = {f"trained {name}": (us, [m([u]).data for u in us]) for name, m in models.items()}
    _common.plot_curves(out, "depth_vs_width.png", curves, "depth vs width at equal budgets",
                        "u = 2x - 1", reference=(f"T^{FOLDS} (= the hand-set deep net)", us,
                                                 [sawtooth(u, FOLDS) for u in us]))


def main() -> None:
    args = _common.parse_args(__doc__)
    exact_nets([1, 2, 3, 4] if args.quick else [1, 2, 3, 4, 5, 6, 8])
    if args.quick:
        models = trained_nets(BUDGETS[:1], seeds=[0], steps=40)
    else:
        models = trained_nets(BUDGETS, seeds=[0, 1], steps=400)
    picture(models, args.out)


if __name__ == "__main__":
    main()
