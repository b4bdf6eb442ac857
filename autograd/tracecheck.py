"""A trace's structure key (``structure_key``), and checking a compiled call against eager
mode: ``TraceError`` and what it says.

A trace bakes in what Python decided from the data at trace time (a branch, a number read
from ``.data``); where that no longer fits the inputs, ``jit(f, check=True)`` or an error
that eager mode does not raise shows it, naming the first node whose graph differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .engine import Value, lift
from .graph import topological_order

Entries = tuple[tuple[Any, ...], ...]  # a structure key's node entries (compile.structure_key)


class TraceError(RuntimeError):
    """Eager mode disagrees with the traced program: control flow that depends on the data."""


class Flipped(Exception):  # noqa: N818 - internal: the compiled call turns it into a TraceError
    """Raised by compiled code where a traced comparison comes out otherwise (guard index)."""

    def __init__(self, guard: int) -> None:
        super().__init__(guard)
        self.guard = guard


def flipped(guard: int) -> None:
    """The compiled code's reaction to a comparison that comes out otherwise (``_flipped``)."""
    raise Flipped(guard)


def flip_error(structure: tuple[Any, ...], k: int) -> TraceError:
    """The TraceError for guard k of a (sizes, entries, guards) structure, naming it."""
    op, left, right, outcome = structure[2][k]

    def side(x: int | str) -> str:  # an entry (inputs: group 0 the params), or a number's hex
        if isinstance(x, str):
            return repr(float.fromhex(x))
        entry = structure[1][x]
        kind = "param" if entry[1] == 0 else "argument"
        return f"{kind} {entry[2]}" if entry[0] == "in" else _describe(entry)

    return TraceError(
        f"f compared {side(left)} {op} {side(right)}: {outcome} when traced, {not outcome} "
        "now. Python control flow on a Value is fixed at trace time: choose inside the graph "
        "(autograd.max, autograd.min, relu, abs), or make the deciding argument static.")


def same(a: float, b: float) -> bool:
    """Equal floats, NaN matching NaN."""
    return a == b or (a != a and b != b)


def eager_result(root: Any, wanted: Sequence[Any], s: float, grads: Sequence[float]
                 ) -> list[float]:
    """[value, *grads of wanted] by eager backward from ``grads``; every grad is put back."""
    saved = [(v, v.grad) for v in {id(v): v for v in (*topological_order(root), *wanted)
                                   if not v.parents}.values()]
    try:
        for v, g in zip(wanted, grads, strict=True):
            v.grad = g
        root.backward(s)
        return [root.data, *(v.grad for v in wanted)]
    finally:
        for v, g in saved:
            v.grad = g


def structure_key(root: Value, groups: Sequence[Sequence[Value]],
                  comparisons: Sequence[tuple[Any, ...]] = ()
                  ) -> tuple[tuple[int, ...], tuple[Any, ...], tuple[Any, ...]]:
    """(group sizes, node entries, guards) of the graph of ``root`` with ``groups`` as inputs.

    Entries, in topological order: ``("in", group, index)``, ``("c", float hex)`` for a leaf
    or a subgraph that depends on no input (folded to its value), ``(op, arg hex, parents)``.
    ``comparisons`` are those f made on Values while traced (``modes.TRACE``); each that
    depends on an input is a guard ``(op, left, right, outcome)``, a side being the index of
    its node's entry (the node joins the entries if the root does not depend on it) or the
    float hex of a number.
    """
    slots = {id(v): (g, i) for g, vs in enumerate(groups) for i, v in enumerate(vs)}
    if len(slots) != sum(map(len, groups)):
        raise ValueError("compile: the same Value is given as two inputs")
    index: dict[int, int] = {}
    entries: list[tuple[Any, ...]] = []
    constant = []  # per entry: does it depend on no input
    for node in guarded_order(root, comparisons, lambda n: () if id(n) in slots else n.parents):
        index[id(node)] = len(entries)
        if id(node) in slots:
            entries.append(("in", *slots[id(node)]))
            constant.append(False)
            continue
        parents = tuple(map(index.__getitem__, map(id, node.parents)))  # speed: in C
        constant.append(all(map(constant.__getitem__, parents)))
        if not constant[-1]:
            arg = None if node.arg is None else float(node.arg).hex()
            entries.append((node.op, arg, parents))
        else:  # a leaf, or computed from constants only: its value is all that matters
            entries.append(("c", node.data.hex()))
    def side(x: Any) -> int | str:  # a compared Value's entry, or a number's float hex
        return index[id(x)] if isinstance(x, Value) else float(x).hex()

    guards = tuple((op, side(a), side(b), outcome) for op, a, b, outcome in comparisons
                   if not all(isinstance(s, str) or constant[s] for s in (side(a), side(b))))
    return tuple(map(len, groups)), tuple(entries), guards


