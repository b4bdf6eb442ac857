"""nn modules: Neuron, Layer, MLP, Dropout, Sequential; activations, init, parameters, modes."""

from __future__ import annotations

import math
import random
import statistics

import pytest

import autograd
import autograd.cache
import nn
from autograd import Value
from tests.strategies import assert_close, assert_grads_match

SMOOTH = ["linear", "tanh", "sigmoid", "softplus", "elu"]

REFERENCE = {  # phi(z) in plain floats
    "linear": lambda z: z,
    "relu": lambda z: max(z, 0.0),
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
    "elu": lambda z: z if z > 0 else math.exp(z) - 1,
    "tanh": math.tanh,
    "sigmoid": lambda z: 1 / (1 + math.exp(-z)),
    "softplus": lambda z: math.log(1 + math.exp(z)),
    "step": lambda z: 1.0 if z > 0 else 0.0 if z < 0 else 0.5,
    "sign": lambda z: 1.0 if z > 0 else -1.0 if z < 0 else 0.0,
}


def _neuron(activation, w=(0.5, -1.5), b=0.25):
    n = nn.Neuron(len(w), activation, seed=0)
    for p, v in zip(n.w, w, strict=True):
        p.data = v
    n.b.data = b
    return n


# ---- neurons and activations ----


@pytest.mark.parametrize("activation", sorted(REFERENCE))
@pytest.mark.parametrize("x", [(1.0, 2.0), (2.0, 0.1), (0.0, 0.0), (-1.0, 0.5)])
def test_neuron_computes_phi_of_w_dot_x_plus_b(activation, x):
    out = _neuron(activation)(list(x))
    z = 0.5 * x[0] - 1.5 * x[1] + 0.25
    assert_close(out.data, REFERENCE[activation](z), rel=1e-12)


def test_preactivation_is_one_dot_node_and_activation_another():
    n = _neuron("relu")
    out = n([Value(1.0), Value(-1.0)])
    (z,) = out.parents
    assert out.op == "relu" and z.op == "dot"
    assert z.parents[:2] == tuple(n.w) and z.parents[-1] is n.b


@pytest.mark.parametrize("activation", [*SMOOTH, "relu", "leaky_relu"])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_neuron_gradients_match_finite_differences(activation, sign):
    n = _neuron(activation, w=(0.3, -0.7, 1.1), b=0.2)
    x = [Value(sign * 0.9), Value(sign * -0.4), Value(sign * 1.3)]  # z = 2.18 or -1.78
    assert_grads_match(lambda: n(x), [*n.parameters(), *x])


@pytest.mark.parametrize("activation", ["step", "sign"])
def test_threshold_units_pass_no_gradient(activation):
    n = _neuron(activation)
    out = n([2.0, 0.5])
    out.backward()
    assert out.parents == () and all(p.grad == 0.0 for p in n.parameters())


def test_activation_by_callable_and_unknown_name():
    def cube(z):
        return z**3

    assert _neuron(cube)([1.0, 0.0]).data == 0.75**3
    assert repr(_neuron(cube)) == "Neuron(2, activation='cube')"
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        nn.Neuron(2, "swish")


# ---- layers and MLPs ----


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_layer_gradients_match_finite_differences(activation):
    layer = nn.Layer(3, 2, activation, "xavier", seed=3)
    x = [Value(0.5), Value(-1.0), Value(2.0)]
    assert_grads_match(lambda: nn.l2(layer(x)), [*layer.parameters(), *x])


def test_mlp_gradients_match_finite_differences():
    model = nn.MLP(2, [4, 3, 2], activation="tanh", seed=5)
    x = [Value(0.7), Value(-0.3)]
    assert_grads_match(lambda: nn.cross_entropy(model(x), 1), [*model.parameters(), *x])


def test_relu_mlp_gradients_match_finite_differences():
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    x = [Value(0.6), Value(-0.2)]
    assert_grads_match(lambda: model(x), model.parameters(), eps=1e-7)


@pytest.mark.parametrize("nin, nouts", [(2, [16, 16, 1]), (3, [4, 5, 2]), (1, [1]), (5, [7])])
def test_parameter_count_is_sum_of_n_l_times_n_prev_plus_one(nin, nouts):
    sizes = [nin, *nouts]
    expected = sum(sizes[i] * (sizes[i - 1] + 1) for i in range(1, len(sizes)))
    model = nn.MLP(nin, nouts, seed=0)
    assert len(model.parameters()) == expected
    assert len({id(p) for p in model.parameters()}) == expected


def test_micrograd_conventions():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    assert isinstance(model([1.0, 2.0]), Value)
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert all(-1 <= p.data <= 1 for p in model.parameters())
    assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)
    out = nn.MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(nn.Layer(2, 1, seed=0)([1.0, 2.0]), Value)


