"""A small neural-network library on the ``autograd`` engine: modules, losses, optimizers, data.

micrograd's demo: an MLP on two moons, hinge loss plus an L2 penalty, SGD with a decaying
learning rate.

>>> import nn
>>> X, y = nn.make_moons(20, noise=0.1, seed=0)
>>> y = [2 * t - 1 for t in y]  # hinge labels in {-1, +1}
>>> model = nn.MLP(2, [8, 1], seed=0)
>>> opt = nn.SGD(model.parameters(), lr=0.5)
>>> history = nn.fit(model, nn.hinge, (X, y), opt, epochs=3, quiet=True)
>>> len(history["loss"]), sorted(history)
(3, ['accuracy', 'loss'])
"""

from autograd import __version__

from .activations import ACTIVATIONS, get_activation
from .data import (
    batches,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
    train_test_split,
)
from .functional import log_softmax, logsumexp, softmax
from .init import INITS, get_init, he, make_rng, uniform, xavier
from .layers import MLP, Dropout, Layer, Maxout, Neuron, Sequential
from .losses import (
    bce_with_logits,
    binary_cross_entropy,
    cross_entropy,
    hinge,
    l1,
    l2,
    mean,
    mse,
    nll,
)
from .module import Module
from .optim import SGD, Adam, LinearLR, LRSchedule, Optimizer, StepLR
from .torch_bridge import from_torch, to_torch
from .train import accuracy, evaluate, fit

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "MLP",
    "SGD",
    "Adam",
    "Dropout",
    "LRSchedule",
    "Layer",
    "LinearLR",
    "Maxout",
    "Module",
    "Neuron",
    "Optimizer",
    "Sequential",
    "StepLR",
    "__version__",
    "accuracy",
    "batches",
    "bce_with_logits",
    "binary_cross_entropy",
    "cross_entropy",
    "evaluate",
    "fit",
    "from_torch",
    "get_activation",
    "get_init",
    "he",
    "hinge",
    "l1",
    "l2",
    "log_softmax",
    "logsumexp",
    "make_circles",
    "make_moons",
    "make_rng",
    "make_spirals",
    "make_xor",
    "mean",
    "mse",
    "nll",
    "softmax",
    "to_torch",
    "train_test_split",
    "uniform",
    "xavier",
]
