"""The command line's safe expression parser: Python syntax checked against a whitelist, never eval.

Accepted: numbers, names bound to inputs, ``+ - * / **``, unary ``-`` and ``+``, and calls of
the library's functions by name (``FUNCTIONS``; ``max`` and ``min`` of any number of inputs).
Everything else raises ExpressionError.

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
import math
import operator
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import nary
from .engine import Value, lift

FUNCTIONS: dict[str, Callable[..., Value]] = {
    "exp": Value.exp, "log": Value.log, "log1p": Value.log1p, "sqrt": Value.sqrt,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid, "relu": Value.relu, "softplus": Value.softplus,
    "sin": Value.sin, "cos": Value.cos, "abs": Value.__abs__,
    "leaky_relu": Value.leaky_relu, "elu": Value.elu,
    "max": lambda *xs: nary.max(xs), "min": lambda *xs: nary.min(xs),
}
VARIADIC = {"max", "min"}  # functions of one or more inputs: max(x, y, z)
PARAMETERS = {"leaky_relu": "slope", "elu": "alpha"}  # functions with an optional number argument
MAX_LENGTH = 10_000

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow,
}
_SYMBOLS: dict[type[ast.operator], str] = {
    ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitAnd: "&"}
_FORBIDDEN: dict[type[ast.AST], str] = {
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
        inputs[name] = Value(_input_number(name, number), name)
    return inputs


def _input_number(name: str, text: str) -> float:
    """The float an input's text spells; too large to be a float is an error, as for literals."""
    try:
        number = float(text)
    except ValueError:
        raise ExpressionError(f"bad number for {name}: {text!r}") from None
    if math.isinf(number) and "inf" not in text.lower():  # 1e400 overflows to inf
        raise ExpressionError(f"number too large for {name}: {text:.40}")
    return number


def evaluate(text: str, inputs: Mapping[str, Value]) -> Value:
    """The Value of the expression ``text`` over ``inputs``; ExpressionError if not allowed."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
        return lift(_eval(tree.body, inputs))
    except SyntaxError as e:
        if "digits" in e.msg:  # an int literal past Python's int-to-text limit
            raise ExpressionError("number too large: an integer literal of over 4300 digits") \
                from None
        raise ExpressionError(f"syntax error: {e.msg} (column {e.offset})") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("expression nested too deeply for Python's parser "
                              f"(about {3 * sys.getrecursionlimit()} levels)") from None
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
    if isinstance(node, ast.BinOp):
        return _chain(node, inputs)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _eval(node.operand, inputs)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        return _call(node, inputs)
    what = _FORBIDDEN.get(type(node), type(node).__name__)
    raise ExpressionError(f"{what} is not allowed: {_source(node)}")


def _chain(node: ast.BinOp, inputs: Mapping[str, Value]) -> Value:
    """A chain of binary operators, ``a + b - c ...``: its left spine walked in a loop.

    Python nests ``a + b + c`` as ``(a + b) + c``, so a flat sum of a thousand terms is a
    thousand levels deep on the left; only the right operands are evaluated recursively.
    """
    spine: list[ast.BinOp] = []
    left: ast.expr = node
    while isinstance(left, ast.BinOp):
        if type(left.op) not in _BINARY:
            raise ExpressionError(_operator_error(left))
        spine.append(left)
        left = left.left
    out = _eval(left, inputs)
    for step in reversed(spine):
        # a Value on the left: constants become graph leaves and the engine checks domains
        out = _BINARY[type(step.op)](lift(out), _eval(step.right, inputs))
    return out  # type: ignore[no-any-return]


def _operator_error(node: ast.BinOp) -> str:
    if isinstance(node.op, ast.BitXor):
        return f"^ is not a power here: use ** for powers, as in x**2: {_source(node)}"
    symbol = _SYMBOLS.get(type(node.op), type(node.op).__name__)
    return f"the operator {symbol} is not allowed: {_source(node)}"


def _number(node: ast.Constant) -> float:
    value = node.value
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ExpressionError(f"only numbers are allowed as constants, got {value!r:.40}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if math.isinf(number):  # 1e400 and a 400-digit int alike: past the largest float
        raise ExpressionError(f"number too large: {_source(node)}")
    return number


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
    if name in VARIADIC:
        if node.keywords or not node.args:
            raise ExpressionError(f"{name} takes {name}(x, y, ...): {_source(node)}")
        return FUNCTIONS[name](*(_eval(arg, inputs) for arg in node.args))
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
