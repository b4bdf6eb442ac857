"""to_torch / from_torch: the same outputs and gradients in PyTorch, to 1e-12; clear refusals."""

from __future__ import annotations

import importlib
import os
import random
import sys

import pytest

import autograd
import nn
from autograd import Value

# under CI on Python 3.11 (where CI installs PyTorch's CPU wheel) these tests must run
REQUIRED = bool(os.environ.get("CI")) and sys.version_info[:2] == (3, 11)
torch = importlib.import_module("torch") if REQUIRED else pytest.importorskip("torch")

ACTIVATIONS = sorted(nn.ACTIVATIONS)


def inputs(nin: int, n: int = 6, seed: int = 0) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(n)]


def outputs(model, xs):
    """The model's outputs as lists of floats, one list per input."""
    out = [model(x) for x in xs]
    return [[v.data for v in (o if isinstance(o, list) else [o])] for o in out]


def ours_grads(model, xs):
    """d/dp sum over the inputs of sum_j (output_j - 0.3)^2, for each parameter."""
    model.zero_grad()
    for x in xs:
        out = model(x)
        autograd.sum((o - 0.3) ** 2 for o in (out if isinstance(out, list) else [out])).backward()
    return [p.grad for p in model.parameters()]


def torch_grads(module, xs):
    """The same gradients through PyTorch, in nn's parameter order (neuron by neuron)."""
    module.zero_grad()
    ((module(torch.tensor(xs, dtype=torch.float64)) - 0.3) ** 2).sum().backward()
    linears = [m for m in module.modules() if isinstance(m, torch.nn.Linear)]
    grad = lambda p: torch.zeros_like(p) if p.grad is None else p.grad  # behind step or sign
    return [g for m in linears for row, b in zip(grad(m.weight).tolist(), grad(m.bias).tolist(),
                                                 strict=True) for g in (*row, b)]


def assert_close(a, b, tol=1e-12):
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert abs(x - y) <= tol * max(1.0, abs(x)), (x, y)


def flat(rows):
    return [v for row in rows for v in row]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_gives_the_same_outputs_and_grads(activation):
    last = "linear" if activation in ("step", "sign") else activation  # else no grad at all
    model = nn.MLP(3, [5, 4, 2], activation=activation, output_activation=last, seed=1)
    module = nn.to_torch(model)
    xs = inputs(3)
    got = module(torch.tensor(xs, dtype=torch.float64)).tolist()
    assert_close(flat(got), flat(outputs(model, xs)))
    assert_close(torch_grads(module, xs), ours_grads(model, xs))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_round_trip_keeps_the_weights_and_activations(activation):
    model = nn.MLP(2, [3, 1], activation=activation, output_activation="sigmoid", seed=2)
    back = nn.from_torch(nn.to_torch(model))
    assert isinstance(back, nn.MLP)
    assert repr(back) == repr(model)
    assert [p.data for p in back.parameters()] == [p.data for p in model.parameters()]
    xs = inputs(2)
    assert outputs(back, xs) == outputs(model, xs)


def test_softplus_is_exact_where_pytorchs_switches_to_linear():
    model = nn.MLP(1, [1], output_activation="softplus", seed=0)
    model.layers[0].neurons[0].w[0].data = 1.0
    for x in (25.0, 1000.0, -40.0):
        got = nn.to_torch(model)(torch.tensor([[x]], dtype=torch.float64)).item()
        assert got == model([x]).data


@pytest.mark.parametrize("make", [
    lambda: nn.Neuron(3, "tanh", seed=0),
    lambda: nn.Layer(3, 4, "elu", seed=0),
    lambda: nn.Sequential(nn.Layer(3, 4, "relu", seed=0), nn.Dropout(0.5),
                          nn.Layer(4, 2, "tanh", seed=1)),
    lambda: nn.MLP(3, [4, 4, 2], dropout=0.25, seed=3),
])
def test_every_layer_type_round_trips(make):
    model = make().eval()  # Dropout passes its input through, in both libraries
    module = nn.to_torch(model).eval()
    xs = inputs(3)
    ours = outputs(model, xs)
    assert_close(flat(module(torch.tensor(xs, dtype=torch.float64)).tolist()), flat(ours))
    assert_close(torch_grads(module, xs), ours_grads(model, xs))
    back = nn.from_torch(module).eval()
    assert outputs(back, xs) == ours
    kinds = lambda m: [(type(part).__name__, getattr(part, "p", None)) for part in m.modules()]
    assert kinds(nn.to_torch(back)) == kinds(module)  # the same layers, dropouts included


def test_mixed_activations_come_back_as_a_sequential():
    module = torch.nn.Sequential(torch.nn.Linear(2, 3, dtype=torch.float64), torch.nn.Tanh(),
                                 torch.nn.Linear(3, 3, dtype=torch.float64), torch.nn.ReLU(),
                                 torch.nn.Linear(3, 1, dtype=torch.float64))
    model = nn.from_torch(module)
    assert isinstance(model, nn.Sequential)
    x = [0.5, -0.25]
    assert abs(model(x).data - module(torch.tensor([x], dtype=torch.float64)).item()) < 1e-15


@pytest.mark.parametrize(("module", "message"), [
    (lambda: torch.nn.Sequential(torch.nn.Conv1d(1, 1, 2)), r"0 \(Conv1d"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.LeakyReLU(0.2)),
     r"1 \(LeakyReLU.*negative_slope=0.01"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 2, bias=False)), "0 .* has no bias"),
    (lambda: torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Tanh()),
     r"2 \(Tanh"),
])
def test_from_torch_names_the_layer_it_cannot_express(module, message):
    with pytest.raises(ValueError, match=message):
        nn.from_torch(module())


def test_to_torch_refuses_an_activation_it_does_not_know():
    model = nn.MLP(2, [2, 1], activation=lambda z: z * z, seed=0)
    with pytest.raises(ValueError, match="no PyTorch module for the activation '<lambda>'"):
        nn.to_torch(model)


def test_a_trained_model_keeps_training_the_same_in_pytorch():
    """One SGD step in each library from the same weights lands on the same weights."""
    X, y = nn.make_moons(20, noise=0.1, seed=0)
    y = [2.0 * t - 1 for t in y]
    model = nn.MLP(2, [8, 1], seed=0)
    module = nn.to_torch(model)
    nn.fit(model, nn.hinge, (X, y), nn.SGD(model.parameters(), lr=0.1), quiet=True)
    opt = torch.optim.SGD(module.parameters(), lr=0.1)
    scores = module(torch.tensor(X, dtype=torch.float64)).squeeze(1)
    torch.relu(1 - torch.tensor(y, dtype=torch.float64) * scores).mean().backward()
    opt.step()
    assert_close(flat(nn.to_torch(model)(torch.tensor(X, dtype=torch.float64)).tolist()),
                 flat(module(torch.tensor(X, dtype=torch.float64)).tolist()))
    assert Value(0.0).grad == 0.0


def test_to_torch_names_a_layer_type_pytorch_has_no_module_for():
    model = nn.Sequential(nn.Maxout(2, 3, k=2, seed=0), nn.Layer(3, 1, seed=1))
    with pytest.raises(ValueError, match=r"cannot express Maxout \(Maxout\(2, 3"):
        nn.to_torch(model)
