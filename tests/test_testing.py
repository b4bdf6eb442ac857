"""autograd.testing: strategies stay in every op's domain, replay faithfully, print as math."""

from __future__ import annotations

import importlib
import itertools
import math
import operator
import os
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given, settings

from autograd import Value, topological_order
from autograd.testing import OPS, Const, Expression, Step, expressions, finite_floats

CI = bool(os.environ.get("CI"))  # tests/conftest.py loads the "ci" profile on the same switch
MARGIN, BOUND = 0.1, 10.0  # the strategy's defaults


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# float references for every op, written independently of the strategy's table
REFERENCE = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "pow": math.pow, "**": math.pow, "neg": operator.neg, "abs": abs, "exp": math.exp,
    "log": math.log, "log1p": math.log1p, "sqrt": math.sqrt, "tanh": math.tanh,
    "sigmoid": _sigmoid,
    "softplus": lambda x: math.log1p(math.exp(x)), "relu": lambda x: max(x, 0.0),
    "leaky_relu": lambda x, slope: x if x > 0 else slope * x,
    "elu": lambda x, alpha: x if x > 0 else alpha * math.expm1(x),
    "sin": math.sin, "cos": math.cos, "sum": lambda *xs: math.fsum(xs),
    "logsumexp": lambda *xs: math.log(math.fsum(map(math.exp, xs))),  # |x| <= BOUND: no overflow
    "max": lambda *xs: sorted(xs)[-1], "min": lambda *xs: sorted(xs)[0],
    "dot": lambda *ps: math.fsum(map(operator.mul, ps[: len(ps) // 2], ps[len(ps) // 2 :]))
    + (ps[-1] if len(ps) % 2 else 0.0),
}


def evaluate(e: Expression) -> float:
    """The expression on floats, by the reference table."""
    nodes = list(e.inputs)
    for step in e.steps:
        args = [a.value if isinstance(a, Const) else nodes[a] for a in step.args]
        if step.op == "dot" and len(args) % 2:  # ws, xs, bias: pair the first 2n
            nodes.append(REFERENCE["dot"](*args[:-1]) + args[-1])
        else:
            nodes.append(REFERENCE[step.op](*args))
    return nodes[-1]


def check_domain(node: Value) -> None:
    """Every operand at least MARGIN inside its op's domain and away from its kink."""
    ps = [p.data for p in node.parents]
    if node.op in ("log", "sqrt", "pow"):
        assert ps[0] > MARGIN, node
    if node.op == "log1p":
        assert ps[0] > MARGIN - 1, node
    if node.op in ("abs", "relu", "leaky_relu", "elu") or (node.op == "**" and node.arg < 0):
        assert abs(ps[0]) > MARGIN, node
    if node.op == "**" and not node.arg.is_integer():
        assert ps[0] > MARGIN, node
    if node.op == "/":
        assert abs(ps[1]) > MARGIN, node
    if node.op in ("max", "min"):  # no two operands tie, nor nearly
        assert all(b - a > MARGIN for a, b in itertools.pairwise(sorted(ps))), node
    assert node.op == "" or abs(node.data) <= BOUND, node


# ---- the strategies' guarantees, on random examples ----


@settings(max_examples=1000 if CI else 100)
@given(expressions(n_inputs=(1, 4), max_nodes=12))
def test_expressions_stay_in_domain_and_match_the_float_reference(e):
    assert 1 <= e.n_inputs == len(e.inputs) <= 4 and 1 <= len(e.steps) <= 12
    assert all(-3 <= x <= 3 for x in e.inputs)
    out = e.fn(*[Value(x) for x in e.inputs])
    for node in topological_order(out):
        check_domain(node)
    assert math.isclose(out.data, evaluate(e), rel_tol=1e-9, abs_tol=1e-12), e


@given(finite_floats(-2.5, 1e3))
def test_finite_floats_are_bounded_and_finite(x):
    assert math.isfinite(x) and -2.5 <= x <= 1e3


def consumers(e: Expression) -> tuple[int, int]:
    """The most uses of one input and of one interior node, in the Value graph fn builds."""
    inputs = [Value(x) for x in e.inputs]
    order = topological_order(e.fn(*inputs))
    uses = Counter(id(p) for node in order for p in node.parents)
    interior = [uses[id(node)] for node in order if node.parents]
    return max(uses[id(x)] for x in inputs), max(interior, default=0)


def test_examples_use_every_op_share_inputs_and_nodes_and_grow_large():
    ops, most = Counter(), Counter()

    @settings(max_examples=300, database=None)
    @given(expressions(max_nodes=30))
    def collect(e):
        ops.update(e.ops)
        input_uses, interior_uses = consumers(e)
        for key, value in [("input", input_uses), ("interior", interior_uses),
                           ("size", len(e.steps))]:
            most[key] = max(most[key], value)
        assert len(e.steps) <= 30

    collect()
    assert set(ops) == set(OPS)
    assert most["input"] >= 3 and most["interior"] >= 3 and most["size"] >= 15, most


@settings(max_examples=50)
@given(expressions(n_inputs=1, ops=["log"]))
def test_a_narrow_op_list_is_respected(e):
    assert e.ops == {"log"} and e.inputs[0] > MARGIN


@pytest.mark.parametrize(
    "kwargs", [{"ops": ["tan"]}, {"ops": []}, {"n_inputs": 0}, {"max_nodes": 0},
               {"n_inputs": (3, 2)}, {"margin": -1.0}])
def test_bad_arguments_raise_value_error(kwargs):
    with pytest.raises(ValueError, match="expressions: need"):
        expressions(**kwargs)


# ---- fn replays on any Values ----


def test_fn_replays_on_fresh_values_each_call():
    e = Expression(2, (0.5, 2.0), (Step("*", (0, 1)), Step("tanh", (2,)), Step("+", (3, 2))))
    x, y = Value(0.5, "x"), Value(2.0, "y")
    out = e.fn(x, y)
    out.backward()
    t = math.tanh(1.0)
    assert out.data == e.fn(Value(0.5), Value(2.0)).data == t + 1.0
    assert math.isclose(x.grad, (1 - t * t) * 2 + 2, rel_tol=1e-12)
    with pytest.raises(TypeError, match="takes 2 inputs, got 1"):
        e.fn(x)


# ---- printing as math ----


def formula(n: int, *steps: tuple) -> str:
    return Expression(n, (1.0,) * n, tuple(Step(op, args) for op, args in steps)).formula


def test_repr_prints_the_formula_and_the_point():
    e = Expression(2, (0.5, 2.0), (Step("*", (0, 1)), Step("tanh", (2,)), Step("log", (2,)),
                                   Step("+", (3, 4))))
    assert repr(e) == "f(x0, x1) = tanh(x0 * x1) + log(x0 * x1)  at x0=0.5, x1=2.0"


@pytest.mark.parametrize(
    "n, steps, expected",
    [
        (2, [("+", (0, 1)), ("*", (2, 0))], "(x0 + x1) * x0"),
        (2, [("-", (1, 0)), ("-", (0, 2))], "x0 - (x1 - x0)"),
        (2, [("-", (0, 1)), ("-", (2, 0))], "x0 - x1 - x0"),
        (2, [("+", (0, 1)), ("neg", (2,))], "-(x0 + x1)"),
        (1, [("neg", (0,)), ("neg", (1,))], "-(-x0)"),
        (1, [("neg", (0,)), ("**", (1, Const(2.0)))], "(-x0) ** 2"),
        (1, [("neg", (0,)), ("pow", (Const(2.0), 1))], "2 ** (-x0)"),
        (2, [("pow", (0, 1)), ("pow", (2, 1))], "(x0 ** x1) ** x1"),
        (2, [("pow", (1, 0)), ("pow", (0, 2))], "x0 ** x1 ** x0"),
        (1, [("*", (Const(-1.5), 0))], "-1.5 * x0"),
        (1, [("/", (0, Const(0.5))), ("**", (1, Const(-0.5)))], "(x0 / 0.5) ** (-0.5)"),
        (1, [("leaky_relu", (0, Const(0.1))), ("elu", (1, Const(2.0)))],
         "elu(leaky_relu(x0, 0.1), 2)"),
        (2, [("dot", (0, 1, 1, 0, 0))], "dot([x0, x1], [x1, x0], x0)"),
        (2, [("sum", (0, 1, 0)), ("exp", (2,))], "exp(sum(x0, x1, x0))"),
        (3, [("sin", (2,))], "sin(x2)"),
    ],
)
def test_formula_uses_the_fewest_parentheses_that_keep_the_meaning(n, steps, expected):
    assert formula(n, *steps) == f"f({', '.join(f'x{i}' for i in range(n))}) = {expected}"


def test_long_shared_subexpressions_are_named_once():
    steps = [("+", (0, 1)), ("sigmoid", (2,)), ("tanh", (3,)), ("*", (4, 4)), ("+", (5, 2))]
    assert formula(2, *steps) == "f(x0, x1) = t1 * t1 + (x0 + x1) where t1 = tanh(sigmoid(x0 + x1))"


# ---- Hypothesis is optional ----


def test_import_autograd_does_not_import_hypothesis():
    code = "import sys, autograd, autograd.gradcheck; assert 'hypothesis' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_hypothesis_autograd_testing_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "autograd.testing")
    with pytest.raises(ImportError, match=r"pip install 'scalar-autograd\[testing\]'"):
        importlib.import_module("autograd.testing")
