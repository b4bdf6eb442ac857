"""Compiled mode: the same numbers as eager mode, bit for bit; caching; guards; errors."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value, codegen
from autograd.codegen import CHUNK
from autograd.compile import TraceError, jit, program_for, structure_key
from autograd.testing import expressions


def bits(x: float) -> str:
    """A float's exact identity (sign of zero and NaN included)."""
    return "nan" if x != x else x.hex()


def eager_value_and_grad(f, xs):
    """Eager (value, grads), grads as ``grad`` gives them: a float for one input, else a tuple."""
    leaves = [Value(x) for x in xs]
    out = autograd.lift(f(*leaves))
    out.backward()
    return out.data, leaves[0].grad if len(leaves) == 1 else tuple(v.grad for v in leaves)


def as_tuple(grads):
    """A gradient result as a tuple: one float becomes a 1-tuple."""
    return grads if isinstance(grads, tuple) else (grads,)


@given(expressions(n_inputs=(1, 4), max_nodes=12))
def test_random_expressions_match_eager_bit_for_bit(e):
    value, grads = eager_value_and_grad(e.fn, e.inputs)
    cf = jit(e.fn)
    assert bits(cf(*e.inputs)) == bits(value)
    got_value, got_grads = cf.value_and_grad(*e.inputs)
    assert bits(got_value) == bits(value)
    assert [*map(bits, as_tuple(got_grads))] == [*map(bits, as_tuple(grads))], cf.program.source
    assert type(got_grads) is (float if len(e.inputs) == 1 else tuple)


def mlp(rng: random.Random, sizes: list[int], act: str):
    """A dense net of dot nodes with ``act`` between layers: (params, f(*inputs))."""
    layers = [[([Value(rng.uniform(-1, 1)) for _ in range(m)], Value(rng.uniform(-0.5, 0.5)))
               for _ in range(n)] for m, n in itertools.pairwise(sizes)]
    params = [p for layer in layers for ws, b in layer for p in (*ws, b)]

    def f(*xs):
        h = list(xs)
        for i, layer in enumerate(layers):
            h = [autograd.dot(ws, h, b) for ws, b in layer]
            h = h if i == len(layers) - 1 else [getattr(z, act)() for z in h]
        return (h[0] - 0.5) ** 2
    return params, f


@given(st.integers(0, 10**6), st.sampled_from(["relu", "tanh", "sigmoid", "leaky_relu"]),
       st.lists(st.integers(1, 5), min_size=1, max_size=3))
def test_mlp_param_grads_match_eager_bit_for_bit(seed, act, hidden):
    rng = random.Random(seed)
    params, f = mlp(rng, [3, *hidden, 1], act)
    rows = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(4)]
    autograd.zero_grad(params)
    eager = [autograd.lift(f(*map(Value, row))) for row in rows]
    for out in eager:
        out.backward()
    expected = [p.grad for p in params]
    autograd.zero_grad(params)
    cf = jit(f, params=params)
    values = cf.backward_batch(rows)
    assert values == [out.data for out in eager]
    assert [p.grad for p in params] == expected
    autograd.zero_grad(params)
    assert [cf.backward(*row, grad=0.5) for row in rows] == values
    assert [p.grad for p in params] == [0.5 * g for g in expected]  # seed 0.5 scales exactly


def test_whole_batch_trace_matches_eager_bit_for_bit():
    params, f = mlp(random.Random(5), [3, 4, 1], "relu")
    batch = lambda *xs: autograd.sum(f(*xs[i : i + 3]) for i in range(0, len(xs), 3))
    xs = [random.Random(6).uniform(-2, 2) for _ in range(3 * 20)]  # 20 terms per weight
    autograd.zero_grad(params)
    out = batch(*map(Value, xs))
    out.backward()
    expected = [p.grad for p in params]
    autograd.zero_grad(params)
    assert jit(batch, params=params).backward(*xs) == out.data
    assert [p.grad for p in params] == expected


def test_compensated_sum_path(monkeypatch):
    monkeypatch.setattr(codegen, "COMPENSATED_SUM", True)  # as on Python >= 3.12
    n = CHUNK + 3
    f = lambda *xs: autograd.dot(xs[:n], xs[n:], 0.375).sin()
    xs = [random.Random(7).uniform(-1, 1) for _ in range(2 * n)]
    cf = jit(f)
    assert cf.value_and_grad(*xs) == eager_value_and_grad(f, xs)
    assert "_sum(" in cf.program.source


def test_gradient_matches_closed_form():
    cf = jit(lambda x, y: x * y.sin() + (x / y).exp())
    x, y = 1.5, 0.7
    _, (dx, dy) = cf.value_and_grad(x, y)
    assert math.isclose(dx, math.sin(y) + math.exp(x / y) / y, rel_tol=1e-12)
    assert math.isclose(dy, x * math.cos(y) - math.exp(x / y) * x / y**2, rel_tol=1e-12)


