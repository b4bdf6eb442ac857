"""vmap: a traced graph over a batch with numpy gives eager mode's numbers, row by row."""

from __future__ import annotations

import math
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, vmap
from autograd.testing import expressions

np = pytest.importorskip("numpy")

ARITHMETIC = ("+", "-", "*", "/", "neg", "sum", "relu", "abs", "leaky_relu")


def bits(x: float) -> str:
    return "nan" if x != x else float(x).hex()


def eager(f, row):
    """(value, None) of f on a row in eager mode, or (None, the error it raises)."""
    try:
        return autograd.lift(f(*map(Value, row))).data, None
    except (ArithmeticError, ValueError) as error:
        return None, error


def close(a: float, b: float, rel: float) -> bool:
    return (a != a and b != b) or math.isclose(a, b, rel_tol=rel, abs_tol=rel)


@settings(deadline=None, max_examples=60)
@given(expressions(n_inputs=(1, 3), max_nodes=10), st.integers(0, 2**32))
def test_random_graphs_match_eager_row_by_row(e, seed):
    """Rows drawn over [-3, 3] cross the kinks (relu, abs, ...) and some leave a domain."""
    rng = random.Random(seed)
    rows = [list(e.inputs)] + [[rng.uniform(-3, 3) for _ in e.inputs] for _ in range(7)]
    expected = [eager(e.fn, row) for row in rows]
    first_error = next((err for _, err in expected if err is not None), None)
    if first_error is not None:  # eager mode's error, for the first row that raises
        with pytest.raises(type(first_error)) as raised:
            vmap(e.fn)(rows)
        assert str(raised.value) == str(first_error)
        return
    got = vmap(e.fn)(rows)
    for (value, _), g in zip(expected, got, strict=True):
        assert close(g, value, 1e-9), e  # transcendental functions: numpy's, not math's


@settings(deadline=None, max_examples=60)
@given(expressions(n_inputs=(1, 3), max_nodes=10, ops=ARITHMETIC), st.integers(0, 2**32))
def test_arithmetic_and_kinks_give_eager_bits(e, seed):
    """+ - * / (and sums, relu, abs) round as eager mode does: the same bits, every row."""
    rng = random.Random(seed)
    rows = [list(e.inputs)] + [[rng.uniform(-3, 3) for _ in e.inputs] for _ in range(7)]
    expected = [eager(e.fn, row) for row in rows]
    if any(err is not None for _, err in expected):
        return  # a division by zero: the test above checks the error
    assert list(map(bits, vmap(e.fn)(rows))) == [bits(v) for v, _ in expected], e
    leaves = [Value(x) for x in e.inputs]  # the inputs as params: each grad, in one row
    out = autograd.lift(e.fn(*leaves))
    out.backward()
    grads = [v.grad for v in leaves]
    autograd.zero_grad(leaves)
    vmap(lambda: e.fn(*leaves), params=leaves).backward([[]])
    assert [bits(v.grad) for v in leaves] == list(map(bits, grads)), e


def batch_grads(model, loss, X, y, static=()):
    """Param grads of sum_i loss(model(x_i), y_i): eager, then vmap (grads reset between)."""
    params = model.parameters()
    autograd.zero_grad(params)
    values = []
    for x, t in zip(X, y, strict=True):
        out = loss(model(x), t)
        out.backward()
        values.append(out.data)
    expected = [p.grad for p in params]
    autograd.zero_grad(params)
    f = lambda *args: loss(model(list(args[:-1])), args[-1])
    got = vmap(f, params=params, static=static).backward([[*x, t] for x, t in zip(X, y,
                                                                                  strict=True)])
    return values, expected, got.tolist(), [p.grad for p in params]


