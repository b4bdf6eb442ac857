"""Forward mode: jvp, jacfwd and hvp against reverse mode and finite differences."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, grad, hessian, hvp, jacfwd, jacobian, jvp, op
from autograd.testing import expressions
from tests.strategies import assert_close, floats


@op(derivative=lambda x, out: 1 - out * out)
def f_tanh(x: float) -> float:
    return math.tanh(x)


@op(derivative=lambda a, b, out: (a / out, b / out), domain=(0.2, 3.0))
def f_hypot(a: float, b: float) -> float:
    return math.hypot(a, b)


OPS = ["+", "-", "*", "/", "exp", "sin", "tanh", "sqrt", "log", "**", "sum", "dot", "logsumexp",
       f_tanh, f_hypot]
EPS = 1e-6


def directions(n: int) -> st.SearchStrategy[list[float]]:
    return st.lists(floats(-1.0, 1.0), min_size=n, max_size=n)


def moved(xs: tuple[float, ...], v: list[float], t: float) -> list[float]:
    return [x + t * d for x, d in zip(xs, v, strict=True)]


@settings(max_examples=60)
@given(expressions(n_inputs=(1, 3), max_nodes=10, ops=OPS), st.data())
def test_jvp_agrees_with_reverse_mode_and_finite_differences(e, data):
    v = data.draw(directions(len(e.inputs)))
    value, tangent = jvp(e.fn, e.inputs, v)
    assert value == e.fn(*map(Value, e.inputs)).data
    g = grad(e.fn, argnums=tuple(range(len(e.inputs))))(*e.inputs)
    assert_close(tangent, math.fsum(a * b for a, b in zip(g, v, strict=True)), rel=1e-9,
                 abs_=1e-9)
    f = lambda t: e.fn(*map(Value, moved(e.inputs, v, t))).data
    assert_close(tangent, (f(EPS) - f(-EPS)) / (2 * EPS), rel=1e-4, abs_=1e-5)


@settings(max_examples=40)
@given(expressions(n_inputs=(1, 3), max_nodes=8, ops=OPS), st.data())
def test_hvp_agrees_with_the_hessian_and_finite_differences_of_the_gradient(e, data):
    n = len(e.inputs)
    v = data.draw(directions(n))
    hv = hvp(e.fn, e.inputs, v)
    h = hessian(e.fn)(*e.inputs)
    for i in range(n):
        assert_close(hv[i], math.fsum(h[i][j] * v[j] for j in range(n)), rel=1e-8, abs_=1e-8)
    gradient = grad(e.fn, argnums=tuple(range(n)))
    up, down = gradient(*moved(e.inputs, v, EPS)), gradient(*moved(e.inputs, v, -EPS))
    for i in range(n):
        assert_close(hv[i], (up[i] - down[i]) / (2 * EPS), rel=1e-3, abs_=1e-4)


@settings(max_examples=30)
@given(st.lists(expressions(n_inputs=2, max_nodes=6, ops=OPS), min_size=1, max_size=3))
def test_jacfwd_equals_jacobian_on_random_vector_functions(es):
    inputs = es[0].inputs  # every expression is replayed at the first one's (valid) point
    fns = [e for e in es if _valid(e, inputs)]
    f = lambda x, y: [e.fn(x, y) for e in fns]
    for row_fwd, row_rev in zip(jacfwd(f)(*inputs), jacobian(f)(*inputs), strict=True):
        for a, b in zip(row_fwd, row_rev, strict=True):
            assert_close(a, b, rel=1e-9, abs_=1e-12)


def _valid(e, inputs) -> bool:
    try:
        return math.isfinite(e.fn(*map(Value, inputs)).data)
    except (ArithmeticError, ValueError):
        return False


def vector_fn(x, y, z):
    return [x * y.sin(), f_hypot(y, z) + x, (x * z).exp()]


@given(floats(-1.0, 1.0), floats(0.3, 2.0), floats(0.3, 2.0))
def test_jacfwd_equals_jacobian_and_finite_differences(x, y, z):
    forward, reverse = jacfwd(vector_fn)(x, y, z), jacobian(vector_fn)(x, y, z)
    for j in range(3):
        up = [x, y, z]
        down = [x, y, z]
        up[j] += EPS
        down[j] -= EPS
        outs_up = [o.data for o in vector_fn(*map(Value, up))]
        outs_down = [o.data for o in vector_fn(*map(Value, down))]
        for i in range(3):
            assert_close(forward[i][j], reverse[i][j], rel=1e-12, abs_=1e-12)
            assert_close(forward[i][j], (outs_up[i] - outs_down[i]) / (2 * EPS), rel=1e-5,
                         abs_=1e-6)


def test_closed_forms_and_shapes():
    # d/dt (x y + sin x) along (1, 0) is y + cos x; a tuple output gives a tuple tangent
    assert jvp(lambda x, y: x * y + x.sin(), (0.0, 2.0), (1.0, 0.0)) == (0.0, 3.0)
    assert jvp(lambda x: (x * x, 3.0), [2.0], [1.0]) == ((4.0, 3.0), (4.0, 0.0))
    assert jvp(lambda x: 5.0, (1.0,), (1.0,)) == (5.0, 0.0)  # a constant
    assert jacfwd(lambda x, y: x * y)(3.0, 2.0) == [[2.0, 3.0]]
    assert hvp(lambda x, y: x * x * y, (3.0, 2.0), (0.0, 1.0)) == [6.0, 0.0]
    assert hvp(f_tanh, [0.5], [1.0]) == pytest.approx(
        [-2 * math.tanh(0.5) * (1 - math.tanh(0.5) ** 2)], rel=1e-14)


def test_an_input_with_tangent_zero_is_a_constant_not_zero_times_inf():
    f = lambda x, y: x + 2 / y  # d/dy = -2 / y^2 overflows to -inf at y = 1e-200
    assert jacfwd(f)(0.0, 1e-200) == jacobian(f)(0.0, 1e-200) == [[1.0, -math.inf]]
    assert jvp(f, (0.0, 1e-200), (1.0, 0.0))[1] == 1.0


def test_forward_mode_nests_with_reverse_mode():
    # g(x) = d/dy (x y^2) at y = x, along 1: 2 x y = 2 x^2, so g'(x) = 4 x
    g = lambda x: jvp(lambda y: x * y * y, (x,), (1.0,))[1]
    assert grad(g)(3.0) == 12.0
    # the jvp of a gradient: (x^3)'' = 6 x
    assert jvp(grad(lambda x: x**3), (2.0,), (1.0,)) == (12.0, 12.0)
    # a Value tangent carries its graph: d/dv of (x^2)' v = 2 x
    assert grad(lambda v: jvp(lambda x: x * x, (3.0,), (v,))[1])(1.0) == 6.0


def test_values_in_give_values_out_and_leave_grads_alone():
    x = Value(2.0)
    x.grad = 7.0
    value, tangent = jvp(lambda t: t * t * t, (x,), (1.0,))
    assert isinstance(value, Value) and isinstance(tangent, Value)
    assert (value.data, tangent.data, x.grad) == (8.0, 12.0, 7.0)
    tangent.backward()
    assert x.grad == 7.0 + 12.0  # d/dx 3 x^2 = 6 x


def test_a_float_only_rule_works_forward_and_refuses_hvp():
    @op(derivative=lambda x, out: 2 / math.sqrt(math.pi) * math.exp(-x * x))
    def f_erf(x: float) -> float:
        return math.erf(x)

    assert jvp(f_erf, (0.0,), (3.0,)) == (0.0, 3 * 2 / math.sqrt(math.pi))
    with pytest.raises(TypeError, match="op 'f_erf': its derivative works on floats only"):
        hvp(f_erf, (0.5,), (1.0,))


def test_mismatched_tangents_are_an_error():
    with pytest.raises(ValueError, match="2 primals but 1 tangents"):
        jvp(lambda x, y: x * y, (1.0, 2.0), (1.0,))
    with pytest.raises(TypeError, match="real number"):
        jvp(lambda x: x, (1.0,), ("a",))


def test_arguments_that_are_not_one_per_input_are_named():
    with pytest.raises(ValueError, match="hvp: 2 primals but v has 1 entries"):
        hvp(lambda x, y: x * y, (1.0, 2.0), (1.0,))  # it said "jvp: ... tangents"
    with pytest.raises(TypeError, match=r"jvp: primals must be a sequence .* as \(1.0,\)"):
        jvp(lambda x: x, 1.0, (1.0,))  # it said "'float' object is not iterable"
    with pytest.raises(TypeError, match="hvp: v must be a sequence"):
        hvp(lambda x: x * x, (1.0,), 1.0)
    assert jvp(lambda x: x * x, [3.0], iter([1.0])) == (9.0, 6.0)


def test_forward_and_reverse_mode_may_differ_in_the_last_bit_only():
    # what docs/forward.md says: the same local derivatives, multiplied in the other order
    f = lambda a, b: [(a * b).tanh() * (a + b).sin() * b]
    a, b = -1.463, 1.39
    forward, reverse = jacfwd(f)(a, b)[0], jacobian(f)(a, b)[0]
    assert forward != reverse
    for x, y in zip(forward, reverse, strict=True):
        assert abs(x - y) <= 2 * math.ulp(y)
