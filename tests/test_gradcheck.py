"""gradcheck and gradgradcheck: they pass on every op and on random DAGs, and catch wrong rules."""

from __future__ import annotations

import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value
from autograd.gradcheck import (
    GradcheckError,
    GradcheckResult,
    GradcheckWarning,
    gradcheck,
    gradgradcheck,
)
from autograd.testing import OPS as EXPRESSION_OPS
from autograd.testing import expressions
from tests.strategies import BINARY_IDS, BINARY_OPS, OP_IDS, OPS, floats

CI = bool(os.environ.get("CI"))  # tests/conftest.py loads the "ci" profile on the same switch


def examples(ci: int, dev: int) -> settings:
    """More examples under CI than in a quick local run."""
    return settings(max_examples=ci if CI else dev)


def wrong_rule(monkeypatch: pytest.MonkeyPatch, op: str, rule) -> None:
    """Replace one derivative rule of the engine for this test only."""
    monkeypatch.setitem(autograd.RULES, op, rule)


# ---- every op and random DAGs pass ----


@pytest.mark.parametrize("op", OPS, ids=OP_IDS)
@given(data=st.data())
def test_every_unary_op_passes_gradcheck_and_gradgradcheck(op, data):
    x = data.draw(op.domain)
    for check in (gradcheck, gradgradcheck):
        result = check(op.apply, [x])
        assert result.passed and not result.unreliable, result


@pytest.mark.parametrize("op", BINARY_OPS, ids=BINARY_IDS)
@given(data=st.data())
def test_every_binary_op_passes_gradcheck_and_gradgradcheck(op, data):
    a, b = data.draw(op.domain)
    for check in (gradcheck, gradgradcheck):
        result = check(op.apply, [a, b])
        assert result.passed and not result.unreliable, result


@given(st.lists(floats(-5, 5), min_size=3, max_size=7))
def test_sum_and_dot_pass_gradcheck(xs):
    n = len(xs) // 2
    gradcheck(lambda *vs: autograd.sum(vs), xs)
    gradcheck(lambda *vs: autograd.dot(vs[:n], vs[n : 2 * n], *vs[2 * n : 2 * n + 1]), xs)


@examples(ci=6000, dev=300)
@given(expressions(n_inputs=(1, 4), max_nodes=14))
def test_random_expression_dags_pass_gradcheck(e):
    result = gradcheck(e.fn, e.inputs)
    assert not result.unreliable, result  # the strategy keeps every op away from kinks


@pytest.mark.parametrize("op", EXPRESSION_OPS)
@examples(ci=200, dev=20)
@given(data=st.data())
def test_random_dags_of_each_op_pass_gradcheck(op, data):
    e = data.draw(expressions(n_inputs=(1, 3), max_nodes=6, ops=[op]))
    assert op in e.ops
    result = gradcheck(e.fn, e.inputs)
    assert not result.unreliable, result


@examples(ci=500, dev=50)
@given(expressions(n_inputs=(1, 3), max_nodes=8))
def test_random_expression_dags_pass_gradgradcheck(e):
    result = gradgradcheck(e.fn, e.inputs)
    assert result.passed, result


# ---- wrong derivatives are caught and named ----


def test_a_wrong_rule_fails_and_names_the_input(monkeypatch):
    wrong_rule(monkeypatch, "sin", lambda x, out: 2 * autograd.rules.cos(x))  # should be cos x
    with pytest.raises(GradcheckError) as error:
        gradcheck(lambda x, y: x * y.sin(), [0.7, 0.3])
    (row,) = error.value.result.failures
    assert (row.index, row.label, row.derivative, row.status) == (1, "y", "df/dy", "FAIL")
    assert math.isclose(row.numeric, 0.7 * math.cos(0.3), rel_tol=1e-8)
    assert math.isclose(row.analytic, 2 * 0.7 * math.cos(0.3), rel_tol=1e-12)
    message = str(error.value)
    assert "gradcheck FAILED" in message and "1 failed" in message
    assert "df/dy" in message and "abs err > atol + rtol*|numeric|" in message
    assert f"{row.analytic:.10g}" in message and f"{row.numeric:.10g}" in message


