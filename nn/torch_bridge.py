"""Take a model to PyTorch and back: ``to_torch(model)`` and ``from_torch(module)``.

``to_torch`` builds a float64 ``torch.nn.Sequential`` with the same layers, activations and
weights: each dense layer a ``Linear`` (row j of its weight is neuron j's ``w``), each
activation its PyTorch module, each Dropout a ``Dropout``. Outputs and gradients agree with
this library's to rounding (about 1e-15 relative). ``softplus`` becomes a module computing
it as this library does (max(x, 0) + log(1 + e^-|x|)), exact at any x where PyTorch's
``Softplus`` switches to x above 20; ``step`` and ``sign`` become modules with no gradient.

``from_torch`` reads a ``Sequential`` (nested ones too) of ``Linear`` layers, each followed
by at most one activation and Dropout, back into an ``MLP`` (or a ``Sequential`` of
``Layer``s and ``Dropout``s where the activations differ). Anything else raises a
ValueError that names the module. Needs PyTorch (``pip install scalar-autograd[torch]``).
"""

from __future__ import annotations

import functools
from typing import Any

from .activations import ACTIVATIONS
from .layers import MLP, Dropout, Layer, Neuron, Sequential
from .module import Module

DEFAULTS = {"leaky_relu": ("negative_slope", 0.01), "elu": ("alpha", 1.0)}  # nn's activations


@functools.cache  # one class per module kind, so that from_torch recognizes to_torch's
def _modules() -> tuple[Any, dict[str, Any]]:
    """torch, and {activation name: a function making its torch module}."""
    import torch

    class Softplus(torch.nn.Module):
        """max(x, 0) + log1p(e^-|x|): softplus without overflow, exact for every x."""

        def forward(self, x: Any) -> Any:
            return torch.clamp(x, min=0.0) + torch.log1p(torch.exp(-torch.abs(x)))

    class Step(torch.nn.Module):
        """Heaviside (0.5 at 0), with no gradient, as ``nn``'s step."""

        def forward(self, x: Any) -> Any:
            return torch.heaviside(x.detach(), torch.tensor(0.5, dtype=x.dtype))

    class Sign(torch.nn.Module):
        """Signum, with no gradient, as ``nn``'s sign."""

        def forward(self, x: Any) -> Any:
            return torch.sign(x.detach())

    tn = torch.nn
    return torch, {"linear": tn.Identity, "relu": tn.ReLU, "leaky_relu": tn.LeakyReLU,
                   "elu": tn.ELU, "tanh": tn.Tanh, "sigmoid": tn.Sigmoid, "softplus": Softplus,
                   "step": Step, "sign": Sign}


def to_torch(model: Module) -> Any:
    """A float64 ``torch.nn.Sequential`` computing what ``model`` computes, with its weights."""
    torch, activations = _modules()
    parts: list[Any] = []
    for layer in _flat(model):
        if isinstance(layer, Dropout):
            parts.append(torch.nn.Dropout(layer.p))
            continue
        neurons = layer.neurons
        linear = torch.nn.Linear(len(neurons[0].w), len(neurons), dtype=torch.float64)
        with torch.no_grad():
            f64 = torch.float64
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in neurons], dtype=f64))
            linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=f64))
        if layer.activation not in activations:
            raise ValueError(f"to_torch: no PyTorch module for the activation "
                             f"{layer.activation!r} of {layer!r}")
        parts += [linear, activations[layer.activation]()]
    return torch.nn.Sequential(*parts).train(model.training)


def _flat(model: Any) -> list[Any]:
    """The model as a list of Layers (a Neuron as a Layer of one) and Dropouts."""
    if isinstance(model, (Layer, Dropout)):
        return [model]
    if isinstance(model, Neuron):
        layer = Layer.__new__(Layer)
        layer.neurons, layer.activation = [model], model.activation
        return [layer]
    if isinstance(model, MLP):
        parts = [[layer, model.dropout] for layer in model.layers[:-1]]
        return [p for pair in parts for p in pair if p is not None] + [model.layers[-1]]
    if isinstance(model, Sequential):
        return [p for layer in model.layers for p in _flat(layer)]
    raise ValueError(f"to_torch: cannot express {type(model).__name__} ({model!r}) in PyTorch")


def from_torch(module: Any) -> Module:
    """An ``MLP`` (or ``Sequential``) with ``module``'s layers, activations and weights."""
    torch, activations = _modules()
    names = {cls: name for name, cls in activations.items()}
    layers: list[Any] = []
    for name, part in _leaves(module):
        if isinstance(part, torch.nn.Linear):
            layers.append(_layer(name, part))
        elif isinstance(part, torch.nn.Dropout) and layers:
            layers.append(Dropout(part.p))
        elif type(part) in names and layers and isinstance(layers[-1], Layer) \
                and layers[-1].activation == "linear":
            _activate(name, part, names[type(part)], layers[-1])
        else:
            raise ValueError(f"from_torch: cannot express {name} ({part}) with nn: it takes "
                             "Linear layers, each followed by one activation and a Dropout")
    return _assemble(layers)


def _leaves(module: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(name, module) of every module that has no submodules, in order."""
    children = list(module.named_children())
    if not children:
        return [(prefix or type(module).__name__, module)]
    return [leaf for name, child in children
            for leaf in _leaves(child, f"{prefix}.{name}" if prefix else name)]


def _layer(name: str, linear: Any) -> Layer:
    """A linear Layer with the Linear's weights (row j: neuron j)."""
    if linear.bias is None:
        raise ValueError(f"from_torch: {name} ({linear}) has no bias; nn's layers always do")
    weight, bias = linear.weight.detach().tolist(), linear.bias.detach().tolist()
    layer = Layer(linear.in_features, linear.out_features, "linear")
    for neuron, ws, b in zip(layer.neurons, weight, bias, strict=True):
        for w, value in zip(neuron.w, ws, strict=True):
            w.data = float(value)
        neuron.b.data = float(b)
    return layer


def _activate(name: str, part: Any, activation: str, layer: Layer) -> None:
    """Give ``layer`` the activation of the torch module ``part`` (default parameters only)."""
    if activation in DEFAULTS:
        attr, value = DEFAULTS[activation]
        if getattr(part, attr) != value:
            raise ValueError(f"from_torch: {name} ({part}): nn's {activation} has "
                             f"{attr}={value}")
    layer.activation = activation
    for neuron in layer.neurons:
        neuron.activation, neuron._phi = activation, ACTIVATIONS[activation]


def _assemble(layers: list[Any]) -> Module:
    """An MLP if the layers fit its pattern (one hidden activation, dropout after each
    hidden layer or none), else a Sequential."""
    dense = [layer for layer in layers if isinstance(layer, Layer)]
    drops = {layer.p for layer in layers if isinstance(layer, Dropout)}
    hidden = {layer.activation for layer in dense[:-1]}
    pattern = [type(x) for x in layers]
    expected = ([Layer, Dropout] * (len(dense) - 1) if drops else [Layer] * (len(dense) - 1))
    if not dense or len(hidden) > 1 or len(drops) > 1 or pattern != [*expected, Layer]:
        return Sequential(*layers)
    model = MLP(len(dense[0].neurons[0].w), [len(d.neurons) for d in dense],
                activation=hidden.pop() if hidden else "relu",
                output_activation=dense[-1].activation, dropout=drops.pop() if drops else 0.0)
    model.layers[:] = dense
    return model
