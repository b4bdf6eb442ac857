"""Check derivatives against finite differences, and say in a table where they disagree.

``gradcheck`` compares every first derivative from ``backward()`` with a central difference;
``gradgradcheck`` compares every second derivative (the Hessian from
``backward(create_graph=True)``) with central differences of the gradient. Both build the
same rows and fail through one path, ``_finish``.

The numeric derivative is C(h) = (f(x + h) - f(x - h)) / 2h, with h = ``eps`` rounded to a
power of two, then to a step that x + h represents exactly. Its error is about
|f'''| h^2 / 6 (truncation) + u |f| / h (rounding, u = 2^-52): with eps = 1e-6 and
well-scaled smooth f that is ~1e-10, so the default tolerances are loose enough. It is
wrong at a kink, next to a domain edge or a pole, and when |f| is huge compared with f'.

Reliability rule. f is also evaluated at x +- 2h, and from the five points
  truncation = |C(h) - C(2h)| / 3    (Richardson: the error of C(h) for smooth f, to O(h^4))
  kink = |4 s(h) - s(2h)| / 4h, s(h) = f(x + h) - 2 f(x) + f(x - h)   (O(h^3) if smooth;
         half the jump in slope for a kink at x)
  rounding = u max_k |f(x + k h)| / h
A row is judged ("ok" or "FAIL") when its error estimate, the largest of the three, is
<= tolerance / 2, where tolerance = atol + rtol |numeric| (the rule of torch.allclose).
Otherwise it is "unreliable", with the reason: a kink within 2 eps (the kink term is the
largest), rounding (|f| too large for eps), a domain edge (f raised or was not finite at
one of the five points), or else strong curvature, a pole or a jump. An unreliable row
still FAILs when the analytic value is far outside the range of the slopes between
neighbouring points: beyond tolerance + error estimate + the range's own width. With one
kink within 2 eps one of those slopes is x's own, and the width covers two kinks or a
feature about as narrow as eps; so relu with slope 3 fails wherever its kink is, while
slope 1.5 is only "unreliable". Features much narrower than eps (sin(1e7 x) at eps = 1e-6)
can still fail a right derivative: check them with a smaller eps.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any, NamedTuple

from .engine import Value
from .functional import hessian
from .graph import topological_order
from .modes import enable_grad
from .report import GradcheckError, GradcheckResult, GradcheckRow, GradcheckWarning
from .rules import ARITY, FORWARD_NAMES, REFERENCES

__all__ = ["GradcheckError", "GradcheckResult", "GradcheckRow", "GradcheckWarning", "gradcheck",
           "gradgradcheck"]

Function = Callable[..., Any]  # takes one Value per input, returns a Value (or a number)
_STEPS = (-2, -1, 0, 1, 2)  # f is sampled at x + k eps
_AT = {-2: "x - 2 eps", -1: "x - eps", 0: "x", 1: "x + eps", 2: "x + 2 eps"}
_ULP = 2.0**-52  # u: each f(x + k h) is taken as known to about one unit in its last place


# ---- the two checks: one path ----


def gradcheck(f: Function, inputs: Sequence[float], *, eps: float = 1e-6, atol: float = 1e-6,
              rtol: float = 1e-4, raise_exception: bool = True) -> GradcheckResult:
    """Compare every df/dx_i from ``backward()`` with a central finite difference.

    ``f`` takes one Value per input (as separate arguments) and returns a Value; a plain
    number is a constant output, whose analytic gradient is 0. Passes when
    |analytic - numeric| <= atol + rtol |numeric| for every judged row; see the module
    docstring for when a row is "unreliable" instead. Raises ``GradcheckError`` (a table)
    on failure, or returns the ``GradcheckResult`` when ``raise_exception`` is False; when
    it passes with unreliable rows it warns (``GradcheckWarning``) and returns the result.
    """
    return _check(1, f, inputs, eps, atol, rtol, raise_exception)


def gradgradcheck(f: Function, inputs: Sequence[float], *, eps: float = 1e-6, atol: float = 1e-6,
                  rtol: float = 1e-4, raise_exception: bool = True) -> GradcheckResult:
    """Compare every d2f/dx_i dx_j from ``backward(create_graph=True)`` with finite differences.

    The numeric column j is the central difference of the analytic gradient (plain
    ``backward()``) along input j. Rows, verdicts and failure are as in ``gradcheck``.
    """
    return _check(2, f, inputs, eps, atol, rtol, raise_exception)


def _check(order: int, f: Function, inputs: Sequence[float], eps: float,
           atol: float, rtol: float, raise_exception: bool) -> GradcheckResult:
    with enable_grad():  # a check inside no_grad still needs f's graph
        return _finish(_result(order, f, inputs, eps, atol, rtol), raise_exception)


def _result(order: int, f: Function, inputs: Sequence[float], eps: float,
            atol: float, rtol: float) -> GradcheckResult:
    xs, labels = _prepare(f, inputs, eps, atol, rtol)
    vs, out = _forward(f, xs, labels)
    if order == 1:
        analytic = [_gradient(vs, out)]  # analytic[0][j] = df/dx_j
        fn = lambda p: [_output(f, p, labels)]
    else:
        analytic = hessian(f)(*xs)  # analytic[i][j] = d/dx_j (df/dx_i)
        fn = lambda p: _gradient(*_forward(f, p, labels))
    columns = [_numeric(fn, xs, j, eps, len(analytic)) for j in range(len(xs))]
    rows = tuple(
        _row(_name(order, labels, i, j), j, labels[j], xs[j], analytic[i][j], columns[j][i],
             atol, rtol, None if order == 1 else i)
        for i in range(len(analytic))
        for j in range(len(xs))
    )
    note = "" if isinstance(out, Value) else (
        f"f returned a {type(out).__name__}, not a Value: a constant, with analytic gradient 0"
    )
    if any(row.status == "FAIL" for row in rows) and isinstance(out, Value):
        rows = _blame(rows, _wrong_rules(out, eps, atol, rtol))
    kind = "gradcheck" if order == 1 else "gradgradcheck"
    return GradcheckResult(kind, rows, eps, atol, rtol, note)


def _wrong_rules(out: Value, eps: float, atol: float, rtol: float) -> list[str]:
    """Defined ops (``autograd.op``) in out's graph whose rule disagrees with their forward."""
    found: dict[str, str] = {}
    for node in topological_order(out):
        if node.op not in ARITY or node.op in found:
            continue
        forward = REFERENCES[FORWARD_NAMES[node.op]]
        point = [p.data for p in node.parents]
        for j, d in enumerate(node.local_grads):
            [num] = _numeric(_listed(forward), point, j, eps, 1)
            if _verdict(d, num, abs(d - num.value), atol + rtol * abs(num.value))[0] == "FAIL":
                at = ", ".join(f"{x:.6g}" for x in point)
                found[node.op] = (f"op {node.op!r}: its derivative rule gives {d:.6g} for input "
                                  f"{j}, its forward's slope is {num.value:.6g} (at {at})")
                break
    return list(found.values())


