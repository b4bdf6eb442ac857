"""Ops defined with autograd.op: closed forms, higher order, compiled mode, drawings, checks."""

from __future__ import annotations

import math
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, grad, gradcheck, hessian, jit, op
from autograd import math as am
from autograd.html import backward_schedule
from autograd.testing import expressions
from tests.strategies import assert_close, floats
from tests.test_compile import as_tuple


@op(derivative=lambda x, out: 1 - out * out)  # d/dx tanh x = 1 - tanh^2 x
def t_tanh(x: float) -> float:
    return math.tanh(x)


@op(derivative=lambda a, b, out: (a / out, b / out), domain=(0.2, 3.0))  # d/da |(a, b)| = a / r
def t_hypot(a: float, b: float) -> float:
    return math.hypot(a, b)


@op(derivative=lambda a, b, c, out: (b * c, a * c, a * b))
def t_prod3(a: float, b: float, c: float) -> float:
    return a * b * c


@op(derivative=lambda x, out: 2 / math.sqrt(math.pi) * math.exp(-x * x))  # floats only
def t_erf(x: float) -> float:
    return math.erf(x)


@op(derivative=lambda x, out: am.exp(x) * am.cos(am.exp(x)), name="t_sin_exp")
def sin_of_exp(x: float) -> float:
    return math.sin(math.exp(x))


def bits(x: float) -> str:
    return "nan" if x != x else x.hex()


@given(floats(-4.0, 4.0))
def test_one_input_value_and_gradient_match_the_closed_form(x):
    v = Value(x)
    y = t_tanh(v)
    assert (y.op, y.parents, y.data) == ("t_tanh", (v,), math.tanh(x))
    y.backward()
    assert_close(v.grad, 1 / math.cosh(x) ** 2, rel=1e-12, abs_=1e-300)


@given(floats(0.1, 5.0), floats(-5.0, 5.0))
def test_two_inputs_value_and_gradient_match_the_closed_form(a, b):
    r = math.hypot(a, b)
    assert grad(t_hypot, argnums=(0, 1))(a, b) == pytest.approx((a / r, b / r), rel=1e-12)
    assert t_hypot(Value(a), b).data == r  # a number operand is a constant


def test_three_inputs_are_one_node_with_one_derivative_each():
    x, y, z = Value(2.0), Value(3.0), Value(5.0)
    out = t_prod3(x, y, z)
    assert out.parents == (x, y, z) and out.local_grads == (15.0, 10.0, 6.0)
    (out * out).backward()
    assert (x.grad, y.grad, z.grad) == (2 * 30 * 15, 2 * 30 * 10, 2 * 30 * 6)
    assert hessian(t_prod3)(2.0, 3.0, 5.0) == [[0, 5, 3], [5, 0, 2], [3, 2, 0]]


@given(floats(-3.0, 3.0), floats(0.3, 3.0), floats(-3.0, 3.0))
def test_hessians_through_create_graph_match_closed_forms(x, a, b):
    t = math.tanh(x)
    [[h]] = hessian(t_tanh)(x)
    assert_close(h, -2 * t * (1 - t * t), rel=1e-9, abs_=1e-12)
    r3 = math.hypot(a, b) ** 3
    expected = [[b * b / r3, -a * b / r3], [-a * b / r3, a * a / r3]]
    for row, want in zip(hessian(t_hypot)(a, b), expected, strict=True):
        for h, w in zip(row, want, strict=True):
            assert_close(h, w, rel=1e-9, abs_=1e-12)
    [[h]] = hessian(sin_of_exp)(x)  # d2/dx2 sin(e^x) = e^x cos e^x - e^2x sin e^x
    e = math.exp(x)
    assert_close(h, e * math.cos(e) - e * e * math.sin(e), rel=1e-9, abs_=1e-12)


def test_a_float_only_derivative_gives_first_derivatives_and_refuses_higher_ones():
    assert_close(grad(t_erf)(0.3), 2 / math.sqrt(math.pi) * math.exp(-0.09), rel=1e-15)
    with pytest.raises(TypeError, match="op 't_erf': its derivative works on floats only"):
        hessian(t_erf)(0.3)
    x = Value(0.3)
    with pytest.raises(TypeError, match="t_erf"):
        t_erf(x).backward(create_graph=True)


