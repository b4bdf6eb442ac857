"""Switches on the engine, per thread and per asyncio task: ``no_grad``, ``enable_grad``.

Every switch that changes how ops record lives in a ``contextvars.ContextVar``, as PyTorch's
grad mode is thread-local: a ``no_grad`` block in one thread (or task) leaves every other
thread recording. A new thread starts with the defaults (recording, no anomaly checks, no
transform running); an asyncio task starts with a copy of its creator's switches.

The engine's fast path reads one variable, ``MODE``: ``None`` while ops record plainly (the
default), else a ``Mode`` that sends every op through the slow path (``nodes._record``).

``gc_paused`` is different: Python's cyclic collector is one per process, so the pauses of
all threads are counted, and the collector comes back when the last block ends.
"""

from __future__ import annotations

import functools
import gc
import inspect
import threading
from collections.abc import Callable, Generator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from types import TracebackType
from typing import Any, NamedTuple, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Mode(NamedTuple):
    """How ops record when not plainly: ``record`` is off under no_grad; ``anomaly`` checks."""

    record: bool
    anomaly: Any  # the open ``detect_anomaly`` block, or None


MODE: ContextVar[Mode | None] = ContextVar("autograd.mode", default=None)
"""None: ops record plainly (the fast path). Else the Mode that ops follow."""

DEPTH: ContextVar[int] = ContextVar("autograd.transform_depth", default=0)
"""How many functional transforms are running their ``f`` in this context."""

TRACE: ContextVar[list[Any] | None] = ContextVar("autograd.trace", default=None)
"""While ``jit`` traces its ``f`` in this context: the list that records each comparison
on a Value, ``(op, value, other, outcome)``, in order. Else None."""


def current() -> Mode:
    """The mode ops follow in this thread or task."""
    return MODE.get() or Mode(True, None)


def set_mode(record: bool, anomaly: Any) -> Token[Mode | None]:
    """Switch this context's mode; ``MODE.reset(token)`` switches it back."""
    return MODE.set(None if record and anomaly is None else Mode(record, anomaly))


_OPEN: ContextVar[tuple[tuple[object, Token[Mode | None]], ...]] = ContextVar(
    "autograd.open_switches", default=())
"""The switches open in this context, innermost last, each with the token that undoes it."""


class Switch:
    """Set a mode within a block, in this context only; restore it after (nesting works).

    One instance may be shared: by threads and tasks (what it undoes is kept per context,
    never on the instance), and as a decorator, ``@no_grad()``, around each call.
    """

    def _mode(self) -> Mode:
        raise NotImplementedError

    def __enter__(self) -> Any:
        mode = self._mode()
        _OPEN.set((*_OPEN.get(), (self, set_mode(mode.record, mode.anomaly))))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        opened = _OPEN.get()
        k = max(i for i, (switch, _) in enumerate(opened) if switch is self)  # innermost
        _OPEN.set(opened[:k] + opened[k + 1 :])
        MODE.reset(opened[k][1])

    def __call__(self, fn: Callable[P, R]) -> Callable[P, R]:
        """``fn`` with each call run inside this block (a plain function, not a generator)."""
        if inspect.isgeneratorfunction(fn) or inspect.iscoroutinefunction(fn) \
                or inspect.isasyncgenfunction(fn):
            raise TypeError(f"{type(self).__name__}() decorates a plain function: a generator "
                            f"or coroutine runs after the call returns; use a with block inside")

        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with self:
                return fn(*args, **kwargs)

        return run


class no_grad(Switch):  # noqa: N801 - a context manager named like torch.no_grad
    """Within this block ops build no graph: results are leaves (evaluation, optimizer steps)."""

    def _mode(self) -> Mode:
        return Mode(False, current().anomaly)

    def __enter__(self) -> no_grad:
        return super().__enter__()  # type: ignore[no-any-return]


class enable_grad(Switch):  # noqa: N801 - named like torch.enable_grad
    """Within this block ops record their graph even inside ``no_grad`` (used by transforms)."""

    def _mode(self) -> Mode:
        return Mode(True, current().anomaly)

    def __enter__(self) -> enable_grad:
        return super().__enter__()  # type: ignore[no-any-return]


@contextmanager
def transforming() -> Generator[None, None, None]:
    """Record the graph (even inside no_grad), and tell inner transforms one is running."""
    token = DEPTH.set(DEPTH.get() + 1)
    try:
        with enable_grad():
            yield
    finally:
        DEPTH.reset(token)


_gc_lock = threading.Lock()
_gc_pauses = 0  # open gc_paused blocks, in all threads
_gc_resume = False  # whether the collector was on when the first of them began


@contextmanager
def gc_paused() -> Generator[None, None, None]:
    """Pause Python's cyclic garbage collector within the block (it is restored after).

    Safe with this engine: graphs make no reference cycles (but for ``grad`` Values left by
    ``backward(create_graph=True)``, which the collector frees once it runs again), so
    reference counting frees every node. Worth it for big graphs: each collection rescans
    every live node, which makes building a million-node graph about 3x slower; ``backward``
    and ``nn.fit`` use it. Blocks in several threads are counted: the collector comes back
    when the last one ends, and only if it was on when the first one began.
    """
    global _gc_pauses, _gc_resume
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_resume = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_resume:
                gc.enable()
