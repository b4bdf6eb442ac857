"""Activation functions phi(z) by name, each one op of the engine (or none, for linear).

``step`` and ``sign`` are the perceptron's threshold units (the slides' activation table).
Their derivative is 0 wherever it exists, so they return a new constant leaf: the graph is
cut there and ``backward`` sends no gradient through them (train a perceptron with its own
learning rule, or use a smooth activation).

>>> from autograd import Value
>>> z = Value(-2.0)
>>> [ACTIVATIONS[name](z).data for name in ("linear", "relu", "step", "sign")]
[-2.0, 0.0, 0.0, -1.0]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Union

from autograd import Value

Activation = Callable[[Value], Value]
ActivationLike = Union[str, Activation]


def linear(z: Value) -> Value:
    """phi(z) = z: no node at all."""
    return z


def step(z: Value) -> Value:
    """Heaviside: 0 for z < 0, 0.5 at z = 0, 1 for z > 0 (the slides' table); a constant leaf."""
    x = z.data
    return Value(1.0 if x > 0 else 0.0 if x < 0 else 0.5)


def sign(z: Value) -> Value:
    """Signum: -1 for z < 0, 0 at z = 0, 1 for z > 0; a constant leaf (zero gradient)."""
    x = z.data
    return Value(1.0 if x > 0 else -1.0 if x < 0 else 0.0)


ACTIVATIONS: dict[str, Activation] = {
    "linear": linear,
    "relu": Value.relu,
    "leaky_relu": Value.leaky_relu,  # slope 0.01
    "elu": Value.elu,  # alpha 1
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "softplus": Value.softplus,
    "step": step,
    "sign": sign,
}
"""Activation functions by name: each maps a pre-activation Value z to phi(z)."""


def get_activation(activation: ActivationLike) -> tuple[str, Activation]:
    """``(name, function)`` for an activation given by name or as a callable Value -> Value."""
    if callable(activation):
        return getattr(activation, "__name__", type(activation).__name__), activation
    try:
        return activation, ACTIVATIONS[activation]
    except (KeyError, TypeError):
        layer = " (maxout is a layer: nn.Maxout, or nn.MLP(..., activation='maxout'))" \
            if activation == "maxout" else ""
        raise ValueError(
            f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}{layer}"
        ) from None