def test_a_derivative_that_reads_data_is_refused_for_higher_derivatives():
    @op(derivative=lambda x, out: 3 * getattr(x, "data", x) ** 2)
    def t_cube_data(x: float) -> float:
        return x**3

    assert grad(t_cube_data)(2.0) == 12.0
    with pytest.raises(TypeError, match=r"'t_cube_data': its derivative works on floats only "
                       r"\(given Values, it returned the plain number 12.0, which changes"):
        hessian(t_cube_data)(2.0)


def test_a_constant_derivative_is_a_true_constant_for_higher_derivatives():
    @op(derivative=lambda x, out: 3.0)
    def t_triple(x: float) -> float:
        return 3 * x

    assert hessian(lambda x: t_triple(x) * x)(2.0) == [[6.0]]


@settings(max_examples=60)
@given(expressions(n_inputs=(1, 3), max_nodes=10,
                   ops=["+", "*", "-", "exp", "sin", t_tanh, t_hypot, t_prod3, t_erf, sin_of_exp]))
def test_compiled_mode_equals_eager_bit_for_bit(e):
    leaves = [Value(x) for x in e.inputs]
    out = autograd.lift(e.fn(*leaves))
    out.backward()
    cf = jit(e.fn)
    value, grads = cf.value_and_grad(*e.inputs)
    assert bits(value) == bits(out.data)
    assert list(map(bits, as_tuple(grads))) == [bits(v.grad) for v in leaves], cf.program.source
    assert not any(name in cf.program.source for name in e.ops - set(autograd.testing.OPS))


def test_a_zero_gradient_into_an_op_of_three_inputs_sends_no_terms_in_both_modes():
    @op(derivative=lambda a, b, c, out: (0.5 * am.reciprocal(am.sqrt(a)), 1.0, 1.0))
    def t_root_sum(a: float, b: float, c: float) -> float:
        return math.sqrt(a) + b + c

    f = lambda a, b, c: t_root_sum(a, b, c) * 0.0  # upstream grad 0, d/da = inf at a = 0
    leaves = [Value(0.0), Value(1.0), Value(2.0)]
    f(*leaves).backward()
    assert [v.grad for v in leaves] == [0.0, 0.0, 0.0]  # as for sum, dot: no 0 * inf = NaN
    assert jit(f).value_and_grad(0.0, 1.0, 2.0) == (0.0, (0.0, 0.0, 0.0))


def test_compiled_code_calls_a_float_only_rule_by_reference():
    cf = jit(lambda x: t_erf(x) * t_tanh(x))
    assert cf.grad(0.4) == grad(lambda x: t_erf(x) * t_tanh(x))(0.4)
    source = cf.program.source
    assert "t_erf" not in source and "t_tanh" not in source
    assert "_u" in source and "d(" in source  # the forwards and t_erf's rule, by generated names


def test_drawings_and_the_explorer_name_the_op():
    y = t_hypot(Value(3.0, "a"), Value(4.0, "b"))
    assert "[label=t_hypot " in autograd.to_dot(y)
    explorer = backward_schedule(y)  # what the explorer page steps through
    assert explorer["formula"] == "t_hypot(a, b)" and explorer["nodes"]["v2"]["op"] == "t_hypot"


def test_anomaly_mode_names_the_op():
    @op(derivative=lambda x, out: -out * out)
    def t_inverse(x: float) -> float:
        return 1 / x if x else math.inf

    with autograd.detect_anomaly(), pytest.raises(autograd.AnomalyError, match="'t_inverse'"):
        t_inverse(Value(0.0))

    @op(derivative=lambda x, out: 0.5 * am.reciprocal(out))  # d/dx sqrt x = 1 / (2 sqrt x)
    def t_root(x: float) -> float:
        return math.sqrt(x)

    with autograd.detect_anomaly(), pytest.raises(autograd.AnomalyError,
                                                  match="backward: op 't_root'"):
        t_root(Value(0.0)).backward()


@op(derivative=lambda x, out: 1 - out)  # wrong: tanh' is 1 - out^2
def t_wrong_tanh(x: float) -> float:
    return math.tanh(x)