def test_long_sums_and_dots_are_chunked_and_exact():
    n = 3 * CHUNK + 7
    f = lambda *xs: autograd.sum(x * x for x in xs[:n]) + autograd.dot(xs[:n], xs[n:], 1.0)
    xs = [random.Random(1).uniform(-1, 1) for _ in range(2 * n)]
    value, grads = eager_value_and_grad(f, xs)
    assert jit(f).value_and_grad(*xs) == (value, grads)


def test_deep_chains_compile():
    def f(x):
        for _ in range(3000):  # single-use values are written into their user, nested <= 20
            x = (x * 0.9).tanh() + 0.1
        return x

    value, grads = eager_value_and_grad(f, [0.3])
    cf = jit(f)
    assert cf(0.3) == value and cf.value_and_grad(0.3) == (value, grads)


def test_same_structure_reuses_the_same_code():
    f = lambda x, y: (x * y + 2.0).tanh()
    a, b = jit(f), jit(lambda u, v: (u * v + 2.0).tanh())
    a(1.0, 2.0)
    b(-3.0, 0.5)  # traced at other values: same structure
    assert a.program is b.program and a.program.fn.__code__ is b.program.fn.__code__
    c = jit(lambda x, y: (x * y + 3.0).tanh())  # a constant's value is part of the structure
    c(1.0, 2.0)
    assert c.program is not a.program
    assert a.traces == 1 and a(5.0, 6.0) == math.tanh(32.0) and a.traces == 1


def test_keys_fold_constant_subgraphs_and_cut_at_inputs():
    x = Value(2.0)
    out = x * (Value(3.0) * 4.0)  # 3 * 4 depends on no input: one constant 12
    sizes, entries, guards = structure_key(out, [[x]])
    assert entries[-1][0] == "*" and ("c", (12.0).hex()) in entries
    assert sizes == (1,) and guards == ()
    program = program_for(((1,), (True,), entries, False, False))
    assert program.fn([5.0], 1.0, [0.0]) == (60.0, (12.0,))


def test_check_catches_a_branch_on_data():
    f = lambda x: x * 2.0 if x.data > 0 else x * -3.0
    baked = jit(f)
    assert baked(1.0) == 2.0 and baked(-1.0) == -2.0  # the traced branch is baked in
    checked = jit(f, check=True)
    assert checked.value_and_grad(1.0) == (2.0, 2.0)
    with pytest.raises(TraceError, match="constant"):
        checked(-1.0)


def test_check_catches_a_changed_leaf_that_is_not_a_param():
    w = Value(2.0)
    cf = jit(lambda x: x * w, check=True)
    assert cf(3.0) == 6.0
    w.data = 5.0
    with pytest.raises(TraceError, match="params"):
        cf(3.0)
    ok = jit(lambda x: x * w, params=[w], check=True)
    assert ok(3.0) == 15.0 and ok.backward(3.0) == 15.0 and w.grad == 3.0


def test_check_passes_and_leaves_grads_alone():
    params, f = mlp(random.Random(3), [2, 3, 1], "relu")
    cf = jit(f, params=params, check=True)
    assert cf.value_and_grad(0.3, -0.2)[0] == cf(0.3, -0.2)
    assert all(p.grad == 0.0 for p in params)


@pytest.mark.parametrize("f, x", [
    (lambda x: 1.0 / x, 0.0), (lambda x: x.log(), -1.0), (lambda x: x.log(), 0.0),
    (lambda x: x.sqrt(), -2.0), (lambda x: x.exp(), 1000.0), (lambda x: x ** -1.0, 0.0),
    (lambda x: x ** 0.5, -8.0), (lambda x: x.sin(), math.inf), (lambda x: x ** 1000.0, 10.0),
])
def test_errors_match_eager(f, x):
    with pytest.raises((ArithmeticError, ValueError)) as eager:
        f(Value(x))
    cf = jit(f)
    cf(1.0)  # traced at a valid point
    for call in (cf, cf.value_and_grad):
        with pytest.raises(type(eager.value)) as compiled:
            call(x)
        assert str(compiled.value) == str(eager.value)


def test_a_baked_in_number_that_overflows_where_eager_runs_is_a_trace_error():
    cf = jit(lambda a: (a - max(a.data, 1.0)).exp())  # the max is read from .data: baked in
    assert cf(0.0) == math.exp(-1.0)
    with pytest.raises(TraceError, match=r"OverflowError.*constant 1\.0, now the constant 800"):
        cf(800.0)  # exp(800 - 1) overflows; eager mode computes exp(800 - 800)
    with pytest.raises(TraceError, match="now the constant 800"):
        cf.backward_batch([[0.0], [800.0]])


def test_a_batch_raises_eager_modes_own_error_before_any_trace_error():
    w = Value(1.0)
    cf = jit(lambda a: (a * w + max(a.data, 0.0)).log(), params=[w])  # traced at a = 1
    cf.backward(1.0)
    with pytest.raises(ValueError, match=r"log\(-5\.0\)"):  # row 3 fails in eager mode too
        cf.backward_batch([[1.0], [2.0], [-5.0]])


