"""Draw a computation graph with its values and gradients: DOT text, a graphviz Digraph, a file.

One description of the picture (``describe``) feeds every output: ``to_dot`` writes it as
DOT text with no dependency, ``draw`` builds a ``graphviz.Digraph`` from it (inline display
in Jupyter), ``render`` runs graphviz's ``dot`` program on it to write svg, png or pdf.

>>> from autograd import Value
>>> x, w = Value(2.0, "x"), Value(-3.0, "w")
>>> y = x * w
>>> y.backward()
>>> print(to_dot(y, precision=1))  # doctest: +ELLIPSIS
digraph {
...
	v0 [label="x | data 2.0 | grad -3.0" fillcolor="#dbeafe" ...]
...
	v2_op [label="*" ...]
...
}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import Value
from .files import write_atomic
from .graph import topological_order
from .rundot import TIMEOUT, check_timeout, digraph_class, run_dot
from .rundot import RenderError as RenderError  # re-exported for `from autograd.render import`
from .scalar import positive_int

FORMATS = ("svg", "png", "pdf", "dot")
# dot's network simplex (ranks, then x positions) runs to the optimum unless limited, and on
# a dense graph of a few hundred nodes that takes minutes. One pass per node (the ``1``) is
# what small graphs need anyway: their pictures are unchanged, a 40-step RNN takes seconds.
LAYOUT = {"nslimit": "1", "nslimit1": "1"}

# fill colours: inputs (leaves), the output (root), everything in between, ops, constants
_LEAF, _ROOT, _INNER, _OP, _CONST = "#dbeafe", "#fde68a", "#ffffff", "#e5e7eb", "#f3f4f6"
_RECORD_SPECIAL = re.compile(r'([\\"{}|<>])')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")  # line breaks, tabs, NUL: dot drops or chokes on them


@dataclass
class Scene:
    """What to draw: DOT node and edge statements, and which Values are shown under which id."""

    graph_attrs: dict[str, str]
    nodes: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    ids: dict[Value, str] = field(default_factory=dict)
    total: int = 0

    @property
    def hidden(self) -> int:
        """How many Values were left out by the node limit."""
        return self.total - len(self.ids)


def format_number(x: float, precision: int, compact: bool = False) -> str:
    """``x`` with ``precision`` digits after the point (trailing zeros dropped if ``compact``)."""
    text = f"{x:.{precision}e}" if abs(x) >= 1e6 else f"{x:.{precision}f}"
    if compact and "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text  # no "-0"


def escape_record(text: str) -> str:
    """Escape a user's text for a DOT record label, so the drawing shows it as written.

    ``{ } | < > " \\`` get a backslash, ``&`` becomes ``&amp;`` (dot reads ``&lt;`` or
    ``&#60;`` as entities) and control characters (newlines, tabs) become spaces.
    """
    text = _CONTROL.sub(" ", encodable(text)).replace("&", "&amp;")
    return _RECORD_SPECIAL.sub(r"\\\1", text)


def encodable(text: str) -> str:
    """``text`` with lone surrogates (which UTF-8 cannot encode) written as ``\\udxxx``."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _escape(text: str) -> str:
    return encodable(text).replace("\\", "\\\\").replace('"', '\\"')


def _grad_of(node: Value, grads: Mapping[Value, float] | None) -> float:
    grad = node.grad if grads is None else grads[node]
    return grad.data if isinstance(grad, Value) else grad


def nearest(order: list[Value], limit: int) -> list[Value]:
    """The ``limit`` nodes of ``order`` nearest its root (its last node), by path length."""
    if len(order) <= limit:
        return order
    dist = {order[-1]: 0}
    for node in reversed(order):  # children before parents: a parent's distance is final
        d = dist[node] + 1
        for parent in node.parents:
            dist[parent] = min(dist.get(parent, d), d)
    rank = {node: i for i, node in enumerate(reversed(order))}
    keep = set(sorted(order, key=lambda n: (dist[n], rank[n]))[:limit])
    return [node for node in order if node in keep]


def _op_text(node: Value, precision: int) -> str:
    if node.arg is None:
        return node.op
    arg = format_number(node.arg, precision, compact=True)
    return f"**{arg}" if node.op == "**" else f"{node.op}({arg})"


def _value_attrs(node: Value, root: Value, grad: float, opts: dict[str, Any]) -> dict[str, str]:
    precision = opts["precision"]
    if not node.parents and not node.label and node is not root:  # a constant: compact
        text = format_number(node.data, precision, compact=True)
        return {"label": _escape(text), "shape": "box", "style": "rounded,filled",
                "fillcolor": _CONST, "width": "0", "height": "0", "margin": "0.08,0.04"}
    fields = [escape_record(node.label)] if node.label else []
    fields.append(f"data {format_number(node.data, precision)}")
    if opts["show_grad"]:
        fields.append(f"grad {format_number(grad, precision)}")
    row = " | ".join(fields)
    fill = _ROOT if node is root else _INNER if node.parents else _LEAF
    attrs = {"label": row if opts["rankdir"] == "LR" else f"{{ {row} }}", "shape": "record",
             "style": "filled", "fillcolor": fill}
    if node is root:
        attrs["penwidth"] = "2"
    return attrs


