"""What gradcheck and gradgradcheck return: one row per derivative, and the table they print.

A ``GradcheckResult`` holds every ``GradcheckRow`` of one check; ``report()`` (also its
``repr``) is a summary line and an aligned table, the message of ``GradcheckError``.
"""

from __future__ import annotations

from dataclasses import dataclass

_COLUMNS = ("input", "derivative", "value", "analytic", "numeric", "abs err", "rel err", "status")
_MAX_ROWS = 30  # longer reports list only the rows that are not ok


class GradcheckError(AssertionError):
    """A derivative disagrees with finite differences; ``.result`` holds every row."""

    def __init__(self, result: GradcheckResult) -> None:
        super().__init__(result.report())
        self.result = result


class GradcheckWarning(UserWarning):
    """The check passed, but some derivatives could not be checked (unreliable points)."""


@dataclass(frozen=True)
class GradcheckRow:
    """One checked derivative: the point, both numbers, their errors and the verdict."""

    derivative: str  # "df/dx", or "d2f/dx dy" = d/dy (df/dx) for gradgradcheck
    index: int  # the input the finite difference moves (y above)
    label: str
    value: float  # that input's value
    analytic: float
    numeric: float
    abs_error: float  # |analytic - numeric|
    rel_error: float  # abs_error / |numeric|
    status: str  # "ok", "FAIL" or "unreliable"
    reason: str = ""  # why it failed or cannot be judged
    component: int | None = None  # gradgradcheck: the i of d/dx_index (df/dx_i)


@dataclass(frozen=True, repr=False)
class GradcheckResult:
    """Every row of one check; true when no row failed (unreliable rows do not fail)."""

    kind: str  # "gradcheck" or "gradgradcheck"
    rows: tuple[GradcheckRow, ...]
    eps: float
    atol: float
    rtol: float
    note: str = ""

    @property
    def passed(self) -> bool:
        """No row failed."""
        return not self.failures

    @property
    def failures(self) -> tuple[GradcheckRow, ...]:
        """The rows with status "FAIL"."""
        return tuple(r for r in self.rows if r.status == "FAIL")

    @property
    def unreliable(self) -> tuple[GradcheckRow, ...]:
        """The rows where finite differences cannot judge the derivative."""
        return tuple(r for r in self.rows if r.status == "unreliable")

    @property
    def max_abs_error(self) -> float:
        """The largest |analytic - numeric| over the judged (not unreliable) rows."""
        return max([r.abs_error for r in self.rows if r.status != "unreliable"], default=0.0)

    @property
    def max_rel_error(self) -> float:
        """The largest relative error over the judged (not unreliable) rows."""
        return max([r.rel_error for r in self.rows if r.status != "unreliable"], default=0.0)

    def __bool__(self) -> bool:
        return self.passed

    def summary(self) -> str:
        """One line: the verdict, the counts, the largest errors and the settings."""
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"{self.kind} {verdict}: {len(self.rows)} derivative(s), {len(self.failures)} failed, "
            f"{len(self.unreliable)} unreliable; max abs err {self.max_abs_error:.2g}, "
            f"max rel err {self.max_rel_error:.2g} "
            f"(eps={self.eps:g}, atol={self.atol:g}, rtol={self.rtol:g})"
        )

    def table(self) -> str:
        """The rows as an aligned text table (only the rows not ok, if there are many)."""
        rows = self.rows if len(self.rows) <= _MAX_ROWS else self.failures + self.unreliable
        lines = [_COLUMNS, *map(_cells, rows)]
        widths = [max(len(line[c]) for line in lines) for c in range(len(_COLUMNS) - 1)]
        text = [
            "  ".join(["", *map(_align, range(len(widths)), line, widths), line[-1]])
            for line in lines
        ]
        if len(rows) < len(self.rows):
            text.append(f"  ({len(self.rows) - len(rows)} ok rows not shown)")
        return "\n".join(text)

    def report(self) -> str:
        """The summary, the note (if any) and the table."""
        note = f"\nnote: {self.note}" if self.note else ""
        return f"{self.summary()}{note}\n{self.table()}"

    __repr__ = __str__ = report


def _cells(row: GradcheckRow) -> tuple[str, ...]:
    index = str(row.index) if row.component is None else f"{row.component},{row.index}"
    status = f"{row.status}: {row.reason}" if row.reason else row.status
    return (index, row.derivative, f"{row.value:.6g}", f"{row.analytic:.10g}",
            f"{row.numeric:.10g}", f"{row.abs_error:.2g}", f"{row.rel_error:.2g}", status)


def _align(column: int, cell: str, width: int) -> str:
    return cell.rjust(width) if 2 <= column <= 6 else cell.ljust(width)
