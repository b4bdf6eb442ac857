"""Optimizers (SGD with momentum and Nesterov, Adam) and learning-rate schedules.

An optimizer holds a list of parameters; ``step()`` updates each ``p.data`` from ``p.grad``
(under ``no_grad``, so no graph is recorded) and ``zero_grad()`` clears the grads.

The slides' updates, with g = dL/dW (their alpha on g is 1 here; eta is ``lr``):

- plain:     W <- W - eta g
- momentum:  M_k = beta M_{k-1} + g;  W <- W - eta M_k
- Nesterov:  M_k = beta M_{k-1} + g(W - eta beta M_{k-1});  W <- W - eta M_k
  (the gradient at the look-ahead point). We store the look-ahead point itself,
  U = W - eta beta M, as PyTorch does; substituting gives
  U <- U - eta (g(U) + beta M_k), M_k = beta M_{k-1} + g(U): the same iterates, one
  gradient per step, taken at the parameters the model holds.
- weight decay lambda adds lambda W to g (the gradient of (lambda/2) ||W||^2).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from autograd import Value, no_grad, zero_grad
from autograd.scalar import positive_int


class Optimizer:
    """Base class: holds ``params`` and ``lr``; subclasses define ``update``."""

    def __init__(self, params: Iterable[Value], lr: float):
        self.params = list({id(p): p for p in params}.values())  # a tied one is stepped once
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"optimizer parameters must be Values (model.parameters()), "
                                f"got {type(p).__name__} at position {i}: {p!r:.60}")
        _check(">= 0", {"learning rate": lr})
        self.lr = float(lr)

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0."""
        zero_grad(self.params)

    def step(self) -> None:
        """Update every parameter once from its current ``grad``: all of them, or none.

        Every new value is computed before any is set, so if one raises (a grad that is not
        a number), no parameter moves and the optimizer's state is as it was.
        """
        ps = self.params
        saved = {k: list(v) for k, v in vars(self).items() if isinstance(v, list) and v is not ps}
        with no_grad():
            try:
                grads = [_number(p.grad) for p in ps]
                new = [self.update(i, ps[i].data, g) for i, g in enumerate(grads)]
            except BaseException:
                vars(self).update(saved)  # momentum, moments: back to before the step
                raise
            for p, w in zip(ps, new, strict=True):
                p.data = w

    def update(self, i: int, w: float, g: float) -> float:
        """The new value of parameter ``i`` (value ``w``, gradient ``g``)."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum/Nesterov and weight decay."""

    def __init__(self, params: Iterable[Value], lr: float = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0):
        super().__init__(params, lr)
        _check("in [0, 1)", {"momentum": momentum})
        _check(">= 0", {"weight_decay": weight_decay})
        if nesterov and not momentum > 0:
            raise ValueError("nesterov needs momentum > 0")
        self.momentum, self.nesterov, self.weight_decay = momentum, nesterov, weight_decay
        self.velocity = [0.0] * len(self.params)  # M_k, one per parameter (M_0 = 0)

    def update(self, i: int, w: float, g: float) -> float:
        """g += lambda w; M_k = beta M_{k-1} + g; w - lr M_k (Nesterov: w - lr (g + beta M_k))."""
        g += self.weight_decay * w
        if self.momentum:
            m = self.velocity[i] = self.momentum * self.velocity[i] + g  # M_k
            g = g + self.momentum * m if self.nesterov else m
        return w - self.lr * g

    def __repr__(self) -> str:
        return (f"SGD(lr={self.lr}, momentum={self.momentum}, nesterov={self.nesterov}, "
                f"weight_decay={self.weight_decay})")


