"""Statements, order and names for generated code: few floats alive at a time.

``chain_sum`` writes a sum as statements; ``Sinks`` the statements adding gradient terms
(for ``codegen._backward``); ``guard_lines`` the checks of traced comparisons;
``value_and_grad_source`` the function around them.
``codegen.py`` writes one list of forward statements per node and the backward statements in
eager order. ``schedule`` runs each value's statements just before the backward pass first
needs it (for a batch: one example's forward, then its backward), ``allocate`` renames the
variables to registers reused once dead, and ``function_source`` writes the function.
A guarded block (``if ...:`` and its indented lines) is one multi-line statement throughout.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import Any

from .symbolic import Sym, literal

NAME = re.compile(r"\b[vgh]\d+\b")  # the variables: values, grads, inputs' grads
SPLIT = re.compile(r"\b([vgh]\d+)\b")
REGISTER = re.compile(r"\br\d+\b")  # the variables once renamed by ``allocate``
CHUNK = 200  # terms per statement: a longer ``a + b + ...`` nests too deep for CPython's compiler


def chain_sum(name: str, first: str, terms: list[str]) -> list[str]:
    """Statements setting ``name = first + terms[0] + ...``, added left to right, in chunks."""
    lines, total = [], first
    for i in range(0, len(terms), CHUNK):
        lines.append(f"{name} = {' + '.join([total, *terms[i : i + CHUNK]])}")
        total = name
    return lines or [f"{name} = {first}"]


class Sinks:
    """The gradients that terms are added to (leaves', and interior ones summed in place),
    and each node's pending terms. ``fresh``: the leaves whose gradient is still +0.0."""

    def __init__(self, names: dict[int, str], n: int, fresh: set[int] | None) -> None:
        self.names, self.fresh, self.final = names, fresh or set(), {}
        self.from_zero = fresh is not None  # no incoming gradients
        self.terms: list[list[Sym]] = [[] for _ in range(n)]

    def flush(self, p: int, inputs: set[str] | None = None) -> list[str]:
        """Add node p's pending terms to its gradient (none pending: no statement).

        A fresh leaf's gradient 0.0 + t_1 + ... is ``(t_1 or 0.0) + ...``: the same float
        (+0.0 for t_1 = -0.0), and no new one. Its last flush, if also its first, on
        ``inputs`` only, is kept for the result instead of a statement."""
        texts, self.terms[p], name = [t.summand() for t in self.terms[p]], [], self.names[p]
        if not texts:
            return []
        if p not in self.fresh:
            return chain_sum(name, name, texts)
        self.fresh.discard(p)
        if inputs is not None and len(texts) <= CHUNK and (  # speed: names first
                {*texts} <= inputs or {*NAME.findall(" ".join(texts))} <= inputs):
            # speed: no parentheses around a single term in the result list (shorter source)
            self.final[p] = " + ".join([f"({texts[0]} or 0.0)", *texts[1:]]) if texts[1:] \
                else f"{texts[0]} or 0.0"
            return []
        return chain_sum(name, f"({texts[0]} or 0.0)", texts[1:])

    def start(self, p: int) -> list[str]:
        """Statements giving p's gradient a value before a guarded block adds to it."""
        lines = self.flush(p)
        if p in self.fresh:
            self.fresh.discard(p)
            lines.append(f"{self.names[p]} = 0.0")
        return lines

    def result(self, p: int | None, name: str) -> str:
        """The expression of a leaf's gradient in the result (``name`` of node ``p``)."""
        fresh = self.from_zero and (p is None or p in self.fresh)
        return self.final.get(p, "0.0" if fresh else name)


def schedule(entries: tuple[Any, ...], forward: list[list[str]], backward: list[str]) -> list[str]:
    """The backward statements, each preceded by the forward statements it needs, not yet run.

    Values are then computed just before their backward use (for a batch: one example's
    forward, then its backward), instead of all being alive at the end of the forward pass.
    """
    done = [kind in ("in", "c") for kind, *_ in entries]
    lines: list[str] = []
    for line in backward:
        for name in NAME.findall(line):
            if name[0] == "v":
                lines += _demand(int(name[1:]), entries, forward, done)
        lines.append(line)
    return lines + _demand(len(entries) - 1, entries, forward, done)


def _demand(i: int, entries: tuple[Any, ...], forward: list[list[str]],
            done: list[bool]) -> list[str]:
    """Forward statements of node i and of its ancestors not yet computed, parents first."""
    stack, todo = [i], []
    while stack:
        j = stack.pop()
        if not done[j]:
            done[j] = True
            todo.append(j)
            stack.extend(entries[j][2])
    return [line for j in sorted(todo) for line in forward[j]]


def guard_lines(guards: tuple[Any, ...], texts: list[str]) -> list[str]:
    """``if not a < b: _flipped(k)`` for each guard (``if a < b: ...`` if it came out False)."""
    def side(x: int | str) -> str:  # an entry's symbol, or a number's literal
        return texts[x] if isinstance(x, int) else literal(float.fromhex(x))

    return [f"if {'not ' * outcome}{side(a)} {op} {side(b)}: _flipped({k})"
            for k, (op, a, b, outcome) in enumerate(guards)]


def used_by_root(entries: tuple[Any, ...]) -> list[bool]:
    """For each entry: is it the root or one of its ancestors."""
    used = [False] * len(entries)
    used[-1] = True
    for i in range(len(entries) - 1, -1, -1):
        if used[i] and entries[i][0] != "in" and entries[i][0] != "c":
            for p in entries[i][2]:
                used[p] = True
    return used


def rename(line: str, names: dict[str, str]) -> str:
    """``line`` with the variables in ``names`` replaced."""
    parts = SPLIT.split(line)  # variables at the odd places
    parts[1::2] = [names.get(name, name) for name in parts[1::2]]
    return "".join(parts)


def allocate(lines: list[str], result: str, keep: int = 0) -> tuple[list[str], str]:
    """Rename variables to registers ``r<n>``, reusing a register once its value is dead.

    Variables that appear in the first ``keep`` lines (those before a loop) are never freed.
    A guarded block only adds to inputs' grads (alive throughout) and defines no variable,
    so a register freed after its last use inside a block is free whether the block ran.
    """
    parts = [SPLIT.split(line) for line in (*lines, result)]  # names at the odd places
    last = {name: k for k, part in enumerate(parts) for name in part[1::2]}
    last.update((name, len(parts)) for part in parts[:keep] for name in part[1::2])
    registers: dict[str, str] = {}
    free: list[str] = []
    count = itertools.count()
    for k, part in enumerate(parts):
        names = part[1::2]
        for name in names:
            if name not in registers:  # defined here (a use is always defined earlier)
                registers[name] = free.pop() if free else f"r{next(count)}"
        part[1::2] = [registers[name] for name in names]
        free += [registers[n] for n in dict.fromkeys(names) if last[n] == k]  # in order
    *renamed, result = ("".join(part) for part in parts)
    return renamed, result


def value_and_grad_source(groups: int, unpack: dict[int, str], body: list[str], root: str,
                          wanted: list[str], loop: bool, fresh: bool) -> str:
    """``value_and_grad(A0, ..., s, G)`` around ``body`` (see ``codegen.generate``): unpack
    the groups (``unpack[g]``) and ``G``, run ``body`` (per row of the last group if ``loop``),
    return the root's value and ``wanted`` (a list if ``fresh``: no ``G``)."""
    args = [f"A{g}" for g in range(groups)]
    if fresh:
        signature = f"value_and_grad({', '.join(args)}, s)"
        return function_source(signature, list(unpack.values()), body,
                               f"{root}, [{', '.join(wanted)}]")
    grads = [f"{', '.join(wanted)}, = G"] if wanted else []
    result = f"({', '.join(wanted)}{',' * bool(wanted)})"  # () if none
    if not loop:
        signature = f"value_and_grad({', '.join(args)}, s, G)"
        return function_source(signature, [*unpack.values(), *grads], body, f"{root}, {result}")
    last = len(args) - 1
    head = [*(u for g, u in unpack.items() if g != last), *grads, "values = []"]
    body = [unpack.get(last, "pass"), *body, f"values.append({root})"]
    args[last] = "ROWS"
    signature = f"value_and_grad({', '.join(args)}, s, G)"
    return function_source(signature, head, body, f"values, {result}", f"for A{last} in ROWS:")


def function_source(signature: str, head: list[str], body: list[str], result: str,
              loop: str | None = None) -> str:
    """The function's source: ``head``, then ``body`` (inside ``loop`` if given), ``result``."""
    start = len(head) if loop else 0
    lines, result = allocate(head + body, result, start)
    order = []
    if loop:
        hot = Counter(name for line in lines[start:] for name in REGISTER.findall(line))
        # CPython numbers locals in order of first appearance, and an index over 255 costs
        # an extra instruction at each use: in a loop, name its busiest registers first, in
        # code never run (measured: 8% faster for W1's per-example loop; no gain unrolled)
        busiest = ", ".join(name for name, _ in hot.most_common(250))
        order = ["if 0:", f"    ({busiest},)"] if len(hot) > 250 else []
        lines[len(head):] = [loop, *_indent(lines[len(head):])]
    return "\n".join([f"def {signature}:", *_indent([*order, *lines, f"return {result}"])]) + "\n"


def _indent(lines: list[str]) -> list[str]:
    """The statements one level deeper (a guarded block is one multi-line statement)."""
    return ["    " + line.replace("\n", "\n    ") for line in lines]
