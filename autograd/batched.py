"""One traced graph run over a batch with numpy: each node one array operation over the rows.

The graph is the compiled mode's structure key (``tracecheck.structure_key``): entries in
topological order, ``("in", group, index)``, ``("c", hex)``, ``(op, arg hex, parents)``.
Group 0 holds the parameters (one float each, shared by all rows), group 1 the inputs (one
column of the batch each). Forward runs ``arrays.OPS``; backward runs ``RULES`` on arrays.

A layer (``matvec``: dot nodes reading the same inputs, with parameters for weights and
biases) is lowered to matrix products: Z = W X + b forward, W^T G and G X^T backward, so a
dense layer costs one ``@`` each way (two backward). The products add in BLAS's order, not
left to right. Rows run along the last axis: each node's array is contiguous. An op applied
to every output of a layer (its activation) is one operation on the layer's matrix too:
values and gradients of such a block are rows of one matrix, never stacked again.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from .arrays import OPS, Array, local_grads, op_for

COMPARE = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
           "==": np.equal, "!=": np.not_equal}
Entry = tuple[Any, ...]  # a node of a structure key: ("in", g, i), ("c", hex), (op, arg, parents)
Blocks = dict[tuple[int, ...], tuple[Array, list[Array]]]  # nodes -> (matrix, its row views)


class Layer(NamedTuple):
    """Dot nodes ``members`` reading ``xs``: weight matrix and bias vector as node indices."""

    members: tuple[int, ...]
    xs: tuple[int, ...]
    weights: list[tuple[int, ...]]
    biases: list[int] | None
    slots: Array  # the parameter index of each weight (-1: a constant); then of each bias


class Map(NamedTuple):
    """Nodes ``nodes`` applying one unary op (and arg) to a layer's ``members``, row j to j."""

    nodes: tuple[int, ...]
    members: tuple[int, ...]
    op: str
    arg: float | None


class Plan(NamedTuple):
    """What running a key needs besides the key: layers, maps, which nodes need a grad."""

    layers: dict[int, Layer]  # by each member's index
    maps: dict[int, Map]  # by each node's index
    need: list[bool]
    ops: list[int]  # the op nodes, in topological order
    backward: list[int]  # the op nodes children first; of a layer or map only its first
    leaves: list[tuple[int, int]]  # (node, parameter index) of each parameter in the graph
    consts: list[tuple[int, float]]  # (node, value) of each constant
    columns: tuple[int, ...]  # the nodes of the inputs, in order


def plan(entries: Sequence[Entry]) -> Plan:
    """Find the layers among the dot nodes, the maps over them, and the nodes on a path to a
    parameter."""
    fixed = [e[0] == "c" or (e[0] == "in" and e[1] == 0) for e in entries]
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, e in enumerate(entries):
        if e[0] == "dot":
            n = len(e[2]) // 2
            if all(fixed[p] for p in e[2][:n] + e[2][2 * n :]):
                groups.setdefault((e[2][n : 2 * n], len(e[2]) % 2), []).append(i)
    layers: dict[int, Layer] = {}
    for (xs, biased), members in groups.items():
        n = len(xs)
        weights = [entries[m][2][:n] for m in members]
        biases = [entries[m][2][-1] for m in members] if biased else None
        ps: list[int] = [p for ws in weights for p in ws] + (biases or [])
        slots = np.array([entries[p][2] if entries[p][0] == "in" else -1 for p in ps], np.int64)
        layer = Layer(tuple(members), xs, weights, biases, slots)
        layers.update(dict.fromkeys(members, layer))
    need = [False] * len(entries)
    for i, e in enumerate(entries):
        need[i] = e[1] == 0 if e[0] == "in" else e[0] != "c" and any(need[p] for p in e[2])
    maps = _maps(entries, layers)
    ops = [i for i, e in enumerate(entries) if e[0] not in ("in", "c")]
    first = {i: min(g.members) for i, g in layers.items()}
    first.update((i, min(g.nodes)) for i, g in maps.items())
    backward = [i for i in reversed(ops) if first.get(i, i) == i]
    leaves = [(i, e[2]) for i, e in enumerate(entries) if e[0] == "in" and e[1] == 0]
    columns = {e[2]: i for i, e in enumerate(entries) if e[0] == "in" and e[1] == 1}
    consts = [(i, float.fromhex(e[1])) for i, e in enumerate(entries) if e[0] == "c"]
    return Plan(layers, maps, need, ops, backward, leaves, consts,
                tuple(columns[k] for k in sorted(columns)))


