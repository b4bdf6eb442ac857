"""Forward mode from the same rules: jvp, jacfwd and hvp, in the style of JAX.

``f`` runs once on Values, then tangents flow forward through its graph in topological
order: tangent(node) = sum_i d node/d parent_i * tangent(parent_i), with the local
derivatives the rules gave (``node.local_grads``; recomputed on Values by the rules when the
result must be differentiable itself, as ``backward(create_graph=True)`` does). One pass
gives one directional derivative: a column of the Jacobian, where reverse mode gives a row.

As in ``functional.py``, numbers in give numbers out; Values in, or a call inside another
transform, give Values that carry their graph, so transforms nest: ``hvp`` is the jvp of
the gradient (forward over reverse), the Hessian times v without building the Hessian.

>>> from autograd import jvp, jacfwd, hvp
>>> jvp(lambda x, y: x * y + x.sin(), (0.0, 2.0), (1.0, 0.0))   # (f, df/dx)
(0.0, 3.0)
>>> jacfwd(lambda x, y: [x * y, x + y])(3.0, 2.0)
[[2.0, 3.0], [1.0, 1.0]]
>>> hvp(lambda x, y: x * x * y, (3.0, 2.0), (1.0, 0.0))        # H @ (1, 0)
[4.0, 6.0]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .backprop import local_grads_as_values
from .engine import Value
from .functional import _inputs, _outputs, _plain, _traced, grad, matrix_of
from .graph import topological_order
from .modes import transforming

Fn = Callable[..., Any]


def push_tangents(outputs: Sequence[Any], inputs: Sequence[Value],
                  directions: Sequence[Sequence[Any]], create_graph: bool) -> list[list[Any]]:
    """For each direction (the tangents of ``inputs``; 0 for every other leaf), the tangent of
    each output: one walk of the graph, one local derivative per edge, a pass per direction."""
    starts = {id(x): k for k, x in enumerate(inputs)}
    wanted = tuple(o for o in outputs if isinstance(o, Value))
    root = Value(0.0)  # a stand-in whose parents are the outputs: one walk for all of them
    walk = lambda n: wanted if n is root else () if id(n) in starts else n.parents
    order = [n for n in topological_order(root, walk)[:-1] if n.parents and id(n) not in starts]
    local = [local_grads_as_values(n) if create_graph else n.local_grads for n in order]
    return [_push(order, local, starts, ts, outputs) for ts in directions]


def _push(order: list[Value], local: list[tuple[Any, ...]], starts: dict[int, int],
          ts: Sequence[Any], outputs: Sequence[Any]) -> list[Any]:
    """tangent(node) = sum_i d node/d parent_i * tangent(parent_i), parents first.

    An input whose tangent is the number 0 adds no terms, as if it were a constant (so an
    infinite d node/d input does not make 0 * inf = NaN: J e_j is exactly column j).
    """
    tangent = {i: ts[k] for i, k in starts.items() if isinstance(ts[k], Value) or ts[k] != 0}
    for node, ds in zip(order, local, strict=True):
        terms = [d * tangent[id(p)] for p, d in zip(node.parents, ds, strict=True)
                 if id(p) in tangent]
        if terms:  # else it depends on no input: its tangent is 0
            tangent[id(node)] = _sum(terms)
    return [tangent.get(id(out), 0.0) for out in outputs]


def _sum(terms: list[Any]) -> Any:
    """t_1 + t_2 + ..., left to right (Values stay Values)."""
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def jvp(f: Fn, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """(f(*primals), the derivative of f at primals along tangents), as ``jax.jvp``.

    ``f`` returns one Value (or number), or a list or tuple of them: the tangent then has
    the same shape.
    """
    primals, tangents = _sequence("jvp", "primals", primals), _sequence("jvp", "tangents", tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    traced = _traced((*primals, *tangents))
    with transforming():
        xs = _inputs(primals)
        out = f(*xs)
        outs = _outputs(out)
        [ts] = push_tangents(outs, xs, [[_tangent(t, traced) for t in tangents]], traced)
    if not traced:
        outs, ts = [_plain(o) for o in outs], [_plain(t) for t in ts]
    if isinstance(out, (list, tuple)):
        return type(out)(outs), type(out)(ts)
    return outs[0], ts[0]


def _sequence(caller: str, name: str, xs: Any) -> tuple[Any, ...]:
    """``xs`` as a tuple: one entry per input of f (a lone number is a TypeError)."""
    if not isinstance(xs, Iterable) or isinstance(xs, (str, Value)):
        raise TypeError(f"{caller}: {name} must be a sequence with one entry per input of f, "
                        f"as ({xs!r:.40},), got {type(xs).__name__}")
    return tuple(xs)


def _tangent(t: Any, traced: bool) -> Any:
    """A tangent as a float, or as it is (a Value too) when the result carries a graph."""
    return t if traced and isinstance(t, Value) else Value(t).data


def jacfwd(f: Fn) -> Fn:
    """A function returning ``J[i][j] = d f_i / d x_j``, one forward pass per input (a column)."""
    return matrix_of(f, _forward_rows)


def _forward_rows(outs: list[Any], xs: list[Value], traced: bool) -> list[list[Any]]:
    """The Jacobian's rows from its columns: the tangents along each input's direction."""
    basis = [[float(i == j) for i in range(len(xs))] for j in range(len(xs))]
    columns = push_tangents(outs, xs, basis, traced)
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def hvp(f: Fn, primals: Sequence[Any], v: Sequence[Any]) -> list[Any]:
    """The Hessian of scalar ``f`` at ``primals`` times ``v``: the jvp of its gradient."""
    primals, v = _sequence("hvp", "primals", primals), _sequence("hvp", "v", v)
    if len(primals) != len(v):
        raise ValueError(f"hvp: {len(primals)} primals but v has {len(v)} entries")
    argnums = tuple(range(len(primals)))

    def gradient(*xs: Any) -> list[Any]:
        return list(grad(f, argnums)(*xs))

    product: list[Any] = jvp(gradient, primals, v)[1]
    return product
