"""Higher-order derivatives and the functional API: grad, value_and_grad, jacobian, hessian."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, grad, hessian, jacobian, modes, no_grad, value_and_grad
from autograd.testing import expressions
from tests.strategies import OP_IDS, OPS, assert_close, central_difference, floats


@pytest.mark.parametrize("op", OPS, ids=OP_IDS)
@given(data=st.data())
def test_second_and_third_derivatives_match_closed_forms(op, data):
    x = data.draw(op.domain)
    f = lambda v: op.apply(v)
    assert_close(grad(f)(x), op.derivative(x), rel=1e-9, abs_=1e-12)
    assert_close(grad(grad(f))(x), op.second(x), rel=1e-8, abs_=1e-10)
    assert_close(grad(grad(grad(f)))(x), op.third(x), rel=1e-7, abs_=1e-9)


@pytest.mark.parametrize("op", OPS, ids=OP_IDS)
@given(data=st.data())
def test_second_derivative_matches_finite_differences_of_the_first(op, data):
    x = data.draw(op.domain)
    numeric = central_difference(op.derivative, x)
    assert_close(grad(grad(lambda v: op.apply(v)))(x), numeric, rel=1e-4, abs_=1e-5)


def test_backward_create_graph_gives_differentiable_grads():
    x = Value(3.0)
    (x**4).backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value) and g.data == 108.0  # 4 x^3
    x.grad = 0.0
    g.backward()
    assert x.grad == 108.0  # 12 x^2


def test_binary_pow_second_partials():
    # f(a, b) = a^b: d2f/da db = a^(b-1) (1 + b ln a)
    a, b = 1.7, 2.3
    h = hessian(lambda p, q: p**q)(a, b)
    assert_close(h[0][0], b * (b - 1) * a ** (b - 2))
    assert_close(h[1][1], a**b * math.log(a) ** 2)
    assert_close(h[0][1], a ** (b - 1) * (1 + b * math.log(a)))
    assert_close(h[1][0], h[0][1], rel=1e-12)


@pytest.mark.parametrize("argnums", ["0", True, (0, 1.0), [None]])
def test_argnums_that_are_not_ints_are_a_type_error(argnums):
    with pytest.raises(TypeError, match="argnums must be an int or a tuple of ints"):
        grad(lambda x, y: x * y, argnums)(2.0, 3.0)  # True was read as 1


def test_value_and_grad_and_argnums():
    f = lambda x, y, z: x * y + z.exp()
    value, g = value_and_grad(f)(2.0, 3.0, 0.0)
    assert (value, g) == (7.0, 3.0)
    assert value_and_grad(f, argnums=(0, 2))(2.0, 3.0, 0.0)[1] == (3.0, 1.0)
    assert grad(f, argnums=1)(2.0, 3.0, 0.0) == 2.0
    assert grad(f, argnums=-1)(2.0, 3.0, 0.0) == 1.0
    with pytest.raises(ValueError, match="argnums 3"):
        grad(f, argnums=3)(2.0, 3.0, 0.0)


def test_grad_of_unused_input_and_constant_output_is_zero():
    assert grad(lambda x, y: x * 2, argnums=1)(1.0, 5.0) == 0.0
    assert grad(lambda x: 4.0)(1.0) == 0.0


def test_grad_rejects_vector_output():
    with pytest.raises(TypeError, match="jacobian"):
        grad(lambda x: [x, x])(1.0)


def test_transforms_return_plain_numbers():
    assert type(grad(lambda x: x * x)(3)) is float
    h = hessian(lambda x, y: x * y)(1.0, 2.0)
    assert all(type(v) is float for row in h for v in row)


def test_transforms_of_values_return_values_even_where_no_path_leads():
    """Values in, Values out (as typed): an unreached gradient or a constant output too."""
    x, y = Value(3.0), Value(2.0)
    dx, dy = grad(lambda a, b: a * a, argnums=(0, 1))(x, y)
    value, slope = value_and_grad(lambda a: 4.0)(x)
    h = hessian(lambda a, b: a * b)(x, y)
    j = jacobian(lambda a, b: [a * a, 1.0])(x, y)
    results = [dx, dy, value, slope, *h[0], *h[1], *j[0], *j[1]]
    assert all(type(v) is Value for v in results)
    assert [v.data for v in results] == [6.0, 0.0, 4.0, 0.0, 0.0, 1.0, 1.0, 0.0, 6.0, 0.0, 0.0, 0.0]


def test_nested_grad_keeps_partials_partial():
    # d/dx [ d/dy (x y) at y = x ] = d/dx x = 1 (not 2: no perturbation confusion)
    assert grad(lambda x: grad(lambda y: x * y)(x))(3.0) == 1.0


def test_transforms_leave_callers_grads_alone():
    w = Value(2.0)
    w.grad = 5.0
    assert grad(lambda x: x * w)(3.0) == 2.0
    assert w.grad == 5.0


def test_jacobian_of_vector_function():
    j = jacobian(lambda x, y: [x * y, x + y, y.sin()])(2.0, 3.0)
    assert j == [[3.0, 2.0], [1.0, 1.0], [0.0, math.cos(3.0)]]


@given(floats(-1.5, 1.5), floats(-0.5, 2.0))
def test_hessian_of_rosenbrock_is_symmetric_and_matches_closed_form(x, y):
    f = lambda a, b: (1 - a) ** 2 + 100 * (b - a * a) ** 2
    h = hessian(f)(x, y)
    assert_close(h[0][0], 2 - 400 * (y - x * x) + 800 * x * x, rel=1e-9, abs_=1e-9)
    assert_close(h[0][1], -400 * x, rel=1e-9, abs_=1e-9)
    assert h[0][1] == h[1][0]
    assert_close(h[1][1], 200.0)


@given(floats(0.2, 2.0), floats(-1.0, 1.0))
def test_hessian_matches_finite_differences_of_the_gradient(x, y):
    f = lambda a, b: (a * b).tanh() + a.log() * b.exp() + (a + b).sigmoid()
    h = hessian(f)(x, y)
    for j in range(2):
        for i in range(2):
            def partial_i(t, j=j, i=i):
                args = [x, y]
                args[j] = t
                return grad(f, argnums=i)(*args)
            numeric = central_difference(partial_i, (x, y)[j])
            assert_close(h[i][j], numeric, rel=1e-4, abs_=1e-6)
        assert_close(h[0][1], h[1][0], rel=1e-12, abs_=1e-12)


@given(expressions(n_inputs=(1, 3), max_nodes=8))
def test_hessians_of_random_dags_are_symmetric_and_match_finite_differences(ex):
    h = hessian(ex.fn)(*ex.inputs)
    n = len(ex.inputs)
    for i in range(n):
        for j in range(n):
            assert_close(h[i][j], h[j][i], rel=1e-9, abs_=1e-9)

            def partial_i(t, i=i, j=j):
                args = list(ex.inputs)
                args[j] = t
                return grad(ex.fn, argnums=i)(*args)

            numeric = central_difference(partial_i, ex.inputs[j], eps=1e-5)
            assert_close(h[i][j], numeric, rel=1e-3, abs_=1e-4)


def test_transforms_differentiate_inside_no_grad():
    with no_grad():
        assert grad(lambda x: x * x)(3.0) == 6.0
        assert hessian(lambda x: x * x * x)(3.0) == [[18.0]]
        x = Value(2.0)
        y = x**3
    # y was built under no_grad: a leaf; a create_graph pass under no_grad still records
    assert y.parents == ()
    x = Value(2.0)
    y = x**3
    with no_grad():
        y.backward(create_graph=True)
    g = x.grad
    x.grad = 0.0
    g.backward()
    assert x.grad == 12.0  # d2/dx2 x^3 = 6x


def test_higher_order_at_a_pole_is_a_clear_error_not_a_silent_zero():
    assert grad(lambda x: x.sqrt())(0.0) == math.inf  # first order: +inf, as PyTorch
    for f in (lambda x: x.sqrt(), lambda x: x**0.5):
        with pytest.raises(ZeroDivisionError, match=r"infinite at 0\.0"):
            grad(grad(f))(0.0)


def test_zero_coefficient_beats_overflow_in_higher_orders():
    for x in (0.0, 5e-324, -1e-320, 1.0):
        assert grad(grad(grad(lambda v: v**2)))(x) == 0.0


def test_zero_exponent_has_zero_base_derivative_even_at_zero():
    assert grad(lambda a, b: a**b)(0.0, 0.0) == 0.0
    assert grad(lambda x: x**0)(0.0) == 0.0


def test_value_seed_needs_create_graph():
    x = Value(2.0)
    with pytest.raises(TypeError, match="create_graph=True"):
        (x * x).backward(Value(1.0))


def test_inner_grad_of_an_outer_input_is_differentiated_too():
    # d/dx [x * d/dy (x y)] = d/dx x^2 = 2x; d/dx [d/dy (x y^2) at y = x] = d/dx 2x^2 = 4x
    assert grad(lambda x: x * grad(lambda y: x * y)(1.0))(2.0) == 4.0
    assert grad(lambda x: grad(lambda y: x * y * y)(x))(3.0) == 12.0
    assert modes.DEPTH.get() == 0  # and the transforms left no trace


def test_outputs_that_are_neither_values_nor_numbers_are_type_errors():
    with pytest.raises(TypeError, match="generator"):
        jacobian(lambda x, y: (v for v in [x * y, x + y]))(2.0, 3.0)
    with pytest.raises(TypeError, match="str"):
        grad(lambda x: "x")(1.0)
    assert jacobian(lambda x, y: [x * y, 2.0])(2.0, 3.0) == [[3.0, 2.0], [0.0, 0.0]]
