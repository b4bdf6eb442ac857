"""Newton's method with the exact Hessian against gradient descent, on the Rosenbrock function.

f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 has its minimum at (1, 1) at the bottom of a long,
curved valley. Gradient descent must take small steps across the valley's steep walls and
crawls along its floor; Newton's step x <- x - H^-1 grad f uses the curvature that
``autograd.hessian`` computes exactly (second derivatives through the graph) and lands in a
handful of steps.

Run: python examples/newton.py [--quick]
"""

from __future__ import annotations

from pathlib import Path

from _common import parse_args, pyplot, save

from autograd import grad, hessian, value_and_grad

START = (-1.2, 1.0)
TOLERANCE = 1e-8  # converged when |grad f| < TOLERANCE


def rosenbrock(x, y):
    """The Rosenbrock function of Values (or numbers)."""
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def norm(v: list[float]) -> float:
    return sum(t * t for t in v) ** 0.5


def newton(max_steps: int) -> list[tuple[float, float]]:
    """Newton's method: solve H d = -g (2x2, by Cramer's rule) and step by d."""
    path = [START]
    gradient, hess = grad(rosenbrock, argnums=(0, 1)), hessian(rosenbrock)
    for _ in range(max_steps):
        x, y = path[-1]
        gx, gy = gradient(x, y)
        if norm([gx, gy]) < TOLERANCE:
            break
        (a, b), (c, d) = hess(x, y)
        det = a * d - b * c
        path.append((x - (d * gx - b * gy) / det, y - (a * gy - c * gx) / det))
    return path


def gradient_descent(lr: float, max_steps: int) -> list[tuple[float, float]]:
    """Plain gradient descent with a fixed learning rate."""
    path = [START]
    vg = value_and_grad(rosenbrock, argnums=(0, 1))
    for _ in range(max_steps):
        x, y = path[-1]
        _, (gx, gy) = vg(x, y)
        if norm([gx, gy]) < TOLERANCE:
            break
        path.append((x - lr * gx, y - lr * gy))
    return path


def plot(paths: dict[str, list[tuple[float, float]]], out: Path) -> None:
    """Contours of f with both paths, if matplotlib is installed."""
    plt = pyplot()
    if plt is None:
        return
    xs = [-2 + 4 * i / 200 for i in range(201)]
    ys = [-1 + 4 * j / 200 for j in range(201)]
    zs = [[rosenbrock(x, y) for x in xs] for y in ys]
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.contour(xs, ys, zs, levels=[0.5 * 2**k for k in range(14)], cmap="Greys", linewidths=0.6)
    for name, path in paths.items():
        ax.plot([p[0] for p in path], [p[1] for p in path], ".-", label=name, markersize=3)
    ax.plot([1], [1], "r*", markersize=12, label="minimum (1, 1)")
    ax.legend()
    ax.set_title("Rosenbrock: Newton vs gradient descent")
    save(fig, out, "newton.png")


def main() -> None:
    args = parse_args(__doc__)
    gd_steps = 2_000 if args.quick else 50_000

    newton_path = newton(max_steps=50)
    print("Newton's method (exact Hessian):")
    for k, (x, y) in enumerate(newton_path):
        print(f"  step {k:2d}: x = {x:+.10f}  y = {y:+.10f}  f = {rosenbrock(x, y):.3e}")
    gd_path = gradient_descent(lr=1e-3, max_steps=gd_steps)
    x, y = gd_path[-1]
    done = norm(grad(rosenbrock, argnums=(0, 1))(x, y)) < TOLERANCE
    print(f"gradient descent (lr 1e-3): {len(gd_path) - 1} steps, at ({x:.6f}, {y:.6f}),"
          f" f = {rosenbrock(x, y):.3e}, {'converged' if done else 'not converged yet'}")
    print(f"steps to converge: newton {len(newton_path) - 1},"
          f" gradient descent {len(gd_path) - 1 if done else f'> {gd_steps}'}")
    plot({"Newton": newton_path, "gradient descent": gd_path[::50] + gd_path[-1:]}, args.out)


if __name__ == "__main__":
    main()
