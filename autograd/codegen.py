"""Straight-line Python source for a graph's forward and backward passes, from its structure.

The compiled mode (``compile.py``) describes a traced graph by a structure *key*: how many
inputs each argument group has, which groups need gradients, and one entry per node in
topological order: ``("in", group, index)`` for an input, ``("c", hex)`` for a constant,
``(op, arg hex or None, parent indices)`` for an op. ``generate`` turns a key into the source
of one function, so equal keys always give the same code. No label or other user text ever
becomes code: ops select fixed templates and numbers are written with ``repr``.

Forward code uses the float functions of eager mode, in the same order; backward code comes
from the same derivative rules, run on symbols (``symbolic.py``), and adds the terms of each
gradient in eager mode's order. So values and gradients match eager mode bit for bit.
Speed: a node whose terms are all +-0 (behind a dead ReLU) skips adding them (``_guard``):
to leaves' grads, and to interior grads that are summed in place for that (``_accumulated``).
``schedule.py`` orders the statements and names the variables.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from . import rules as r
from .schedule import (
    CHUNK,
    NAME,
    Sinks,
    chain_sum,
    function_source,
    guard_lines,
    rename,
    schedule,
    used_by_root,
    value_and_grad_source,
)
from .symbolic import ONE, Sym, Where, as_sym, const, literal, product

ZERO = const(0.0)

# Python >= 3.12 adds floats in ``sum`` with compensation; ``nary.matvec`` uses ``sum``, so
# to match it bit for bit a dot calls ``sum`` there too, and is inlined as ``0.0 + w*x + ...``
# (left to right, as 3.11's ``sum`` adds) where ``sum`` is plain. A feature test, not a version.
COMPENSATED_SUM = sum([1.0, 1e100, 1.0, -1e100]) != 0.0
MAX_NESTING = 20  # parentheses a value written into its user's expression may nest
LEAF_BATCH = 8  # a leaf adds up to this many terms per statement: fewer loads and stores
GUARD_MIN = 2  # leaf terms a node sends before they are worth a guard (``_guard``)
# ops whose every local derivative is finite where their value is: a * b, w . x + b (a finite
# sum of finite products; an inf or NaN term makes it inf or NaN, compensated too), logsumexp
# (e^{x_i - out} <= 1 for a finite out), max and min (1/k or 0 always)
VALUE_BOUNDS = frozenset({"*", "dot", "logsumexp", "max", "min"})
SUMS, PRODUCTS = frozenset({"+", "-", "sum"}), frozenset({"*", "/"})
GUARDED_OPS = VALUE_BOUNDS | SUMS  # their local derivatives: finite constants
CALLS = frozenset({"**", "pow", "abs", "exp", "log", "log1p", "sqrt", "tanh", "sigmoid",
                   "softplus", "sin", "cos"})  # ops whose forward template is one call
REPEATS = frozenset({"relu", "leaky_relu", "elu"})  # ops whose template names an operand twice
GUARD_NOTE = "# if g or v - v: skips adding the terms g * d where all are +-0 (g +-0, v finite)"


# ---- forward: one template per op, the same float operations as eager mode ----


def _call(name: str) -> Callable[[list[str], Any], str]:
    return lambda ps, arg: f"{name}({ps[0]})"


FORWARD: dict[str, Callable[[list[str], Any], str]] = {
    "+": lambda ps, arg: f"{ps[0]} + {ps[1]}",
    "-": lambda ps, arg: f"{ps[0]} - {ps[1]}",
    "*": lambda ps, arg: f"{ps[0]} * {ps[1]}",
    "/": lambda ps, arg: f"{ps[0]} / {ps[1]}",
    "**": lambda ps, arg: f"_pow({ps[0]}, {literal(arg)})",
    "pow": lambda ps, arg: f"_pow({ps[0]}, {ps[1]})",
    "relu": lambda ps, arg: f"0.0 if {ps[0]} <= 0.0 else {ps[0]}",
    "leaky_relu": lambda ps, arg: f"{literal(arg)} * {ps[0]} if {ps[0]} <= 0.0 else {ps[0]}",
    "elu": lambda ps, arg: f"{ps[0]} if {ps[0]} > 0.0 else {literal(arg)} * _expm1({ps[0]})",
    "logsumexp": lambda ps, arg: f"_logsumexp([{', '.join(ps)}])",  # eager's float function
    "max": lambda ps, arg: f"_max([{', '.join(ps)}])",
    "min": lambda ps, arg: f"_min([{', '.join(ps)}])",
    **{op: _call(f"_{op}") for op in CALLS - {"**", "pow"}},
}
"""op -> the expression computing its value from its parents' expressions (and ``arg``)."""


