"""The backprop explorer: one self-contained HTML page that steps through the chain rule.

The page holds the graph as SVG (from graphviz's ``dot``), the step schedule as JSON and a
small script (``explorer.js``, ``explorer.css`` beside this module): no server, no network.
The schedule is the engine's backward pass replayed: nodes in reversed topological order,
and for each, ``parent.grad += node.grad * local_grad`` over its parents, with the local
derivatives the forward pass stored (``Value.local_grads``).

>>> from autograd import Value
>>> x, w = Value(2.0, "x"), Value(-3.0, "w")
>>> schedule = backward_schedule(x * w)
>>> [edge["text"] for edge in schedule["steps"][0]["edges"]]
['dL/dx += dL/d(x*w) * w = 1 * -3 = -3', 'dL/dw += dL/d(x*w) * x = 1 * 2 = 2']
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .engine import Value
from .files import write_atomic
from .graph import topological_order
from .render import check_options, describe, encodable, format_number, scene_to_dot
from .rundot import TIMEOUT, check_timeout, run_dot

MAX_NAME = 32  # longer expression names fall back to the node's id
_ATOM, _NEG = 5, 3  # precedences: names and calls bind tightest, then unary minus
_INFIX = {"+": 1, "-": 1, "*": 2, "/": 2, "pow": 4}


def _names(order: list[Value], precision: int) -> dict[Value, tuple[str, int]]:
    """Each node's name (its label, a number, or its expression) and that text's precedence."""
    names: dict[Value, tuple[str, int]] = {}
    for i, node in enumerate(order):
        text, prec = _expression(node, names, precision)
        names[node] = (text, prec) if len(text) <= MAX_NAME else (f"v{i}", _ATOM)
    return names


def _expression(node: Value, names: dict[Value, tuple[str, int]], precision: int,
                use_label: bool = True) -> tuple[str, int]:
    ps, op = node.parents, node.op
    wrap = lambda p, least: names[p][0] if names[p][1] >= least else f"({names[p][0]})"
    if node.label and use_label:
        return node.label, _ATOM
    if not ps:
        text = format_number(node.data, precision, compact=True)
        return text, _NEG if text.startswith("-") else _ATOM
    if op == "*" and not ps[1].parents and not ps[1].label and ps[1].data == -1:
        return "-" + wrap(ps[0], _NEG), _NEG  # -x is x * -1
    if op in _INFIX:
        prec = _INFIX[op]
        symbol = "**" if op == "pow" else op
        return f"{wrap(ps[0], prec + (op == 'pow'))}{symbol}{wrap(ps[1], prec + 1)}", prec
    if op == "**":
        return f"{wrap(ps[0], _ATOM)}**{format_number(node.arg, precision, True)}", 4
    return f"{op}({', '.join(names[p][0] for p in ps)})", _ATOM


def _local_text(node: Value, i: int, name: Any, precision: int) -> str:
    """d(node)/d(parent i) written as math (the numbers come from ``local_grads``)."""
    ps, op = node.parents, node.op
    if op in ("+", "sum") or (op == "-" and i == 0):
        return "1"
    if op == "-":
        return "(-1)"
    if op == "*":
        return name(ps[1 - i])
    if op == "/":
        return f"1/{name(ps[1])}" if i == 0 else f"-{name(node)}/{name(ps[1])}"
    if op == "dot":
        n = len(ps) // 2
        return "1" if i == 2 * n else name(ps[(i + n) % (2 * n)])
    if op == "**":
        c, c1 = (format_number(e, precision, True) for e in (node.arg, node.arg - 1))
        return f"{c}*{name(ps[0])}**{c1}"
    simple = {"exp": name(node), "log": f"1/{name(ps[0])}", "tanh": f"(1-{name(node)}**2)",
              "sigmoid": f"{name(node)}*(1-{name(node)})"}
    return simple.get(op, f"d{name(node)}/d{name(ps[i])}")


def backward_schedule(root: Value, precision: int = 4) -> dict[str, Any]:
    """The engine's backward pass as steps: per non-leaf node, its chain-rule line per parent.

    Nodes are named ``v<i>`` by their position in ``topological_order(root)`` (the
    renderer's ids). Starts from dL/dL = 1 and zero elsewhere; the Values are not modified.
    """
    return _schedule(root, precision)[0]


def _schedule(root: Value, precision: int) -> tuple[dict[str, Any], dict[Value, float]]:
    order = topological_order(root)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    text = _Text(_names(order, precision), root.label or "L", precision)
    grads = dict.fromkeys(order, 0.0)
    grads[root] = 1.0
    steps = []
    for node in reversed(order):  # the engine's order: children before parents
        if not node.parents:
            continue
        g, edges = grads[node], []
        for i, (parent, local) in enumerate(zip(node.parents, node.local_grads, strict=True)):
            grads[parent] += g * local  # the engine's chain rule, in its order
            edges.append({"parent": ids[parent], "local": _json(local),
                          "total": _json(grads[parent]), "text": text.line(node, i, g, grads),
                          "shown": format_number(grads[parent], precision)})
        steps.append({"node": ids[node], "grad": _json(g), "edges": edges})
    nodes = {ids[n]: {"name": text.names[n][0], "label": n.label, "op": n.op,
                      "grad": _json(grads[n]), "data": format_number(n.data, precision),
                      "initial": format_number(1.0, precision) if n is root else "?"}
             for n in order}
    formula = _expression(root, text.names, precision, use_label=not root.parents)[0]
    return {"output": text.out, "formula": formula, "root": ids[root], "nodes": nodes,
            "steps": steps}, grads


def _json(x: float) -> float | str:
    """``x``, or "nan", "inf", "-inf" (JSON has no non-finite numbers; float() reads these)."""
    return x if math.isfinite(x) else repr(x)


@dataclass
class _Text:
    """Writes the chain-rule lines: node names, the output's name ``out``, numbers."""

    names: dict[Value, tuple[str, int]]
    out: str
    precision: int

    def d(self, node: Value) -> str:
        """dL/dnode, with the node's name in parentheses unless it is a plain name."""
        name = self.names[node][0]
        return f"d{self.out}/d{name}" if _SIMPLE.fullmatch(name) else f"d{self.out}/d({name})"

    def operand(self, node: Value) -> str:
        """The node's name as a factor: in parentheses unless it binds tightest."""
        name, prec = self.names[node]
        return name if prec >= _ATOM else f"({name})"

    def num(self, x: float) -> str:
        """A number at the page's precision, without trailing zeros."""
        return format_number(x, self.precision, compact=True)

    def line(self, node: Value, i: int, g: float, grads: dict[Value, float]) -> str:
        """dL/dparent += dL/dnode * local = g * local = contribution (and the new total)."""
        parent, local = node.parents[i], node.local_grads[i]
        line = (f"{self.d(parent)} += {self.d(node)} * "
                f"{_local_text(node, i, self.operand, self.precision)} = "
                f"{self.num(g)} * {self.num(local)} = {self.num(g * local)}")
        if grads[parent] != g * local:  # not the first contribution: show the sum so far
            line += f"  ({self.d(parent)} is now {self.num(grads[parent])})"
        return line


_SIMPLE = re.compile(r"[A-Za-z_]\w*")  # names that need no parentheses in dL/dname


def _visible(schedule: dict[str, Any], shown: set[str]) -> dict[str, Any]:
    """The schedule restricted to drawn nodes: steps that change a drawn node's gradient."""
    steps = []
    for step in schedule["steps"]:
        edges = [e for e in step["edges"] if e["parent"] in shown]
        if edges:
            node = step["node"] if step["node"] in shown else None
            steps.append({**step, "node": node, "edges": edges})
    nodes = {k: v for k, v in schedule["nodes"].items() if k in shown}
    return {**schedule, "nodes": nodes, "steps": steps}


def to_html(root: Value, path: str | Path, timeout: float = TIMEOUT,
            **render_options: Any) -> Path:
    """Write the backprop explorer for ``root`` to ``path``: a self-contained offline page.

    ``render_options`` are the renderer's (rankdir, precision, max_nodes; gradients are
    always shown). Raises RenderError, after writing the DOT source next to ``path``, when
    ``dot`` is missing or takes longer than ``timeout`` seconds. The page is written atomically.
    """
    path = Path(path)
    page = explorer_page(root, fallback=path.with_suffix(".dot"), timeout=timeout,
                         **render_options)
    write_atomic(path, page)
    return path


def explorer_page(root: Value, *, fallback: Path | None = None, timeout: float = TIMEOUT,
                  **render_options: Any) -> str:
    """The explorer's page for ``root`` as text (``to_html`` writes it; ``explore`` shows it).

    When ``dot`` is missing or runs past ``timeout`` seconds, raises RenderError (after
    writing the DOT source to ``fallback``, if given).
    """
    check_timeout(timeout)
    check_options(**render_options)  # before the schedule formats numbers at that precision
    schedule, grads = _schedule(root, render_options.get("precision", 4))
    render_options["show_grad"] = True  # the page fills in the grad fields
    scene = describe(root, grads=grads, **render_options)
    schedule = _visible(schedule, set(scene.ids.values()))
    schedule.update(total=scene.total, hidden=scene.hidden)
    svg = run_dot(scene_to_dot(scene), "svg", fallback, timeout).decode("utf-8")
    return encodable(_page(root, svg[svg.index("<svg"):], schedule))


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _page(root: Value, svg: str, schedule: dict[str, Any]) -> str:
    data = json.dumps(schedule).replace("<", "\\u003c").replace(">", "\\u003e")
    out, formula = schedule["output"], schedule["formula"]
    title = html.escape(f"Backprop explorer: {out}" + (f" = {formula}" if formula != out else ""))
    cut = ""
    if schedule["hidden"]:
        cut = (f'<p class="cut">Showing {schedule["total"] - schedule["hidden"]} of '
               f'{schedule["total"]} values: the {schedule["hidden"]} farthest from the output '
               "are not drawn (max_nodes); steps that only change them are left out.</p>")
    return _TEMPLATE.format(title=title, css=_asset("explorer.css"), cut=cut, svg=svg,
                            data=data, js=_asset("explorer.js"), steps=len(schedule["steps"]))


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
{css}</style>
</head>
<body>
<header>
<h1>{title}</h1>
{cut}<div class="controls">
<button id="back" type="button" title="left arrow">Back</button>
<button id="step" type="button" title="right arrow">Step</button>
<button id="play" type="button">Play</button>
<button id="reset" type="button">Reset</button>
<span id="status">step 0 of {steps}</span>
<span class="legend"><i class="swatch active"></i>the node whose gradient is passed back
<i class="swatch parent"></i>its parents, which receive it</span>
<label><input id="fit" type="checkbox" checked> fit to window</label>
</div>
<div id="lines" aria-live="polite"></div>
</header>
<div id="graph" class="fit">
{svg}</div>
<div id="tip" hidden></div>
<script type="application/json" id="schedule">{data}</script>
<script>
{js}</script>
</body>
</html>
"""
