"""Maxout units learn XOR: each hidden unit is the max of k affine pieces, max_i (w_i . x + b_i).

The slides' maxout unit max(w_1 . x + b_1, w_2 . x + b_2) has no fixed shape: relu is the
maxout of (w . x + b, 0) and |w . x + b| that of (w . x + b, -(w . x + b)), and with more
pieces a unit fits any convex piecewise-linear function. Its gradient goes only to the
winning piece (``autograd.max``), so each piece learns from the points where it wins.

MLP(2, [8, 1], activation="maxout") (8 maxout units of 2 pieces, a linear output; 57
parameters) learns XOR, which no single line separates, with the hinge loss and full-batch
Adam. (Two units are enough in principle: |x0 + x1| - |x0 - x1| has the sign of x0 x1.) It
prints the loss and accuracy as it trains, how often each piece of the first unit wins,
draws the decision boundary (``maxout_boundary.png``) and ends with ``accuracy: NN.N%``
(99.0% with these seeds).

Run: python examples/maxout.py [--quick] [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

import _common

import nn

SEED = 0
POINTS, QUICK_POINTS = 100, 40
EPOCHS, QUICK_EPOCHS = 40, 30
REPORT_EVERY = 10


def picture(model: nn.MLP, X: list[list[float]], labels: list[int], out: Path, quick: bool
            ) -> None:
    """The plane coloured by the predicted class (needs matplotlib)."""
    plt = _common.pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(5, 4.5))
    _common.decision_regions(ax, lambda p: int(model(p).data > 0), X, labels,
                             steps=30 if quick else 80, title="maxout units on XOR")
    _common.save(fig, out, "maxout_boundary.png")


def main() -> None:
    args = _common.parse_args(__doc__)
    points, epochs = (QUICK_POINTS, QUICK_EPOCHS) if args.quick else (POINTS, EPOCHS)
    X, labels = nn.make_xor(points, seed=SEED)
    y = [2 * t - 1 for t in labels]  # the hinge loss wants -1/+1
    model = nn.MLP(2, [8, 1], activation="maxout", pieces=2, seed=SEED)
    print(model, f"({len(model.parameters())} parameters)")
    opt = nn.Adam(model.parameters(), lr=0.1)
    print(f"{'epoch':>6} {'hinge':>8} {'accuracy':>9}")
    for start in range(0, epochs, REPORT_EVERY):
        h = nn.fit(model, nn.hinge, (X, y), opt, epochs=min(REPORT_EVERY, epochs - start),
                   quiet=True)
        print(f"{start + len(h['loss']):>6} {h['loss'][-1]:>8.4f} "
              f"{_common.percent(h['accuracy'][-1]):>9}")
    unit = model.layers[0]
    wins = [0] * unit.k
    for x in X:  # which of the first unit's pieces is the max at each point
        zs = unit.pieces([*x])[: unit.k]
        wins[zs.index(max(zs))] += 1  # Python's max on Values compares their data
    print("first unit: points where each piece wins:", wins)
    picture(model, X, labels, args.out, args.quick)
    accuracy = nn.evaluate(model, nn.hinge, (X, y))["accuracy"]
    print(f"accuracy: {_common.percent(accuracy)}")


if __name__ == "__main__":
    main()
