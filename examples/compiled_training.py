"""Compiled mode for training: the moons MLP trained eagerly and compiled, side by side.

Both runs start from the same weights of MLP(2, [16, 16, 1]) and take the same full-batch SGD
steps on 100 moons points (hinge loss + 1e-4 * sum w^2, lr 0.5). Eager mode builds and walks
the whole batch's graph every step. Compiled mode traces one example's loss once
(``jit(..., params=...)``), then replays it over the 100 rows with ``backward_batch``: one
generated loop, no nodes. The L2 penalty is compiled apart. It prints the time per step of
each, the one-off trace cost, and how far apart the two runs' losses and weights end up:
within rounding, since the batch's gradient terms are added in another order. It draws both
loss curves (``compiled_training.png``): they lie on top of each other.

Run: python examples/compiled_training.py [--quick]
"""

from __future__ import annotations

import time

import _common

import nn
from autograd.compile import jit

SEED, ALPHA, LR = 4, 1e-4, 0.5
STEPS, QUICK_STEPS = 50, 5


def eager_step(model: nn.MLP, rows: list, opt: nn.SGD) -> float:
    """One step: the batch's graph, backward, SGD."""
    opt.zero_grad()
    data_loss = nn.mean(nn.hinge(model([x0, x1]), y) for x0, x1, y in rows)
    loss = data_loss + ALPHA * nn.l2(opt.params)
    loss.backward()
    opt.step()
    return loss.data


def compiled_stepper(model: nn.MLP, opt: nn.SGD):
    """A step function replaying one traced example over the rows (and the penalty apart)."""
    example = jit(lambda x0, x1, y: nn.hinge(model([x0, x1]), y), params=opt.params)
    penalty = jit(lambda: ALPHA * nn.l2(opt.params), params=opt.params)

    def step(rows: list) -> float:
        opt.zero_grad()
        losses = example.backward_batch(rows, grad=1.0 / len(rows))  # adds d(mean)/dp
        loss = sum(losses) / len(losses) + penalty.backward()  # adds d(penalty)/dp
        opt.step()
        return loss

    return step


def timed(step, steps: int) -> tuple[list[float], float]:
    """The losses of ``steps`` calls, and the seconds per call after the first."""
    losses = [step()]
    start = time.perf_counter()
    losses += [step() for _ in range(steps - 1)]
    return losses, (time.perf_counter() - start) / max(steps - 1, 1)


def main() -> None:
    args = _common.parse_args(__doc__)
    X, y = nn.make_moons(100, noise=0.1, seed=SEED)
    rows = [(x0, x1, 2.0 * t - 1.0) for (x0, x1), t in zip(X, y, strict=True)]  # labels -1/+1
    steps = QUICK_STEPS if args.quick else STEPS
    eager_model, compiled_model = nn.MLP(2, [16, 16, 1], seed=SEED), nn.MLP(2, [16, 16, 1])
    compiled_model.load_state_dict(eager_model.state_dict())
    eager_opt = nn.SGD(eager_model.parameters(), lr=LR)
    compiled_opt = nn.SGD(compiled_model.parameters(), lr=LR)
    eager_losses, eager_time = timed(lambda: eager_step(eager_model, rows, eager_opt), steps)
    start = time.perf_counter()
    step = compiled_stepper(compiled_model, compiled_opt)
    first = step(rows)  # traces and compiles, then runs
    once = time.perf_counter() - start
    later, compiled_time = timed(lambda: step(rows), steps - 1)
    compiled_losses = [first, *later]
    loss_gap = max(abs(a - b) for a, b in zip(eager_losses, compiled_losses, strict=True))
    weight_gap = max(abs(a - b) for a, b in zip(eager_opt.params, compiled_opt.params,
                                                 strict=True) for a, b in [(a.data, b.data)])
    _common.table(["mode", "ms per step", "final loss"],
                  [["eager", f"{eager_time * 1e3:.2f}", f"{eager_losses[-1]:.6f}"],
                   ["compiled", f"{compiled_time * 1e3:.2f}", f"{compiled_losses[-1]:.6f}"]])
    print(f"compiled: {eager_time / compiled_time:.1f}x faster per step after a one-off "
          f"{once * 1e3:.0f} ms (trace, generate, compile and the first step)")
    print(f"largest difference over {steps} steps: loss {loss_gap:.1e}, weight {weight_gap:.1e}")
    xs = range(1, steps + 1)
    _common.plot_curves(args.out, "compiled_training.png", {
        "eager": (xs, eager_losses), "compiled (backward_batch)": (xs, compiled_losses)},
        "the same training, eager and compiled", "SGD step", "loss", style=".-")


if __name__ == "__main__":
    main()
