"""Jupyter display: the backprop explorer in a cell, and a Value shown with its graph.

``explore(L)`` returns an ``Explorer``, which a notebook shows as the explorer's page in an
``<iframe srcdoc>``: the page's styles, element ids and key handlers stay inside the frame,
so the notebook keeps its look and any number of explorers work side by side, offline.
``Value._repr_html_`` calls ``value_html``: data, grad, op and label in one line, and the
graph drawn inline when it is small (the walk stops after ``DRAW_LIMIT`` nodes).

>>> from autograd import Value
>>> x = Value(2.0, "x")
>>> print(summary(x * 3))
Value  data 6.0000  grad 0.0000  op * (2 parents)
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from .engine import Value
from .files import write_atomic
from .graph import bounded_order
from .html import explorer_page
from .render import describe, format_number, scene_to_dot
from .rundot import RenderError, run_dot

DRAW_LIMIT = 60  # a Value's display draws its graph only up to this many nodes
_HEADER_PX, _WIDTH_PX, _MIN_PX, _MAX_PX = 220, 900, 280, 900  # the explorer frame's size
_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')
_BOX = ("font: 13px/1.5 ui-monospace, Menlo, monospace; border: 1px solid #d1d5db; "
        "border-radius: 4px; padding: 4px 8px; display: inline-block; max-width: 100%")


class Explorer:
    """The backprop explorer of one graph: shown inline by Jupyter, saved with ``save``."""

    def __init__(self, page: str) -> None:
        self.page = page  # the self-contained HTML page, as ``to_html`` writes it

    @property
    def height(self) -> int:
        """The frame's height in pixels: the controls plus the graph scaled to fit the width."""
        size = _SVG_SIZE.search(self.page)
        if size is None:
            return _MAX_PX
        width, height = (float(n) * 4 / 3 for n in size.groups())  # pt -> px
        graph = height * min(1.0, _WIDTH_PX / width) if width else height
        return int(min(_MAX_PX, max(_MIN_PX, _HEADER_PX + graph)))

    def _repr_html_(self) -> str:
        # srcdoc is an attribute: escaping & < > " ' keeps the page whole; the sandbox runs
        # its script with an origin of its own, away from the notebook's page
        return (f'<iframe srcdoc="{html.escape(self.page, quote=True)}" '
                f'sandbox="allow-scripts" title="backprop explorer" '
                f'style="box-sizing: border-box; width: 100%; height: {self.height}px; '
                f'border: 1px solid #d1d5db; border-radius: 4px"></iframe>')

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` atomically, as ``to_html`` does; returns the path."""
        path = Path(path)
        write_atomic(path, self.page)
        return path

    def __repr__(self) -> str:
        title = re.search(r"<title>(.*?)</title>", self.page)
        return f"<Explorer: {html.unescape(title.group(1)) if title else 'backprop'}>"


def explore(root: Value, **render_options: Any) -> Explorer:
    """The backprop explorer of ``root``'s graph, for a notebook cell (``.save(path)`` too).

    ``render_options`` are ``to_html``'s (rankdir, precision, max_nodes). Needs graphviz's
    ``dot``, and raises RenderError saying how to install it when it is missing.
    """
    return Explorer(explorer_page(root, **render_options))


def summary(value: Value, precision: int = 4) -> str:
    """One line: label, data, grad and op of ``value`` (how many parents, not the graph)."""
    grad = value.grad.data if isinstance(value.grad, Value) else value.grad
    parts = [f"Value {value.label!r}" if value.label else "Value",
             f"data {format_number(value.data, precision)}",
             f"grad {format_number(grad, precision)}"]
    n = len(value.parents)
    parts.append(f"op {value.op} ({n} parent{'s' * (n != 1)})" if value.op else "leaf")
    return "  ".join(parts)


def value_html(value: Value) -> str:
    """``value`` for a notebook: its summary, and its graph as SVG when the graph is small."""
    order = bounded_order(value, DRAW_LIMIT)
    if order is None:
        note = (f"graph of more than {DRAW_LIMIT} values, not drawn: "
                "autograd.draw(value, max_nodes=...) or autograd.explore(value)")
        picture = _note(note)
    elif len(order) == 1:
        picture = ""
    else:
        try:
            svg = run_dot(scene_to_dot(describe(value)), "svg").decode("utf-8")
            picture = '<div style="overflow-x: auto">' + svg[svg.index("<svg"):] + "</div>"
        except RenderError:
            picture = _note("install graphviz's dot to see the graph")
    text = f'<div style="white-space: pre">{html.escape(summary(value))}</div>'
    return f'<div style="{_BOX}">{text}{picture}</div>'


def _note(text: str) -> str:
    return f'<div style="color: #6b7280">{html.escape(text)}</div>'