def test_a_gradient_scaled_by_one_percent_is_caught(monkeypatch):
    wrong_rule(monkeypatch, "*", lambda a, b, out: (b, 1.01 * a))  # d(ab)/db silently scaled
    result = gradcheck(lambda w, x, b: (w * x + b).tanh(), [0.5, -1.2, 0.1],
                       raise_exception=False)
    assert not result and not result.passed
    assert [(r.index, r.label) for r in result.failures] == [(1, "x")]
    assert math.isclose(result.max_rel_error, 0.01, rel_tol=1e-3)


def test_a_wrong_second_derivative_fails_gradgradcheck_only(monkeypatch):
    # right value, but on Values a constant: its derivative (tanh'') becomes 0
    wrong_rule(monkeypatch, "tanh", lambda x, out: 1 - getattr(out, "data", out) ** 2)
    f = lambda x, y: (x * y).tanh()
    assert gradcheck(f, [0.4, 0.9]).passed
    with pytest.raises(GradcheckError, match="gradgradcheck FAILED") as error:
        gradgradcheck(f, [0.4, 0.9])
    names = {r.derivative for r in error.value.result.failures}
    assert names == {"d2f/dx dx", "d2f/dx dy", "d2f/dy dx", "d2f/dy dy"}
    t = math.tanh(0.36)
    row = next(r for r in error.value.result.rows if (r.component, r.index) == (0, 0))
    assert math.isclose(row.numeric, -2 * t * (1 - t * t) * 0.9**2, rel_tol=1e-6)


def test_a_wrong_derivative_at_a_kink_still_fails(monkeypatch):
    wrong_rule(monkeypatch, "relu", lambda x, out: 5.0)  # any slope outside [0, 1] is wrong
    with pytest.raises(GradcheckError, match="kink"):
        gradcheck(lambda x: x.relu(), [0.0])


def test_nan_gradient_fails_naming_it(monkeypatch):
    wrong_rule(monkeypatch, "exp", lambda x, out: math.nan)
    result = gradcheck(lambda x: x.exp(), [1.0], raise_exception=False)
    assert result.failures[0].reason == "analytic is nan"


# ---- unreliable points are reported, neither passed nor failed silently ----


@pytest.mark.parametrize("f, left, right", [(Value.relu, 0, 1), (abs, -1, 1)])
def test_kink_at_the_point_is_unreliable(f, left, right):
    result = gradcheck(f, [0.0], raise_exception=False)
    (row,) = result.unreliable
    assert result.passed and row.status == "unreliable"
    assert row.reason == f"kink within 2 eps: slopes {left} on the left, {right} on the right"
    assert result.max_abs_error == 0.0  # unreliable rows are not judged
    with pytest.warns(GradcheckWarning, match="1 unreliable"):
        gradcheck(f, [0.0])


def test_kink_within_two_eps_is_unreliable_and_beyond_it_is_judged():
    assert gradcheck(Value.relu, [1.5e-6], raise_exception=False).unreliable
    assert not gradcheck(Value.relu, [2.5e-6], raise_exception=False).unreliable


KINKED = {
    "relu": Value.relu, "abs": abs, "leaky_relu": lambda x: x.leaky_relu(0.1),
    "mixed": lambda x: (3 * x).relu() * 2 - x, "x relu(x)": lambda x: x * x.relu(),
    "two kinks": lambda x: x.relu() + (x - 1e-6).relu(), "abs abs": lambda x: abs(abs(x) - 1e-6),
    "steep": lambda x: (x * 1e6).tanh(),  # a feature as narrow as eps
}


@pytest.mark.parametrize("f", KINKED.values(), ids=KINKED.keys())
def test_a_right_derivative_never_fails_wherever_the_kink_is_within_two_eps(f):
    for k in range(-110, 111):  # x from -2.2 eps to 2.2 eps; x = -0.6 eps used to fail
        for check in (gradcheck, gradgradcheck):
            result = check(f, [k * 2e-8], raise_exception=False)
            assert result.passed, result


@pytest.mark.parametrize("k", [-1.5, -1.0, -2 / 3, -0.6, -1 / 3, 0.0, 1 / 3, 0.6, 2 / 3, 1.0, 1.5])
def test_a_slope_of_neither_side_fails_wherever_the_kink_is(monkeypatch, k):
    wrong_rule(monkeypatch, "relu", lambda x, out: 3.0)  # relu's slopes are 0 and 1
    with pytest.raises(GradcheckError, match="outside the slopes of f within 2 eps"):
        gradcheck(Value.relu, [k * 1e-6])


