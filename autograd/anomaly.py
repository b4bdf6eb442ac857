"""Anomaly mode: stop at the first op, forward or backward, that makes a NaN or an infinity."""

from __future__ import annotations

import math
import os
import traceback
import weakref
from typing import Any

from . import modes

_HERE = os.path.dirname(os.path.abspath(__file__))  # frames in the library are not the user's


_ORIGINS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
"""Where each node made inside any ``detect_anomaly`` block was made, while the node lives
(one for all blocks: a node made in one block may go through backward in another)."""


class AnomalyError(ArithmeticError):
    """A NaN or infinity appeared; the message names the op, operands, label and origin."""


def _user_frame() -> str:
    """Where the current op was called from, outside the library: 'file:line in func'."""
    for frame in reversed(traceback.extract_stack()):
        if not frame.filename.startswith(_HERE):
            return f"{frame.filename}:{frame.lineno} in {frame.name}\n    {frame.line or ''}"
    return "<unknown>"


def _describe(node: Any) -> str:
    label = f" (label {node.label!r})" if node.label else ""
    operands = ", ".join(repr(p.data) for p in node.parents)
    arg = "" if node.arg is None else f", arg {node.arg!r}"
    return f"op {node.op!r}{label} on operands ({operands}{arg})"


class detect_anomaly(modes.Switch):  # noqa: N801 - a context manager named like torch's
    """Within this block the first NaN or infinity made by an op raises ``AnomalyError``.

    Off by default and free when off: the engine only takes its checked path while a
    ``detect_anomaly`` block is open, in this thread or task only (others are not slowed).
    Nodes made inside a block remember where in your code they were created, and backward
    errors name that place, also in a later or an enclosing block; nothing holds a node
    alive (each origin is kept only as long as its node lives).
    """

    def _mode(self) -> modes.Mode:
        return modes.Mode(modes.current().record, self)

    def __enter__(self) -> detect_anomaly:
        return super().__enter__()  # type: ignore[no-any-return]

    def forward(self, node: Any) -> None:
        """Remember where ``node`` was made; raise if its value is not finite."""
        where = _user_frame()
        _ORIGINS[node] = where
        if not math.isfinite(node.data):
            raise AnomalyError(
                f"forward: {_describe(node)} produced {node.data!r}\n  created at {where}"
            )

    def backward(self, node: Any, parent: Any, local: Any, contribution: Any) -> None:
        """Raise if the chain-rule contribution from ``node`` to ``parent`` is not finite."""
        value = getattr(contribution, "data", contribution)
        if math.isfinite(value):
            return
        origin = _ORIGINS.get(node, "outside detect_anomaly")
        upstream = getattr(node.grad, "data", node.grad)
        raise AnomalyError(
            f"backward: {_describe(node)} gave gradient {value!r} to its input "
            f"{parent.label or parent.data!r} (upstream grad {upstream!r}, "
            f"local derivative {getattr(local, 'data', local)!r})\n  node created at {origin}"
        )