ACTIVATIONS = sorted(set(nn.ACTIVATIONS) - {"step", "sign"})  # those two cut the graph


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", ["mse", "hinge", "bce_with_logits", "binary_cross_entropy"])
def test_mlp_every_activation_and_loss_matches_eager(activation, loss):
    X, labels = nn.make_moons(40, noise=0.2, seed=1)
    y = [2.0 * t - 1 for t in labels] if loss == "hinge" else [float(t) for t in labels]
    output = "sigmoid" if loss == "binary_cross_entropy" else "linear"
    model = nn.MLP(2, [5, 4, 1], activation=activation, output_activation=output, seed=2)
    values, expected, got_values, got = batch_grads(model, getattr(nn, loss), X, y)
    assert all(close(a, b, 1e-12) for a, b in zip(values, got_values, strict=True))
    assert all(close(a, b, 1e-9) for a, b in zip(expected, got, strict=True))


@pytest.mark.parametrize("loss", ["cross_entropy", "nll"])
def test_classifier_with_class_targets_static(loss):
    """A class index picks a logit: a static argument, one trace per class, rows interleaved."""
    X, y = nn.make_spirals(60, 3, seed=0)
    model = nn.MLP(2, [6, 3], activation="tanh", seed=3)
    fn = nn.cross_entropy if loss == "cross_entropy" else \
        lambda out, t: nn.nll(nn.log_softmax(out), t)
    values, expected, got_values, got = batch_grads(model, fn, X, y, static=[-1])
    assert all(close(a, b, 1e-12) for a, b in zip(values, got_values, strict=True))
    assert all(close(a, b, 1e-9) for a, b in zip(expected, got, strict=True))


@pytest.mark.parametrize(("f", "bad", "error"), [
    (lambda x: (x - 1.0).log(), -2.0, ValueError),
    (lambda x: ((x - 5.0) * 400.0).exp(), 7.0, OverflowError),
    (lambda x: 1.0 / (x - 2.0), 2.0, ZeroDivisionError),
    (lambda x: (x - 1.0) ** 0.5, -1.0, ValueError),
    (lambda x: (x - 1.0).sqrt(), 0.5, ValueError),
])
def test_a_row_that_raises_raises_eager_modes_error(f, bad, error):
    w = Value(1.5)
    g = lambda x: f(x) * w
    rows = [[3.0], [4.0], [bad], [5.0], [bad - 0.25]]
    with pytest.raises(error) as expected:
        g(Value(bad))
    with pytest.raises(error) as raised:
        vmap(g, params=[w]).backward(rows)
    assert str(raised.value) == str(expected.value)
    assert w.grad == 0.0  # no grad changes on an error


def test_backward_adds_the_sum_over_rows_scaled_by_grad():
    w, b = Value(0.5), Value(-1.0)
    f = vmap(lambda x, y: (w * x + b - y) ** 2, params=[w, b])
    rows = [[1.0, 2.0], [-2.0, 0.5], [3.0, 1.0]]
    w.grad, b.grad = 1.0, 0.0
    values = f.backward(rows, grad=0.5)
    residuals = [0.5 * x - 1.0 - y for x, y in rows]
    assert values.tolist() == [r * r for r in residuals]
    assert w.grad == pytest.approx(1.0 + sum(r * x for r, (x, _) in zip(residuals, rows,
                                                                         strict=True)))
    assert b.grad == pytest.approx(sum(residuals))


def test_a_dense_layer_is_one_matrix_product():
    model = nn.MLP(3, [8, 8, 2], seed=0)
    f = vmap(lambda *x: model(list(x)), params=model.parameters())
    rows = np.random.default_rng(0).uniform(-1, 1, (50, 3))
    out = f(rows)
    assert out.shape == (50, 2)
    assert np.allclose(out, [[o.data for o in model(list(r))] for r in rows], rtol=1e-13)
    from autograd import batched
    entries = f._outputs.structure((3, ()), [0.0] * 3)[1]
    layers = {id(layer): layer for layer in batched.plan(entries).layers.values()}
    assert sorted(len(layer.members) for layer in layers.values()) == [2, 8, 8]


