"""The Value engine: every op's value and derivative, graph invariants, modes and bad input."""

from __future__ import annotations

import gc
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value, detect_anomaly, no_grad, zero_grad
from tests.strategies import (
    BINARY_IDS,
    BINARY_OPS,
    OP_IDS,
    OPS,
    assert_close,
    central_difference,
)

# ---- every op, driven by the one op table ----


@pytest.mark.parametrize("op", OPS, ids=OP_IDS)
@given(data=st.data())
def test_unary_value_and_derivative(op, data):
    x = data.draw(op.domain)
    v = Value(x)
    out = op.apply(v)
    out.backward()
    assert_close(out.data, op.reference(x), rel=1e-12)
    assert_close(v.grad, op.derivative(x), rel=1e-9)
    assert_close(v.grad, central_difference(op.reference, x), rel=1e-4, abs_=1e-6)


@pytest.mark.parametrize("op", BINARY_OPS, ids=BINARY_IDS)
@given(data=st.data())
def test_binary_value_and_partials(op, data):
    a, b = data.draw(op.domain)
    va, vb = Value(a), Value(b)
    out = op.apply(va, vb)
    out.backward()
    da, db = op.partials(a, b)
    assert_close(out.data, op.reference(a, b), rel=1e-12)
    assert_close(va.grad, da, rel=1e-9, abs_=1e-12)
    assert_close(vb.grad, db, rel=1e-9, abs_=1e-12)
    assert_close(va.grad, central_difference(lambda t: op.reference(t, b), a), 1e-4, 1e-6)
    assert_close(vb.grad, central_difference(lambda t: op.reference(a, t), b), 1e-4, 1e-6)


def test_sum_and_dot_are_single_nodes_with_right_gradients():
    ws = [Value(w) for w in (1.0, -2.0, 3.0)]
    xs = [Value(x) for x in (0.5, 4.0, -1.0)]
    b = Value(0.25)
    out = autograd.dot(ws, xs, b)
    assert out.op == "dot" and out.parents == (*ws, *xs, b)
    assert out.data == 1.0 * 0.5 + -2.0 * 4.0 + 3.0 * -1.0 + 0.25
    out.backward()
    assert [w.grad for w in ws] == [0.5, 4.0, -1.0]
    assert [x.grad for x in xs] == [1.0, -2.0, 3.0]
    assert b.grad == 1.0
    total = autograd.sum([*ws, 2.0])
    assert total.op == "sum" and len(total.parents) == 4 and total.data == 4.0
    total.backward()
    assert [w.grad for w in ws] == [1.5, 5.0, 0.0]


def test_dot_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="lengths differ"):
        autograd.dot([Value(1.0)], [1.0, 2.0])
    with pytest.raises(ValueError, match="2 rows of weights but 1 biases"):
        autograd.matvec([[Value(1.0)], [Value(2.0)]], [Value(1.0)], [Value(0.0)])


def test_dot_lifts_numbers_and_rejects_objects_that_merely_have_data():
    class Foreign:  # another engine's node: it has a float .data but is not a Value
        data = 2.0

    out = autograd.dot([3, np.float64(0.5)], [Value(1.0), 4.0], 1)
    assert out.data == 3.0 * 1.0 + 0.5 * 4.0 + 1.0
    assert all(isinstance(p, Value) for p in out.parents)
    with pytest.raises(TypeError, match="Foreign"):
        autograd.dot([Foreign()], [Value(1.0)])
    with pytest.raises(TypeError, match="str"):
        autograd.matvec([[Value(1.0)]], ["1.0"])


def test_matvec_is_one_dot_node_per_row_with_closed_form_gradients():
    rows = [[Value(w) for w in ws] for ws in ((1.0, -2.0), (0.5, 3.0), (-1.5, 0.25))]
    xs, bs = [Value(2.0), Value(-1.0)], [Value(b) for b in (0.1, 0.0, -0.3)]
    zs = autograd.matvec(rows, xs, bs)
    assert [z.parents for z in zs] == [(*ws, *xs, b) for ws, b in zip(rows, bs, strict=True)]
    pairs = list(zip(rows, bs, strict=True))
    assert [z.data for z in zs] == [autograd.dot(ws, xs, b).data for ws, b in pairs]
    autograd.sum(z * z for z in zs).backward()  # d/dw_ji = 2 z_j x_i, d/dx_i = sum_j 2 z_j w_ji
    for ws, b, z in zip(rows, bs, zs, strict=True):
        assert [w.grad for w in ws] == [2 * z.data * x.data for x in xs]
        assert b.grad == 2 * z.data
    for i, x in enumerate(xs):
        expected = sum(2 * z.data * ws[i].data for ws, z in zip(rows, zs, strict=True))
        assert x.grad == pytest.approx(expected)
    assert autograd.matvec([], xs) == []