def test_a_wrong_derivative_fails_gradcheck_and_the_table_names_the_op():
    gradcheck(lambda x, y: t_tanh(x) * y, [0.5, 2.0])  # the right one passes
    with pytest.raises(autograd.GradcheckError) as caught:
        gradcheck(lambda x, y: t_wrong_tanh(x) * y, [0.5, 2.0])
    [failed] = caught.value.result.failures
    assert failed.derivative == "df/dx"
    assert "op 't_wrong_tanh'" in failed.reason and "'t_tanh'" not in failed.reason
    assert "op 't_wrong_tanh': its derivative rule gives 0.53788" in str(caught.value)


@settings(max_examples=40)
@given(expressions(n_inputs=(1, 3), max_nodes=8, ops=["+", "*", "sin", t_tanh, t_hypot]))
def test_property_defined_ops_pass_gradcheck_on_random_graphs(e):
    assert gradcheck(e.fn, e.inputs, raise_exception=False).passed, e


def test_the_strategy_draws_defined_ops_inside_their_domain():
    seen = []

    @settings(max_examples=30)
    @given(expressions(n_inputs=2, max_nodes=4, ops=[t_hypot]))
    def check(e):
        nodes = [Value(x) for x in e.inputs]
        for step in e.steps:
            args = [nodes[a] for a in step.args]
            assert all(0.3 < a.data < 2.9 for a in args)  # domain (0.2, 3.0), margin 0.1
            nodes.append(t_hypot(*args))
        seen.append(e)

    check()
    assert seen and "t_hypot(" in seen[-1].formula


def test_names_are_the_function_name_unless_given_and_a_taken_name_is_an_error():
    assert (t_tanh.name, sin_of_exp.name, t_prod3.arity) == ("t_tanh", "t_sin_exp", 3)
    for taken in ("exp", "+", "t_tanh"):  # "" is refused as empty
        with pytest.raises(ValueError, match="is taken"):
            op(derivative=lambda x, out: 1.0, name=taken)(lambda x: x)

    def same_function_name() -> None:
        @op(derivative=lambda x, out: 1.0)
        def t_tanh(x: float) -> float:
            return x

    with pytest.raises(ValueError, match="'t_tanh' is taken"):
        same_function_name()


def test_bad_arguments_are_clear_errors_naming_the_op():
    with pytest.raises(TypeError, match="op 't_hypot' takes 2 input"):
        t_hypot(Value(1.0))
    with pytest.raises(TypeError, match="real number"):
        t_tanh("x")

    @op(derivative=lambda x, out: 1.0)
    def t_returns_str(x: float) -> str:
        return "1"

    with pytest.raises(TypeError, match="op 't_returns_str': the forward must return a real"):
        t_returns_str(Value(1.0))

    @op(derivative=lambda a, b, out: 1.0)
    def t_one_derivative(a: float, b: float) -> float:
        return a + b

    with pytest.raises(TypeError, match="'t_one_derivative': the derivative must return a tupl"):
        t_one_derivative(Value(1.0), Value(2.0))
    with pytest.raises(TypeError, match="fixed number"):
        op(derivative=lambda *a: 1.0)(lambda *xs: 0.0)
    with pytest.raises(ValueError, match="domain"):
        op(derivative=lambda x, out: 1.0, domain=(1.0, 0.0))


def test_a_derivative_that_cannot_take_the_inputs_and_output_is_refused_up_front():
    with pytest.raises(TypeError, match=r"op 't_short': the derivative must take \(x, out\)"):
        op(derivative=lambda x: 1.0, name="t_short")(lambda x: x)
    with pytest.raises(TypeError, match=r"must take \(x1, x2, out\)"):
        op(derivative=lambda a, b: (1.0, 1.0), name="t_short2")(lambda a, b: a + b)
    assert "t_short" not in autograd.RULES  # nothing registered
    op(derivative=lambda *xs: (1.0, 1.0), name="t_star")(lambda a, b: a + b)  # *args is fine


def test_an_empty_name_is_refused_as_empty_not_as_taken():
    with pytest.raises(ValueError, match="the name must not be empty"):
        op(derivative=lambda x, out: 1.0, name="")(lambda x: x)  # it said "'' is taken"