def test_import_needs_no_numpy():
    code = "import sys, autograd, nn; assert 'numpy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_kinks_at_zero_take_eager_modes_side():
    """|x|' = 0 and relu'(0) = 0 at x = 0 exactly; leaky_relu'(0) = slope."""
    w = Value(1.0)
    f = lambda x: abs(x + w) + (x + w).relu() + (x + w).leaky_relu(0.25)
    rows = [[-1.0], [1.0], [-3.0]]  # x + w = 0, 2, -2
    autograd.zero_grad([w])
    for row in rows:
        f(Value(row[0])).backward()
    expected = w.grad
    autograd.zero_grad([w])
    vmap(f, params=[w]).backward(rows)
    assert w.grad == expected == (0 + 0 + 0.25) + (1 + 1 + 1) + (-1 + 0 + 0.25)


def test_elementwise_is_a_float_functions_array_form():
    """What a user-defined op's entry in arrays.OPS is built from: its float forward."""
    from autograd.arrays import elementwise

    forward = elementwise(lambda x, c: math.erf(x) * c)
    xs = np.array([-1.0, 0.0, 0.5])
    assert forward([xs], 2.0).tolist() == [math.erf(x) * 2.0 for x in xs.tolist()]
    assert elementwise(math.atan2)([xs, xs + 1.0], None).tolist() == \
        [math.atan2(x, x + 1.0) for x in xs.tolist()]


def test_several_outputs_and_an_array_of_rows():
    model = nn.MLP(2, [3, 2], activation="tanh", seed=0)
    f = vmap(lambda a, b: model([a, b]), params=model.parameters())
    rows = np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 0.0]])
    expected = [[o.data for o in model(list(r))] for r in rows.tolist()]
    assert np.allclose(f(rows), expected, rtol=1e-14, atol=0)
    assert len(f(rows[:0])) == 0  # no rows, nothing to trace


def test_relu_of_signed_zeros_and_nan_keeps_eagers_bits():
    rows = [[-0.0], [0.0], [math.nan], [-math.inf], [2.5], [-1e-300]]
    got = vmap(lambda x: x.relu())(rows)
    assert list(map(bits, got)) == [bits(Value(r[0]).relu().data) for r in rows]


def test_python_control_flow_that_flips_on_a_row_is_a_trace_error():
    """As jit: a comparison on a Value is a guard; the first row where it flips is named."""
    f = lambda x: x * 2.0 if x > 0 else x * 3.0
    assert vmap(f)([[1.0], [2.0]]).tolist() == [2.0, 4.0]
    with pytest.raises(autograd.TraceError, match=r"argument 0 > 0.0: True when traced"):
        vmap(f)([[1.0], [2.0], [-1.0], [-2.0]])


def test_max_and_min_with_ties_share_the_gradient_as_eager():
    w = Value(0.5)
    f = lambda a, b: autograd.max([a * w, b, 1.0]) + autograd.min([a, b * w])
    rows = [[2.0, 1.0], [2.0, 2.0], [4.0, 0.5], [-1.0, -3.0], [3.0, 6.0]]
    autograd.zero_grad([w])
    expected = [autograd.lift(f(*map(Value, row))) for row in rows]
    for out in expected:
        out.backward()
    grad = w.grad
    autograd.zero_grad([w])
    assert vmap(f, params=[w]).backward(rows).tolist() == [out.data for out in expected]
    assert w.grad == grad


def test_a_user_defined_op_runs_row_by_row_with_its_rule():
    @autograd.op(derivative=lambda x, out: 1.0 / (1.0 + x * x), name="vmap_test_atan")
    def atan(x: float) -> float:
        return math.atan(x)

    @autograd.op(derivative=lambda x, out: 0.5 / out, name="vmap_test_root")
    def root(x: float) -> float:
        return math.sqrt(x)

    w = Value(1.5)
    rows = [[0.5], [-2.0], [3.0]]
    autograd.zero_grad([w])
    for row in rows:
        atan(Value(row[0]) * w).backward()
    grad = w.grad
    autograd.zero_grad([w])
    got = vmap(lambda x: atan(x * w), params=[w]).backward(rows)
    assert got.tolist() == [math.atan(r[0] * 1.5) for r in rows]
    assert w.grad == pytest.approx(grad, rel=1e-15)
    with pytest.raises(ValueError, match="op 'vmap_test_root'"):
        vmap(lambda x: root(x - 1.0))([[2.0], [0.5], [5.0]])