# ---- the slides' worked examples ----


def test_slide_example_x_plus_y_times_z():
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    f = (x + y) * z
    f.backward()
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def test_slide_example_logistic_loss():
    x, w, b = Value(2.0), Value(-3.0), Value(6.0)
    L = (1 / ((-(x * w + b)).exp() + 1)).log()
    L.backward()
    assert_close(x.grad, -1.5)
    assert_close(w.grad, 1.0)
    assert_close(b.grad, 0.5)


# ---- graph invariants ----


def test_diamond_sums_both_paths():
    x = Value(3.0)
    a, b = x * 2, x + 1
    out = a * b  # d/dx (2x (x + 1)) = 4x + 2
    out.backward()
    assert x.grad == 14.0


def test_reuse_x_times_x_and_x_plus_x():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    y = Value(3.0)
    (y + y).backward()
    assert y.grad == 2.0


def test_fan_out_to_many_consumers():
    x = Value(0.5)
    autograd.sum([x * k for k in range(10)]).backward()
    assert x.grad == 45.0


def test_backward_twice_doubles_leaves_not_interior_nodes():
    x = Value(2.0)
    y = x * x
    out = y * 3
    out.backward()
    out.backward()
    assert x.grad == 24.0  # leaves accumulate: 12 + 12
    assert y.grad == 3.0  # interior nodes show the last pass only
    assert out.grad == 1.0


def test_backward_seed_scales_gradients():
    x = Value(2.0)
    (x * x).backward(0.5)
    assert x.grad == 2.0


def test_constant_output_and_leaf_backward():
    x = Value(1.0)
    x.backward()
    assert x.grad == 1.0
    five = Value(5.0)
    c = five * 0
    c.backward()
    assert c.data == 0.0 and c.grad == 1.0 and five.grad == 0.0


def test_million_node_chain_has_no_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(500_000):
        y = y * 1.0  # two nodes a step: the constant and the product
    y.backward()
    assert x.grad == 1.0


def test_graphs_are_freed_by_reference_counting_alone():
    gc.collect()
    gc.disable()
    try:
        x = Value(1.5)
        for _ in range(3):
            y = autograd.sum([(x * k).tanh() + x.exp() for k in range(50)])
            y.backward()
            del y
        assert gc.collect() == 0  # no reference cycles left behind
    finally:
        gc.enable()


def test_parents_keep_operand_order_and_op_names():
    a, b = Value(1.0, "a"), Value(2.0, "b")
    assert (a - b).parents == (a, b)
    assert (b - a).parents == (b, a)
    q = 2 - a
    assert q.parents[1] is a and q.parents[0].data == 2.0 and q.op == "-"
    p = a**3
    assert p.op == "**" and p.parents == (a,) and p.arg == 3.0
    assert (2**a).op == "pow"
    assert a.op == "" and a.parents == () and a.label == "a"


def test_repr_shows_data_grad_label_and_op():
    v = Value(2.0, "w") * 3
    assert repr(v) == "Value(data=6.0, grad=0.0, op='*')"
    assert repr(Value(1.5, "x")) == "Value(data=1.5, grad=0.0, label='x')"


# ---- modes ----


def test_no_grad_records_no_parents():
    x = Value(2.0)
    with no_grad():
        y = (x * 3).tanh()
    assert y.parents == () and y.op == ""
    z = x * 3
    assert z.parents != ()


def test_detach_and_zero_grad():
    x = Value(2.0, "x")
    y = (x * x).detach()
    assert y.parents == () and y.data == 4.0
    x.grad = 5.0
    zero_grad([x, y])
    assert x.grad == 0.0 and y.grad == 0.0


def test_create_graph_second_derivative_of_tanh():
    x = Value(0.7)
    x.tanh().backward(create_graph=True)
    g = x.grad
    assert_close(g.data, 1 - math.tanh(0.7) ** 2)
    x.grad = 0.0
    g.backward()
    t = math.tanh(0.7)
    assert_close(x.grad, -2 * t * (1 - t * t))


def test_anomaly_mode_names_op_label_and_place():
    x = Value(0.0, "x")
    with detect_anomaly():
        y = x.sqrt() * 2
        with pytest.raises(autograd.AnomalyError, match=r"backward: op 'sqrt'.*'x'") as err:
            y.backward()
        assert "test_engine.py" in str(err.value)
        with pytest.raises(autograd.AnomalyError, match=r"forward: op '\*'.*inf"):
            Value(1e300) * Value(1e300)
    assert (Value(1e300) * Value(1e300)).data == math.inf  # off again: IEEE semantics