def forward_lines(name: str, op: str, ps: list[str], arg: float | None,
                  signless: bool = False) -> list[str]:
    """Statements computing node ``name`` from its parents' expressions ``ps``. ``signless``:
    only the value's sign of zero may differ from eager mode's (its users cannot tell: relu
    gives 0.0 and relu' 0.0 at either zero)."""
    if op == "sum":  # engine.sum: total = 0.0, then total += each, left to right
        return chain_sum(name, "0.0", ps)
    if op == "dot":  # nary.matvec: w_1 x_1 + ... + w_n x_n from 0.0, then + bias
        n = len(ps) // 2
        products = [f"{w} * {x}" for w, x in zip(ps[:n], ps[n : 2 * n], strict=True)]
        if not COMPENSATED_SUM and signless and products:  # 0.0 + t is t but for t = -0.0
            return chain_sum(name, products[0], products[1:] + ps[2 * n :])
        if not COMPENSATED_SUM:
            return chain_sum(name, "0.0", products + ps[2 * n :])
        return _compensated(name, products) + [f"{name} = {name} + {ps[-1]}"] * (len(ps) % 2)
    if op in r.FORWARD_NAMES:  # a defined op: its checked forward, by its generated name
        return [f"{name} = {r.FORWARD_NAMES[op]}({', '.join(ps)})"]
    if op not in FORWARD:
        raise TypeError(f"compile: no code for the op {op!r}")
    return [f"{name} = {FORWARD[op](ps, arg)}"]


def _compensated(name: str, terms: list[str]) -> list[str]:
    """``name = sum([terms], 0.0)``: builtin sum over the same floats as ``nary.matvec``."""
    chunks = [terms[i : i + CHUNK] for i in range(0, len(terms), CHUNK)] or [[]]
    lines = [f"{name} = [{', '.join(chunks[0])}]"]
    lines += [f"{name} = {name} + [{', '.join(chunk)}]" for chunk in chunks[1:]]
    return [*lines, f"{name} = _sum({name}, 0.0)"]


# ---- backward: the rules on symbols, accumulated children first ----


def generate(sizes: tuple[int, ...], wrt: tuple[bool, ...], entries: tuple[Any, ...],
             unit_seed: bool = False, loop: bool = False, fresh: bool = False,
             guards: tuple[Any, ...] = ()) -> str:
    """Source of ``forward(A0, A1, ...)``, or of ``value_and_grad(A0, ..., s, G)`` if any ``wrt``.

    ``A<g>`` holds the floats of input group g; ``s`` is d(loss)/d(output) (backward's
    ``grad``; taken as 1.0 if ``unit_seed``); ``G`` the incoming gradients of the inputs of
    the groups in ``wrt``, to which it adds, as eager ``backward`` adds to leaves. Returns
    (value, new G). With ``loop`` the last argument is a sequence of rows for the last group,
    run one after the other, and the function returns ([value of each row], new G). With
    ``fresh`` (not with ``loop``) the incoming gradients are all +0.0: there is no ``G``
    argument, and the new gradients are returned as a list. ``guards`` (``(op, left, right,
    outcome)``, a side an entry's index or a float hex) are checked first: one that comes
    out otherwise calls ``_flipped(its index)``.
    """
    syms = [const(float.fromhex(e[1])) if e[0] == "c" else Sym(f"v{i}")
            for i, e in enumerate(entries)]
    seed = const(1.0) if unit_seed else Sym("s")
    fresh = fresh and not loop
    checks = guard_lines(guards, [sym.text for sym in syms])
    users, backward, wanted = _users(entries), [], []
    if any(wrt):
        backward, wanted = _backward(sizes, wrt, entries, syms, seed, fresh, users, bool(guards))
    forward = _forward(entries, syms, {*NAME.findall("\n".join(checks + backward))}, users)
    names = [["_"] * n for n in sizes]
    for i, e in enumerate(entries):
        if e[0] == "in":
            names[e[1]][e[2]] = syms[i].text
    unpack = {g: f"{', '.join(group)}, = A{g}" for g, group in enumerate(names) if group}
    if not any(wrt):
        lines = schedule(entries, forward, checks) if checks else \
            [line for node in forward for line in node]
        args = ", ".join(f"A{g}" for g in range(len(sizes)))
        return function_source(f"forward({args})", [], [*unpack.values(), *lines], syms[-1].text)
    body = schedule(entries, forward, checks + backward)
    return value_and_grad_source(len(sizes), unpack, body, syms[-1].text, wanted, loop, fresh)


def _users(entries: tuple[Any, ...]) -> list[list[int]]:
    """Each node's users in order, once per operand (twice for ``x * x``)."""
    users: list[list[int]] = [[] for _ in entries]
    for i, e in enumerate(entries):
        if e[0] != "c" and e[0] != "in":
            for p in e[2]:
                users[p].append(i)
    return users


