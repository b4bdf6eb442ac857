"""Compiled mode and comparisons on Values: each one that depends on an input becomes a guard
in the generated code, so a call whose comparison comes out otherwise raises TraceError
instead of silently running the branch that was traced."""

from __future__ import annotations

import math
import os
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import TraceError, Value
from autograd.compile import jit
from autograd.testing import expressions
from tests.strategies import floats
from tests.test_compile import bits, eager_value_and_grad

CI = bool(os.environ.get("CI"))


def branchy(x, y):
    return x * y if x > 0 else x + y


def test_a_flipped_branch_raises_in_every_kind_of_call():
    w = Value(1.0)
    cf = jit(lambda x, y: branchy(x, y) * w, params=[w])
    assert cf(1.0, 2.0) == 2.0
    calls = [lambda: cf(-1.0, 2.0), lambda: cf.value_and_grad(-1.0, 2.0),
             lambda: cf.backward(-1.0, 2.0), lambda: cf.backward_batch([(1.0, 2.0), (-1.0, 2.0)])]
    for call in calls:
        with pytest.raises(TraceError, match=r"argument 0 > 0\.0: True when traced, False now"):
            call()
    assert w.grad == 0.0  # the failed batch changed no grad
    assert cf.traces == 1


@pytest.mark.parametrize("xs", [(2.0, 3.0), (0.5, -4.0), (1e-300, 1.0)])
def test_the_traced_branch_still_matches_eager_bit_for_bit(xs):
    cf = jit(branchy)
    cf(1.0, 1.0)
    value, grads = cf.value_and_grad(*xs)
    want_value, want_grads = eager_value_and_grad(branchy, xs)
    assert bits(value) == bits(want_value) and list(map(bits, grads)) == list(map(bits, want_grads))


def test_a_comparison_on_a_value_the_result_does_not_use_is_guarded():
    cf = jit(lambda x: x.exp() if x * x > 1 else x.sin())
    assert cf.grad(2.0) == [math.exp(2.0)] and cf.grad(-3.0) == [math.exp(-3.0)]
    with pytest.raises(TraceError, match=r"compared op '\*' > 1\.0"):
        cf.grad(0.5)
    with pytest.raises(TraceError, match=r"compared op '\*' > 1\.0"):
        cf(0.5)


@pytest.mark.parametrize(("f", "good", "bad"), [
    (lambda a, b: max(a, b) * 3, (1.0, 2.0), (3.0, 2.0)),  # Python's max compares
    (lambda a, b: sorted([a, b])[0] - b, (1.0, 2.0), (2.0, 1.0)),
    (lambda a, b: a * 2 if a else b, (1.0, 0.0), (0.0, 0.0)),  # bool(a): a != 0
    (lambda a, b: a if a <= b else b, (1.0, 1.0), (1.5, 1.0)),
    (lambda a, b: a if a <= 2.0 else b, (2.0, 0.0), (2.5, 0.0)),  # reflected: a <= 2.0
])
def test_python_control_flow_on_values_is_guarded(f, good, bad):
    cf = jit(f)
    assert cf.value_and_grad(*good) == eager_value_and_grad(f, good)
    with pytest.raises(TraceError):
        cf.value_and_grad(*bad)


def test_equal_graphs_with_other_branches_do_not_share_code():
    f = lambda x: x * 2.0 if x > 0 else x * (1.0 + 1.0)  # the same graph either way
    up, down = jit(f), jit(f)
    assert up(1.0) == 2.0 and down(-1.0) == -2.0
    assert up.program is not down.program
    assert down(-3.0) == -6.0
    with pytest.raises(TraceError):
        down(3.0)


def test_comparisons_on_params_are_guarded():
    w = Value(0.5)
    cf = jit(lambda x: x * w if w > 0 else x, params=[w])
    assert cf.backward(2.0) == 1.0 and w.grad == 2.0
    w.data = -0.5
    with pytest.raises(TraceError, match=r"param 0 > 0\.0"):
        cf.backward(2.0)


def test_comparisons_that_depend_on_no_input_are_not_guarded():
    c = Value(3.0)  # neither an argument nor a param: a constant to the trace
    cf = jit(lambda x: x * 2 if c > 1 else x)
    assert cf(1.0) == 2.0
    assert "_flipped" not in cf.program.source


def test_check_mode_sees_the_same_guards():
    cf = jit(branchy, check=True)
    assert cf(1.0, 2.0) == 2.0 and cf(3.0, 2.0) == 6.0
    with pytest.raises(TraceError):
        cf(-1.0, 2.0)


def test_float_of_a_traced_value_is_an_error():
    with pytest.raises(TypeError, match="jit trace"):
        jit(lambda x: x * math.exp(x))(1.0)
    assert jit(lambda x: x * math.exp(x.data))(1.0) == math.e  # .data: a constant, on purpose


def test_comparing_a_value_computed_from_the_result_is_an_error():
    def f(x):
        y = x * 2
        return y if y + 1 > 0 else -y
    with pytest.raises(TraceError, match="computed from its result"):
        jit(f)(1.0)


def test_autograd_max_needs_no_guard():
    cf = jit(lambda a, b: autograd.max([a, b]) * 3)
    assert cf.grad(1.0, 2.0) == [0.0, 3.0] and cf.grad(3.0, 2.0) == [3.0, 0.0]
    assert "_flipped" not in cf.program.source


def test_a_batch_with_a_guard_on_a_value_the_result_does_not_use():
    w = Value(0.5)
    f = lambda x: (w * x).exp() if x * x > 1 else (w * x).sin()
    cf = jit(f, params=[w])
    rows = [(2.0,), (-1.5,), (3.0,)]
    values = cf.backward_batch(rows)
    compiled_grad, w.grad = w.grad, 0.0
    eager = [f(Value(x)) for (x,) in rows]
    for out in eager:
        out.backward()
    assert values == [out.data for out in eager] and compiled_grad == w.grad
    with pytest.raises(TraceError):
        cf.backward_batch([(2.0,), (0.5,)])


def test_the_recorder_is_per_thread():
    seen = []

    def f(x):  # another thread, started during the trace, converts freely
        thread = threading.Thread(target=lambda: seen.append(float(Value(2.0))))
        thread.start()
        thread.join()
        return x * 2

    assert jit(f)(1.0) == 2.0 and seen == [2.0]


@settings(max_examples=200 if CI else 50)
@given(expressions(n_inputs=(1, 3), max_nodes=8), floats(-0.5, 0.5),
       st.lists(floats(-1, 1), min_size=3, max_size=3))
def test_a_replay_matches_eager_or_its_flipped_guard_raises(e, offset, shifts):
    at = lambda xs: e.fn(*map(Value, xs)).data
    threshold = at(e.inputs) + offset  # near the traced value: small shifts flip it

    def f(*xs):
        y = e.fn(*xs)
        return y * y if y > threshold else y.tanh()

    cf = jit(f)
    assert cf.value_and_grad(*e.inputs) == eager_value_and_grad(f, e.inputs)
    moved = [x + s for x, s in zip(e.inputs, shifts, strict=False)]
    try:
        value, grads = eager_value_and_grad(f, moved)
    except (ArithmeticError, ValueError):
        return  # eager mode raises there (a domain edge): nothing to compare
    if (at(moved) > threshold) != (at(e.inputs) > threshold):
        with pytest.raises(TraceError, match="when traced"):
            cf.value_and_grad(*moved)
    else:
        got_value, got_grads = cf.value_and_grad(*moved)
        assert bits(got_value) == bits(value)
        assert list(map(bits, got_grads)) == list(map(bits, grads))
