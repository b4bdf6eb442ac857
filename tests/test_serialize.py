"""pickle and copy.deepcopy of Values, graphs and modules: any depth, same gradients after."""

from __future__ import annotations

import copy
import math
import pickle

import pytest

import autograd
import nn
from autograd import Value, dot, logsumexp, topological_order
from tests.strategies import assert_close

pickle_round_trip = lambda obj: pickle.loads(pickle.dumps(obj))
ROUND_TRIPS = [pickle_round_trip, copy.deepcopy]


def regrad(root: Value) -> None:
    """Zero every grad in ``root``'s graph, then backpropagate again."""
    for node in topological_order(root):
        node.grad = 0.0
    root.backward()


def leaf(root: Value, label: str) -> Value:
    return next(n for n in topological_order(root) if n.label == label)


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_n_ary_nodes_work_after_a_round_trip(round_trip):
    x, w = Value(0.5, "x"), Value(-2.0, "w")
    z = autograd.sum([x * w, dot([x, w], [w, x]), logsumexp([x, w])])
    z2 = round_trip(z)
    assert [p.op for p in z2.parents] == ["*", "dot", "logsumexp"]
    regrad(z2)
    # z = xw + 2xw + log(e^x + e^w): dz/dx = 3w + softmax_x, dz/dw = 3x + softmax_w
    sx = math.exp(0.5) / (math.exp(0.5) + math.exp(-2.0))
    assert_close(leaf(z2, "x").grad, 3 * -2.0 + sx, rel=1e-12, abs_=0)
    assert_close(leaf(z2, "w").grad, 3 * 0.5 + (1 - sx), rel=1e-12, abs_=0)
    assert z2.data == z.data


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_a_100000_step_chain_round_trips_and_backpropagates(round_trip):
    a, n = 1 - 1e-5, 100_000
    x = Value(0.7, "x")
    y = x
    for _ in range(n):
        y = y * a + x  # y_n = x (a^n + (a^n - 1)/(a - 1))
    y2 = round_trip(y)
    assert len(topological_order(y2)) == len(topological_order(y))
    y2.backward()
    assert_close(leaf(y2, "x").grad, a**n + (a**n - 1) / (a - 1), rel=1e-9, abs_=0)
    assert x.grad == 0.0  # the original graph is untouched


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_shared_nodes_stay_shared(round_trip):
    x = Value(3.0, "x")
    y = x * x
    z = y + y
    x2, y2, z2 = round_trip([x, y, z])
    assert z2.parents == (y2, y2) and y2.parents == (x2, x2) and x2 is not x
    z2.backward()
    assert x2.grad == 4 * 3.0  # d(2x^2)/dx


def test_copy_is_a_new_node_on_the_same_parents():
    x = Value(3.0, "x")
    y = (x * 2).tanh()
    y2 = copy.copy(y)
    assert y2 is not y and y2.parents == y.parents and y2.op == "tanh" and y2.data == y.data


def test_gradients_of_gradients_round_trip():
    x = Value(1.5, "x")
    y = x * x * x
    y.backward(create_graph=True)
    x2 = pickle_round_trip(x)
    dydx = x2.grad  # a Value: 3x^2, with its own graph
    assert dydx.data == 3 * 1.5**2
    dydx.backward()
    assert_close(x2.grad.data if isinstance(x2.grad, Value) else x2.grad, 3 * 1.5**2 + 6 * 1.5,
                 rel=1e-12, abs_=0)


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_a_model_round_trips_and_trains_the_same(round_trip):
    model = nn.MLP(3, [4, 4, 1], seed=0)
    model2 = round_trip(model)
    assert repr(model2) == repr(model) and model2.state_dict() == model.state_dict()
    x = [0.3, -1.2, 0.8]
    for m in (model, model2):
        m(x).backward()
    assert [p.grad for p in model2.parameters()] == [p.grad for p in model.parameters()]
    assert all(p is not q for p, q in zip(model.parameters(), model2.parameters(), strict=True))


class Tagged(Value):
    """A subclass with attributes of its own (a ``__dict__``)."""


def test_a_subclass_keeps_its_type_and_attributes():
    w = Tagged(2.0, "w")
    w.tag = "weight"
    y = w * 3.0
    y2 = pickle_round_trip(y)
    w2 = y2.parents[0]
    assert type(w2) is Tagged and w2.tag == "weight" and w2.data == 2.0


def test_a_graph_whose_defined_op_is_not_made_here_names_it(monkeypatch):
    @autograd.op(derivative=lambda x, out: 2 * x)
    def s_square(x: float) -> float:
        return x * x

    data = pickle.dumps(s_square(Value(3.0, "x")) * 2)
    monkeypatch.delitem(autograd.RULES, "s_square")  # as in a process that never defined it
    y = pickle.loads(data)
    y.backward()  # the local derivatives travel with the graph
    assert leaf(y, "x").grad == 12.0
    with pytest.raises(LookupError, match=r"no derivative rule for op 's_square': .* import it"):
        y.backward(create_graph=True)
