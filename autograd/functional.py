"""A functional API in the style of JAX: grad, value_and_grad, jacobian, hessian.

Each transform takes ``f``, a function of one Value per input (separate arguments), and
returns a function of plain numbers that returns plain numbers. Called with Values instead,
or inside another transform's ``f``, it returns Values that carry their own graph, so
transforms compose: ``grad(grad(f))`` is the second derivative, and an inner ``grad`` of an
outer input is differentiated too. (A Value from outside every transform counts only if it
reaches ``f`` as an argument; else its result is a number, as in JAX.)

>>> from autograd import grad, hessian
>>> f = lambda x, y: x * x * y + y.sin()
>>> grad(f)(3.0, 0.0)          # df/dx = 2 x y
0.0
>>> grad(grad(lambda x: x ** 3))(2.0)   # d2/dx2 x^3 = 6 x
12.0
>>> hessian(lambda x, y: x * x * y)(3.0, 2.0)
[[4.0, 6.0], [6.0, 0.0]]
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar, overload

from .engine import Operand, Value, lift
from .graph import topological_order
from .modes import DEPTH, transforming

Fn = Callable[..., Operand]  # a function of Values returning one Value (or a number)
VectorFn = Callable[..., "Operand | Sequence[Operand]"]  # ... or several, in a list or tuple
Argnums = int | Sequence[int]
F_co = TypeVar("F_co", covariant=True)
V_co = TypeVar("V_co", covariant=True)


class Transformed(Protocol[F_co, V_co]):
    """What a transform returns: numbers in, numbers (``F_co``) out; Values in, Values out.

    Inside another transform's ``f`` even number arguments give Values (typed as numbers:
    a Value supports the same arithmetic).
    """

    @overload
    def __call__(self, *args: float) -> F_co: ...
    @overload
    def __call__(self, *args: Value) -> V_co: ...
    @overload
    def __call__(self, *args: Operand) -> F_co | V_co: ...


def _traced(args: Sequence[Any]) -> bool:
    """Return Values with their graph (not numbers): Value arguments, or an outer transform."""
    return DEPTH.get() > 0 or any(isinstance(a, Value) for a in args)


def _inputs(args: Sequence[Any]) -> list[Value]:
    """Fresh leaves for numbers; for Values, identity nodes (a * 1), so partials stay partial."""
    return [a * 1.0 if isinstance(a, Value) else Value(a) for a in args]


def _plain(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _results(xs: Sequence[Any], traced: bool) -> list[Any]:
    """Values (a number lifted: a gradient that no path reached) if traced, else floats."""
    return [lift(x) for x in xs] if traced else [_plain(x) for x in xs]


def _jacobian_rows(outputs: Sequence[Any], wrt: Sequence[Value], create_graph: bool
                   ) -> list[list[Any]]:
    """d outputs[i] / d wrt[j], by one backward pass per output.

    Leaves' ``grad`` are put back afterwards, so a transform never disturbs gradients the
    caller is accumulating (like ``torch.autograd.grad``, not ``backward``).
    """
    leaves = {id(n): n for out in outputs if isinstance(out, Value)
              for n in topological_order(out) if not n.parents}
    saved = [(leaf, leaf.grad) for leaf in leaves.values()]
    rows: list[list[Any]] = []
    try:
        for out in outputs:
            for w in wrt:
                w.grad = 0.0
            if isinstance(out, Value):
                out.backward(create_graph=create_graph)
            rows.append([w.grad for w in wrt])
    finally:
        for leaf, g in saved:
            leaf.grad = g
    return rows


def _argnums(argnums: Argnums, n: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, (int, str)) else tuple(argnums)
    for i in nums:
        if isinstance(i, bool) or not isinstance(i, int):
            raise TypeError(f"argnums must be an int or a tuple of ints, got {argnums!r:.60}")
        if not -n <= i < n:
            raise ValueError(f"argnums {i} is out of range for a function called with {n} inputs")
    return nums


def _scalar_output(f: Fn, xs: list[Value]) -> Any:
    out = f(*xs)
    if isinstance(out, (list, tuple)):
        raise TypeError("f returned a sequence: grad needs one scalar output (use jacobian)")
    if not isinstance(out, (Value, numbers.Real)):
        raise TypeError(f"grad: f must return a Value or a number, got {type(out).__name__}")
    return out


def _outputs(out: Any) -> list[Any]:
    """f's outputs as a list: one Value or number, or a list or tuple of them."""
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    for o in outs:
        if not isinstance(o, (Value, numbers.Real)):
            raise TypeError("jacobian: f must return Values or numbers, in a list or tuple if "
                            f"several, got {type(o).__name__}")
    return outs


