"""Vanishing gradients: how big the gradient is at each layer of a deep sigmoid, tanh and relu net.

Backpropagation multiplies, layer by layer, by A^j = dh^j/dh^(j-1) = diag(phi'(z^j)) W^j
(the slides' product of A^j's). sigmoid' is at most 1/4, so with weights of moderate
size every sigmoid layer shrinks the gradient: the first layers of a deep sigmoid net
barely learn. tanh' is at most 1 (and 1 at 0), relu' is 0 or 1, so they shrink it far
less. Each net here has the same shape, 12 hidden layers of 16 units and one output,
with the initialization made for its activation (Xavier for sigmoid and tanh, He for
relu); one backward pass of the mean binary cross-entropy over 32 moons points gives
dL/dW for every layer. It prints the norm ||dL/dW^l|| per layer, input layer first,
and how much smaller the first layer's is than the last's.

Run: python examples/vanishing_gradients.py [--quick] [--out DIR]
"""

from __future__ import annotations

import math
from pathlib import Path

import _common

import nn

NETS = {"sigmoid": "xavier", "tanh": "xavier", "relu": "he"}  # activation: its init


def layer_grad_norms(activation: str, init: str, depth: int, data: tuple) -> list[float]:
    """||dL/dW^l|| (weights and biases of layer l) after one backward pass, input layer first."""
    model = nn.MLP(2, [16] * depth + [1], activation=activation, init=init, seed=0)
    X, y = data
    loss = nn.mean(nn.bce_with_logits(model(x), t) for x, t in zip(X, y, strict=True))
    loss.backward()
    return [math.sqrt(sum(p.grad**2 for p in layer.parameters())) for layer in model.layers]


def picture(norms: dict[str, list[float]], out: Path) -> None:
    """Gradient norm against layer, on a log scale (needs matplotlib)."""
    curves = {act: (range(1, len(values) + 1), values) for act, values in norms.items()}
    _common.plot_curves(out, "vanishing_gradients.png", curves,
                        "gradient norm per layer at initialization", "layer (1 = input side)",
                        "||dL/dW||", logy=True, style="o-")


def main() -> None:
    args = _common.parse_args(__doc__)
    depth, n = (6, 8) if args.quick else (12, 32)
    data = nn.make_moons(n, noise=0.1, seed=0)
    print(f"MLP(2, [16] * {depth} + [1]), one backward of the binary cross-entropy on {n}"
          f" moons points; ||dL/dW|| per layer (1: next to the input, {depth + 1}: output):")
    norms = {act: layer_grad_norms(act, init, depth, data) for act, init in NETS.items()}
    rows = [[layer + 1, *(f"{norms[a][layer]:.2e}" for a in NETS)] for layer in range(depth + 1)]
    _common.table(["layer", *(f"{a} ({i})" for a, i in NETS.items())], rows)
    for activation, values in norms.items():
        ratio = values[0] / values[-1]
        print(f"{activation}: first layer / last layer = {ratio:.1e}")
    picture(norms, args.out)


if __name__ == "__main__":
    main()