def _forward(entries: tuple[Any, ...], syms: list[Sym], needed: set[str],
             users: list[list[int]]) -> list[list[str]]:
    """Each node's forward statements; a value used once, and not by the backward pass, is
    written into its user's expression instead of a variable (``_inline``)."""
    forward: list[list[str]] = []
    for i, e in enumerate(entries):
        if e[0] == "c" or e[0] == "in":
            forward.append([])
            continue
        us = users[i]  # none for the root, whose value is returned
        signless = e[0] == "dot" and bool(us) and all(entries[u][0] == "relu" for u in us)
        arg = None if e[1] is None else float.fromhex(e[1])
        forward.append(forward_lines(f"v{i}", e[0], [syms[p].text for p in e[2]], arg, signless))
    return _inline(entries, forward, needed, users)


def _inline(entries: tuple[Any, ...], forward: list[list[str]], needed: set[str],
            users: list[list[int]]) -> list[list[str]]:
    """Write each value of one statement used once (up to ``MAX_NESTING`` deep) into its user."""
    depth, pending = [0] * len(entries), {}
    for i, e in enumerate(entries):
        subs = pending.pop(i, None)
        if subs:  # this node's operands that were written into it
            forward[i] = [rename(line, subs) for line in forward[i]]
        us = users[i]  # once per operand: one user that names it once, unless in REPEATS
        if len(us) != 1 or len(forward[i]) != 1 or entries[us[0]][0] in REPEATS or \
                depth[i] > MAX_NESTING or f"v{i}" in needed:
            continue
        u, text = us[0], forward[i][0].split(" = ", 1)[1]
        # speed: fewer characters for compile(), the same operations: a call needs no
        # parentheses, nor a * b as an operand of + or - (it binds tighter)
        bare = e[0] in CALLS or (e[0] in PRODUCTS and entries[u][0] in SUMS)
        pending.setdefault(u, {})[f"v{i}"] = text if bare else f"({text})"
        forward[i] = []
        depth[u] = max(depth[u], depth[i] + 1)
    return forward


def _backward(sizes: tuple[int, ...], wrt: tuple[bool, ...], entries: tuple[Any, ...],
              syms: list[Sym], seed: Sym, fresh: bool, users: list[list[int]],
              guarded: bool = False) -> tuple[list[str], list[str]]:
    """Backward statements in eager order, and the wanted inputs' gradients (names, or with
    ``fresh`` expressions: a gradient of one statement on inputs only is returned directly).
    ``guarded``: some entries are only compared by guards, not used by the root."""
    slots, leaf, need = _leaves(sizes, wrt, entries)
    if guarded:  # no gradient flows through a node the root does not use
        need = [n and used for n, used in zip(need, used_by_root(entries), strict=True)]
    inplace, starts = _accumulated(entries, leaf, need, users)
    sinks = Sinks({**inplace, **leaf}, len(entries), set(leaf) if fresh else None)
    sinks.terms[-1].append(seed)  # the root's grad
    inputs = {syms[i].text for i, e in enumerate(entries) if e[0] == "in"}
    lines: list[str] = []
    terms = sinks.terms
    for i in range(len(entries) - 1, -1, -1):
        e = entries[i]
        if e[0] == "in" or e[0] == "c":  # an input's terms are all in
            lines += sinks.flush(i, inputs) if terms[i] and i in leaf else ()
            continue
        if i in inplace:  # all its terms are in
            lines += sinks.flush(i)
            terms[i] = [Sym(inplace[i])]
        lines += [f"{inplace[p]} = 0.0" for p in starts.get(i, ())]  # before its first term
        if need[i]:
            lines += _node_backward(i, e, need, syms, sinks)
        for p in e[2]:
            if p in leaf and len(terms[p]) >= LEAF_BATCH:
                lines += sinks.flush(p)
    note = [GUARD_NOTE] if any(line.startswith("if ") for line in lines) else []
    node = {name: i for i, name in leaf.items()}
    return note + lines, [sinks.result(node.get(h), h) for h in slots.values()]


def _leaves(sizes: tuple[int, ...], wrt: tuple[bool, ...], entries: tuple[Any, ...]
            ) -> tuple[dict[tuple[int, int], str], dict[int, str], list[bool]]:
    """Names of the wanted inputs' grads by (group, index) and by node; which nodes need one."""
    pairs = [(g, k) for g, n in enumerate(sizes) if wrt[g] for k in range(n)]
    slots = {pair: f"h{j}" for j, pair in enumerate(pairs)}
    leaf = {i: slots[e[1], e[2]] for i, e in enumerate(entries) if e[0] == "in" and wrt[e[1]]}
    need = [False] * len(entries)
    for i, e in enumerate(entries):  # speed: any(map(...)) runs in C, not a generator
        need[i] = i in leaf if e[0] == "in" else e[0] != "c" and any(map(need.__getitem__, e[2]))
    return slots, leaf, need