def test_a_derivative_returning_a_string_is_refused_not_read_as_a_number():
    @op(derivative=lambda x, out: "2.5")
    def t_str_derivative(x: float) -> float:
        return x

    with pytest.raises(TypeError, match="'t_str_derivative': the derivative must return num"):
        t_str_derivative(Value(1.0))


def test_a_domain_error_of_the_forward_names_the_op_in_eager_and_compiled_mode():
    @op(derivative=lambda x, out: 0.5 / out)
    def t_sqrt(x: float) -> float:
        return math.sqrt(x)

    with pytest.raises(ValueError, match=r"op 't_sqrt': math domain error at \(-1.0,\)"):
        t_sqrt(Value(-1.0))
    compiled = jit(lambda x: t_sqrt(x) * x)
    assert compiled.grad(4.0) == 3.0  # d/dx x^1.5 = 1.5 sqrt x
    with pytest.raises(ValueError, match="op 't_sqrt'"):
        compiled.grad(-1.0)


def test_an_error_of_the_derivative_names_the_op_in_eager_and_compiled_mode():
    with pytest.raises(ZeroDivisionError, match=r"op 't_hypot', its derivative: .* \(0.0, 0.0\)"):
        t_hypot(Value(0.0), Value(0.0))  # a / out at out = 0: Python's bare text before
    compiled = jit(lambda a, b: t_hypot(a, b))
    assert compiled.grad(3.0, 4.0) == (0.6, 0.8)
    with pytest.raises(ZeroDivisionError, match="op 't_hypot', its derivative"):
        compiled.grad(0.0, 0.0)


def test_concurrent_registrations_of_one_name_let_exactly_one_win():
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def register() -> None:
        barrier.wait()
        try:
            op(derivative=lambda x, out: 1.0, name="t_raced")(lambda x: x)
            outcomes.append("ok")
        except ValueError:
            outcomes.append("taken")

    threads = [threading.Thread(target=register) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["taken"] * 7


@given(floats(-3.0, 3.0))
def test_autograd_math_is_the_same_function_on_numbers_values_and_ints(x):
    for name in ("exp", "sin", "cos", "tanh", "sigmoid", "softplus"):
        f = getattr(am, name)
        v = f(Value(x))
        assert isinstance(v, Value) and v.op == name and v.data == f(x)
    assert am.exp(1) == math.e and am.log(math.e) == 1.0 and am.sqrt(4) == 2.0
    assert am.where(x, 1.0, 0.0) == (1.0 if x > 0 else 0.0)
    with pytest.raises(ValueError, match="log"):
        am.log(0.0)


@pytest.mark.parametrize("name", am.__all__)
def test_autograd_math_refuses_a_string_not_reads_it_as_a_number(name):
    args = ("1.5",) * (3 if name == "where" else 2 if name == "power" else 1)
    with pytest.raises(TypeError, match=r"real number, got str: '1\.5'"):
        getattr(am, name)(*args)  # exp("1.5") was e^1.5


@given(st.sampled_from([t_tanh, sin_of_exp]), floats(-2.0, 2.0))
def test_third_derivatives_of_generic_rules_match_finite_differences(f, x):
    third = grad(grad(grad(f)))(x)
    second = lambda t: grad(grad(f))(t)
    numeric = (second(x + 1e-5) - second(x - 1e-5)) / 2e-5
    assert_close(third, numeric, rel=1e-4, abs_=1e-6)


def test_a_rule_mixing_math_on_values_is_refused_not_half_differentiated():
    # out * math.cos(x): float(x) would make cos(x) a constant and lose a second-order term
    mixed = autograd.op(derivative=lambda x, out: out * math.cos(x),
                        name="mixed_sin_exp")(lambda x: math.exp(math.sin(x)))
    x = Value(0.3)
    mixed(x).backward()
    assert x.grad == pytest.approx(math.exp(math.sin(0.3)) * math.cos(0.3), rel=1e-15)
    with pytest.raises(TypeError, match="mixed_sin_exp"):
        mixed(Value(0.3)).backward(create_graph=True)  # outside any transform too
