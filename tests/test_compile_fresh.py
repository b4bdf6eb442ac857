"""Compiled ``value_and_grad``: the inputs' gradients start at +0.0 in the generated code (no
incoming gradients), and one that is a single term on inputs is returned as ``t or 0.0``.
Still eager mode's bits: +-0, inf and NaN terms, guarded first terms, unused inputs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd.compile import jit
from tests.test_compile import bits, eager_value_and_grad
from tests.test_compile_skip import SPECIAL

SHAPES = {
    "dot product (W3)": lambda a, b, c, d: autograd.sum([a * c, b * d]),
    "a leaf with terms in two statements": lambda a, b, c, d: a * b + (a * c).exp() + a * d,
    "a leaf used twice in a product": lambda a, b, c, d: a * a + b * c * d,
    "a guarded first term": lambda a, b, c, d: autograd.dot([a, b], [c, d]).relu() + a * c,
    "an unused input": lambda a, b, c, d: a * b - c,
    "terms of an interior node": lambda a, b, c, d: (a * b).tanh() * (c - d),
}


@given(st.sampled_from(sorted(SHAPES)), st.lists(SPECIAL, min_size=4, max_size=4))
def test_gradients_from_zero_match_eager_bit_for_bit(shape, xs):
    """0.0 + t is +0.0 for t = -0.0 and t itself otherwise (NaN and inf too)."""
    f = SHAPES[shape]
    try:
        value, grads = eager_value_and_grad(f, xs)
    except (ArithmeticError, ValueError) as error:  # exp(1e308): the compiled call raises too
        with pytest.raises(type(error)):
            jit(f).value_and_grad(*xs)
        return
    cf = jit(f)
    got, got_grads = cf.value_and_grad(*xs)
    assert [bits(got), *map(bits, got_grads)] == [bits(value), *map(bits, grads)], \
        cf.program.source
    assert type(got_grads) is tuple and "G" not in cf.program.source


def test_a_single_term_on_inputs_is_returned_directly():
    """W3's shape: each gradient is the other factor, +0.0 for -0.0; no statement for it."""
    n = 4
    cf = jit(lambda *xs: autograd.sum(xs[i] * xs[n + i] for i in range(n)))
    xs = [1.0, -0.0, 3.0, 0.0, -0.0, 2.0, -1.0, 5.0]
    assert cf.value_and_grad(*xs) == (-0.0 + -0.0 + -3.0 + 0.0, (0.0, 2.0, -1.0, 5.0,
                                                                 1.0, 0.0, 3.0, 0.0))
    assert bits(cf.grad(*xs)[5]) == bits(0.0)  # not -0.0
    body = cf.program.source.splitlines()[1:-1]
    assert len(body) == 2 and cf.program.source.count(" or 0.0") == 2 * n  # unpack, sum


def test_backward_still_adds_to_incoming_grads():
    """``backward`` is not from zero: a param's grad of -0.0 plus a term +0.0 is +0.0."""
    a, b = autograd.Value(-0.0), autograd.Value(0.0)
    a.grad, b.grad = -0.0, 2.0
    cf = jit(lambda x: a * b * x, params=[a, b])
    cf.backward(1.0)
    assert (bits(a.grad), bits(b.grad)) == (bits(0.0), bits(2.0))
