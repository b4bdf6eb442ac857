"""``vmap``: trace a function of one example once, then run it over a whole batch with numpy.

As ``jax.vmap``: ``f`` is written for one example, one scalar at a time; ``vmap(f)`` takes a
batch of rows (each row the arguments of one call) and runs the traced graph once over all
of them, each node one array operation over the rows (``batched.py``), each dense layer one
matrix product. ``backward`` adds grad * sum_rows df/dp to each parameter's ``grad``, as
``jit(f, params=...).backward_batch(rows)`` does, from the same derivative rules.

The trace is the compiled mode's (``jit``), with its contract: Python control flow that
depends on the data is fixed at trace time; ``static`` arguments get one trace per value.
Where eager mode would raise for a row (an overflow, log of a negative), the call raises
eager mode's error for the first such row, and no ``grad`` changes.

Needs numpy (``pip install scalar-autograd[batch]``), imported on the first call.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .compile import Compiled
from .engine import Value
from .nary import sum as vsum
from .tracecheck import flip_error


class Vmapped:
    """``f`` mapped over batches of rows (see ``vmap``)."""

    def __init__(self, f: Callable[..., Any], params: Iterable[Value] = (),
                 static: Iterable[int] = ()) -> None:
        self.f, self.params, self.static = f, list(params), tuple(static)
        self.compiled = Compiled(f, self.params, static=self.static)  # traces f for backward
        self._outputs = Compiled(self._gathered, self.params, static=self.static)
        self._several: dict[int, bool] = {}  # by the number of arguments: f returns a list
        self._plans: dict[tuple[Any, ...], Any] = {}  # (which trace, signature) -> batched.Plan

    def __call__(self, rows: Iterable[Sequence[Any]]) -> Any:
        """f on each row, as a numpy array: shape (rows,), or (rows, k) if f returns k Values."""
        import numpy as np

        out: list[Any] = []
        for signature, index, run in self._runs(self._outputs, rows):
            root = len(run.entries) - 1
            several = self._several[signature[0]]
            cols = [run.values[p] for p in run.entries[root][2]] if several else [run.values[root]]
            out.append((index, np.stack(np.broadcast_arrays(*cols, np.zeros(run.n))[:-1], 1)))
        return _scatter(out, squeeze=not any(self._several.values()))

    def backward(self, rows: Iterable[Sequence[Any]], grad: float = 1.0) -> Any:
        """f on each row (an array), adding grad * the sum over the rows of df/dp to ``p.grad``.

        The same numbers as ``jit(f, params=...).backward_batch(rows, grad)``, but for the
        rounding of the sums over the rows and in a layer's matrix products (see the docs).
        """
        import numpy as np

        out, totals = [], np.zeros(len(self.params))
        for _, index, run in self._runs(self.compiled, rows):
            totals += run.backward(float(grad))
            out.append((index, np.broadcast_to(run.values[-1], (run.n,))[:, None]))
        values = _scatter(out, squeeze=True)
        for p, g in zip(self.params, totals.tolist(), strict=True):
            p.grad = p.grad + g
        return values

    def _gathered(self, *args: Any) -> Value:
        """f's Value, or the sum node of its Values (whose parents are then the outputs)."""
        out = self.f(*args)
        several = isinstance(out, (list, tuple))
        self._several[len(args)] = several
        return vsum(out) if several else out

    def _runs(self, compiled: Compiled, rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """(signature, row indices, batched.Run) for each signature among the rows, every run
        checked: on a row where eager mode raises, eager mode's error for the first one."""
        from . import batched

        runs, bad = [], []
        params = [p.data for p in self.params]
        rows = rows if hasattr(rows, "ndim") else list(rows)
        for signature, index, X in _groups(compiled, rows):
            structure = compiled.structure(signature, X[0].tolist())
            entries = structure[1]
            key = (id(compiled), signature)
            if key not in self._plans:
                self._plans[key] = batched.plan(entries)
            run = batched.Run(entries, self._plans[key], params, X)
            if run.bad.any():
                first = int(run.bad.argmax())
                bad.append((_row(index, first), 0, compiled.unfit_error(
                    ArithmeticError("an array operation gave inf or NaN"), signature,
                    [X[first].tolist()])))
            bad += [(_row(index, i), 1, flip_error(structure, k))
                    for i, k in run.flipped(structure[2])]
            runs.append((signature, index, run))
        if bad:  # the first row's: eager mode's error (unfit_error raises it), or a flip
            raise min(bad, key=lambda b: b[:2])[2]
        return runs


def _groups(compiled: Compiled, rows: Any) -> list[tuple[tuple[Any, ...], Any, Any]]:
    """(signature, row indices, the rows' non-static args as a float matrix) per signature."""
    import numpy as np

    if not len(rows):
        return []
    if not compiled.static:  # the usual case: one signature, rows of numbers
        if isinstance(rows, np.ndarray) and rows.ndim == 2 and rows.dtype.kind in "fiu":
            return [((rows.shape[1], ()), slice(None), rows.astype(float, copy=False))]
        widths = set(map(len, rows))
        if len(widths) == 1 and set(map(type, itertools.chain.from_iterable(rows))) <= {float}:
            k = widths.pop()  # speed: fromiter reads the floats at C speed, no dtype guess
            flat = np.fromiter(itertools.chain.from_iterable(rows), float, len(rows) * k)
            return [((k, ()), slice(None), flat.reshape(len(rows), k))]
    groups: dict[tuple[Any, ...], tuple[list[int], list[Sequence[float]]]] = {}
    for i, row in enumerate(rows):
        signature, xs = compiled.split(row)
        index, xss = groups.setdefault(signature, ([], []))
        index.append(i)
        xss.append(xs)
    return [(sig, np.array(index), np.array(xss, float).reshape(len(index), -1))
            for sig, (index, xss) in groups.items()]


def _row(index: Any, i: int) -> int:
    """The position among all the rows of row i of a group (``index``: a slice for all)."""
    return i if isinstance(index, slice) else int(index[i])


def _scatter(parts: list[tuple[Any, Any]], squeeze: bool) -> Any:
    """The groups' (rows, k) outputs put back in the rows' order."""
    import numpy as np

    if len(parts) == 1 and isinstance(parts[0][0], slice):  # one signature: in order already
        values = parts[0][1]
        return np.array(values[:, 0] if squeeze else values)  # a copy: never a view
    n = sum(len(index) for index, _ in parts)
    k = max((v.shape[1] for _, v in parts), default=1)
    out = np.empty((n, k))
    for index, values in parts:
        out[index] = values
    return out[:, 0] if squeeze else out


def vmap(f: Callable[..., Any], *, params: Iterable[Value] = (),
         static: Iterable[int] = ()) -> Vmapped:
    """Map ``f`` (a function of floats building a Value, or a list of them) over batches.

    >>> from autograd import Value, vmap
    >>> w = Value(2.0)
    >>> loss = vmap(lambda x, y: (w * x - y).relu(), params=[w])
    >>> loss([[1.0, 0.5], [3.0, 7.0]]).tolist()
    [1.5, 0.0]
    >>> loss.backward([[1.0, 0.5], [3.0, 7.0]]).tolist(), w.grad
    ([1.5, 0.0], 1.0)
    """
    return Vmapped(f, params, static)
