"""nn.Maxout: each unit the max of k affine pieces; gradients reach the winning piece only
and match central differences; it works in Sequential and as an MLP's hidden layers, and it
saves and loads like every Module."""

from __future__ import annotations

import math
import random

import pytest

import nn
from autograd import Value
from tests.strategies import assert_grads_match


def affine(neuron: nn.Neuron, x: list[float]) -> float:
    return math.fsum(w.data * xi for w, xi in zip(neuron.w, x, strict=True)) + neuron.b.data


def test_each_unit_is_the_max_of_its_pieces():
    layer = nn.Maxout(3, 2, k=4, seed=1)
    x = [0.5, -1.0, 2.0]
    pieces = [affine(n, x) for n in layer.pieces.neurons]
    out = layer(x)
    assert [v.op for v in out] == ["max", "max"]
    for j, v in enumerate(out):
        assert math.isclose(v.data, max(pieces[4 * j : 4 * j + 4]), abs_tol=1e-14)  # rounding


def test_only_the_winning_piece_learns_and_its_gradient_is_the_input():
    layer = nn.Maxout(2, 1, k=3, seed=2)
    x = [1.5, -0.5]
    winner = max(range(3), key=lambda i: affine(layer.pieces.neurons[i], x))
    layer(x).backward()
    for i, n in enumerate(layer.pieces.neurons):
        want = [*x, 1.0] if i == winner else [0.0, 0.0, 0.0]
        assert [w.grad for w in n.w] + [n.b.grad] == want


def test_parameter_gradients_match_central_differences():
    rng = random.Random(3)
    model = nn.Sequential(nn.Maxout(2, 3, k=2, rng=rng), nn.Layer(3, 1, "linear", rng=rng))
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(5)]
    loss = lambda: nn.mean([nn.mse(model(x), t) for x, t in zip(X, [1, -1, 1, -1, 1], strict=True)])
    assert_grads_match(loss, model.parameters())


def test_an_mlp_with_maxout_hidden_layers():
    model = nn.MLP(2, [4, 3, 1], activation="maxout", pieces=3, seed=0)
    assert repr(model) == ("MLP([Maxout(2, 4, k=3), Maxout(4, 3, k=3), "
                           "Layer(3, 1, activation='linear')])")
    assert len(model.parameters()) == 4 * 3 * 3 + 3 * 3 * 5 + 4
    out = model([0.3, -0.7])
    assert out.op == "dot"  # the linear output layer
    assert {p.op for p in out.parents} >= {"max"}


def test_state_dict_and_files_round_trip(tmp_path):
    model = nn.MLP(2, [5, 1], activation="maxout", seed=4)
    path = tmp_path / "maxout.json"
    model.save(path)
    copy = nn.MLP(2, [5, 1], activation="maxout", seed=5).load(path)
    assert copy.state_dict() == model.state_dict()
    assert copy([0.2, 0.9]).data == model([0.2, 0.9]).data
    assert "layers.0.pieces.neurons.9.b" in model.state_dict()
    with pytest.raises(ValueError):  # k = 2 pieces per unit is not k = 3
        nn.MLP(2, [5, 1], activation="maxout", pieces=3).load(path)


def test_one_output_is_a_value_and_bad_sizes_are_errors():
    assert isinstance(nn.Maxout(2, 1, seed=0)([Value(1.0), 2.0]), Value)
    with pytest.raises(ValueError, match="k must be a positive int"):
        nn.Maxout(2, 3, k=0)
    with pytest.raises(ValueError, match="nout must be a positive int"):
        nn.Maxout(2, 0)


def test_maxout_is_a_layer_not_a_neuron_activation():
    with pytest.raises(ValueError, match=r"maxout is a layer: nn\.Maxout"):
        nn.Layer(2, 3, activation="maxout")


def test_mlp_pieces_are_checked_under_their_own_name():
    with pytest.raises(ValueError, match="pieces must be a positive int, got 0"):
        nn.MLP(2, [4, 1], activation="maxout", pieces=0)  # it said "k must be..."
    with pytest.raises(ValueError, match="pieces=3 is for activation='maxout'"):
        nn.MLP(2, [4, 1], pieces=3)  # silently ignored before
