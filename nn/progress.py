"""Training progress for ``fit``: a tqdm bar when tqdm is installed, else plain text anywhere.

``reporter(stream, epochs)`` picks one: with no ``stream`` and tqdm installed, a
``tqdm.auto`` bar (a widget in Jupyter, text on a terminal); otherwise text to ``stream``
(stderr by default): one line rewritten in place on a terminal, or separate lines on
anything else (a notebook, a file, a ``StringIO``), at most about ``MAX_LINES`` of them.

>>> import io
>>> out = io.StringIO()
>>> report = reporter(out, epochs=2)
>>> for epoch in (1, 2):
...     report.show(epoch, {"loss": [0.5, 0.25][:epoch]})
>>> report.close()
>>> print(out.getvalue(), end="")
epoch 1/2  loss 0.5
epoch 2/2  loss 0.25
"""

from __future__ import annotations

import importlib
import sys
import time
from typing import Any, TextIO

History = dict[str, list[float]]
MAX_LINES = 20  # plain text: a line every ceil(epochs / MAX_LINES) epochs, the first and last


def stats(epoch: int, epochs: int, history: History) -> str:
    """``epoch 3/10  loss 0.25  accuracy 0.9``: the latest value of every history entry."""
    return "  ".join([f"epoch {epoch}/{epochs}", *(f"{k} {v[-1]:.4g}" for k, v in history.items())])


class Reporter:
    """Shows nothing: the base of the progress displays, and ``fit``'s when quiet."""

    def show(self, epoch: int, history: History) -> None:
        """Show the history after ``epoch``."""

    def close(self) -> None:
        """Finish the display."""


class Lines(Reporter):
    """A line per epoch (every few epochs in long runs, and the first and last) to any stream."""

    def __init__(self, stream: TextIO, epochs: int) -> None:
        self.stream, self.epochs = stream, epochs
        self.every = -(-epochs // MAX_LINES)  # ceil: at most MAX_LINES lines, plus the last

    def show(self, epoch: int, history: History) -> None:
        if epoch % self.every == 0 or epoch in (1, self.epochs):
            self.stream.write(stats(epoch, self.epochs, history) + "\n")
            self.stream.flush()


class Line(Reporter):
    """One line rewritten in place with ``\\r`` (a terminal), at most every 0.1 s and at the end."""

    def __init__(self, stream: TextIO, epochs: int) -> None:
        self.stream, self.epochs, self.last, self.width = stream, epochs, 0.0, 0

    def show(self, epoch: int, history: History) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and epoch < self.epochs:
            return
        self.last = now
        line = stats(epoch, self.epochs, history)
        self.stream.write("\r" + line.ljust(self.width))  # spaces cover a longer last line
        self.width = len(line)
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


class Bar(Reporter):
    """A ``tqdm.auto`` progress bar over the epochs, the latest history as its postfix."""

    def __init__(self, tqdm: Any, epochs: int) -> None:
        self.bar = tqdm(total=epochs, unit="epoch", desc="fit")

    def show(self, epoch: int, history: History) -> None:
        self.bar.set_postfix({k: f"{v[-1]:.4g}" for k, v in history.items()}, refresh=False)
        self.bar.update(epoch - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def reporter(stream: TextIO | None, epochs: int) -> Reporter:
    """A tqdm bar if ``stream`` is None and tqdm is installed, else text to ``stream``."""
    if stream is None:
        try:
            tqdm = importlib.import_module("tqdm.auto").tqdm  # optional: the progress extra
        except ImportError:
            pass
        else:
            return Bar(tqdm, epochs)
    out = sys.stderr if stream is None else stream
    on_terminal = getattr(out, "isatty", lambda: False)()
    return Line(out, epochs) if on_terminal else Lines(out, epochs)