def _accumulated(entries: tuple[Any, ...], leaf: dict[int, str], need: list[bool],
                 uses: list[list[int]]) -> tuple[dict[int, str], dict[int, list[int]]]:
    """Interior nodes whose grad is summed in place (``g<i> = 0.0``, then a statement per
    term), so that their users' guards can skip terms: the nodes with two or more users that
    a guard likely skips (a dot, product or sum with leaf terms, whose only user is a ReLU).
    Other grads are one expression ``t_1 + t_2 + ...``: faster where no term is skipped.
    Returns {node: its grad's name} and {user: the nodes whose first term it sends}."""
    users = [us if len(us) < 2 else [*dict.fromkeys(us)] for us in uses]  # each user once
    gated = [len(us) == 1 and entries[us[0]][0] == "relu" for us in users]
    skips = [gated[i] and e[0] in GUARDED_OPS and sum(p in leaf for p in e[2]) >= GUARD_MIN
             for i, e in enumerate(entries)]
    inplace = {p: f"g{p}" for p, us in enumerate(users)  # speed: len(us) first, sum(map) in C
               if len(us) > 1 and need[p] and p not in leaf and sum(map(skips.__getitem__, us)) > 1}
    starts: dict[int, list[int]] = {}
    for p in inplace:
        starts.setdefault(users[p][-1], []).append(p)  # the last user's terms come first
    return inplace, starts


def _node_backward(i: int, entry: tuple[Any, ...], need: list[bool], syms: list[Sym],
                   sinks: Sinks) -> list[str]:
    """Node i's grad (the sum of its terms) and its terms for each parent that needs one."""
    terms, sink = sinks.terms, sinks.names
    lines, g = [], terms[i][0]
    if len(terms[i]) > 1 or not (g.const is not None or g.text.isidentifier()):
        lines = chain_sum(f"g{i}", g.summand(), [t.summand() for t in terms[i][1:]])
        g = Sym(f"g{i}")  # eager: 0.0 + t_1 + t_2 + ... (equal but for the sign of a zero)
    op, arg, parents = entry
    arg = None if arg is None else float.fromhex(arg)
    ds = [ONE] * len(parents) if op == "sum" else [  # speed: d(sum)/d(each) is 1.0
        as_sym(d) for d in r.apply_rule(op, [syms[p] for p in parents], syms[i], arg)]
    guard = _guard(op, g, syms[i], [d for p, d in zip(parents, ds, strict=True) if p in sink])
    if r.ARITY.get(op, 0) > 2:  # a defined n-ary op: skip each term where eager skips them all
        keep = f"{g.text} or {syms[i].text} - {syms[i].text}"  # (its d may be inf: no _guard)
        ds, guard = [Where(keep, d, ZERO) for d in ds], None
    mine: dict[int, list[Sym]] = {}  # guarded: this node's terms for each sink
    for p, d in zip(parents, ds, strict=True):
        if guard and p in sink:
            lines += sinks.start(p)  # earlier terms first, as eager adds them
            mine.setdefault(p, []).append(product(g, d))
        elif need[p]:
            terms[p].append(product(g, d))
    if mine:
        block = [line for p, ts in mine.items()
                 for line in chain_sum(sink[p], sink[p], [t.summand() for t in ts])]
        lines.append("\n    ".join([f"if {guard}:", *block]))  # one statement, for schedule
    return lines


def _guard(op: str, g: Sym, out: Sym, ds: list[Sym]) -> str | None:
    """A condition false only where every term g * d is +-0: g is +-0 and every d is finite.

    Then skipping the terms is exact: adding +-0 leaves a gradient as it is, unless it is
    -0.0 (-0.0 + 0.0 is +0.0). A sum from +0.0 is never -0.0 (x + y is -0.0 only for two
    -0.0s), so only a leaf's incoming ``grad`` of -0.0 can be: the documented exception.
    """
    if len(ds) < GUARD_MIN or g.const is not None:
        return None
    if all(_finite(d) for d in ds):
        return g.text
    if op in VALUE_BOUNDS:  # out finite => each d finite; out - out is 0.0 iff out is finite
        return f"{g.text} or {out.text} - {out.text}"
    return None


def _finite(d: Sym) -> bool:
    """d is a finite constant, or a conditional between finite constants."""
    if isinstance(d, Where):
        return _finite(d.pos) and _finite(d.neg)
    return d.const is not None and math.isfinite(d.const)
