"""The command line's safe expression parser: Python syntax checked against a whitelist, never eval.

Accepted: numbers, names bound to inputs, ``+ - * / **``, unary ``-`` and ``+``, and calls of
the library's functions by name (``FUNCTIONS``). Everything else raises ExpressionError.

>>> from autograd import Value
>>> inputs = bind(["x=2", "w=-3", "b=6"])
>>> L = evaluate("log(1/(exp(-(x*w+b))+1))", inputs)
>>> round(L.data, 4)
-0.6931
>>> evaluate("x.__class__", inputs)
Traceback (most recent call last):
...
autograd.parse.ExpressionError: attribute access is not allowed: x.__class__
"""

from __future__ import annotations

import ast
import keyword
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .engine import Value, lift

FUNCTIONS: dict[str, Callable[..., Value]] = {
    "exp": Value.exp, "log": Value.log, "log1p": Value.log1p, "sqrt": Value.sqrt,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid, "relu": Value.relu, "softplus": Value.softplus,
    "sin": Value.sin, "cos": Value.cos, "abs": Value.__abs__,
    "leaky_relu": Value.leaky_relu, "elu": Value.elu,
}
PARAMETERS = {"leaky_relu": "slope", "elu": "alpha"}  # functions with an optional number argument
MAX_LENGTH = 10_000

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow,
}
_FORBIDDEN = {
    ast.Attribute: "attribute access", ast.Subscript: "a subscript", ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a comprehension",
    ast.Compare: "a comparison", ast.BoolOp: "a boolean operator", ast.IfExp: "a conditional",
}


class ExpressionError(ValueError):
    """The text is not an accepted expression, or an input is missing or malformed."""


def bind(assignments: Iterable[str]) -> dict[str, Value]:
    """Turn ``["x=2", "w=-3"]`` into input leaves ``{"x": Value(2.0, "x"), ...}``."""
    inputs: dict[str, Value] = {}
    for item in assignments:
        name, sep, number = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier() or keyword.iskeyword(name):
            raise ExpressionError(f"expected NAME=NUMBER, got {item!r}")
        if name in FUNCTIONS or name in inputs:
            what = "a function" if name in FUNCTIONS else "bound twice"
            raise ExpressionError(f"cannot bind {name!r}: it is {what}")
        try:
            inputs[name] = Value(float(number), name)
        except ValueError:
            raise ExpressionError(f"bad number for {name}: {number!r}") from None
    return inputs


def evaluate(text: str, inputs: Mapping[str, Value]) -> Value:
    """The Value of the expression ``text`` over ``inputs``; ExpressionError if not allowed."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
        return lift(_eval(tree.body, inputs))
    except SyntaxError as e:
        raise ExpressionError(f"syntax error: {e.msg} (column {e.offset})") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("expression nested too deeply") from None
    except ValueError as e:
        if isinstance(e, ExpressionError):
            raise
        if "null bytes" in str(e):
            raise ExpressionError("expression contains null bytes") from None
        raise


def _eval(node: ast.AST, inputs: Mapping[str, Value]) -> Any:
    if isinstance(node, ast.Constant):
        return _number(node)
    if isinstance(node, ast.Name):
        return _name(node.id, inputs)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left = _eval(node.left, inputs)
        # a Value on the left: constants become graph leaves and the engine checks domains
        return _BINARY[type(node.op)](lift(left), _eval(node.right, inputs))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _eval(node.operand, inputs)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        return _call(node, inputs)
    what = _FORBIDDEN.get(type(node), type(node).__name__)
    raise ExpressionError(f"{what} is not allowed: {_source(node)}")


def _number(node: ast.Constant) -> float:
    value = node.value
    if type(value) not in (int, float):
        raise ExpressionError(f"only numbers are allowed as constants, got {value!r:.40}")
    try:
        return float(value)
    except OverflowError:
        raise ExpressionError(f"number too large: {_source(node)}") from None


def _name(name: str, inputs: Mapping[str, Value]) -> Value:
    if name in inputs:
        return inputs[name]
    if name in FUNCTIONS:
        raise ExpressionError(f"{name} is a function: call it, as in {name}(x)")
    raise ExpressionError(f"unknown name {name!r}: give it a value, as in {name}=1.5")


def _call(node: ast.Call, inputs: Mapping[str, Value]) -> Value:
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name not in FUNCTIONS:
        raise ExpressionError(f"only the library's functions can be called: {_source(node)}")
    most = 2 if name in PARAMETERS else 1
    if node.keywords or not 1 <= len(node.args) <= most:
        usage = f"{name}(x, {PARAMETERS[name]})" if name in PARAMETERS else f"{name}(x)"
        raise ExpressionError(f"{name} takes {usage}: {_source(node)}")
    x = lift(_eval(node.args[0], inputs))
    if len(node.args) == 1:
        return FUNCTIONS[name](x)
    parameter = _eval(node.args[1], inputs)
    if isinstance(parameter, Value):
        raise ExpressionError(f"{name}'s {PARAMETERS[name]} must be a number: {_source(node)}")
    return FUNCTIONS[name](x, parameter)


def _source(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."
