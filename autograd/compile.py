"""Compiled mode: trace a function once, then replay new floats through generated Python.

``jit(f)`` calls ``f`` once with Value inputs, reads the graph it builds, and generates
straight-line Python for the forward pass and for the backward pass (``codegen.py``, from the
same derivative rules as eager mode), compiled once. Later calls run that code on floats:
no nodes, no graph walk. Values and gradients equal eager mode's bit for bit (only the sign
of a zero gradient may differ where a leaf's incoming ``grad`` is -0.0, and a NaN's sign).

Programs are cached by the graph's *structure* (ops, constant parameters, parent wiring and
the values of constants), so tracing the same structure again reuses the same code. Both
caches are bounded LRU caches (``cache.py``), per function and shared, safe across threads.

Python control flow on a Value (``if x > 0:``, Python's ``max(a, b)``) is recorded while f is
traced (``modes.TRACE``): each comparison that depends on an input becomes a guard, part of
the structure key, checked first by the generated code; a call where one comes out otherwise
raises ``TraceError`` (no re-trace: see docs/numbers.md). Converting a traced Value to a
float (``float(v)``, ``math.exp(v)``) is a TypeError. What tracing cannot see: control flow
on numbers read from ``.data`` (``if x.data > 0:`` takes one branch at trace time and that
branch is baked in), and the data of any leaf that is neither an argument nor in ``params``
(it becomes a constant). Kinks inside ops are fine: ``relu``, ``abs``, ``max`` and friends
generate a conditional. ``check=True`` guards the rest: every call also runs ``f`` in eager
mode and raises ``TraceError`` if the graph or a number differs.

The name ``jit`` (as in ``jax.jit``, which has the same trace-once contract) avoids shadowing
the builtin ``compile`` on ``from autograd import *``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, overload

from .cache import LRU
from .codegen import generate
from .engine import Operand, Value
from .modes import TRACE, enable_grad, gc_paused
from .rules import REFERENCES
from .symbolic import NAMESPACE
from .tracecheck import (
    Entries,
    Flipped,
    TraceError,
    checked_settings,
    difference,
    eager_result,
    flip_error,
    same,
    structure_key,
    traced_root,
    unfit,
)

Key = tuple[Any, ...]  # generate's args: (sizes, wrt, entries, unit seed, loop, fresh, guards)
Signature = tuple[int, tuple[tuple[int, Any], ...]]  # (number of arguments, static (i, value)s)
Structure = tuple[tuple[int, ...], Entries, Entries]  # (group sizes, node entries, guards)
CACHE_NODES = 2_000_000  # nodes of all cached programs' keys (a key holds ~100 bytes a node)
CACHE_PROGRAMS = 512  # programs kept for all functions together
CACHE_SIZE = 128  # call signatures whose trace one function keeps (``jit(cache_size=)``)
_CACHE: LRU[Program] = LRU(CACHE_PROGRAMS, CACHE_NODES, lambda key, _: len(key[2]))
FORWARD, PARAMS, INPUTS = (False, False), (True, False), (False, True)  # wrt (params, inputs)


class Program:
    """The generated function of one structure key (``source`` shows it)."""

    __slots__ = ("fn", "key", "source")

    def __init__(self, key: Key) -> None:
        self.key = key
        namespace = {**NAMESPACE, **REFERENCES}  # the defined ops, by their generated names
        # speed: generating (and compile()) makes millions of acyclic containers, and each
        # collection rescans all (and the traced graph): 100k terms of W3 took 1.5x as long
        with gc_paused():
            self.source = generate(*key)
            # the source was generated from the key alone: fixed templates, repr'd floats
            code = compile(self.source, f"<autograd.jit: {len(key[2])} nodes>", "exec")
        exec(code, namespace)
        self.fn: Callable[..., Any] = namespace["value_and_grad" if any(key[1]) else "forward"]


def program_for(key: Key) -> Program:
    """The cached Program of ``key``, generating and compiling it on a miss."""
    program = _CACHE.get(key)
    return _CACHE.put(key, Program(key)) if program is None else program


def _floats(xs: Sequence[Any]) -> Sequence[float]:
    """The numbers as floats, converted (and rejected) exactly as ``Value`` does."""
    if {*map(type, xs)} <= {float}:  # speed: all floats, the usual case, checked in C
        return xs
    return [x if type(x) is float else Value(x).data for x in xs]


class Compiled:
    """``f`` traced once per call signature and replayed through generated code.

    ``params`` are Values that ``f`` reads (a model's parameters): each call uses their
    current ``data``, and ``backward`` adds to their ``grad`` as eager ``backward`` does.
    Arguments at the positions in ``static`` reach ``f`` as they are (a class index, a label
    that ``f`` checks): each distinct value gets its own trace, as ``jax.jit``'s static args.
    The traces of the ``cache_size`` most recently used call signatures are kept.
    """

    def __init__(self, f: Callable[..., Operand], params: Iterable[Value] = (),
                 check: bool = False, static: Iterable[int] = (),
                 cache_size: int = CACHE_SIZE) -> None:
        self.params, self.static = checked_settings(f, params, static)
        self.f, self.check = f, check
        self.traces = 0  # how many times f was traced (once per call signature)
        self.program: Program | None = None  # the program of the last call
        # signature -> (sizes, entries, guards); (signature, wrt, unit, loop) -> 1 of 7 programs
        self._structures: LRU[Structure] = LRU(cache_size)
        self._programs: LRU[Program] = LRU(7 * cache_size)

    def __call__(self, *args: Any) -> float:
        """f(*args), as a float."""
        return self._run(*self.split(args), FORWARD, 1.0, ())[0]

    @overload
    def value_and_grad(self, x: float, /) -> tuple[float, float]: ...
    @overload
    def value_and_grad(self, x: float, y: float, /, *more: float
                       ) -> tuple[float, tuple[float, ...]]: ...
    @overload
    def value_and_grad(self, *args: Any) -> tuple[float, float | tuple[float, ...]]: ...

    def value_and_grad(self, *args: Any) -> tuple[float, float | tuple[float, ...]]:
        """(f(*args), df/dx): a float for one non-static argument, else a tuple, as ``grad``.

        The typed overloads count every argument: where ``static`` ones are numbers, the
        result follows the non-static ones only, which a type checker cannot see.
        """
        return self._value_and_grad(args)

    @overload
    def grad(self, x: float, /) -> float: ...
    @overload
    def grad(self, x: float, y: float, /, *more: float) -> tuple[float, ...]: ...
    @overload
    def grad(self, *args: Any) -> float | tuple[float, ...]: ...

    def grad(self, *args: Any) -> float | tuple[float, ...]:
        """df/dx for each argument x that is not static: a float for one, else a tuple."""
        return self._value_and_grad(args)[1]

    def _value_and_grad(self, args: Sequence[Any]) -> tuple[float, float | tuple[float, ...]]:
        signature, xs = self.split(args)
        value, grads = self._run(signature, xs, INPUTS, 1.0, ())  # grads from +0.0
        return value, grads[0] if len(xs) == 1 else tuple(grads)

    def backward(self, *args: Any, grad: float = 1.0) -> float:
        """f(*args), adding grad * df/dp to ``p.grad`` of each param, as ``f(...).backward()``."""
        value, grads = self._run(*self.split(args), PARAMS, float(grad), self._param_grads())
        for p, g in zip(self.params, grads, strict=True):
            p.grad = g
        return value

    def backward_batch(self, rows: Iterable[Sequence[Any]], grad: float = 1.0) -> list[float]:
        """``backward(*row, grad=grad)`` for each row: the values, bit for bit as eager's.

        Each run of rows with one signature is one compiled loop; the params are read once,
        and on an error no ``grad`` changes.
        """
        rows = list(rows)
        if self.check:
            return [self.backward(*row, grad=grad) for row in rows]
        data, grads, values = [p.data for p in self.params], self._param_grads(), []
        for signature, xs in self._runs(rows):
            fn = self._program(signature, xs[0], PARAMS, grad == 1.0, loop=True).fn
            try:
                done, grads = fn(data, xs, float(grad), grads)
            except Flipped as flip:
                raise flip_error(self.structure(signature, xs[0]), flip.guard) from None
            except (ArithmeticError, ValueError) as error:
                raise self.unfit_error(error, signature, xs) from error
            values += done
        for p, g in zip(self.params, grads, strict=True):
            p.grad = g
        return values

    def _runs(self, rows: list[Sequence[Any]]) -> Iterator[tuple[Signature, list[Sequence[float]]]]:
        """(signature, the rows' non-static args as floats) for each run of one signature."""
        if not self.static and set(map(type, itertools.chain.from_iterable(rows))) <= {float}:
            return (((n, ()), list(run)) for n, run in itertools.groupby(rows, key=len))
        runs = itertools.groupby(map(self.split, rows), key=lambda call: call[0])
        return ((signature, [x for _, x in run]) for signature, run in runs)

    def split(self, args: Sequence[Any]) -> tuple[Signature, Sequence[float]]:
        """The call's signature (number of arguments, static values) and its other args."""
        n = len(args)
        if not self.static:
            return (n, ()), _floats(args)
        if any(not -n <= i < n for i in self.static):
            raise ValueError(f"jit: static positions {sorted(self.static)} for {n} arguments")
        positions = sorted({i % n for i in self.static})
        xs = _floats([x for i, x in enumerate(args) if i not in positions])
        return (n, tuple((i, args[i]) for i in positions)), xs

    def _param_grads(self) -> Sequence[float]:
        return _floats([p.grad for p in self.params])

    def _run(self, signature: Signature, xs: Sequence[float], wrt: tuple[bool, bool], s: float,
             grads: Sequence[float]) -> tuple[float, Sequence[float]]:
        fn = self._program(signature, xs, wrt, s == 1.0).fn
        data = [p.data for p in self.params]
        try:
            out = fn(data, xs, s) if wrt == INPUTS else fn(data, xs, s, grads) if wrt == PARAMS \
                else fn(data, xs)
        except Flipped as flip:
            raise flip_error(self.structure(signature, xs), flip.guard) from None
        except (ArithmeticError, ValueError) as error:
            raise self.unfit_error(error, signature, [xs]) from error
        result: tuple[float, Sequence[float]] = (out, ()) if wrt == FORWARD else out
        if self.check:
            self._check(signature, xs, wrt, s, grads, result)
        return result

    def _program(self, signature: Signature, xs: Sequence[float], wrt: tuple[bool, bool],
                 unit: bool, loop: bool = False) -> Program:
        """The program for this signature, gradients and seed (1.0 or not), traced if need be."""
        unit = unit and wrt != FORWARD
        program = self._programs.get((signature, wrt, unit, loop))
        if program is None:
            sizes, entries, guards = self.structure(signature, xs)
            key = (sizes, wrt, entries, unit, loop, wrt == INPUTS, guards)  # INPUTS: from +0.0
            program = self._programs.put((signature, wrt, unit, loop), program_for(key))
        self.program = program
        return program

    def structure(self, signature: Signature, xs: Sequence[float]) -> Structure:
        """(sizes, node entries, guards) of the trace of this signature, traced if need be."""
        structure = self._structures.get(signature)
        if structure is None:
            root, inputs, comparisons = self._graph(signature, xs)
            with gc_paused():  # speed: a tuple per node, and each collection rescans all
                structure = structure_key(root, [self.params, inputs], comparisons)
            self._structures.put(signature, structure)
            self.traces += 1
        return structure

    def _graph(self, signature: Signature, xs: Sequence[float]
               ) -> tuple[Value, list[Value], list[tuple[Any, ...]]]:
        """Run f in eager mode: its output, the Values given for the non-static args, and the
        comparisons it made on Values (``modes.TRACE``), in order."""
        inputs = [Value(x) for x in xs]
        args: list[Any] = list(inputs)
        for i, value in signature[1]:
            args.insert(i, value)
        comparisons: list[tuple[Any, ...]] = []
        token = TRACE.set(comparisons)
        try:
            with enable_grad():  # a trace is a graph, even inside no_grad
                return traced_root(self.f(*args)), inputs, comparisons
        finally:
            TRACE.reset(token)

    def unfit_error(self, error: Exception, signature: Signature,
                    rows: Sequence[Sequence[float]]) -> TraceError:
        """Raise eager mode's error if a row has one (it names the op); else a TraceError."""
        for x in rows:  # eager mode's own error, from the first row that raises one
            self._graph(signature, x)
        traced = self.structure(signature, rows[0])[1]
        graphs = (self._graph(signature, x) for x in rows)
        nows = (structure_key(root, [self.params, inputs], comparisons)[1]
                for root, inputs, comparisons in graphs)
        return unfit(error, traced, next((now for now in nows if now != traced), traced))

    def _check(self, signature: Signature, xs: Sequence[float], wrt: tuple[bool, bool], s: float,
               grads: Sequence[float], out: tuple[float, Sequence[float]]) -> None:
        """Raise TraceError unless eager mode builds the same graph and the same numbers."""
        root, inputs, comparisons = self._graph(signature, xs)
        _, entries, guards = structure_key(root, [self.params, inputs], comparisons)
        _, traced, traced_guards = self.structure(signature, xs)
        if entries != traced:
            raise TraceError(f"f's graph differs from its trace: {difference(traced, entries)}")
        if guards != traced_guards:
            raise TraceError("f's comparisons on Values differ from its trace's")
        wanted = self.params if wrt == PARAMS else inputs if wrt == INPUTS else []
        grads = (0.0,) * len(wanted) if wrt == INPUTS else grads
        expected = eager_result(root, wanted, s, grads) if wanted else [root.data]
        names = ["value", *(f"grad {i}" for i in range(len(wanted)))]
        for name, a, e in zip(names, (out[0], *out[1]), expected, strict=True):
            if not same(a, e):
                raise TraceError(f"compiled {name} {a!r} != eager {e!r}")


def jit(f: Callable[..., Operand], *, params: Iterable[Value] = (), check: bool = False,
        static: Iterable[int] = (), cache_size: int = CACHE_SIZE) -> Compiled:
    """Compile ``f`` (a function of floats building one Value) by tracing it on its first call.

    >>> from autograd.compile import jit
    >>> cf = jit(lambda x, y: (x * y + y.exp()).relu())
    >>> cf(2.0, 0.0), cf.value_and_grad(2.0, 0.0)
    (1.0, (1.0, (0.0, 3.0)))
    """
    return Compiled(f, params, check, static, cache_size)