def test_backward_batch_errors_change_no_grad():
    w = Value(2.0)
    cf = jit(lambda x: (x * w).log(), params=[w])
    with pytest.raises(ValueError, match=r"log\(-2\.0\)"):  # eager mode's message
        cf.backward_batch([[1.0], [-1.0]])
    assert w.grad == 0.0
    assert cf.backward_batch([[1.0], [3.0]]) == [math.log(2.0), math.log(6.0)]
    assert w.grad == 1.0  # d/dw log(x w) = 1/w, twice
    with pytest.raises(TypeError):  # a row of two: its own trace, where f fails
        cf.backward_batch([[1.0], [1.0, 2.0]])
    assert w.grad == 1.0


def test_static_arguments_get_a_trace_per_value():
    w = Value(0.5)

    def f(x, label, k):  # checks its label, and picks by index: neither can be a Value
        assert label in (-1, 1)
        return (1 - label * (x * w)).relu() + [x, w][k] * 2.0

    cf = jit(f, params=[w], static=(1, -1))
    rows = [(3.0, 1, 0), (3.0, -1, 1), (1.0, -1, 1), (2.0, 1, 0)]
    autograd.zero_grad([w])
    for row in rows:
        eager = f(Value(row[0]), *row[1:])
        eager.backward()
    expected = w.grad
    w.grad = 0.0
    assert cf.backward_batch(rows) == [f(Value(r[0]), *r[1:]).data for r in rows]
    assert w.grad == expected and cf.traces == 2
    assert cf.value_and_grad(2.0, -1, 1) == (3.0, 0.5)  # relu(1 + x w) + 2 w: d/dx only
    with pytest.raises(ValueError, match="static"):
        cf(1.0)


def test_inputs_are_converted_like_value_and_labels_never_become_code():
    w = Value(3.0, label="__import__('os').system('echo hi')")
    cf = jit(lambda x, y: x * y * w)
    assert cf(2, True) == 6.0 and type(cf(2, 1)) is float
    assert "import" not in cf.program.source and "echo" not in cf.program.source
    with pytest.raises(TypeError, match="str"):
        cf("2", 1)


def test_roots_that_are_inputs_or_constants():
    assert jit(lambda x, y: y).value_and_grad(1.0, 2.0) == (2.0, (0.0, 1.0))
    assert jit(lambda x: 7.0).value_and_grad(1.0) == (7.0, 0.0)
    assert math.isnan(jit(lambda x: x * 0.0 + 1.0)(math.inf))  # inf * 0 is NaN, as in eager


def test_kinks_generate_conditionals():
    cf = jit(lambda x: x.relu() + abs(x))
    assert cf.grad(-2.0) == -1.0 and cf.grad(2.0) == 2.0 and cf.grad(0.0) == 0.0
    assert " if " in cf.program.source


def test_tracing_under_no_grad_still_records_the_trace():
    with autograd.no_grad():
        cf = jit(lambda x: x * x)
        assert cf.value_and_grad(3.0) == (9.0, 6.0)


def test_duplicate_static_positions_count_once():
    cf = jit(lambda x, k: x * k, static=(1, -1))
    assert cf.value_and_grad(2.0, 3) == (6.0, 3.0)


def test_backward_without_params():
    cf = jit(lambda x, y: x * y + y)
    assert cf.backward(2.0, 3.0) == 9.0 and cf.backward_batch([[1.0, 1.0]]) == [2.0]


def test_backward_batch_rows_of_floats_or_other_numbers():
    w = Value(1.5)
    cf = jit(lambda x, y: (x * w + y).relu(), params=[w])
    assert cf.backward_batch([(2.0, 1.0), [-2.0, 0.5]]) == [4.0, 0.0] and w.grad == 2.0
    assert cf.backward_batch([(2, True), (1.0, -1)]) == [4.0, 0.5] and w.grad == 5.0
    assert all(type(v) is float for v in cf.backward_batch([(2, 1)]))
    with pytest.raises(TypeError, match="str"):
        cf.backward_batch([("2", 1.0)])


@pytest.mark.parametrize("make, match", [
    (lambda: jit(3), "jit needs a function, got int"),
    (lambda: jit(lambda x: x, params=[Value(1.0), 2.0]), "params must be Values .* float at"),
    (lambda: jit(lambda x: x, static="a"), "static must be argument positions .* 'a'"),
    (lambda: jit(lambda x: x, static=[0.5]), "static must be argument positions .* 0.5"),
])
def test_bad_settings_are_type_errors_when_jit_is_made(make, match):
    with pytest.raises(TypeError, match=match):
        make()


@pytest.mark.parametrize("out", [lambda x: [x, x], lambda x: (x,), lambda x: "x", lambda x: None])
def test_f_returning_no_scalar_is_named(out):
    with pytest.raises(TypeError, match="jit: f must return one Value"):
        jit(out)(1.0)
    assert jit(lambda x: 3)(1.0) == 3.0 and jit(lambda x: x, static=0)(2.0) == 2.0