def guarded_order(root: Any, comparisons: Sequence[tuple[Any, ...]],
          parents: Callable[[Any], Any]) -> list[Any]:
    """The topological order of ``root`` and of the Values compared, the root last."""
    if not comparisons:
        return topological_order(root, parents)
    compared = [x for c in comparisons for x in c[1:3] if hasattr(x, "parents")]
    top = object()  # above them all: its parents are the compared Values, then the root
    order = topological_order(top, lambda n: (*compared, root) if n is top else parents(n))
    k = order.index(root)
    later, downstream = order[k + 1 : -1], {id(root)}  # placed after the root: move it last
    for node in later:
        if any(id(p) in downstream for p in parents(node)):
            downstream.add(id(node))
    if len(downstream) > 1:
        raise TraceError("jit: f compares a Value computed from its result (the root), which "
                         "the compiled code computes last: compare before, or the root itself")
    return [*order[:k], *later, root]


def unfit(error: Exception, traced: Entries, now: Entries) -> TraceError:
    """The compiled code raised where eager mode runs: its trace does not fit these inputs."""
    why = "the same graph" if traced == now else f"f's graph differs from its trace: " \
        f"{difference(traced, now)}"
    return TraceError(f"the compiled code raised {type(error).__name__} ({error}) where eager "
                      f"mode does not; {why}")


def difference(traced: Entries, now: Entries) -> str:
    """The first node where two structure keys' entries differ, and the likely cause."""
    for i, (a, b) in enumerate(zip(traced, now, strict=False)):
        if a != b:
            return f"node {i} was {_describe(a)}, now {_describe(b)}. {_HINT}"
    return f"it had {len(traced)} nodes, now {len(now)}. {_HINT}"


def _describe(entry: tuple[Any, ...]) -> str:
    if entry[0] == "c":
        return f"the constant {float.fromhex(entry[1])!r}"
    return f"input {entry[2]}" if entry[0] == "in" else f"op {entry[0]!r}"


_HINT = ("Python control flow that depends on the inputs is fixed at trace time, and so are "
         "numbers computed from .data and the data of a leaf that is neither an argument nor "
         "in params.")


def checked_settings(f: Any, params: Any, static: Any) -> tuple[list[Value], set[int]]:
    """``jit``'s arguments checked when it is made: a function, Values, int positions."""
    if not callable(f):
        raise TypeError(f"jit needs a function, got {type(f).__name__}: {f!r:.60}")
    params = list(params)
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"jit: params must be Values (model.parameters()), got "
                            f"{type(p).__name__} at position {i}: {p!r:.60}")
    static = {static} if isinstance(static, int) else set(static)
    for i in static:
        if isinstance(i, bool) or not isinstance(i, int):
            raise TypeError(f"jit: static must be argument positions (ints), got {i!r:.60}")
    return params, static


def traced_root(out: Any) -> Value:
    """What f returned, as the root of its graph: one Value (or a number, a constant)."""
    if isinstance(out, Value):
        return out
    if isinstance(out, (list, tuple)) or not hasattr(type(out), "__float__"):
        raise TypeError(f"jit: f must return one Value (a scalar), got {type(out).__name__}: "
                        f"{out!r:.60}")
    return lift(out)