class Adam(Optimizer):
    """Adam (Kingma & Ba), with PyTorch's defaults and update.

    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  bias-corrected m^ = m / (1 - b1^t),
    v^ = v / (1 - b2^t);  W <- W - lr m^ / (sqrt(v^) + eps)   (eps outside the root).
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        _check("> 0", {"eps": eps})
        _check(">= 0", {"weight_decay": weight_decay})
        if len(betas) != 2 or not all(_ok("in [0, 1)", b) for b in betas):
            raise ValueError(f"Adam needs two betas in [0, 1), got {betas!r}")
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self.t = 0

    def step(self) -> None:
        """One Adam step: advance t, then update every parameter (t stays if the step fails)."""
        self.t += 1
        try:
            super().step()
        except BaseException:
            self.t -= 1
            raise

    def update(self, i: int, w: float, g: float) -> float:
        """The Adam step of the class docstring for parameter ``i``, at step ``t``."""
        b1, b2 = self.betas
        g += self.weight_decay * w
        self.m[i] = b1 * self.m[i] + (1 - b1) * g
        self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
        m_hat = self.m[i] / (1 - b1**self.t)
        v_hat = self.v[i] / (1 - b2**self.t)
        return w - self.lr * m_hat / (math.sqrt(v_hat) + self.eps)

    def __repr__(self) -> str:
        return (f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps}, "
                f"weight_decay={self.weight_decay})")


_RULES = {">= 0": lambda x: x >= 0, "> 0": lambda x: x > 0, "in [0, 1)": lambda x: 0 <= x < 1}


def _real(value: Any) -> bool:
    """Is ``value`` a real number: an int or a float, not a bool (nor a str)?"""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _ok(rule: str, value: Any) -> bool:
    """Is ``value`` a finite real number that satisfies ``rule``?"""
    return _real(value) and math.isfinite(value) and _RULES[rule](value)


def _check(rule: str, settings: dict[str, Any]) -> None:
    """Raise for the first setting that is not a finite number ``rule``: TypeError if it is
    no number at all (a str, a bool), ValueError if it is out of range, NaN or infinite."""
    for name, value in settings.items():
        if not _ok(rule, value):
            error = ValueError if _real(value) else TypeError
            raise error(f"{name} must be {rule} (a finite number), got {value!r}")


def _number(grad: Any) -> float:
    """A parameter's gradient as a float (it is a Value after ``create_graph``)."""
    if isinstance(grad, Value):
        return grad.data
    if isinstance(grad, (str, bytes)):  # float("0.5") would read it as a number
        raise TypeError(f"a parameter's grad must be a number, got {type(grad).__name__}: "
                        f"{grad!r:.60}")
    return float(grad)


class LRSchedule:
    """Sets ``optimizer.lr = base_lr * factor(k)`` after the k-th call of ``step()``."""

    def __init__(self, optimizer: Optimizer):
        self.optimizer, self.base_lr, self.k = optimizer, optimizer.lr, 0

    def factor(self, k: int) -> float:
        """The multiplier of the base learning rate at step ``k``."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one step (an epoch, usually) and set the optimizer's learning rate."""
        self.k += 1
        self.optimizer.lr = self.base_lr * self.factor(self.k)


class LinearLR(LRSchedule):
    """Factor going linearly from ``start`` to ``end`` over ``total`` steps, then staying.

    micrograd's demo, lr = 1.0 - 0.9 k / 100, is ``LinearLR(SGD(ps, lr=1.0), 1.0, 0.1, 100)``.
    """

    def __init__(self, optimizer: Optimizer, start: float = 1.0, end: float = 0.1,
                 total: int = 100):
        _check(">= 0", {"start": start, "end": end})
        super().__init__(optimizer)
        self.start, self.end, self.total = start, end, positive_int("total", total)
        optimizer.lr = self.base_lr * start

    def factor(self, k: int) -> float:
        """start + (end - start) min(k, total) / total."""
        return self.start + (self.end - self.start) * min(k, self.total) / self.total


class StepLR(LRSchedule):
    """Multiply the learning rate by ``gamma`` every ``step_size`` steps."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        _check("> 0", {"gamma": gamma})
        super().__init__(optimizer)
        self.step_size, self.gamma = positive_int("step_size", step_size), gamma

    def factor(self, k: int) -> float:
        """gamma ** (k // step_size)."""
        return self.gamma ** (k // self.step_size)
