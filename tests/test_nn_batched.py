"""fit(vmap=True): the same training as eager fit, up to the rounding of batch sums."""

from __future__ import annotations

import pytest

import nn

pytest.importorskip("numpy")


def both(make, loss, data, alpha=0.0, **kwargs):
    """The histories and final parameters of eager fit and of fit(vmap=True), same start;
    ``alpha``: the weight of an L2 penalty."""
    out = []
    for vmap in (False, True):
        model = make()
        opt = nn.Adam(model.parameters(), lr=0.05)
        penalty = (lambda m=model: alpha * nn.l2(m.parameters())) if alpha else None
        history = nn.fit(model, loss, data, opt, quiet=True, vmap=vmap, penalty=penalty,
                         **kwargs)
        out.append((history, [p.data for p in model.parameters()]))
    return out


def test_hinge_with_penalty_and_minibatches_trains_as_eager():
    X, y = nn.make_moons(60, noise=0.1, seed=0)
    y = [2.0 * t - 1 for t in y]
    model = lambda: nn.MLP(2, [8, 8, 1], seed=1)
    (h1, p1), (h2, p2) = both(model, nn.hinge, (X, y), epochs=5, batch_size=16,
                              alpha=1e-3)
    assert h1["accuracy"] == h2["accuracy"]
    assert h1["loss"] == pytest.approx(h2["loss"], rel=1e-10)
    assert p1 == pytest.approx(p2, rel=1e-9, abs=1e-12)


def test_classes_and_test_data_train_as_eager():
    X, y = nn.make_spirals(45, 3, seed=0)
    model = lambda: nn.MLP(2, [10, 3], activation="tanh", seed=2)
    (h1, p1), (h2, p2) = both(model, nn.cross_entropy, (X, y), epochs=4,
                              test_data=(X[:10], y[:10]))
    assert h1.keys() == h2.keys()
    for key in h1:
        assert h1[key] == pytest.approx(h2[key], rel=1e-10), key
    assert p1 == pytest.approx(p2, rel=1e-9, abs=1e-12)


def test_a_penalty_on_the_params_is_added():
    X, y = [[0.5], [1.5], [-1.0]], [1.0, 2.0, 0.0]
    model = lambda: nn.MLP(1, [4, 1], activation="softplus", seed=0)
    (_, p1), (_, p2) = both(model, nn.mse, (X, y), epochs=3, metric=None, alpha=0.1)
    (_, p3), _ = both(model, nn.mse, (X, y), epochs=3, metric=None)
    assert p1 == pytest.approx(p2, rel=1e-12)
    assert p1 != pytest.approx(p3, rel=1e-3)  # the penalty made a difference


def test_a_model_with_dropout_is_refused_by_name():
    model = nn.MLP(2, [4, 1], dropout=0.5, seed=0)
    with pytest.raises(ValueError, match=r"trace once: dropout \(Dropout\(p=0.5\)\)"):
        nn.fit(model, nn.hinge, ([[0.0, 1.0]], [1.0]), nn.SGD(model.parameters()), vmap=True)


def test_a_model_with_a_step_activation_is_refused_by_name():
    model = nn.MLP(2, [4, 1], activation="step", seed=0)
    with pytest.raises(ValueError, match=r"layers.0.neurons.0 uses the step activation"):
        nn.fit(model, nn.hinge, ([[0.0, 1.0]], [1.0]), nn.SGD(model.parameters()), vmap=True)
