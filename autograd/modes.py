"""Switches on the engine: ``no_grad``, where ops record no parents."""

from __future__ import annotations

from types import TracebackType

from . import engine


class no_grad:  # noqa: N801 - a context manager named like torch.no_grad
    """Within this block ops build no graph: results are leaves (evaluation, optimizer steps)."""

    def __enter__(self) -> no_grad:
        self._saved = engine._Mode.record
        engine._set_mode(False, engine._Mode.anomaly)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        engine._set_mode(self._saved, engine._Mode.anomaly)
