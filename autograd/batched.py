"""One traced graph run over a batch with numpy: each node one array operation over the rows.

The graph is the compiled mode's structure key (``compile.structure_key``): entries in
topological order, ``("in", group, index)``, ``("c", hex)``, ``(op, arg hex, parents)``.
Group 0 holds the parameters (one float each, shared by all rows), group 1 the inputs (one
column of the batch each). Forward runs ``arrays.OPS``; backward runs ``RULES`` on arrays.

A layer (``matvec``: dot nodes reading the same inputs, with parameters for weights and
biases) is lowered to matrix products: Z = W X + b forward, W^T G and G X^T backward, so a
dense layer costs one ``@`` each way (two backward). The products add in BLAS's order, not
left to right. Rows run along the last axis: each node's array is contiguous.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .arrays import OPS, Array, local_grads


class Layer(NamedTuple):
    """Dot nodes ``members`` reading ``xs``: weight matrix and bias vector as node indices."""

    members: list[int]
    xs: tuple[int, ...]
    weights: list[tuple[int, ...]]
    biases: list[int] | None


class Plan(NamedTuple):
    """What running a key needs besides the key: its layers, and which nodes need a grad."""

    layers: dict[int, Layer]  # by each member's index
    need: list[bool]


def plan(entries: Sequence[tuple]) -> Plan:
    """Find the layers among the dot nodes, and the nodes on a path to a parameter."""
    fixed = [e[0] == "c" or (e[0] == "in" and e[1] == 0) for e in entries]
    groups: dict[tuple, list[int]] = {}
    for i, e in enumerate(entries):
        if e[0] == "dot":
            n = len(e[2]) // 2
            if all(fixed[p] for p in e[2][:n] + e[2][2 * n :]):
                groups.setdefault((e[2][n : 2 * n], len(e[2]) % 2), []).append(i)
    layers: dict[int, Layer] = {}
    for (xs, biased), members in groups.items():
        n = len(xs)
        layer = Layer(members, xs, [entries[m][2][:n] for m in members],
                      [entries[m][2][-1] for m in members] if biased else None)
        layers.update(dict.fromkeys(members, layer))
    need = [False] * len(entries)
    for i, e in enumerate(entries):
        need[i] = e[1] == 0 if e[0] == "in" else e[0] != "c" and any(need[p] for p in e[2])
    return Plan(layers, need)


class Run:
    """One pass over a batch: ``values`` of every node, and the rows where eager would raise."""

    def __init__(self, entries: Sequence[tuple], plan: Plan, params: Sequence[float],
                 X: Array) -> None:
        self.entries, self.plan, self.n = entries, plan, len(X)
        self.values: list[Array] = [None] * len(entries)
        self.bad: Array = np.zeros(self.n, bool)
        self.inputs: dict[int, Array] = {}  # a layer's X, by its first member
        self.params, self.X = params, X
        with np.errstate(all="ignore"):  # eager's errors are found by ``raises``
            for i, e in enumerate(entries):
                if self.values[i] is None:
                    self.values[i] = self._forward(i, e)

    def _forward(self, i: int, e: tuple) -> Array:
        if e[0] == "in":
            return self.params[e[2]] if e[1] == 0 else self.X[:, e[2]]
        if e[0] == "c":
            return float.fromhex(e[1])
        layer = self.plan.layers.get(i)
        if layer is not None:
            return self._layer(i, layer)
        op, xs = OPS.get(e[0]), [self.values[p] for p in e[2]]
        if op is None:
            raise TypeError(f"vmap: no array form for the op {e[0]!r}")
        arg = None if e[1] is None else float.fromhex(e[1])
        out = op.forward(xs, arg)
        if op.raises is not None:
            self.bad |= op.raises(xs, out, arg)
        return out

    def _layer(self, i: int, layer: Layer) -> Array:
        """Z = W X + b for all the layer's members at once (rows along the last axis, so each
        member's row of Z is contiguous); returns member i's row."""
        v, n = self.values, self.n
        X = np.stack([np.broadcast_to(v[p], (n,)) for p in layer.xs])
        Z = self._matrix(layer.weights) @ X
        if layer.biases is not None:
            Z += np.array([self._fixed(b) for b in layer.biases])[:, None]
        self.inputs[i] = X
        for j, m in enumerate(layer.members):
            v[m] = Z[j]
        return v[i]

    def _matrix(self, weights: list[tuple[int, ...]]) -> Array:
        """W: the weights as a (members x inputs) matrix."""
        return np.array([[self._fixed(p) for p in ws] for ws in weights])

    def _fixed(self, p: int) -> Array:
        """A parameter's or constant's value (a later member's may come after the first)."""
        if self.values[p] is None:
            self.values[p] = self._forward(p, self.entries[p])
        return self.values[p]

    def backward(self, seed: float) -> dict[int, float]:
        """{parameter index: sum over the rows of seed * d(root)/d(parameter)}."""
        grads: list[Array] = [None] * len(self.entries)
        grads[-1] = np.full(self.n, seed)
        summed: dict[int, float] = {}  # contributions already summed over the rows
        need, v = self.plan.need, self.values
        with np.errstate(all="ignore"):  # eager's backward gives inf and NaN silently
            for i in range(len(self.entries) - 1, -1, -1):
                e, layer = self.entries[i], self.plan.layers.get(i)
                if layer is not None:  # all at once, after its last user: at its first member
                    if i == layer.members[0] and any(grads[m] is not None for m in layer.members):
                        self._layer_backward(layer, grads, summed)
                    continue
                if grads[i] is None or e[0] in ("in", "c"):
                    continue
                arg = None if e[1] is None else float.fromhex(e[1])
                ds = local_grads(e[0], [v[p] for p in e[2]], v[i], arg)
                for p, d in zip(e[2], ds, strict=True):
                    if need[p]:
                        _add(grads, p, grads[i] * d)
        for i, e in enumerate(self.entries):
            if e[0] == "in" and e[1] == 0 and grads[i] is not None:
                summed[e[2]] = summed.get(e[2], 0.0) + float(np.sum(grads[i]))
        return summed

    def _layer_backward(self, layer: Layer, grads: list[Array], summed: dict[int, float]
                        ) -> None:
        """W^T G to the inputs, G X^T (summed over the rows) to the weights, G's sums to biases."""
        zero = np.zeros(self.n)
        G = np.stack([zero if grads[m] is None else grads[m] for m in layer.members])
        GX = self._matrix(layer.weights).T @ G
        for k, p in enumerate(layer.xs):
            if self.plan.need[p]:
                _add(grads, p, GX[k])
        GW = G @ self.inputs[layer.members[0]].T
        for j, ws in enumerate(layer.weights):
            for k, p in enumerate(ws):
                _add_summed(self.entries[p], summed, GW[j, k])
        if layer.biases is not None:
            for b, gb in zip(layer.biases, G.sum(axis=1), strict=True):
                _add_summed(self.entries[b], summed, gb)


def _add(grads: list[Array], p: int, term: Array) -> None:
    """grads[p] += term, from 0.0 as eager mode's interior grads."""
    grads[p] = (0.0 + term) if grads[p] is None else grads[p] + term


def _add_summed(entry: tuple, summed: dict[int, float], term: float) -> None:
    if entry[0] == "in" and entry[1] == 0:
        summed[entry[2]] = summed.get(entry[2], 0.0) + float(term)
