"""Running graphviz's ``dot`` program: under a time limit, with a clear error when it fails.

``dot`` lays out a dense graph of a few hundred nodes in seconds only when its layout work
is bounded (``render.LAYOUT``); the time limit (``TIMEOUT`` seconds unless the caller gives
``timeout=``) catches the rest and says what to do instead of hanging.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from .files import write_atomic

INSTALL_HINT = (
    "graphviz's `dot` program is not installed (not found on PATH). Install it with "
    "`apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) "
    "or `conda install -c conda-forge graphviz`"
)
TIMEOUT = 30.0  # seconds dot may run before RenderError


class RenderError(RuntimeError):
    """graphviz's ``dot`` is missing or failed; the message says how to fix it."""


def check_timeout(timeout: float) -> None:
    """Raise unless ``timeout`` is a positive number of seconds: TypeError if it is no
    number (a str, a bool), ValueError if it is not above 0 (or NaN)."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a positive number of seconds, got "
                        f"{type(timeout).__name__}: {timeout!r:.60}")
    if not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")


def digraph_class() -> type:
    """``graphviz.Digraph`` whose plain ``pipe(format)`` runs ``dot`` under a time limit."""
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "autograd.draw needs the graphviz Python package: pip install 'scalar-autograd[viz]' "
            "(autograd.to_dot needs nothing)"
        ) from None

    class Digraph(graphviz.Digraph):  # type: ignore[misc]
        timeout = TIMEOUT

        def pipe(self, format: str | None = None,  # noqa: A002 (graphviz's name)
                 *args: Any, encoding: str | None = None,
                 **kwargs: Any) -> Any:
            if args or kwargs:  # other engines or renderers: graphviz's own pipe
                return super().pipe(format, *args, encoding=encoding, **kwargs)
            out = run_dot(self.source, format or self.format, None, self.timeout)
            return out.decode(encoding) if encoding else out

    return Digraph


def run_dot(source: str, fmt: str, fallback: Path | None = None,
            timeout: float = TIMEOUT) -> bytes:
    """Run ``dot -T<fmt>`` on ``source``, for at most ``timeout`` seconds.

    If ``dot`` is missing or runs out of time, writes the source to ``fallback`` (if given)
    and raises RenderError saying what to do.
    """
    exe = shutil.which("dot")
    if exe is None:
        raise RenderError(f"{INSTALL_HINT}.{_keep(source, fallback)}")
    try:
        done = subprocess.run([exe, f"-T{fmt}"], input=source.encode(), capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"dot took more than {timeout:g} s to lay out the graph: draw fewer nodes (a "
            f"smaller max_nodes) or allow more time (timeout=).{_keep(source, fallback)}"
        ) from None
    if done.returncode != 0:
        raise RenderError(f"dot -T{fmt} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def _keep(source: str, fallback: Path | None) -> str:
    """Write ``source`` to ``fallback``; the sentence saying so (or how to get it)."""
    if fallback is None:
        return " to_dot(root) gives the DOT source."
    write_atomic(fallback, source)
    return f" The DOT source was written to {fallback}"
