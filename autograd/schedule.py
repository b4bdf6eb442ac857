"""Order and names for generated code: few floats alive at a time.

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

NAME = re.compile(r"\b[vgh]\d+\b")  # the variables: values, grads, inputs' grads
SPLIT = re.compile(r"\b([vgh]\d+)\b")
REGISTER = re.compile(r"\br\d+\b")  # the variables once renamed by ``allocate``


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


def function_source(signature: str, head: list[str], body: list[str], result: str,
              loop: str | None = None) -> str:
    """The function's source: ``head``, then ``body`` (inside ``loop`` if given), ``result``."""
    start = len(head) if loop else 0
    lines, result = allocate(head + body, result, start)
    hot = Counter(name for line in lines[start:] for name in REGISTER.findall(line))
    # CPython numbers locals in order of first appearance, and an index over 255 costs an
    # extra instruction at each use: in a loop, name its busiest registers first, in code
    # never run (measured: 8% faster for W1's per-example loop; no gain in straight lines)
    busiest = ", ".join(name for name, _ in hot.most_common(250))
    order = ["if 0:", f"    ({busiest},)"] if loop and len(hot) > 250 else []
    if loop:
        lines[len(head):] = [loop, *_indent(lines[len(head):])]
    return "\n".join([f"def {signature}:", *_indent([*order, *lines, f"return {result}"])]) + "\n"


def _indent(lines: list[str]) -> list[str]:
    """The statements one level deeper (a guarded block is one multi-line statement)."""
    return ["    " + line.replace("\n", "\n    ") for line in lines]
