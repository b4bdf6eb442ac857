"""What every example shares: the command line, pictures, graph rendering and printed tables.

Every example takes ``--quick`` (or the environment variable ``AUTOGRAD_QUICK=1``) for a
small, fast setting, and ``--out DIR`` for its pictures (default ``examples/out/``).
matplotlib is imported only here and only when a picture is drawn: without it the
examples still run and say how to get the pictures.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from autograd import Value, no_grad

OUT = Path(__file__).resolve().parent / "out"
GET_PICTURES = "pip install 'scalar-autograd[examples]'"
VMAP = importlib.util.find_spec("numpy") is not None  # fit(vmap=...): batches run with numpy
CLASS_COLOURS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c"]  # class 0, 1, ...


def parse_args(doc: str) -> argparse.Namespace:
    """Parse ``--quick`` (or ``AUTOGRAD_QUICK=1``) and ``--out DIR``, which every example takes."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small, fast setting (for tests)")
    parser.add_argument("--out", type=Path, default=OUT,
                        help="where pictures are written (default: examples/out/)")
    args = parser.parse_args()
    args.quick = args.quick or os.environ.get("AUTOGRAD_QUICK") == "1"
    return args


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the file-only Agg backend, or None after saying how to get it."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"pictures: matplotlib is not installed; for the pictures: {GET_PICTURES}")
        return None
    return plt


def save(fig: Any, out: Path, name: str) -> Path:
    """Write a matplotlib figure to ``out/name``, close it and print where it went."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    pyplot().close(fig)
    print(f"picture: {path}")
    return path


def render_graph(root: Value, out: Path, name: str, **options: Any) -> Path:
    """Render ``root``'s graph to ``out/name`` (SVG); without graphviz's ``dot``, say how to get it.

    ``autograd.render`` writes the DOT source beside the picture when ``dot`` is missing,
    so there is always a file to look at.
    """
    from autograd.render import RenderError, render

    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    try:
        render(root, path, **options)
    except RenderError as e:
        print(f"graph: not rendered: {e}")
        return path.with_suffix(".dot")
    print(f"graph: {path}")
    return path


def plot_curves(out: Path, name: str, curves: dict[str, tuple[Sequence[float], Sequence[float]]],
                title: str, xlabel: str, ylabel: str = "", logy: bool = False,
                reference: tuple[str, Sequence[float], Sequence[float]] | None = None,
                style: str = "-") -> None:
    """One figure of labelled curves ``{label: (xs, ys)}`` (and a thick grey ``reference``)."""
    plt = pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(7, 4))
    if reference is not None:
        label, xs, ys = reference
        ax.plot(xs, ys, "k", linewidth=3, alpha=0.3, label=label)
    for label, (xs, ys) in curves.items():
        ax.plot(xs, ys, style, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=8)
    save(fig, out, name)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "  ") -> None:
    """Print rows under headers: the first column left-aligned, the rest right-aligned.

    Floats are shown with 4 significant digits.
    """
    cells = [list(headers)] + [[f"{c:.4g}" if isinstance(c, float) else str(c) for c in row]
                               for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        line = [c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        print(indent + "  ".join(line).rstrip())


def percent(fraction: float) -> str:
    """0.985 -> '98.5%'."""
    return f"{100 * fraction:.1f}%"


def grid(X: Sequence[Sequence[float]], steps: int, margin: float = 0.5
         ) -> tuple[list[float], list[float]]:
    """Axis values of a ``steps`` x ``steps`` grid covering the points ``X`` plus a margin."""
    axes = []
    for k in (0, 1):
        lo, hi = min(x[k] for x in X) - margin, max(x[k] for x in X) + margin
        axes.append([lo + (hi - lo) * i / (steps - 1) for i in range(steps)])
    return axes[0], axes[1]


def decision_regions(ax: Any, predict: Callable[[list[float]], int], X: Sequence[Sequence[float]],
                     y: Sequence[int], steps: int = 60, title: str = "") -> None:
    """Colour the plane by the class ``predict(point)`` gives, and plot the labelled points."""
    xs, ys = grid(X, steps)
    with no_grad():
        zs = [[predict([a, b]) for a in xs] for b in ys]
    n_classes = max(max(y), max(max(row) for row in zs)) + 1
    ax.contourf(xs, ys, zs, levels=[k - 0.5 for k in range(n_classes + 1)],
                colors=CLASS_COLOURS[:n_classes], alpha=0.25)
    ax.scatter([x[0] for x in X], [x[1] for x in X], c=[CLASS_COLOURS[t] for t in y], s=14,
               edgecolors="k", linewidths=0.4)
    ax.set_title(title)
