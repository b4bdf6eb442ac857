"""``Module``: the base of every network part: parameters, train/eval mode, saving and loading.

A module finds its parameters and submodules in its public attributes, in the order they
were assigned: a ``Value`` attribute is a parameter, a ``Module`` attribute a submodule, and
lists, tuples and dicts of them (nested to any depth, as a 2-D weight ``W[i][j]``) are walked
item by item. Names follow the path, PyTorch style: ``layers.0.neurons.3.w.1``, ``W.0.1``.

Files are JSON: ``{"format": "nn.Module", "version": 1, "model": repr, "parameters": {name:
float}}``. JSON writes a float with ``repr``, the shortest text that reads back to the same
bits, so every finite float round-trips exactly (NaN and infinities are written as
``NaN``/``Infinity``, which Python's ``json`` reads back).
"""

from __future__ import annotations

import html
import json
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any, Union

from autograd import Value, zero_grad
from autograd.files import write_atomic

PathLike = Union[str, "os.PathLike[str]"]
FORMAT, VERSION = "nn.Module", 1


class Module:
    """Base class: ``__call__`` computes the output; parameters are found in the attributes."""

    training: bool = True

    def __call__(self, x: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    def _named_members(self) -> Iterator[tuple[str, Any]]:
        """Public attributes in assignment order, with lists, tuples and dicts opened up."""
        for name, attr in vars(self).items():
            if not name.startswith("_"):
                yield from _opened(name, attr)

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``) and every submodule below it, depth first."""
        yield prefix, self
        for name, item in self._named_members():
            if isinstance(item, Module):
                yield from item.named_modules(f"{prefix}.{name}" if prefix else name)

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """``(name, parameter)`` in a stable order; a parameter shared twice appears once."""
        seen: set[int] = set()
        for path, module in self.named_modules():
            for name, item in module._named_members():
                if isinstance(item, Value) and id(item) not in seen:
                    seen.add(id(item))
                    yield (f"{path}.{name}" if path else name), item

    def parameters(self) -> list[Value]:
        """Every parameter (a leaf Value), in the order of ``named_parameters``."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0."""
        zero_grad(self.parameters())

    def train(self, mode: bool = True) -> Module:
        """Switch this module and all below it to training mode (``mode=False``: eval)."""
        for _, module in self.named_modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (Dropout passes its input through)."""
        return self.train(False)

    def state_dict(self) -> dict[str, float]:
        """``{name: value}`` of every parameter, in order."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from ``state``; ValueError (model untouched) unless names match."""
        params = dict(self.named_parameters())
        values = _check_state(state, list(params))
        for name, value in values.items():
            params[name].data = value

    def save(self, path: PathLike) -> None:
        """Write the parameters to ``path`` as JSON, atomically (a temporary file, then replace).

        Raises PermissionError for a read-only file, as ``open(path, "w")`` would.
        """
        doc = {"format": FORMAT, "version": VERSION, "model": repr(self),
               "parameters": self.state_dict()}
        write_atomic(path, json.dumps(doc, indent=1) + "\n")

    def load(self, path: PathLike) -> Module:
        """Read parameters saved by ``save`` into this model, in place; returns the model.

        Raises ValueError, leaving the model untouched, if the file is not valid JSON
        (truncated or corrupt) or holds a different architecture (other parameter names).
        """
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:  # deep nesting
            where = os.fspath(path)
            raise ValueError(f"{where}: not a model file (truncated or corrupt?): {e}") from e
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError(f"{os.fspath(path)}: not a model file (no \"format\": {FORMAT!r})")
        if doc.get("version") != VERSION:
            raise ValueError(f"{os.fspath(path)}: unsupported version {doc.get('version')!r}")
        try:
            self.load_state_dict(doc.get("parameters"))
        except ValueError as e:
            raise ValueError(f"{os.fspath(path)}: {e}") from e
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def _repr_html_(self) -> str:
        """Jupyter's display: the repr, the parameter count, a row per direct submodule."""
        mode = "training" if self.training else "eval"
        head = (f"<b>{html.escape(type(self).__name__)}</b>: "
                f"{len(self.parameters()):,} parameters ({mode} mode)")
        rows = "".join(f"<tr><td>{html.escape(name)}</td><td>{html.escape(text)}</td>"
                       f'<td style="text-align: right">{count}</td></tr>'
                       for name, text, count in _children(self))
        table = (f"<table><tr><th>name</th><th>module</th><th>parameters</th></tr>{rows}</table>"
                 if rows else "")
        return f"<div><div>{head}</div><pre>{html.escape(repr(self))}</pre>{table}</div>"


def _children(module: Module) -> list[tuple[str, str, str]]:
    """(name, repr, parameter count) per direct submodule; equal neighbours share one row."""
    runs: list[list[Any]] = []  # [first name, last name, repr, parameters each, how many]
    for name, item in module._named_members():
        if isinstance(item, Module):
            text, n = repr(item), len(item.parameters())
            if runs and runs[-1][2:4] == [text, n]:
                runs[-1][1], runs[-1][4] = name, runs[-1][4] + 1
            else:
                runs.append([name, name, text, n, 1])
    return [(first if times == 1 else f"{first} ... {last}",
             text if times == 1 else f"{times} x {text}", f"{n * times:,}")
            for first, last, text, n, times in runs]


def _opened(name: str, item: Any) -> Iterator[tuple[str, Any]]:
    """``item`` named ``name``; a list, tuple or dict opened up, at any depth (``W.0.1``)."""
    if isinstance(item, (list, tuple)):
        for i, x in enumerate(item):
            yield from _opened(f"{name}.{i}", x)
    elif isinstance(item, dict):
        for key, x in item.items():
            yield from _opened(f"{name}.{key}", x)
    else:
        yield name, item


def _check_state(state: Any, names: list[str]) -> dict[str, float]:
    """The values of ``state`` as floats, after checking it has exactly ``names``, all numbers."""
    if not isinstance(state, Mapping):
        kind = type(state).__name__
        raise ValueError(f"parameters must be a mapping of name -> number, got {kind}")
    known = set(names)  # one set: a lookup per name keeps the check linear
    missing = [n for n in names if n not in state]
    unexpected = [n for n in state if n not in known]
    if missing or unexpected:
        raise ValueError(
            f"architecture mismatch: {len(missing)} missing parameters {missing[:3]}, "
            f"{len(unexpected)} unexpected {unexpected[:3]} (model has {len(names)})"
        )
    values = {}
    for name in names:
        v = state[name]
        too_big = isinstance(v, int) and abs(v) > sys.float_info.max  # float(v) overflows
        if isinstance(v, bool) or not isinstance(v, (int, float)) or too_big:
            raise ValueError(f"parameter {name!r} is not a float: {v!r:.40}")
        values[name] = float(v)
    return values