def test_scalar_and_vector_are_the_call_typed_one_way():
    model = nn.MLP(2, [3, 1], seed=0)
    one, listed = model.scalar([1.0, -2.0]), model.vector([1.0, -2.0])
    assert isinstance(one, Value) and isinstance(listed, list) and len(listed) == 1
    assert one.data == listed[0].data == model([1.0, -2.0]).data
    wide = nn.MLP(2, [3, 2], seed=0)
    assert [v.data for v in wide.vector([1.0, -2.0])] == [v.data for v in wide([1.0, -2.0])]
    with pytest.raises(ValueError, match="2 outputs"):
        wide.scalar([1.0, -2.0])


def test_micrograd_uniform_init_draws_like_its_global_random():
    model = nn.MLP(2, [3, 1], seed=1337)
    rng = random.Random(1337)  # micrograd: random.seed(1337); w = random.uniform(-1, 1)
    weights = [p.data for p in model.parameters() if p.data != 0.0]
    assert weights == [rng.uniform(-1, 1) for _ in range(len(weights))]


def test_mlp_lifts_each_raw_input_once():
    model = nn.MLP(2, [4, 1], seed=0)
    out = model([1.0, 2.0])
    hidden = [relu.parents[0] for relu in out.parents[4:8]]  # dot parents: w(4), x(4), b
    inputs = {id(p) for dot in hidden for p in dot.parents[2:4]}
    assert len(inputs) == 2


def test_names_are_paths_in_a_stable_order():
    model = nn.MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                         "layers.0.neurons.0.b"]
    assert names[-1] == "layers.1.neurons.0.b" and len(names) == 13
    assert names == [name for name, _ in nn.MLP(2, [3, 1], seed=9).named_parameters()]


def test_reprs_show_the_structure():
    assert repr(nn.MLP(2, [16, 1], seed=0)) == (
        "MLP([Layer(2, 16, activation='relu'), Layer(16, 1, activation='linear')])"
    )
    assert repr(nn.Sequential(nn.Layer(2, 3, "tanh", seed=0), nn.Dropout(0.25))) == (
        "Sequential(Layer(2, 3, activation='tanh'), Dropout(p=0.25))"
    )


