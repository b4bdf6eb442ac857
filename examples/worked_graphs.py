"""The slides' two hand-worked graphs, forward and backward, node by node.

1. f(x, y, z) = (x + y) z at x = -2, y = 5, z = -4 (CS231n's simple example): with
   q = x + y, df/dq = z and df/dz = q, so df/dx = df/dy = z = -4 and df/dz = q = 3.
2. L(x, w, b) = log(1 / (exp(-(x w + b)) + 1)) at x = 2, w = -3, b = 6: the slides walk
   the chain rule back through log, 1/in, +1, exp, *-1, + and * to [-1.5, 1, 0.5].

For each graph it prints every node in topological order (parents first) with its op,
value and gradient, then the backward pass as one chain-rule line per edge, in the
order the engine runs it, and renders the graph (graphviz's ``dot``) to worked_f.svg and
worked_L.svg. The numbers are exact here, so there is nothing to shorten for --quick.

Run: python examples/worked_graphs.py [--quick] [--out DIR]
"""

from __future__ import annotations

import _common

from autograd import Value, topological_order
from autograd.html import backward_schedule


def simple_example() -> tuple[Value, list[Value]]:
    """f = (x + y) z, with the slides' names q and f for the inner nodes."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f, [x, y, z]


def logistic_example() -> tuple[Value, list[Value]]:
    """L = log(1 / (exp(-(x w + b)) + 1)): the log-probability of a logistic unit."""
    x, w, b = Value(2.0, "x"), Value(-3.0, "w"), Value(6.0, "b")
    L = (1 / ((-(x * w + b)).exp() + 1)).log()
    L.label = "L"
    return L, [x, w, b]


def number(x: float) -> str:
    """A float as the slides write it: -4, 0.5, -0.6931."""
    return f"{x:.4f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def show(title: str, root: Value, inputs: list[Value]) -> None:
    """Print the nodes (forward), the chain-rule steps (backward) and the input gradients."""
    root.backward()
    schedule = backward_schedule(root)
    names = [node["name"] for node in schedule["nodes"].values()]  # topological order
    print(f"\n{title}")
    print("nodes in topological order (parents before children, output last):")
    rows = [[name, node.op or ("input" if node.label else "constant"), number(node.data),
             number(node.grad)] for name, node in zip(names, topological_order(root), strict=True)]
    _common.table(["node", "op", "value", "grad"], rows)
    print(f"backward, from d{schedule['output']}/d{schedule['output']} = 1"
          " (each node passes its grad times its local derivative to its parents):")
    for step in schedule["steps"]:
        for edge in step["edges"]:
            print(f"  {edge['text']}")
    print("gradients: " + ", ".join(f"{v.label} {number(v.grad)}" for v in inputs))


def main() -> None:
    args = _common.parse_args(__doc__)
    f, inputs = simple_example()
    show("f(x, y, z) = (x + y) * z at x = -2, y = 5, z = -4", f, inputs)
    _common.render_graph(f, args.out, "worked_f.svg")
    L, inputs = logistic_example()
    show("L(x, w, b) = log(1 / (exp(-(x*w + b)) + 1)) at x = 2, w = -3, b = 6", L, inputs)
    _common.render_graph(L, args.out, "worked_L.svg")


if __name__ == "__main__":
    main()
