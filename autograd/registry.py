"""The rule table, and the registry of the ops users define with ``autograd.op``.

This module imports nothing of the project; ``rules.py`` re-exports its names.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

RULES: dict[str, Callable[..., Any]] = {}
"""op name -> its local derivative rule, d(out)/d(input): unary ``(x, out)`` or
``(x, out, arg)`` -> one derivative; binary ``(a, b, out)`` -> a pair; n-ary
``(inputs, out)`` -> a sequence; an op of n >= 3 inputs defined with ``autograd.op``
``(x_1, ..., x_n, out)`` -> a sequence.

Filled in by ``engine.py`` and ``nary.py``, each rule right under its op's forward
computation, and by ``register`` for the ops users define."""

ARITY: dict[str, int] = {}
"""Ops of a fixed number of inputs defined with ``autograd.op``: name -> that number. Their
rule is ``rule(x_1, ..., x_n, out)``; a node of 3 or more inputs is stored as an n-ary one."""

REFERENCES: dict[str, Callable[..., Any]] = {}
"""Generated name (``_u0``, ``_u0d``, ...) -> a defined op's checked forward or rule: the
compiled mode calls them by reference, under these names, never through the user's text."""
FORWARD_NAMES: dict[str, str] = {}  # a defined op's name -> its forward's generated name

RESERVED = frozenset({"", "in", "c", "neg"})  # a leaf's op, the compiled mode's input and
# constant entries, and the unary minus of the test strategies: never an op's name
_registering = threading.Lock()


def register(name: str, rule: Callable[..., Any], arity: int,
             forward: Callable[..., float]) -> tuple[str, str]:
    """Add an op of ``arity`` inputs: its rule and forward; return their generated names."""
    with _registering:
        if name in RULES or name in RESERVED:
            raise ValueError(f"op name {name!r} is taken: give the op another name (name=...)")
        ref = f"_u{len(ARITY)}"
        REFERENCES[ref], REFERENCES[f"{ref}d"] = forward, rule
        FORWARD_NAMES[name] = ref
        ARITY[name] = arity
        RULES[name] = rule  # last: an op is visible only once complete
        return ref, f"{ref}d"
