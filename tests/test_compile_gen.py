"""Generated source without redundant parentheses (a shorter source compiles faster): the
operations, and so the values and gradients, stay eager mode's, bit for bit."""

from __future__ import annotations

import pytest

import autograd
from autograd.compile import jit
from tests.test_compile import bits, eager_value_and_grad

XS = [0.1, 3.0, -7.0, 1e16, -0.5]
SHAPES = {  # a product or quotient as either operand of + and -, and in other ops' operands
    "a - b * c": lambda a, b, c, d, e: a - b * c,
    "a * b - c / d": lambda a, b, c, d, e: a * b - c / d,
    "a / (b + c)": lambda a, b, c, d, e: a / (b + c),
    "a - (b - c)": lambda a, b, c, d, e: a - (b - c) + e,
    "a * (b * c)": lambda a, b, c, d, e: a * (b * c) - d,
    "(a + b) * (c - d)": lambda a, b, c, d, e: (a + b) * (c - d) + e,
    "sum of products and sums": lambda a, b, c, d, e: autograd.sum([a * b, c + d, d / a, e]),
    "calls": lambda a, b, c, d, e: (a * b).tanh() - (c * d).exp() * e.sin(),
    "a - sum": lambda a, b, c, d, e: a - autograd.sum([b, c * d]) * e,
    "powers": lambda a, b, c, d, e: (a * b) ** 2 - (c + d) ** 3.0 / b,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_values_and_grads_match_eager_bit_for_bit(shape):
    f = SHAPES[shape]
    for xs in (XS, XS[::-1], [x * 1.7 for x in XS[1:]] + [2.0]):
        value, grads = eager_value_and_grad(f, xs)
        cf = jit(f)
        got, got_grads = cf.value_and_grad(*xs)
        assert [bits(got), *map(bits, got_grads)] == [bits(value), *map(bits, grads)], \
            cf.program.source


def test_products_in_sums_have_no_parentheses():
    cf = jit(lambda a, b, c, d: a * b - c * d)
    assert cf(1.0, 2.0, 3.0, 4.0) == -10.0
    assert " = r0 * r1 - r2 * r3\n" in cf.program.source