def _listed(forward: Callable[..., float]) -> Callable[[list[float]], list[float]]:
    """``forward`` as ``_numeric`` calls a function: a point in, a list of outputs out."""
    return lambda point: [forward(*point)]


def _blame(rows: tuple[GradcheckRow, ...], wrong: list[str]) -> tuple[GradcheckRow, ...]:
    """The failed rows, with the wrong rules named in their reason."""
    if not wrong:
        return rows
    why = "; ".join(wrong)
    return tuple(dataclasses.replace(row, reason=f"{why}; {row.reason}")
                 if row.status == "FAIL" else row for row in rows)


def _finish(result: GradcheckResult, raise_exception: bool) -> GradcheckResult:
    """The one failure path: raise the table, warn about unreliable rows, or return."""
    if raise_exception and not result.passed:
        raise GradcheckError(result)
    if raise_exception and result.unreliable:
        warnings.warn(result.report(), GradcheckWarning, stacklevel=4)
    return result


def _name(order: int, labels: list[str], i: int, j: int) -> str:
    return f"df/d{labels[j]}" if order == 1 else f"d2f/d{labels[i]} d{labels[j]}"


# ---- evaluating f ----


def _prepare(f: Function, inputs: Sequence[float], eps: float, atol: float,
             rtol: float) -> tuple[list[float], list[str]]:
    """The inputs as floats and a label for each (f's parameter names, else x0, x1, ...)."""
    if not eps > 0 or not atol >= 0 or not rtol >= 0:
        raise ValueError(f"need eps > 0, atol >= 0, rtol >= 0; got {eps=}, {atol=}, {rtol=}")
    if isinstance(inputs, (Value, numbers.Number, str)):
        raise TypeError(f"inputs must be a sequence of numbers, got {type(inputs).__name__}")
    xs = [Value(x).data for x in inputs]  # the engine's TypeError names a bad type
    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature
        params = []
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(names) < len(xs) or "self" in names[: len(xs)]:
        names = [f"x{i}" for i in range(len(xs))]
    return xs, names[: len(xs)]


def _forward(f: Function, point: list[float], labels: list[str]) -> tuple[list[Value], Any]:
    vs = [Value(x, label) for x, label in zip(point, labels, strict=True)]
    out = f(*vs)
    if not isinstance(out, (Value, numbers.Real)) or isinstance(out, bool):
        raise TypeError(f"f must return a Value or a number, got {type(out).__name__}")
    return vs, out