@overload
def value_and_grad(f: Fn, argnums: int = 0) -> Transformed[tuple[float, float],
                                                           tuple[Value, Value]]: ...
@overload
def value_and_grad(f: Fn, argnums: Sequence[int]) -> Transformed[
    tuple[float, tuple[float, ...]], tuple[Value, tuple[Value, ...]]]: ...


def value_and_grad(f: Fn, argnums: Argnums = 0) -> Transformed[Any, Any]:
    """A function returning (f(*args), df/d args[argnums]); a tuple of grads for a tuple."""

    def value_and_grad_f(*args: Operand) -> tuple[Any, Any]:
        traced = _traced(args)
        nums = _argnums(argnums, len(args))
        with transforming():
            xs = _inputs(args)
            out = _scalar_output(f, xs)
            [row] = _jacobian_rows([out], [xs[i] for i in nums], create_graph=traced)
        value, grads = _results([out], traced)[0], _results(row, traced)
        return value, grads[0] if isinstance(argnums, int) else tuple(grads)

    return value_and_grad_f


@overload
def grad(f: Fn, argnums: int = 0) -> Transformed[float, Value]: ...
@overload
def grad(f: Fn, argnums: Sequence[int]) -> Transformed[tuple[float, ...], tuple[Value, ...]]: ...


def grad(f: Fn, argnums: Argnums = 0) -> Transformed[Any, Any]:
    """A function returning df/d args[argnums] (composable: ``grad(grad(f))``)."""
    vg = value_and_grad(f, argnums)
    return lambda *args: vg(*args)[1]


def jacobian(f: VectorFn) -> Transformed[list[list[float]], list[list[Value]]]:
    """A function returning ``J[i][j] = d f_i / d x_j`` for ``f`` returning a list of Values."""
    return matrix_of(f, lambda outs, xs, traced: _jacobian_rows(outs, xs, create_graph=traced))


def matrix_of(f: VectorFn, rows: Callable[[list[Any], list[Value], bool], list[list[Any]]]
              ) -> Transformed[list[list[float]], list[list[Value]]]:
    """A function running ``f`` on input Values, then ``rows(outputs, inputs, traced)``: a
    Jacobian (reverse or forward mode), of numbers, or of Values when traced."""

    def jacobian_f(*args: Operand) -> list[list[Any]]:
        traced = _traced(args)
        with transforming():
            xs = _inputs(args)
            matrix = rows(_outputs(f(*xs)), xs, traced)
        return [_results(row, traced) for row in matrix]

    return jacobian_f


def hessian(f: Fn) -> Transformed[list[list[float]], list[list[Value]]]:
    """A function returning ``H[i][j] = d2 f / dx_i dx_j`` as a list of lists."""

    def hessian_f(*args: Operand) -> list[list[Any]]:
        traced = _traced(args)
        with transforming():
            xs = _inputs(args)
            out = _scalar_output(f, xs)
            [grads] = _jacobian_rows([out], xs, create_graph=True)
            rows = _jacobian_rows(grads, xs, create_graph=traced)
        return [_results(row, traced) for row in rows]

    return hessian_f
