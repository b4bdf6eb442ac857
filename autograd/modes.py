"""Switches on the engine: ``no_grad`` (ops record no parents) and ``gc_paused``."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from . import engine


class _RecordSwitch:
    """Set the engine's recording flag within a block; restore it after (nesting works)."""

    record = True

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def __enter__(self) -> _RecordSwitch:
        self._saved.append(engine._Mode.record)
        engine._set_mode(self.record, engine._Mode.anomaly)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        engine._set_mode(self._saved.pop(), engine._Mode.anomaly)


class no_grad(_RecordSwitch):  # noqa: N801 - a context manager named like torch.no_grad
    """Within this block ops build no graph: results are leaves (evaluation, optimizer steps)."""

    record = False


class enable_grad(_RecordSwitch):  # noqa: N801 - named like torch.enable_grad
    """Within this block ops record their graph even inside ``no_grad`` (used by transforms)."""

    record = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector within the block (it is restored after).

    Safe with this engine: no graph makes a reference cycle, so reference counting frees
    every node. Worth it for big graphs: each collection rescans every live node, which
    makes building a million-node graph about 3x slower; ``backward`` and ``nn.fit`` use it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
