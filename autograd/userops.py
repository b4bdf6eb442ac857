"""Your own ops: a float function and its derivative rule, then first-class like a built-in.

>>> import math
>>> from autograd import Value, op
>>> @op(derivative=lambda x, out: 1 - out * out)   # d/dx tanh(x) = 1 - tanh(x)^2
... def my_tanh(x: float) -> float:
...     return math.tanh(x)
>>> x = Value(0.5)
>>> y = my_tanh(x)
>>> y.op, y.data == math.tanh(0.5)
('my_tanh', True)
>>> y.backward()
>>> x.grad == 1 - math.tanh(0.5) ** 2
True

The rule is registered in ``RULES`` like a built-in one, so backward, ``create_graph``, the
functional transforms, forward mode, ``jit``, anomaly mode, the drawings and ``gradcheck`` all
use it. The compiled mode calls the forward (and a rule that needs floats) by reference.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from . import rules as r
from .engine import Operand, Value, lift
from .modes import transforming
from .nodes import _binary, _nary, _unary
from .scalar import as_float

Derivative = Callable[..., Any]  # (x_1, ..., x_n, out) -> d out/d x_1 (a number) or a tuple
_FLOAT_ONLY = (TypeError, AttributeError)  # math.f(Value), Value.data missing on a symbol
DEFINED: dict[str, Op] = {}
"""Every op made by ``autograd.op``, by name (the test strategies replay steps by name)."""


class Op:
    """An op made by ``autograd.op``: call it on Values (or numbers) to add a node."""

    def __init__(self, forward: Callable[..., float], derivative: Derivative, name: str,
                 arity: int, domain: tuple[float, float] | None) -> None:
        self.forward, self.derivative, self.name = forward, derivative, name
        self.arity, self.domain = arity, domain
        self.__doc__, self.__wrapped__ = forward.__doc__, forward
        self._forward_ref, self._rule_ref = r.register(name, self._rule, arity, self._float)
        DEFINED[name] = self

    def __repr__(self) -> str:
        return f"<autograd op {self.name!r} of {self.arity} input(s)>"

    def __call__(self, *args: Operand) -> Value:
        """A new node: the forward on the inputs' data, its local derivatives from the rule."""
        if len(args) != self.arity:
            raise TypeError(f"op {self.name!r} takes {self.arity} input(s), got {len(args)}")
        xs = tuple(map(lift, args))
        out = self._float(*(x.data for x in xs))
        if self.arity == 1:
            return _unary(self.name, xs[0], out)
        if self.arity == 2:
            return _binary(self.name, xs[0], xs[1], out)
        return _nary(self.name, xs, out, r.apply_rule(self.name, [x.data for x in xs], out))

    def _float(self, *xs: float) -> float:
        """The forward on floats, as a float (what the compiled mode calls as ``_u<k>``)."""
        try:
            out = self.forward(*xs)
        except (ArithmeticError, ValueError) as error:  # a domain error: name the op and point
            raise _renamed(error, f"op {self.name!r}: {error} at {xs}") from error
        if not isinstance(out, numbers.Real) or isinstance(out, bool):
            raise TypeError(f"op {self.name!r}: the forward must return a real number, "
                            f"got {type(out).__name__}: {out!r:.60}")
        return float(out)

    def _rule(self, *args: Any) -> Any:
        """The derivative, checked: on floats, numbers; on Values, a graph; on symbols, code."""
        if all(type(a) is float for a in args):
            try:
                ds = self.derivative(*args)
            except (ArithmeticError, ValueError) as error:  # name the op and the point
                raise _renamed(error, f"op {self.name!r}, its derivative: {error} at "
                                      f"{args[:-1]}") from error
            return self._shape(ds, as_float)  # a str is no number
        try:
            with transforming():  # float(v) raises here: math.tanh(v) would leave the graph
                ds = self._shape(self.derivative(*args), lambda d: d)
        except _FLOAT_ONLY as error:
            if any(hasattr(a, "symbolic_call") for a in args):  # compiled: call it as it is
                return _by_reference(self._rule_ref, args, self.arity)
            raise self._float_only(str(error)) from None
        if not any(hasattr(a, "symbolic_call") for a in args):
            self._check_constants(args, ds)
        return ds

    def _float_only(self, why: str) -> TypeError:
        return TypeError(
            f"op {self.name!r}: its derivative works on floats only ({why}), so it has no "
            "derivatives of its own (backward(create_graph=True), hessian, grad of grad, "
            "hvp): write it with arithmetic and autograd.math")

    def _shape(self, ds: Any, each: Callable[[Any], Any]) -> Any:
        """One derivative for one input, a tuple of ``arity`` for several; each one a number."""
        many = self.arity > 1
        if many != isinstance(ds, (tuple, list)) or (many and len(ds) != self.arity):
            want = "a number" if not many else f"a tuple of {self.arity} numbers"
            raise TypeError(f"op {self.name!r}: the derivative must return {want} (one per "
                            f"input), got {type(ds).__name__}: {ds!r:.60}")
        try:
            return tuple(map(each, ds)) if many else each(ds)
        except TypeError:
            raise TypeError(f"op {self.name!r}: the derivative must return numbers, got "
                            f"{ds!r:.60}") from None

    def _check_constants(self, args: tuple[Any, ...], ds: Any) -> None:
        """A plain number given Values must be a constant derivative, else its graph is lost."""
        ds = ds if self.arity > 1 else (ds,)
        if all(isinstance(d, Value) for d in ds):
            return
        nearby = self._nearby([float(getattr(a, "data", a)) for a in args[:-1]])
        for d, near in zip(ds, nearby, strict=False):
            if not isinstance(d, Value) and float(d) != near:
                raise self._float_only(f"given Values, it returned the plain number "
                                       f"{float(d)!r}, which changes with the inputs")

    def _nearby(self, xs: list[float]) -> tuple[float, ...]:
        """The derivatives a relative 1e-6 away from ``xs`` (either side); () if undefined."""
        for step in (1e-6, -1e-6):
            moved = [x + (abs(x) or 1.0) * step for x in xs]
            try:
                ds = self._rule(*moved, self._float(*moved))
            except (ArithmeticError, ValueError):
                continue
            return ds if self.arity > 1 else (ds,)
        return ()


