"""The chain rule, in one place: parent.grad += node.grad * d(node)/d(parent).

``propagate`` takes the nodes children-first (reversed topological order) and pushes each
node's ``grad`` to its parents through the local derivatives stored in the forward pass.
With ``create_graph`` it recomputes those local derivatives with the op's rule on Values,
so the gradient pass is itself a graph (higher-order derivatives). One shortcut: an n-ary
node (``sum``, ``dot``, ``logsumexp``, ``max``, ``min``) with grad +-0 and a finite value
sends no terms (each would be +-0); only a leaf ``grad`` set to -0.0 can tell: it stays
-0.0, not +0.0.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .rules import NARY, apply_rule


def local_grads_as_values(node: Any) -> tuple[Any, ...]:
    """The node's local derivatives recomputed by its rule on Values (for create_graph)."""
    return apply_rule(node.op, node.parents, node, node.arg)


def propagate(nodes: Iterable[Any], create_graph: bool, anomaly: Any = None) -> None:
    """The chain rule, children before parents: parent.grad += node.grad * d(node)/d(parent)."""
    if create_graph or anomaly is not None:
        return _propagate_checked(nodes, create_graph, anomaly)
    for v in nodes:
        a = v._a
        if a is None:
            continue
        g, b = v.grad, v._b
        if b is None:
            a.grad += g * v._da
        elif b is NARY:
            # speed: behind a dead ReLU g is +-0. If the value is finite, so is every d (1, 1/k, a
            # factor of the finite dot, or e^{x_i - out} <= 1), every term g * d is +-0 and
            # adding it changes no grad (a sum from +0.0 is never -0.0): skip them, as compiled
            if g or v.data - v.data:
                for p, d in zip(a, v._da, strict=False):
                    p.grad += g * d
        else:
            a.grad += g * v._da
            b.grad += g * v._db


def _propagate_checked(nodes: Iterable[Any], create_graph: bool, anomaly: Any) -> None:
    """The same chain rule, one edge at a time: on Values, and/or watched for anomalies."""
    for v in nodes:
        if v._a is None:
            continue
        local = local_grads_as_values(v) if create_graph else v.local_grads
        for p, d in zip(v.parents, local, strict=True):
            contribution = v.grad * d
            p.grad = p.grad + contribution
            if anomaly is not None:
                anomaly.backward(v, p, d, contribution)