def test_the_step_is_one_that_a_large_x_can_take():
    # at 1e7, x + 1e-6 rounds to a step 2.4e-4 off: dividing by eps would fail sin's cos
    for x in (1e6, 1e7, 1.234567e7):
        row = gradcheck(Value.sin, [x]).rows[0]
        assert row.status == "ok" and math.isclose(row.numeric, math.cos(x), rel_tol=1e-8)
    (row,) = gradcheck(Value.sin, [1e12], raise_exception=False).unreliable
    assert row.reason == "eps is below the precision of x = 1000000000000.0"


def test_the_step_is_a_power_of_two_so_a_linear_f_has_an_exact_numeric_derivative():
    rows = gradcheck(lambda x, y: 3 * x - y / 4, [2.0, 0.5]).rows
    assert [r.numeric for r in rows] == [3.0, -0.25]


def test_rounding_is_unreliable_when_f_is_huge_next_to_its_slope(monkeypatch):
    # f = x + 1e12: f(x +- eps) round to within 1e-4 of each other, so numeric is ~0 or ~100
    (row,) = gradcheck(lambda x: x + 1e12, [0.3], raise_exception=False).unreliable
    assert row.reason.startswith("rounding: |f| ~ 1e+12") and row.analytic == 1.0
    wrong_rule(monkeypatch, "+", lambda a, b, out: (1e4, 1.0))  # far outside every slope
    with pytest.raises(GradcheckError, match="outside the slopes"):
        gradcheck(lambda x: x + 1e12, [0.3])


@pytest.mark.parametrize("f", [Value.sqrt, Value.log])
def test_domain_edge_within_eps_is_unreliable_not_an_error(f):
    (row,) = gradcheck(f, [1e-7], raise_exception=False).unreliable
    assert row.reason.startswith("domain edge: f(x - 2 eps) raised ValueError")
    assert math.isnan(row.numeric)


def test_sqrt_near_zero_is_unreliable_where_finite_differences_are_too_coarse():
    # at 1e-5, f''' eps^2 / 6 ~ 0.2: a central difference would fail a correct gradient
    (row,) = gradcheck(Value.sqrt, [1e-5], raise_exception=False).unreliable
    assert row.reason.startswith("numeric derivative uncertain")
    assert row.analytic == 0.5 / math.sqrt(1e-5)
    assert gradcheck(Value.sqrt, [1e-5], eps=1e-9).passed  # a smaller eps can judge it


def test_pole_crossed_within_eps_is_unreliable():
    (row,) = gradcheck(lambda x: 1 / x, [5e-7], raise_exception=False).unreliable
    assert "uncertain" in row.reason or "kink" in row.reason


# ---- the result object and the report ----


def test_result_object_holds_one_row_per_input_with_the_numbers():
    result = gradcheck(lambda x, y: x * y + y.exp(), [2.0, -1.0], raise_exception=False)
    assert isinstance(result, GradcheckResult) and result and result.passed
    assert [(r.index, r.label, r.value, r.status) for r in result.rows] == [
        (0, "x", 2.0, "ok"), (1, "y", -1.0, "ok")]
    x_row, y_row = result.rows
    assert math.isclose(x_row.numeric, -1.0, rel_tol=1e-8) and x_row.analytic == -1.0
    assert math.isclose(y_row.numeric, 2 + math.exp(-1), rel_tol=1e-8)
    assert result.max_abs_error == max(r.abs_error for r in result.rows) < 1e-8
    assert result.max_rel_error == max(r.rel_error for r in result.rows) < 1e-8
    assert y_row.abs_error == abs(y_row.analytic - y_row.numeric)


def test_report_is_a_table_with_summary_columns_and_rows():
    result = gradcheck(lambda x, y: x * y, [3.0, 4.0], raise_exception=False)
    lines = repr(result).splitlines()
    assert lines[0].startswith("gradcheck passed: 2 derivative(s), 0 failed, 0 unreliable")
    assert "eps=1e-06, atol=1e-06, rtol=0.0001" in lines[0]
    assert lines[1].split() == ["input", "derivative", "value", "analytic", "numeric", "abs",
                                "err", "rel", "err", "status"]
    assert lines[2].split()[:4] == ["0", "df/dx", "3", "4"] and lines[2].endswith("ok")
    assert lines[3].split()[:4] == ["1", "df/dy", "4", "3"]
    assert str(result) == repr(result)