def test_zero_grad_clears_every_parameter():
    model = nn.MLP(2, [3, 1], seed=0)
    model([1.0, 1.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


def test_bad_sizes_are_rejected():
    for bad in (lambda: nn.Neuron(0), lambda: nn.Layer(2, 0), lambda: nn.MLP(2, [])):
        with pytest.raises(ValueError):
            bad()
    with pytest.raises(TypeError, match="nin must be a positive int, got float"):
        nn.Neuron(2.5)
    with pytest.raises(ValueError, match="lengths differ"):
        nn.Neuron(3, seed=0)([1.0, 2.0])


# ---- initialization and randomness ----


def test_seed_and_rng_are_reproducible():
    a, b = nn.MLP(2, [8, 1], seed=42), nn.MLP(2, [8, 1], rng=random.Random(42))
    assert a.state_dict() == b.state_dict()
    assert a.state_dict() != nn.MLP(2, [8, 1], seed=43).state_dict()
    with pytest.raises(ValueError, match="not both"):
        nn.MLP(2, [1], seed=1, rng=random.Random(1))
    with pytest.raises(TypeError):
        nn.MLP(2, [1], seed="1")


def test_unseeded_models_draw_from_the_global_random_like_micrograd():
    random.seed(1337)
    first = nn.MLP(2, [16, 16, 1]).state_dict()
    random.seed(1337)
    reference = [random.uniform(-1, 1) for _ in range(2 * 16 + 16 * 16 + 16)]  # micrograd's
    random.seed(1337)
    assert nn.MLP(2, [16, 16, 1]).state_dict() == first
    assert [w for w in first.values() if w != 0.0] == reference
    assert nn.MLP(2, [16, 16, 1]).state_dict() != first  # the generator moved on


def test_a_seed_leaves_the_global_random_alone():
    random.seed(7)
    expected = random.random()
    random.seed(7)
    nn.MLP(2, [4, 1], seed=0)
    nn.make_moons(10, noise=0.1, seed=0)
    assert random.random() == expected


def _weights(init, nin, nout, seed=0):
    layer = nn.Layer(nin, nout, init=init, seed=seed)
    return [w.data for n in layer.neurons for w in n.w]


def test_xavier_is_uniform_within_its_bound():
    ws = _weights("xavier", 50, 150)
    bound = math.sqrt(6 / (50 + 150))
    assert max(map(abs, ws)) <= bound and max(map(abs, ws)) > 0.95 * bound
    assert_close(statistics.pvariance(ws), bound**2 / 3, rel=0.05)  # Var U(-a, a) = a^2 / 3


def test_he_has_variance_two_over_fan_in():
    ws = _weights("he", 50, 200)
    assert_close(statistics.pvariance(ws), 2 / 50, rel=0.05)
    assert abs(statistics.fmean(ws)) < 0.01


def test_init_by_callable_and_unknown_name():
    ws = _weights(lambda rng, fan_in, fan_out: fan_in + 10 * fan_out, 2, 3)
    assert ws == [32.0] * 6
    with pytest.raises(ValueError, match="unknown init"):
        nn.Neuron(2, init="zeros")


# ---- dropout and modes ----


def test_dropout_zeroes_a_fraction_p_and_scales_the_rest():
    drop = nn.Dropout(0.25, seed=0)
    out = drop([Value(2.0) for _ in range(4000)])
    kept = [v.data for v in out if v.data != 0.0]
    assert set(kept) == {2.0 / 0.75}
    assert abs(len(kept) / 4000 - 0.75) < 0.03


def test_dropout_passes_through_in_eval_mode_and_at_p_zero():
    xs = [Value(1.0), Value(-2.0)]
    assert nn.Dropout(0.5, seed=0).eval()(xs) is xs
    assert nn.Dropout(0.0)(xs) is xs
    assert [v.data for v in nn.Dropout(1.0)(xs)] == [0.0, 0.0]
    with pytest.raises(ValueError):
        nn.Dropout(1.5)


def test_dropout_gradient_is_the_mask_times_the_scale():
    x = Value(3.0)
    y = nn.Dropout(0.5, seed=1)([x, x, x, x, x, x])
    nn.mean(y).backward()
    kept = sum(v.data != 0 for v in y)
    assert_close(x.grad, kept * 2.0 / 6)


def test_train_and_eval_reach_every_submodule():
    model = nn.MLP(2, [8, 8, 1], dropout=0.5, seed=0)
    assert all(m.training for _, m in model.named_modules())
    model.eval()
    assert not any(m.training for _, m in model.named_modules())
    x = [0.3, 0.4]
    assert model(x).data == model(x).data  # deterministic in eval mode
    model.train()
    assert model.dropout.training and repr(model).endswith("dropout=0.5)")


def test_sequential_chains_modules_and_callables():
    seq = nn.Sequential(nn.Layer(2, 3, "tanh", seed=0), nn.Layer(3, 2, "linear", seed=1),
                        nn.softmax)
    probs = seq([0.5, -0.5])
    assert_close(sum(p.data for p in probs), 1.0)
    assert len(seq.parameters()) == 3 * 3 + 2 * 4


def test_parameters_in_nested_lists_and_dicts_are_found_and_saved(tmp_path):
    class Dense(nn.Module):
        def __init__(self) -> None:
            self.W = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
            self.extra = {"scale": Value(0.5), "note": "text"}

    model = Dense()
    assert [n for n, _ in model.named_parameters()] == ["W.0.0", "W.0.1", "W.1.0", "W.1.1",
                                                        "extra.scale"]
    model.save(tmp_path / "m.json")
    other = Dense()
    other.W[1][0].data = -1.0
    assert other.load(tmp_path / "m.json").W[1][0].data == 3.0


def test_sequential_refuses_a_list_of_layers_when_made():
    layers = [nn.Layer(2, 3, seed=0), nn.Layer(3, 1, seed=0)]
    with pytest.raises(TypeError, match=r"give them one by one: Sequential\(a, b\)"):
        nn.Sequential(layers)  # a list was 'not callable' at the first call
    with pytest.raises(TypeError, match="got int at position 1"):
        nn.Sequential(layers[0], 3)
    assert nn.Sequential(*layers, lambda x: x)([1.0, 2.0]).data == nn.Sequential(*layers)(
        [1.0, 2.0]).data


@pytest.mark.parametrize("make, name", [
    (lambda: nn.Layer(2.0, 3), "nin"),
    (lambda: nn.Layer(2, "3"), "nout"),
    (lambda: nn.Maxout(2, 3, k=2.0), "k"),
    (lambda: nn.StepLR(nn.SGD([Value(1.0)], lr=0.1), step_size=True), "step_size"),
    (lambda: autograd.cache.LRU("8"), "cache size"),
    (lambda: autograd.jit(lambda x: x, cache_size=1.5), "cache size"),
    (lambda: autograd.to_dot(Value(1.0) * 2, max_nodes="9"), "max_nodes"),
])
def test_a_size_that_is_not_an_int_is_a_type_error_naming_it(make, name):
    with pytest.raises(TypeError, match=f"{name} must be a positive int, got"):
        make()


@pytest.mark.parametrize("make, name", [
    (lambda: nn.Layer(0, 3), "nin"), (lambda: autograd.cache.LRU(0), "cache size"),
    (lambda: nn.LinearLR(nn.SGD([Value(1.0)], lr=0.1), total=-2), "total"),
])
def test_a_size_below_one_is_a_value_error_naming_it(make, name):
    with pytest.raises(ValueError, match=f"{name} must be a positive int, got"):
        make()
