"""Shared test helpers: the op table, Hypothesis strategies for each op's domain, assert_close."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

from autograd import Value
from autograd.testing import finite_floats as floats


def assert_close(actual: float, expected: float, rel: float = 1e-6, abs_: float = 0.0) -> None:
    """Assert |actual - expected| <= max(rel * max(|actual|, |expected|), abs_): relative
    only, unless an absolute tolerance is asked for (near 0, where relative means exact)."""
    assert math.isclose(actual, expected, rel_tol=rel, abs_tol=abs_), (
        f"{actual!r} != {expected!r}"
    )


def central_difference(f: Callable[[float], float], x: float, eps: float = 1e-6) -> float:
    """(f(x + eps) - f(x - eps)) / 2 eps, the numeric derivative."""
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def away_from(strategy: st.SearchStrategy[float], *kinks: float, gap: float = 1e-3):
    """Floats from ``strategy`` at least ``gap`` from every kink (where a derivative jumps)."""
    return strategy.filter(lambda x: all(abs(x - k) > gap for k in kinks))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@dataclass(frozen=True)
class Op:
    """One unary op: how to apply it to a Value, its float reference, its closed-form derivative."""

    name: str
    apply: Callable[[Value], Value]
    reference: Callable[[float], float]
    derivative: Callable[[float], float]
    domain: st.SearchStrategy[float]
    second: Callable[[float], float] = lambda x: 0.0
    third: Callable[[float], float] = lambda x: 0.0


def _tanh_d(x: float, k: int) -> float:
    t = math.tanh(x)
    d1 = 1 - t * t
    return [d1, -2 * t * d1, -2 * d1 * d1 + 4 * t * t * d1][k - 1]


def _sigmoid_d(x: float, k: int) -> float:
    s = _sigmoid(x)
    d1 = s * (1 - s)
    d2 = d1 * (1 - 2 * s)
    return [d1, d2, d2 * (1 - 2 * s) - 2 * d1 * d1][k - 1]


_LN2 = math.log(2)
OPS = [
    Op("neg", lambda v: -v, lambda x: -x, lambda x: -1.0, floats(-10, 10)),
    Op("abs", abs, abs, lambda x: math.copysign(1.0, x), away_from(floats(-10, 10), 0)),
    Op("exp", Value.exp, math.exp, math.exp, floats(-20, 20), math.exp, math.exp),
    Op("log", Value.log, math.log, lambda x: 1 / x, floats(1e-2, 100),
       lambda x: -1 / x**2, lambda x: 2 / x**3),
    Op("log1p", Value.log1p, math.log1p, lambda x: 1 / (1 + x), floats(-0.99, 100),
       lambda x: -1 / (1 + x) ** 2, lambda x: 2 / (1 + x) ** 3),
    Op("sqrt", Value.sqrt, math.sqrt, lambda x: 0.5 / math.sqrt(x), floats(1e-2, 100),
       lambda x: -0.25 * x**-1.5, lambda x: 0.375 * x**-2.5),
    Op("tanh", Value.tanh, math.tanh, lambda x: _tanh_d(x, 1), floats(-5, 5),
       lambda x: _tanh_d(x, 2), lambda x: _tanh_d(x, 3)),
    Op("sigmoid", Value.sigmoid, _sigmoid, lambda x: _sigmoid_d(x, 1), floats(-20, 20),
       lambda x: _sigmoid_d(x, 2), lambda x: _sigmoid_d(x, 3)),
    Op("softplus", Value.softplus, lambda x: math.log1p(math.exp(x)), _sigmoid, floats(-20, 20),
       lambda x: _sigmoid_d(x, 1), lambda x: _sigmoid_d(x, 2)),
    Op("relu", Value.relu, lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0,
       away_from(floats(-10, 10), 0)),
    Op("leaky_relu", Value.leaky_relu, lambda x: x if x > 0 else 0.01 * x,
       lambda x: 1.0 if x > 0 else 0.01, away_from(floats(-10, 10), 0)),
    Op("elu", Value.elu, lambda x: x if x > 0 else math.expm1(x),
       lambda x: 1.0 if x > 0 else math.exp(x), away_from(floats(-10, 10), 0),
       lambda x: 0.0 if x > 0 else math.exp(x), lambda x: 0.0 if x > 0 else math.exp(x)),
    Op("sin", Value.sin, math.sin, math.cos, floats(-10, 10),
       lambda x: -math.sin(x), lambda x: -math.cos(x)),
    Op("cos", Value.cos, math.cos, lambda x: -math.sin(x), floats(-10, 10),
       lambda x: -math.cos(x), math.sin),
    Op("square", lambda v: v**2, lambda x: x**2, lambda x: 2 * x, floats(-10, 10),
       lambda x: 2.0),
    Op("cube", lambda v: v**3, lambda x: x**3, lambda x: 3 * x**2, floats(-5, 5),
       lambda x: 6 * x, lambda x: 6.0),
    Op("rsqrt", lambda v: v**-0.5, lambda x: x**-0.5, lambda x: -0.5 * x**-1.5, floats(1e-1, 50),
       lambda x: 0.75 * x**-2.5, lambda x: -1.875 * x**-3.5),
    Op("reciprocal", lambda v: 1 / v, lambda x: 1 / x, lambda x: -1 / x**2,
       away_from(floats(-10, 10), 0, gap=0.1), lambda x: 2 / x**3, lambda x: -6 / x**4),
    Op("exp2", lambda v: 2**v, lambda x: 2.0**x, lambda x: 2.0**x * _LN2, floats(-10, 10),
       lambda x: 2.0**x * _LN2**2, lambda x: 2.0**x * _LN2**3),
    Op("add_const", lambda v: v + 3, lambda x: x + 3, lambda x: 1.0, floats(-10, 10)),
    Op("rsub_const", lambda v: 3 - v, lambda x: 3 - x, lambda x: -1.0, floats(-10, 10)),
    Op("mul_const", lambda v: 2.5 * v, lambda x: 2.5 * x, lambda x: 2.5, floats(-10, 10)),
    Op("div_const", lambda v: v / 4, lambda x: x / 4, lambda x: 0.25, floats(-10, 10)),
]
OP_IDS = [op.name for op in OPS]


@dataclass(frozen=True)
class BinaryOp:
    """One binary op of two Values, its float reference and both partial derivatives."""

    name: str
    apply: Callable[[Value, Value], Value]
    reference: Callable[[float, float], float]
    partials: Callable[[float, float], tuple[float, float]]
    domain: st.SearchStrategy[tuple[float, float]]


_pair = st.tuples(floats(-10, 10), floats(-10, 10))
BINARY_OPS = [
    BinaryOp("add", lambda a, b: a + b, lambda a, b: a + b, lambda a, b: (1.0, 1.0), _pair),
    BinaryOp("sub", lambda a, b: a - b, lambda a, b: a - b, lambda a, b: (1.0, -1.0), _pair),
    BinaryOp("mul", lambda a, b: a * b, lambda a, b: a * b, lambda a, b: (b, a), _pair),
    BinaryOp("div", lambda a, b: a / b, lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2),
             st.tuples(floats(-10, 10), away_from(floats(-10, 10), 0, gap=0.1))),
    BinaryOp("pow", lambda a, b: a**b, lambda a, b: a**b,
             lambda a, b: (b * a ** (b - 1), a**b * math.log(a)),
             st.tuples(floats(0.1, 5), floats(-3, 3))),
]
BINARY_IDS = [op.name for op in BINARY_OPS]


def assert_grads_match(f: Callable[[], Value], params: list[Value], eps: float = 1e-6,
                       rel: float = 1e-5, abs_: float = 1e-7) -> None:
    """backward() of ``f()`` agrees with central differences in each of ``params``' data."""
    for p in params:
        p.grad = 0.0
    f().backward()
    for i, p in enumerate(params):
        x0 = p.data

        def at(x: float, p: Value = p) -> float:
            p.data = x
            return f().data

        numeric = central_difference(at, x0, eps)
        p.data = x0
        assert math.isclose(p.grad, numeric, rel_tol=rel, abs_tol=abs_), (
            f"parameter {i}: analytic {p.grad!r} != numeric {numeric!r}"
        )


def optimizer_steps(opt_factory: Callable, grads: list[float], w0: float = 1.0) -> list[float]:
    """The parameter after each step of ``opt_factory([w])``, fed the gradients one by one."""
    w = Value(w0)
    opt = opt_factory([w])
    seen = []
    for g in grads:
        w.grad = g
        opt.step()
        seen.append(w.data)
    return seen