def _maps(entries: Sequence[Entry], layers: dict[int, Layer]) -> dict[int, Map]:
    """Each layer's activation: one unary op (same arg) on each of its members, in order."""
    unary: dict[tuple[Any, ...], int] = {}  # (member, op, arg) -> the node applying it
    for i, e in enumerate(entries):
        if e[0] in OPS and len(e[2]) == 1 and e[2][0] in layers:
            unary.setdefault((e[2][0], e[0], e[1]), i)
    maps: dict[int, Map] = {}
    for layer in {id(x): x for x in layers.values()}.values():
        first = layer.members[0]
        for (member, op, arg), _ in list(unary.items()):
            nodes = tuple(unary.get((m, op, arg), -1) for m in layer.members)
            if member == first and -1 not in nodes and len(set(nodes)) == len(nodes):
                arg_float = None if arg is None else float.fromhex(arg)
                maps.update(dict.fromkeys(nodes, Map(nodes, layer.members, op, arg_float)))
    return maps


class Run:
    """One pass over a batch: ``values`` of every node, and the rows where eager would raise."""

    def __init__(self, entries: Sequence[Entry], plan: Plan, params: Sequence[float],
                 X: Array) -> None:
        self.entries, self.plan, self.n = entries, plan, len(X)
        self.values: list[Array] = [None] * len(entries)
        self.blocks: Blocks = {}  # nodes -> (matrix, its rows) for values
        self.bad: Array = np.zeros(self.n, bool)
        self.inputs: dict[int, Array] = {}  # a layer's X, by its first member
        self.params, self.param_array, self.X = params, np.array(params, float), X
        self.weights: dict[int, tuple[Array, Array | None]] = {}  # (W, b) by first member
        for i, k in plan.leaves:
            self.values[i] = params[k]
        for i, c in plan.consts:
            self.values[i] = c
        columns = [entries[i][2] for i in plan.columns]
        _set_rows(plan.columns, np.ascontiguousarray(X.T[columns]), self.values, self.blocks)
        with np.errstate(all="ignore"):  # eager's errors are found by ``raises``
            for i in plan.ops:
                if self.values[i] is None:
                    self.values[i] = self._forward(i, entries[i])

    def _forward(self, i: int, e: Entry) -> Array:
        if e[0] == "in":
            return self.params[e[2]] if e[1] == 0 else self.X[:, e[2]]
        if e[0] == "c":
            return float.fromhex(e[1])
        if i in self.plan.layers:
            return self._layer(self.plan.layers[i], i)
        if i in self.plan.maps:
            return self._map(self.plan.maps[i], i)
        op, xs = op_for(e[0]), [self.values[p] for p in e[2]]
        if op is None:
            raise TypeError(f"vmap: no array form for the op {e[0]!r}")
        arg = None if e[1] is None else float.fromhex(e[1])
        out = op.forward(xs, arg)
        if op.raises is not None:
            self.bad |= op.raises(xs, out, arg)
        return out

    def _layer(self, layer: Layer, i: int) -> Array:
        """Z = W X + b for all the layer's members at once; returns member i's row."""
        X = self.rows(layer.xs, self.values, self.blocks)
        W, b = self._matrix(layer)
        Z = W @ X
        if b is not None:
            Z += b[:, None]
        self.inputs[layer.members[0]] = X
        _set_rows(layer.members, Z, self.values, self.blocks)
        return self.values[i]

    def _map(self, m: Map, i: int) -> Array:
        """The op on the whole matrix of the layer's outputs; returns node i's row."""
        xs = [self.rows(m.members, self.values, self.blocks)]
        op = OPS[m.op]
        out = op.forward(xs, m.arg)
        if op.raises is not None:
            self.bad |= np.any(op.raises(xs, out, m.arg), axis=0)
        _set_rows(m.nodes, out, self.values, self.blocks)
        return self.values[i]

    def flipped(self, guards: Sequence[tuple[Any, ...]]) -> list[tuple[int, int]]:
        """(first row, guard index) of each guard, a comparison f made on Values when traced,
        that comes out otherwise on some row."""
        out = []
        for k, (op, a, b, outcome) in enumerate(guards):
            left, right = (self.values[x] if isinstance(x, int) else float.fromhex(x)
                           for x in (a, b))
            rows = np.broadcast_to(COMPARE[op](left, right) != outcome, (self.n,))
            if rows.any():
                out.append((int(np.flatnonzero(rows)[0]), k))  # the first row that flips
        return out

    def _matrix(self, layer: Layer) -> tuple[Array, Array | None]:
        """(W, b): the weights as a (members x inputs) matrix, and the biases."""
        if layer.members[0] not in self.weights:
            if (layer.slots >= 0).all():  # speed: all parameters, gathered at once
                flat = self.param_array[layer.slots]
            else:
                ps = [p for ws in layer.weights for p in ws] + (layer.biases or [])
                flat = np.array([self._fixed(p) for p in ps], float)
            k = len(layer.members) * len(layer.xs)
            W = flat[:k].reshape(len(layer.members), len(layer.xs))
            self.weights[layer.members[0]] = W, (flat[k:] if layer.biases else None)
        return self.weights[layer.members[0]]

    def _fixed(self, p: int) -> Array:
        """A parameter's or constant's value (a later member's may come after the first)."""
        if self.values[p] is None:
            self.values[p] = self._forward(p, self.entries[p])
        return self.values[p]

    def rows(self, nodes: tuple[int, ...], arrays: list[Array], blocks: Blocks) -> Array:
        """The matrix whose row j is arrays[nodes[j]] (0 for None): a block's own, if intact."""
        block = blocks.get(nodes)
        if block is not None and all(map(operator.is_, map(arrays.__getitem__, nodes), block[1])):
            return block[0]
        return np.stack([np.broadcast_to(0.0 if arrays[p] is None else arrays[p], (self.n,))
                         for p in nodes])

    def backward(self, seed: float) -> Array:
        """For each parameter, the sum over the rows of seed * d(root)/d(parameter)."""
        grads: list[Array] = [None] * len(self.entries)
        grads[-1] = np.full(self.n, seed)
        summed = np.zeros(len(self.params))
        blocks: Blocks = {}  # nodes -> (matrix, its rows) for grads
        need, v = self.plan.need, self.values
        with np.errstate(all="ignore"):  # eager's backward gives inf and NaN silently
            for i in self.plan.backward:
                e = self.entries[i]
                group = self.plan.layers.get(i) or self.plan.maps.get(i)
                if group is not None:  # all at once, after the last user of any: at the first
                    nodes = group.members if isinstance(group, Layer) else group.nodes
                    if any(grads[m] is not None for m in nodes):
                        G = self.rows(nodes, grads, blocks)
                        if isinstance(group, Layer):
                            self._layer_backward(group, G, grads, blocks, summed)
                        else:
                            self._map_backward(group, G, grads, blocks)
                    continue
                if grads[i] is None:
                    continue
                arg = None if e[1] is None else float.fromhex(e[1])
                ds = local_grads(e[0], [v[p] for p in e[2]], v[i], arg)
                for p, d in zip(e[2], ds, strict=True):
                    if need[p]:
                        _add(grads, p, grads[i] * d)
        for i, k in self.plan.leaves:
            if grads[i] is not None:
                summed[k] += np.sum(grads[i])
        return summed

    def _map_backward(self, m: Map, G: Array, grads: list[Array], blocks: Blocks) -> None:
        """G times the op's local derivatives on the whole matrix, to the layer's rows."""
        X, out = self.rows(m.members, self.values, self.blocks), \
            self.rows(m.nodes, self.values, self.blocks)
        d = local_grads(m.op, [X], out, m.arg)[0]
        self._send(m.members, G * d, grads, blocks)

    def _layer_backward(self, layer: Layer, G: Array, grads: list[Array], blocks: Blocks,
                        summed: Array) -> None:
        """W^T G to the inputs, G X^T (summed over the rows) to the weights, G's sums to biases."""
        if any(self.plan.need[p] for p in layer.xs):  # not for the inputs of the first layer
            self._send(layer.xs, self._matrix(layer)[0].T @ G, grads, blocks)
        GW = G @ self.inputs[layer.members[0]].T
        terms = np.concatenate([GW.reshape(-1), G.sum(axis=1) if layer.biases else []])
        params = layer.slots >= 0
        np.add.at(summed, layer.slots[params], terms[params])

    def _send(self, nodes: tuple[int, ...], T: Array, grads: list[Array], blocks: Blocks
              ) -> None:
        """Add row j of T to the grad of nodes[j] (that needs one); the first terms of all
        at once become a block."""
        need = self.plan.need
        if all(need[p] and grads[p] is None for p in nodes) and len(set(nodes)) == len(nodes):
            _set_rows(nodes, T, grads, blocks)  # not 0.0 + T (speed): -0.0 may stay -0.0
            return
        for p, t in zip(nodes, T, strict=True):
            if need[p]:
                _add(grads, p, t)




def _set_rows(nodes: tuple[int, ...], M: Array, arrays: list[Array], blocks: Blocks) -> None:
    """arrays[nodes[j]] = row j of M, remembered as a block (so ``rows`` gets M back)."""
    views = list(M)
    for p, row in zip(nodes, views, strict=True):
        arrays[p] = row
    blocks[nodes] = (M, views)


def _add(grads: list[Array], p: int, term: Array) -> None:
    """grads[p] += term, from 0.0 as eager mode's interior grads."""
    grads[p] = (0.0 + term) if grads[p] is None else grads[p] + term
