"""Forward mode against reverse mode: which one pays for a gradient, which one for a column.

A small recurrent net h_i = tanh(0.9 h_{i-1} + x_i) reads n inputs. Reverse mode gets all
n partial derivatives of one output in one backward pass (``grad``); forward mode gets the
derivatives of all outputs along one input direction in one forward pass (``jvp``). So:

- the gradient of f(x) = sum_i h_i^2 (R^n -> R): one reverse pass, or n forward passes
  (``jacfwd``): forward mode's cost grows like n times reverse mode's;
- one column of the Jacobian of x -> (h_1, ..., h_n) (R^n -> R^n): one forward pass, or,
  in reverse mode, one backward pass per output (n of them, ``jacobian``).

Each cost is the best of a few runs; both modes' numbers are checked to agree.

Run: python examples/forward_vs_reverse.py [--quick]
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from _common import parse_args, plot_curves, table

from autograd import grad, jacfwd, jacobian, jvp


def hidden_states(*xs: Any) -> list[Any]:
    """h_i = tanh(0.9 h_{i-1} + x_i), h_0 = 0: every output depends on all earlier inputs."""
    h, states = 0.0, []
    for x in xs:
        h = (0.9 * h + x).tanh()
        states.append(h)
    return states


def energy(*xs: Any) -> Any:
    """f(x) = sum_i h_i^2: one number from n inputs."""
    total = 0.0
    for h in hidden_states(*xs):
        total = total + h * h
    return total


def seconds(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The best time of ``repeats`` calls, and the last result."""
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def costs(n: int, repeats: int) -> tuple[float, float, float, float]:
    """(gradient by reverse, by forward, one column by forward, by reverse), in seconds."""
    xs = [math.sin(i) for i in range(n)]
    e0 = [1.0] + [0.0] * (n - 1)
    t_rev, g_rev = seconds(lambda: grad(energy, argnums=tuple(range(n)))(*xs), repeats)
    t_fwd, [g_fwd] = seconds(lambda: jacfwd(energy)(*xs), repeats)
    t_col_fwd, (_, col_fwd) = seconds(lambda: jvp(hidden_states, xs, e0), repeats)
    t_col_rev, rows = seconds(lambda: jacobian(hidden_states)(*xs), repeats)
    assert all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
               for a, b in zip(g_rev, g_fwd, strict=True))
    assert all(math.isclose(a, row[0], rel_tol=1e-9, abs_tol=1e-12)
               for a, row in zip(col_fwd, rows, strict=True))
    return t_rev, t_fwd, t_col_fwd, t_col_rev


def main() -> None:
    args = parse_args(__doc__)
    sizes = [4, 8, 16, 32] if args.quick else [4, 8, 16, 32, 64, 128]
    results = {n: costs(n, repeats=3) for n in sizes}
    print("milliseconds (best of 3); both modes agree on every number")
    table(["n", "gradient: reverse", "forward", "one column: forward", "reverse"],
          [[n, *(1e3 * t for t in ts)] for n, ts in results.items()])
    n = sizes[-1]
    t_rev, t_fwd, t_col_fwd, t_col_rev = results[n]
    print(f"at n = {n}: the gradient costs {t_fwd / t_rev:.1f}x as much in forward mode; "
          f"one column costs {t_col_rev / t_col_fwd:.1f}x as much in reverse mode")
    ms = lambda k: [1e3 * results[m][k] for m in sizes]
    plot_curves(args.out, "forward_vs_reverse.png",
                {"gradient, reverse (1 pass)": (sizes, ms(0)),
                 "gradient, forward (n passes)": (sizes, ms(1)),
                 "one Jacobian column, forward (1 pass)": (sizes, ms(2)),
                 "one Jacobian column, reverse (n passes)": (sizes, ms(3))},
                "The cost of a gradient and of a Jacobian column", "n inputs", "ms",
                logy=True, style=".-")


if __name__ == "__main__":
    main()