def _output(f: Function, point: list[float], labels: list[str]) -> float:
    out = _forward(f, point, labels)[1]
    return out.data if isinstance(out, Value) else float(out)


def _gradient(vs: list[Value], out: Any) -> list[float]:
    if isinstance(out, Value):
        out.backward()
    return [float(v.grad) for v in vs]


# ---- finite differences and the verdict ----


class _Numeric(NamedTuple):
    value: float  # the central difference C(h) (NaN if f could not be evaluated)
    error: float  # an estimate of its error (inf if unknown)
    reason: str  # what would make it unreliable
    low: float = -math.inf  # the range of the slopes between neighbouring points
    high: float = math.inf


def _numeric(fn: Callable[[list[float]], list[float]], point: list[float], j: int, eps: float,
             n_out: int) -> list[_Numeric]:
    """For each of fn's n_out outputs: d/dx_j by central difference, with an error estimate."""
    x = point[j]
    # a power of two near eps, then the step x + h really takes (h rounded to x's precision):
    # x + k h and the divisions by h are then exact, so only f's own rounding remains
    h = (x + 2.0 ** round(math.log2(eps))) - x
    if h == 0:
        return [_Numeric(math.nan, math.inf, f"eps is below the precision of x = {x!r}")] * n_out
    samples = []
    for k in _STEPS:
        shifted = list(point)
        shifted[j] = x + k * h
        try:
            samples.append(fn(shifted))
        except (ArithmeticError, ValueError) as e:  # a domain edge within 2 eps
            why = f"domain edge: f({_AT[k]}) raised {type(e).__name__}: {e}"
            return [_Numeric(math.nan, math.inf, why)] * n_out
    return [_estimate([s[i] for s in samples], h) for i in range(n_out)]


def _estimate(y: list[float], h: float) -> _Numeric:
    """C(h) from y = f(x + k h), k = -2..2, with the error estimates of the module docstring."""
    for k, v in zip(_STEPS, y, strict=True):
        if not math.isfinite(v):
            return _Numeric(math.nan, math.inf, f"domain edge: f({_AT[k]}) = {v!r}")
    ym2, ym1, y0, yp1, yp2 = y
    central = (yp1 - ym1) / (2 * h)
    truncation = abs(central - (yp2 - ym2) / (4 * h)) / 3
    kink = abs(4 * (yp1 - 2 * y0 + ym1) - (yp2 - 2 * y0 + ym2)) / (4 * h)
    rounding = _ULP * max(map(abs, y)) / h
    slopes = [(b - a) / h for a, b in pairwise(y)]
    error = max(truncation, kink, rounding)
    if error == kink:
        left, right = (y0 - ym2) / (2 * h), (yp2 - y0) / (2 * h)
        reason = f"kink within 2 eps: slopes {left:.6g} on the left, {right:.6g} on the right"
    elif error == rounding:
        reason = f"rounding: |f| ~ {max(map(abs, y)):.3g} is too large to resolve with this eps"
    else:
        reason = (
            f"numeric derivative uncertain by ~{truncation:.1g} "
            "(strong curvature, rounding, or a pole or jump within 2 eps)"
        )
    return _Numeric(central, error, reason, min(slopes), max(slopes))


def _row(derivative: str, index: int, label: str, value: float, analytic: float,
         num: _Numeric, atol: float, rtol: float, component: int | None) -> GradcheckRow:
    bound = atol + rtol * abs(num.value)
    err = abs(analytic - num.value)
    rel = err / abs(num.value) if num.value else (0.0 if err == 0 else math.inf)
    status, reason = _verdict(analytic, num, err, bound)
    return GradcheckRow(derivative, index, label, value, analytic, num.value, err, rel,
                        status, reason, component)


def _verdict(analytic: float, num: _Numeric, err: float, bound: float) -> tuple[str, str]:
    if num.error <= bound / 2:  # the finite difference is good enough to judge
        if err <= bound:
            return "ok", ""
        if not math.isfinite(analytic):
            return "FAIL", f"analytic is {analytic!r}"
        return "FAIL", f"abs err > atol + rtol*|numeric| = {bound:.2g}"
    # as wide again as the slopes' own range: features narrower than eps can hide x's slope
    slack = bound + num.error + (num.high - num.low)  # not finite where f was not evaluated
    outside = not num.low - slack <= analytic <= num.high + slack
    if math.isfinite(analytic) and math.isfinite(slack) and outside:
        return "FAIL", (f"outside the slopes of f within 2 eps, {num.low:.6g} to "
                        f"{num.high:.6g}, +- (tolerance + error estimate); {num.reason}")
    return "unreliable", num.reason
