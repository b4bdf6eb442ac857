"""A Value acts like a number where Python asks for one: comparisons, float, int, round,
format, bool and item read ``data`` (no graph); ``==`` and hashing stay by identity; inside a
transform a conversion to float is an error, since it would drop out of the graph."""

from __future__ import annotations

import math

import pytest
from hypothesis import given

import autograd
from autograd import Value
from tests.strategies import floats

NAN = math.nan


@given(floats(-5, 5), floats(-5, 5))
def test_comparisons_read_data_both_ways(a, b):
    x, y = Value(a), Value(b)
    for got, want in [(x < y, a < b), (x <= y, a <= b), (x > y, a > b), (x >= y, a >= b),
                      (x < b, a < b), (a < y, a < b), (b >= x, b >= a), (x > 1, a > 1)]:
        assert type(got) is bool and got == want


def test_nan_compares_false():
    x = Value(NAN)
    assert not (x < 1.0 or x <= 1.0 or x > 1.0 or x >= 1.0 or x < Value(NAN))


def test_builtin_max_min_and_sorted_return_the_values_themselves():
    a, b, c = Value(3.0), Value(-1.0), Value(2.0)
    assert max(a, b, c) is a and min(a, b, c) is b
    assert sorted([a, b, c]) == [b, c, a]  # == is identity here: the same objects, in order
    m = max(a, c)
    (m * 2).backward()
    assert (a.grad, c.grad) == (2.0, 0.0)


def test_comparing_with_a_non_number_is_a_type_error():
    with pytest.raises(TypeError, match="'<' not supported"):
        Value(1.0) < "2"  # noqa: B015 - the comparison is the test


def test_equality_and_hashing_stay_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a and len({a, b}) == 2
    assert {a: "a", b: "b"}[b] == "b"


@pytest.mark.parametrize(("x", "truth"), [(0.0, False), (-0.0, False), (2.0, True),
                                          (-1e-300, True), (NAN, True), (math.inf, True)])
def test_bool_is_data_nonzero_as_torch(x, truth):
    assert bool(Value(x)) is truth


def test_float_int_round_item_and_math_functions():
    v = Value(-2.75)
    assert float(v) == -2.75 and type(float(v)) is float and v.item() == -2.75
    assert int(v) == -2 and type(int(v)) is int  # toward zero, as int(-2.75)
    assert round(v) == -3 and type(round(v)) is int and round(v, 1) == -2.8
    assert round(Value(2.5)) == 2  # half to even, as round(2.5)
    assert math.exp(Value(1.0)) == math.e and math.floor(v) == -3
    with pytest.raises(ValueError, match="NaN"):
        int(Value(NAN))


def test_format_uses_data_with_a_spec_and_repr_without():
    v = Value(2.0 / 3.0, "w")
    assert f"{v:.3f}" == "0.667" and format(v, "e") == "6.666667e-01" and f"{v:>6.2f}" == "  0.67"
    assert f"{v}" == str(v) == repr(v)


def test_a_value_is_not_a_number_to_the_engine():
    with pytest.raises(TypeError, match="got a Value"):
        Value(Value(1.0))
    with pytest.raises(TypeError, match="got a Value"):
        Value(1.0).leaky_relu(Value(0.1))


@pytest.mark.parametrize("convert", [float, int, round, math.exp, lambda v: v.item()],
                         ids=["float", "int", "round", "math.exp", "item"])
def test_converting_to_a_number_inside_a_transform_raises(convert):
    with pytest.raises(TypeError, match=r"drop it out of the graph.*v\.exp\(\)"):
        autograd.grad(lambda x: x * convert(x))(1.0)
    with pytest.raises(TypeError, match="drop it out of the graph"):
        autograd.hessian(lambda x: x * convert(x))(1.0)


def test_inside_a_transform_comparisons_bool_format_and_data_work():
    def f(x):
        assert f"{x:.1f}" == f"{x.data:.1f}" and bool(x)
        return x * x if x > 1 else x * x.data  # .data: a constant, on purpose
    assert autograd.grad(f)(2.0) == 4.0
    assert autograd.grad(f)(0.5) == 0.5
    assert float(Value(1.5)) == 1.5  # and after the transform, eagerly again


def test_unary_plus_is_the_value_itself():
    x = Value(-1.5)
    y = +x * 2  # a TypeError (bad operand type for unary +) before
    y.backward()
    assert +x is x and y.data == -3.0 and x.grad == 2.0
    assert autograd.grad(lambda v: +v * v)(3.0) == 6.0
