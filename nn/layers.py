"""Neuron, Layer, MLP (micrograd's, with activations and initializations), Maxout, Dropout,
Sequential.

A neuron computes a = phi(z), z = w . x + b (the slides' a_j = sigma(sum_k w_jk a_k + b_j)),
as two nodes: one n-ary ``dot`` for z and one for phi. A dense net with layer sizes
n_0, ..., n_L has N = sum_l n_l (n_{l-1} + 1) parameters.

>>> model = MLP(2, [16, 16, 1], seed=0)
>>> len(model.parameters()) == 16 * 3 + 16 * 17 + 1 * 17
True
>>> model([1.0, -2.0]).op
'dot'
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Sequence
from typing import Any, Union

import autograd
from autograd import Operand, Value, dot, lift, matvec
from autograd.scalar import positive_int

from .activations import ActivationLike, get_activation
from .init import InitLike, get_init, make_rng
from .module import Module

Input = Union[Sequence[Operand], Operand]


def _lift_all(x: Input) -> list[Value]:
    """The inputs as a list of Values: floats become constant leaves, once."""
    if isinstance(x, (Value, float, int, numbers.Number)):  # one input (float, int: for typing)
        return [lift(x)]
    return [v if type(v) is Value else lift(v) for v in x]


def _single(out: list[Value]) -> Value | list[Value]:
    """micrograd's convention: one output comes back as a Value, several as a list."""
    return out[0] if len(out) == 1 else out


