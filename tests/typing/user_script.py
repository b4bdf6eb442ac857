# mypy: disallow-any-expr
"""A user's script, type-checked by ``mypy --strict`` and strict pyright (``tests/test_typing.py``).

Each ``assert_type`` is checked statically by both checkers and, when the script runs, against
the value's class at run time: the types the library declares are the types it returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, get_origin

import nn
from autograd import Value, grad, hessian, jacobian, jit, value_and_grad

if TYPE_CHECKING:
    from typing_extensions import assert_type
else:

    def assert_type(value: Any, kind: Any) -> Any:
        """At run time: the value's class is the one the type checkers saw."""
        assert isinstance(value, get_origin(kind) or kind), (value, kind)
        return value


def f(x: Value, y: Value) -> Value:
    return x * x * y + y.sin()


def cube(x: Value) -> Value:
    return x**3


def pair(x: Value, y: Value) -> list[Value]:
    return [x * y, x + y]


def values_and_backward() -> None:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    loss = (a * b + 1.0).tanh() + a.relu() / 2
    loss.backward()
    assert_type(loss.data, float)
    assert_type(a.grad, float)
    print(f"loss {loss.data:.4f}, dL/da {a.grad:.4f}, dL/db {b.grad + 0.0:.4f}")


def transforms() -> None:
    dx = assert_type(grad(f)(3.0, 0.5), float)
    gx, gy = assert_type(grad(f, argnums=(0, 1))(3.0, 0.5), tuple[float, ...])
    value, slope = assert_type(value_and_grad(f)(3.0, 0.5), tuple[float, float])
    _, (vx, vy) = assert_type(value_and_grad(f, (0, 1))(3.0, 0), tuple[float, tuple[float, ...]])
    h = assert_type(hessian(f)(3.0, 0.5), list[list[float]])
    j = assert_type(jacobian(pair)(1.0, 2.0), list[list[float]])
    second = assert_type(grad(grad(cube))(2.0), float)
    traced = assert_type(grad(f)(Value(3.0), Value(0.5)), Value)
    print(dx + gx + gy + value + slope + vx + vy + h[0][1] + j[1][0] + second + traced.data)


def network() -> None:
    model = nn.MLP(2, [8, 1], seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    losses: list[float] = []
    for _ in range(3):
        out = model.scalar([1.0, -2.0])
        loss = (out - 1.0) ** 2
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(assert_type(out.data, float))
    logits = nn.MLP(2, [4, 3], seed=1).vector([0.5, 0.5])
    ce = nn.cross_entropy(logits, 2)
    either = model([0.0, 1.0])
    single = either.data if isinstance(either, Value) else either[0].data
    print(f"outputs {losses}, cross-entropy {ce.data:.4f}, output {single:.4f}")


def compiled() -> None:
    cf = jit(f)
    value = assert_type(cf(3.0, 0.5), float)
    dx, dy = assert_type(cf.grad(3.0, 0.5), tuple[float, ...])
    v, (gx, gy) = assert_type(cf.value_and_grad(3.0, 0.5), tuple[float, tuple[float, ...]])
    d = assert_type(jit(cube).grad(2.0), float)
    _, d2 = assert_type(jit(cube).value_and_grad(2.0), tuple[float, float])
    print(value + dx + dy + v + gx + gy + d + d2)


if __name__ == "__main__":
    values_and_backward()
    transforms()
    network()
    compiled()