def test_long_reports_show_only_the_rows_that_are_not_ok():
    f = lambda *xs: autograd.sum(x * x for x in xs) + abs(xs[0] - 1)
    result = gradgradcheck(f, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], raise_exception=False)
    assert len(result.rows) == 36 and len(result.unreliable) == 1
    table = result.table().splitlines()
    assert len(table) == 3 and table[1].split()[:2] == ["0,0", "d2f/dx0"]
    assert table[2] == "  (35 ok rows not shown)"


def test_gradgradcheck_rows_are_hessian_entries():
    result = gradgradcheck(lambda x, y: x * x * y, [3.0, 2.0])
    entries = {(r.component, r.index): (r.derivative, r.analytic) for r in result.rows}
    assert entries == {(0, 0): ("d2f/dx dx", 4.0), (0, 1): ("d2f/dx dy", 6.0),
                       (1, 0): ("d2f/dy dx", 6.0), (1, 1): ("d2f/dy dy", 0.0)}
    assert all(math.isclose(r.numeric, r.analytic, abs_tol=1e-6) for r in result.rows)


# ---- inputs, outputs and labels ----


def test_constant_output_has_zero_gradient_and_a_note():
    result = gradcheck(lambda x, y: 3.0, [1.0, 2.0])
    assert result.passed and [r.analytic for r in result.rows] == [0.0, 0.0]
    assert "f returned a float, not a Value" in result.note
    assert gradgradcheck(lambda x: 3, [1.0]).passed


def test_a_number_computed_outside_the_graph_fails():
    with pytest.raises(GradcheckError, match="f returned a float, not a Value"):
        gradcheck(lambda x: x.data * 2, [1.0])


def test_output_that_ignores_an_input_and_identity():
    assert [r.analytic for r in gradcheck(lambda x, y: x * 2, [1.0, 5.0]).rows] == [2.0, 0.0]
    assert gradcheck(lambda x: x, [1.5]).rows[0].analytic == 1.0
    assert gradgradcheck(lambda x: x, [1.5]).rows[0].analytic == 0.0


def test_labels_come_from_parameter_names_else_positions():
    assert [r.label for r in gradcheck(lambda w, b: w + b, [1, 2]).rows] == ["w", "b"]
    assert [r.label for r in gradcheck(lambda *xs: xs[0] * xs[1], [1, 2]).rows] == ["x0", "x1"]
    assert gradcheck(Value.tanh, [0.5]).rows[0].label == "x0"


@pytest.mark.parametrize(
    "call, error, text",
    [
        (lambda: gradcheck(lambda x: "no", [1.0]), TypeError, "return a Value or a number"),
        (lambda: gradcheck(lambda x: x, 1.0), TypeError, "sequence of numbers"),
        (lambda: gradcheck(lambda x: x, ["1"]), TypeError, "str"),
        (lambda: gradcheck(lambda x: x, [1.0], eps=0), ValueError, "eps > 0"),
        (lambda: gradcheck(lambda x: x, [1.0], rtol=-1), ValueError, "rtol >= 0"),
        (lambda: gradcheck(Value.log, [0.0]), ValueError, "log"),  # f fails at the point itself
    ],
)
def test_bad_arguments_raise_clear_errors(call, error, text):
    with pytest.raises(error, match=text):
        call()


def test_gradcheck_error_is_an_assertion_error_holding_the_result(monkeypatch):
    wrong_rule(monkeypatch, "exp", lambda x, out: 2 * out)
    with pytest.raises(AssertionError) as error:
        gradcheck(lambda x: x.exp(), [0.0])
    assert isinstance(error.value, GradcheckError) and not error.value.result.passed


@pytest.mark.parametrize(("offset", "status"), [(1e5, "ok"), (4.5e5, "unreliable")])
def test_a_row_is_judged_only_when_its_error_estimate_is_within_half_the_tolerance(offset,
                                                                                   status):
    # f = x + offset at 0: the rounding estimate u |f| / h (h = 2^-20) is 2.3e-5 for 1e5,
    # within half the tolerance 1e-6 + 1e-4 * 1; 1.05e-4 for 4.5e5, beyond half (not twice)
    result = gradcheck(lambda x: x + offset, [0.0], raise_exception=False)
    assert result.rows[0].status == status
    assert status == "ok" or result.rows[0].reason.startswith("rounding")