def check_options(rankdir: str = "LR", precision: int = 4, max_nodes: int = 500,
                  show_grad: bool = True) -> None:
    """Raise ValueError for a drawing option out of range (TypeError for an unknown one, or
    a max_nodes that is no int)."""
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"rankdir must be 'LR' or 'TB', got {rankdir!r}")
    if not isinstance(precision, int) or not 0 <= precision <= 17:
        raise ValueError(f"precision must be an int from 0 to 17, got {precision!r}")
    positive_int("max_nodes", max_nodes)


def describe(root: Value, rankdir: str = "LR", precision: int = 4, show_grad: bool = True,
             max_nodes: int = 500, grads: Mapping[Value, float] | None = None) -> Scene:
    """The picture of ``root``'s graph: a record per Value, a node per op, edges in operand order.

    Past ``max_nodes`` Values only those nearest the root are drawn, plus a marker node
    saying how many were left out. ``grads`` replaces each node's ``grad`` in the labels.
    """
    check_options(rankdir, precision, max_nodes)
    opts = {"rankdir": rankdir, "precision": precision, "show_grad": show_grad}
    order = topological_order(root)
    shown = nearest(order, max_nodes)
    position = {node: i for i, node in enumerate(order)}
    scene = Scene({"rankdir": rankdir, **LAYOUT}, total=len(order))
    scene.ids = {node: f"v{position[node]}" for node in shown}
    for node in shown:
        _add_value(scene, node, root, _grad_of(node, grads), opts)
    if scene.hidden:
        _add_marker(scene)
    return scene


def _add_value(scene: Scene, node: Value, root: Value, grad: float, opts: dict[str, Any]) -> None:
    name = scene.ids[node]
    scene.nodes.append((name, {**_value_attrs(node, root, grad, opts), "id": name}))
    if not node.parents:
        return
    op = f"{name}_op"
    scene.nodes.append((op, {"label": _escape(_op_text(node, opts["precision"])), "id": op,
                             "shape": "ellipse", "style": "filled", "fillcolor": _OP,
                             "width": "0.45", "height": "0.3", "margin": "0.04"}))
    shown = [scene.ids[p] for p in node.parents if p in scene.ids]
    scene.edges += [(source, op, {}) for source in shown]
    if len(shown) < len(node.parents):  # one dashed edge from the marker for the hidden ones
        scene.edges.append(("hidden", op, {"style": "dashed"}))
    scene.edges.append((op, name, {}))


def _add_marker(scene: Scene) -> None:
    label = f"… {scene.hidden} nodes not shown (max_nodes)"
    scene.nodes.append(("hidden", {"label": label, "id": "hidden", "shape": "note",
                                   "style": "dashed", "fontcolor": "#6b7280"}))


_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|-?(\.[0-9]+|[0-9]+(\.[0-9]*)?)")
_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}


def _quote(value: str) -> str:
    """A DOT ID: bare if a name or numeral (and not a keyword), else quoted (already escaped)."""
    bare = _BARE.fullmatch(value) and value.lower() not in _KEYWORDS
    return value if bare else f'"{value}"'


def _attr_list(attrs: Mapping[str, str]) -> str:
    items = sorted(attrs.items(), key=lambda kv: (kv[0] != "label", kv[0]))
    return " [" + " ".join(f"{k}={_quote(v)}" for k, v in items) + "]" if items else ""


def to_dot(root: Value, **options: Any) -> str:
    """DOT source for ``root``'s graph (options: rankdir, precision, show_grad, max_nodes)."""
    return scene_to_dot(describe(root, **options))


def scene_to_dot(scene: Scene) -> str:
    """DOT source for a described scene."""
    lines = ["digraph {", f"\tgraph{_attr_list(scene.graph_attrs)}", "\tnode [fontname=Helvetica]"]
    lines += [f"\t{name}{_attr_list(attrs)}" for name, attrs in scene.nodes]
    lines += [f"\t{a} -> {b}{_attr_list(attrs)}" for a, b, attrs in scene.edges]
    return "\n".join([*lines, "}"]) + "\n"


def draw(root: Value, timeout: float = TIMEOUT, **options: Any) -> Any:
    """A ``graphviz.Digraph`` of ``root``'s graph; it displays inline in Jupyter.

    Its ``pipe`` (which Jupyter's display calls) runs ``dot`` for at most ``timeout`` seconds.
    """
    check_timeout(timeout)
    scene = describe(root, **options)
    graph = digraph_class()(graph_attr=scene.graph_attrs, node_attr={"fontname": "Helvetica"})
    graph.timeout = timeout
    for name, attrs in scene.nodes:
        graph.node(name, **attrs)
    for a, b, attrs in scene.edges:
        graph.edge(a, b, **attrs)
    return graph


def render(root: Value, path: str | Path, timeout: float = TIMEOUT, **options: Any) -> Path:
    """Write ``root``'s graph to ``path``, format from its suffix: .svg, .png, .pdf or .dot.

    Raises RenderError, after writing the DOT source next to ``path``, when ``dot`` is missing
    or takes longer than ``timeout`` seconds. The file is written atomically.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        suffixes = ", ".join(f".{f}" for f in FORMATS)
        raise ValueError(f"cannot infer the format from {path.name!r}: use {suffixes}")
    check_timeout(timeout)
    source = to_dot(root, **options)
    if fmt == "dot":
        write_atomic(path, source)
    else:
        write_atomic(path, run_dot(source, fmt, path.with_suffix(".dot"), timeout))
    return path
