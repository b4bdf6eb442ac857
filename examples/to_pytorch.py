"""Outgrowing a scalar engine: train on two moons here, then carry on in PyTorch.

An MLP(2, [16, 16, 1]) trains here for a while (full-batch SGD on the hinge loss plus an L2
penalty, micrograd's demo), then ``nn.to_torch`` exports it: a float64
``torch.nn.Sequential`` with the same layers, activations and weights. From there both
copies keep training side by side, the same steps: this library with ``nn.SGD``, PyTorch
with ``torch.optim.SGD``. The two loss curves agree to about 1e-12 while both go down,
so nothing is lost in the move. Finally ``nn.from_torch`` brings the PyTorch weights back.

Needs PyTorch (``pip install 'scalar-autograd[torch]'``). Run: python examples/to_pytorch.py
[--quick] [--out DIR]
"""

from __future__ import annotations

import _common
import torch

import nn

ALPHA, LR = 1e-4, 0.5


def torch_losses(module: torch.nn.Module, X: list, y: list, steps: int) -> list[float]:
    """``steps`` of torch.optim.SGD on the same objective, mean hinge max(0, 1 - y s) + ALPHA *
    the sum of squared parameters; the mean hinge loss before each step (as ``fit``'s)."""
    opt = torch.optim.SGD(module.parameters(), lr=LR)
    X_t, y_t = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        data_loss = torch.relu(1 - y_t * module(X_t).squeeze(1)).mean()
        (data_loss + ALPHA * sum((p * p).sum() for p in module.parameters())).backward()
        opt.step()
        losses.append(data_loss.item())
    return losses


def ours_losses(model: nn.MLP, X: list, y: list, steps: int) -> list[float]:
    """The same training here (nn.SGD, full batch): the loss before each step."""
    opt = nn.SGD(model.parameters(), lr=LR)
    history = nn.fit(model, nn.hinge, (X, y), opt, epochs=steps, quiet=True, metric=None,
                     penalty=lambda: ALPHA * nn.l2(model.parameters()), vmap=_common.VMAP)
    return history["loss"]


def main() -> None:
    args = _common.parse_args(__doc__)
    here, there = (20, 20) if args.quick else (100, 100)
    X, labels = nn.make_moons(200, noise=0.1, seed=1)
    y = [2.0 * t - 1 for t in labels]
    model = nn.MLP(2, [16, 16, 1], seed=0)
    ours_losses(model, X, y, here)
    module = nn.to_torch(model)
    print(f"trained here for {here} steps; exported:\n{module}")
    ours, theirs = ours_losses(model, X, y, there), torch_losses(module, X, y, there)
    rows = [[here + i, ours[i], theirs[i], abs(ours[i] - theirs[i])]
            for i in sorted({*range(0, there, max(there // 5, 1)), there - 1})]
    _common.table(["step", "loss here", "loss in PyTorch", "|difference|"], rows)
    worst = max(abs(a - b) for a, b in zip(ours, theirs, strict=True))
    print(f"both trained: loss {ours[0]:.4f} -> {ours[-1]:.4f} here, "
          f"{theirs[0]:.4f} -> {theirs[-1]:.4f} in PyTorch; largest difference {worst:.1e}")
    back = nn.from_torch(module)
    drift = max(abs(a.data - b.data) for a, b in zip(back.parameters(), model.parameters(),
                                                      strict=True))
    print(f"from_torch: {back!r}; largest weight difference from ours {drift:.1e}")
    steps = list(range(here, here + there))
    _common.plot_curves(args.out, "to_pytorch.png", {"here (nn.SGD)": (steps, ours),
                        "PyTorch (torch.optim.SGD)": (steps, theirs)},
                        "training continued in both libraries", "step", "loss", style="--")


if __name__ == "__main__":
    main()