class Neuron(Module):
    """phi(w . x + b): ``nin`` weights drawn by ``init``, bias 0."""

    def __init__(self, nin: int, activation: ActivationLike = "relu", init: InitLike = "uniform",
                 *, fan_out: int = 1, seed: int | None = None, rng: random.Random | None = None):
        draw, rng = get_init(init), make_rng(seed, rng)
        nin = positive_int("nin", nin)
        # labelled leaves: drawings show parameters as records with their grads, not constants
        self.w = [Value(draw(rng, nin, fan_out), f"w{i}") for i in range(nin)]
        self.b = Value(0.0, "b")
        self.activation, self._phi = get_activation(activation)

    def __call__(self, x: Sequence[Operand]) -> Value:
        return self._phi(dot(self.w, x, self.b))

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; returns a Value if ``nout == 1``."""

    def __init__(self, nin: int, nout: int, activation: ActivationLike = "relu",
                 init: InitLike = "uniform", *, seed: int | None = None,
                 rng: random.Random | None = None):
        rng = make_rng(seed, rng)
        self.neurons = [Neuron(nin, activation, init, fan_out=nout, rng=rng)
                        for _ in range(positive_int("nout", nout))]
        self.activation = self.neurons[0].activation

    def forward(self, xs: list[Value]) -> list[Value]:
        """The outputs as a list, for inputs already lifted to Values."""
        zs = matvec([n.w for n in self.neurons], xs, [n.b for n in self.neurons])
        return [n._phi(z) for n, z in zip(self.neurons, zs, strict=True)]

    def __call__(self, x: Input) -> Value | list[Value]:
        return _single(self.forward(_lift_all(x)))

    def __repr__(self) -> str:
        nin = len(self.neurons[0].w)
        return f"Layer({nin}, {len(self.neurons)}, activation={self.activation!r})"


class Maxout(Module):
    """``nout`` maxout units: unit j is max_i (w_ji . x + b_ji) over ``k`` affine pieces.

    The slides' max(w_1 . x + b_1, w_2 . x + b_2) is ``k=2``. A unit learns a convex
    piecewise-linear activation (relu and |x| are maxouts of two pieces); its gradient goes
    to the winning piece (``autograd.max``). Piece i of unit j is ``pieces.neurons[j k + i]``.
    """

    def __init__(self, nin: int, nout: int, k: int = 2, init: InitLike = "uniform", *,
                 seed: int | None = None, rng: random.Random | None = None):
        self.k = positive_int("k", k)
        self.pieces = Layer(nin, positive_int("nout", nout) * k, "linear", init,
                            seed=seed, rng=rng)

    def forward(self, xs: list[Value]) -> list[Value]:
        """The outputs as a list, for inputs already lifted to Values."""
        zs, k = self.pieces.forward(xs), self.k
        return [autograd.max(zs[j : j + k]) for j in range(0, len(zs), k)]

    def __call__(self, x: Input) -> Value | list[Value]:
        return _single(self.forward(_lift_all(x)))

    def __repr__(self) -> str:
        nin, n = len(self.pieces.neurons[0].w), len(self.pieces.neurons)
        return f"Maxout({nin}, {n // self.k}, k={self.k})"


def _dense(nin: int, nout: int, activation: ActivationLike, init: InitLike, pieces: int,
           rng: random.Random) -> Layer | Maxout:
    """A Layer, or for ``activation="maxout"`` a Maxout of ``pieces`` pieces per unit."""
    if isinstance(activation, str) and activation == "maxout":
        return Maxout(nin, nout, pieces, init, rng=rng)
    return Layer(nin, nout, activation, init, rng=rng)


class MLP(Module):
    """Dense layers of sizes ``nouts``: ``activation`` between them, ``output_activation`` last.

    ``MLP(2, [16, 16, 1])`` is micrograd's demo net (relu hidden layers, linear output,
    U(-1, 1) weights). With ``dropout=p`` a Dropout follows every hidden layer. With
    ``activation="maxout"`` the hidden layers are ``Maxout`` layers of ``pieces`` pieces.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: ActivationLike = "relu",
                 output_activation: ActivationLike = "linear", init: InitLike = "uniform",
                 *, dropout: float = 0.0, pieces: int = 2, seed: int | None = None,
                 rng: random.Random | None = None):
        if not nouts:
            raise ValueError("MLP needs at least one layer size in nouts")
        uses_maxout = "maxout" in (activation, output_activation)
        if pieces != 2 and not uses_maxout:
            raise ValueError(f"MLP: pieces={pieces!r} is for activation='maxout'")
        positive_int("pieces", pieces)
        rng = make_rng(seed, rng)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            _dense(sizes[i], sizes[i + 1], output_activation if i == last else activation,
                   init, pieces, rng)
            for i in range(len(nouts))
        ]
        self.dropout = Dropout(dropout, rng=rng) if dropout else None

    def __call__(self, x: Input) -> Value | list[Value]:
        return _single(self.vector(x))

    def vector(self, x: Input) -> list[Value]:
        """The outputs as a list, even for one: ``model(x)`` typed for several outputs."""
        xs = _lift_all(x)  # once per example, not once per neuron
        for layer in self.layers[:-1]:
            xs = layer.forward(xs)
            if self.dropout is not None:
                xs = self.dropout(xs)
        return self.layers[-1].forward(xs)

    def scalar(self, x: Input) -> Value:
        """The one output as a Value: ``model(x)`` typed for a net with one output."""
        outs = self.vector(x)
        if len(outs) != 1:
            raise ValueError(f"scalar: this MLP has {len(outs)} outputs (vector(x) returns them)")
        return outs[0]

    def __repr__(self) -> str:
        extra = f", dropout={self.dropout.p}" if self.dropout is not None else ""
        return f"MLP([{', '.join(map(repr, self.layers))}]{extra})"


class Dropout(Module):
    """In training mode zero each input with probability ``p`` and scale the rest by 1/(1-p).

    The scaling ("inverted dropout") keeps E[output] = input, so evaluation mode simply
    passes the input through. A dropped input becomes a constant 0 (no gradient).
    """

    def __init__(self, p: float = 0.5, *, seed: int | None = None,
                 rng: random.Random | None = None):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must be in [0, 1], got {p!r}")
        self.p = float(p)
        self._rng = make_rng(seed, rng)

    def __call__(self, x: Any) -> Any:
        if not self.training or self.p == 0.0:
            return x
        if isinstance(x, Value):
            return self([x])[0]
        keep, rand = 1.0 - self.p, self._rng.random
        scale = 1.0 / keep if keep else 0.0
        return [v * scale if rand() < keep else Value(0.0) for v in x]

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


class Sequential(Module):
    """Apply modules (or any callables) one after another: ``Sequential(Layer(2, 8), ...)``."""

    def __init__(self, *layers: Any):
        for i, layer in enumerate(layers):
            if not callable(layer):
                hint = " (give them one by one: Sequential(a, b))" * isinstance(layer, list)
                raise TypeError(f"Sequential takes modules or callables{hint}, got "
                                f"{type(layer).__name__} at position {i}")
        self.layers = list(layers)

    def __call__(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def __repr__(self) -> str:
        return f"Sequential({', '.join(map(repr, self.layers))})"