def _renamed(error: Exception, message: str) -> Exception:
    """The same kind of error with ``message`` (the error itself if its type needs more)."""
    try:
        return type(error)(message)
    except TypeError:
        return error


def _by_reference(ref: str, args: tuple[Any, ...], arity: int) -> Any:
    """Symbols calling the checked rule by its generated name: ``_u0d(x, out)[i]``."""
    from .symbolic import Sym, as_sym  # the compiled mode, only when it is used

    call = f"{ref}({', '.join(as_sym(a).text for a in args)})"
    return Sym(call) if arity == 1 else tuple(Sym(f"{call}[{i}]") for i in range(arity))


def _arity(forward: Callable[..., Any]) -> int:
    """The number of positional inputs of ``forward`` (those without a default)."""
    params = inspect.signature(forward).parameters.values()
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        raise TypeError("autograd.op: the forward must take a fixed number of inputs, not *args")
    n = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
            for p in params)
    if n == 0:
        raise TypeError("autograd.op: the forward must take at least one input")
    return n


def _check_takes(derivative: Derivative, arity: int, name: str) -> None:
    """A derivative that cannot take (x_1, ..., x_n, out) is refused when the op is made."""
    try:
        inspect.signature(derivative).bind(*range(arity + 1))
    except ValueError:  # no signature to read (some builtins): it is tried at its first call
        return
    except TypeError:
        inputs = ", ".join(f"x{i}" for i in range(1, arity + 1)) if arity > 1 else "x"
        raise TypeError(f"op {name!r}: the derivative must take ({inputs}, out), the "
                        f"forward's {arity} input(s) and its output") from None


def op(derivative: Derivative, *, name: str | None = None,
       domain: Sequence[float] | None = None) -> Callable[[Callable[..., float]], Op]:
    """Make a float function an op: ``@autograd.op(derivative=lambda x, out: ...)``.

    The forward takes floats and returns a real number. ``derivative(x_1, ..., x_n, out)``
    returns d out/d x_1 for one input, a tuple (d out/d x_1, ..., d out/d x_n) for several;
    written with arithmetic and ``autograd.math`` it also runs on Values, so the op has
    higher derivatives. ``name`` defaults to the function's name (a taken name is a
    ValueError); ``domain`` = (low, high) is where ``autograd.testing.expressions`` draws
    its inputs.
    """
    if not callable(derivative):
        raise TypeError(f"autograd.op: derivative must be callable, got {derivative!r:.60}")
    if domain is not None and not (len(domain) == 2 and float(domain[0]) < float(domain[1])):
        raise ValueError(f"autograd.op: domain must be (low, high), low < high; got {domain!r}")

    def make(forward: Callable[..., float]) -> Op:
        op_name = forward.__name__ if name is None else name
        if not isinstance(op_name, str):
            raise TypeError(f"autograd.op: name must be a str, got {type(op_name).__name__}")
        if not op_name:  # "" marks a leaf
            raise ValueError("autograd.op: the name must not be empty")
        bounds = None if domain is None else (float(domain[0]), float(domain[1]))
        _check_takes(derivative, _arity(forward), op_name)
        return Op(forward, derivative, op_name, _arity(forward), bounds)

    return make