# ---- input types and numpy ----


@pytest.mark.parametrize("good", [3, 2.5, True, np.float64(1.5), np.int64(4), np.float32(0.5)])
def test_accepts_real_numbers(good):
    assert Value(good).data == float(good)
    assert type(Value(good).data) is float


@pytest.mark.parametrize("bad", ["1.0", None, 1j, [1.0], (1.0,), {"a": 1}, np.array([1.0, 2.0])])
def test_rejects_non_real_inputs_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(1.0) + bad


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, 5)


def test_numpy_scalars_on_either_side_give_values():
    x = Value(3.0)
    for y in (np.float64(2) * x, x * np.float64(2), np.float64(2) + x, np.float64(2) ** x):
        assert isinstance(y, Value)
    y = np.float64(2) * x
    y.backward()
    assert x.grad == 2.0


# ---- numerics and domain errors ----


@pytest.mark.parametrize(
    "make, error, text",
    [
        (lambda: Value(0.0).log(), ValueError, "log"),
        (lambda: Value(-1.0).log(), ValueError, "log"),
        (lambda: Value(-1.0).sqrt(), ValueError, "sqrt"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, "division by zero"),
        (lambda: 1 / Value(0.0), ZeroDivisionError, "division by zero"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, "negative power"),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, "non-integer exponent"),
        (lambda: (-2.0) ** Value(0.5), ValueError, "non-integer exponent"),
        (lambda: Value(710.0).exp(), OverflowError, "exp"),
        (lambda: Value(10.0) ** 400, OverflowError, "pow"),
        (lambda: Value(math.inf).sin(), ValueError, "sin"),
    ],
)
def test_domain_errors_follow_math_and_name_the_op(make, error, text):
    with pytest.raises(error, match=text):
        make()


@pytest.mark.parametrize("x", [1e308, -1e308, 1000.0, -1000.0])
def test_saturating_ops_never_overflow(x):
    for op in (Value.sigmoid, Value.softplus, Value.tanh):
        v = Value(x)
        out = op(v)
        out.backward()
        assert math.isfinite(out.data) and math.isfinite(v.grad)
    assert Value(x).sigmoid().data == (1.0 if x > 0 else 0.0)
    assert Value(x).softplus().data == max(x, 0.0)


def test_kink_conventions_match_pytorch():
    for op, expected in [(Value.relu, 0.0), (abs, 0.0), (Value.leaky_relu, 0.01), (Value.elu, 1.0)]:
        x = Value(0.0)
        op(x).backward()
        assert x.grad == expected, op


def test_sqrt_at_zero_has_infinite_slope_not_an_error():
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


def test_nan_and_infinity_propagate_as_ieee():
    assert math.isnan((Value(math.nan) * 2).data)
    assert math.isnan(Value(math.nan).relu().data)
    assert (Value(math.inf) + 1).data == math.inf
    assert math.isnan((Value(math.inf) * 0).data)


def test_gc_paused_restores_the_collector_state():
    assert gc.isenabled()
    with autograd.gc_paused():
        assert not gc.isenabled()
        with autograd.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with autograd.gc_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_backward_leaves_the_collector_enabled():
    x = Value(1.0)
    (x * x).backward()
    assert gc.isenabled()


def test_pow_overflowing_only_in_its_derivative_still_computes():
    assert (Value(1e-300) ** -1).data == math.pow(1e-300, -1.0)  # finite, though x^-2 overflows
    x = Value(0.5)
    y = x**-1023
    y.backward()
    assert y.data == 2.0**1023 and x.grad == -math.inf


def test_modes_nest_and_restore_even_for_one_reused_instance():
    ng = no_grad()
    with ng:
        with ng:
            pass
        assert (Value(1.0) * 2).parents == ()
    assert (Value(1.0) * 2).parents != ()
    da = detect_anomaly()
    with da:
        with da:
            pass
        with pytest.raises(autograd.AnomalyError):
            Value(1e300) * Value(1e300)
    assert (Value(1e300) * Value(1e300)).data == math.inf


def test_a_bad_seed_is_rejected_before_any_grad_changes():
    x = Value(2.0)
    y = x * x
    y.backward()
    with pytest.raises(TypeError, match="str"):
        y.backward("1")
    assert (x.grad, y.grad) == (4.0, 1.0)
