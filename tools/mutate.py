"""Mutation testing: plant realistic bugs one at a time and check that the tests catch each.

    python tools/mutate.py                # every mutant (about 15 minutes on 2 cores)
    python tools/mutate.py -k adam elu    # the mutants whose name contains a word given
    python tools/mutate.py --list         # the mutants, without running anything
    python tools/mutate.py --jobs 2       # two mutants at a time

Each mutant replaces one exact snippet of one source file (a flipped sign, swapped
operands, an off-by-one, a wrong constant, a dropped term, a wrong comparison) in a scratch
copy of the project, then runs the tests that cover that file (``pytest -x -q``). It is
*killed* when they fail or time out, and *survives* when they pass. A survivor is either a
missing test or an equivalent mutant (no input can tell it apart): those are marked below
with the reason, and reported apart. Exit status 1 if a non-equivalent mutant survives.

Not run by CI: it runs pytest once per mutant.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300  # seconds per mutant: a mutant that hangs the tests counts as killed


@dataclass(frozen=True)
class Mutant:
    """Replace the ``nth`` occurrence (0: the first) of ``old`` in ``path`` by ``new``."""

    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    nth: int = 0
    equivalent: str = ""  # why no test can kill it, for a mutant known to be equivalent


ENGINE = ("tests/test_numerics.py", "tests/test_backprop.py", "tests/test_engine.py")
FUNCTIONAL = ("tests/test_contracts.py", "tests/test_functional.py")
GRADCHECK = ("tests/test_contracts.py", "tests/test_gradcheck.py")
COMPILED = ("tests/test_numerics.py", "tests/test_compile.py", "tests/test_logsumexp.py",
            "tests/test_compile_gen.py")
SOFTMAX = ("tests/test_numerics.py", "tests/test_nn_functional.py", "tests/test_logsumexp.py")
LOSSES = ("tests/test_numerics.py", "tests/test_nn_losses.py")
OPTIM = ("tests/test_nn_optim.py", "tests/test_nn_optim_formulas.py")
LAYERS = ("tests/test_contracts.py", "tests/test_nn_module.py")
SAVE = ("tests/test_contracts.py", "tests/test_nn_save.py", "tests/test_nn_module.py")
TRAIN = ("tests/test_contracts.py", "tests/test_nn_train.py")

E, R, B, N = "autograd/engine.py", "autograd/rules.py", "autograd/backprop.py", "autograd/nary.py"
F = "autograd/floats.py"


def _m(name: str, path: str, old: str, new: str, tests: tuple[str, ...], nth: int = 0,
       equivalent: str = "") -> Mutant:
    return Mutant(name, path, old, new, tests, nth, equivalent)


MUTANTS = [
    # ---- derivative rules (engine.py) ----
    _m("add: d/db = -1", E, 'RULES["+"] = lambda a, b, out: (1.0, 1.0)',
       'RULES["+"] = lambda a, b, out: (1.0, -1.0)', ENGINE),
    _m("sub: d/db = +1", E, 'RULES["-"] = lambda a, b, out: (1.0, -1.0)',
       'RULES["-"] = lambda a, b, out: (1.0, 1.0)', ENGINE),
    _m("mul: partials swapped", E, 'lambda a, b, out: (b, a)', 'lambda a, b, out: (a, b)', ENGINE),
    _m("div: d/db sign", E, "(1 / b, -out / b)", "(1 / b, out / b)", ENGINE),
    _m("div: d/db extra 1/b", E, "(1 / b, -out / b)", "(1 / b, -out / b / b)", ENGINE),
    _m("pow const: exponent c - 2", E, "r.mul_power(c, x, c - 1)", "r.mul_power(c, x, c - 2)",
       ENGINE),
    _m("pow const: exponent c", E, "r.mul_power(c, x, c - 1)", "r.mul_power(c, x, c)", ENGINE),
    _m("pow: d/db uses b", E, "r.xlogy(out, a))", "r.xlogy(b, a))", ENGINE),
    _m("pow: partials swapped", E, "(r.mul_power(b, a, b - 1), r.xlogy(out, a))",
       "(r.xlogy(out, a), r.mul_power(b, a, b - 1))", ENGINE),
    _m("abs: derivative 1", E, "lambda x, out: r.sign(x)", "lambda x, out: 1.0", ENGINE),
    _m("exp: derivative x", E, 'RULES["exp"] = lambda x, out: out',
       'RULES["exp"] = lambda x, out: x', ENGINE),
    _m("log: 1/out", E, 'lambda x, out: r.inverse(x)', 'lambda x, out: r.inverse(out)', ENGINE),
    _m("log1p: 1/x", E, "r.inverse(1 + x)", "r.inverse(x)", ENGINE),
    _m("sqrt: factor 1/2 dropped", E, "0.5 * r.reciprocal(out + 0.0)",
       "r.reciprocal(out + 0.0)", ENGINE),
    _m("sqrt: -0.0 convention", E, "0.5 * r.reciprocal(out + 0.0)", "0.5 * r.reciprocal(out)",
       ENGINE),
    _m("tanh: 1 + y^2", E, "lambda x, out: 1 - out * out", "lambda x, out: 1 + out * out", ENGINE),
    _m("tanh: from x", E, "lambda x, out: 1 - out * out", "lambda x, out: 1 - x * x", ENGINE),
    _m("sigmoid: s (1 + s)", E, "out * (1 - out)", "out * (1 + out)", ENGINE),
    _m("softplus: sigmoid(-x)", E, 'RULES["softplus"] = lambda x, out: r.sigmoid(x)',
       'RULES["softplus"] = lambda x, out: r.sigmoid(-x)', ENGINE),
    _m("relu: NaN convention", E, "r.where_le0(x, 0.0, 1.0)", "r.where(x, 1.0, 0.0)", ENGINE),
    _m("relu: sides swapped", E, "r.where_le0(x, 0.0, 1.0)", "r.where_le0(x, 1.0, 0.0)", ENGINE),
    _m("leaky_relu: sides swapped", E, "r.where(x, 1.0, slope)", "r.where(x, slope, 1.0)",
       ENGINE),
    _m("elu: alpha dropped", E, "alpha * r.exp_nonpositive(x)", "r.exp_nonpositive(x)", ENGINE),
    _m("elu: out + alpha", E, "r.where_le0(x, alpha * r.exp_nonpositive(x), 1.0)",
       "r.where_le0(x, out + alpha, 1.0)", ENGINE),
    _m("sin: -cos", E, 'RULES["sin"] = lambda x, out: r.cos(x)',
       'RULES["sin"] = lambda x, out: -r.cos(x)', ENGINE),
    _m("cos: +sin", E, 'RULES["cos"] = lambda x, out: -r.sin(x)',
       'RULES["cos"] = lambda x, out: r.sin(x)', ENGINE),
    _m("relu forward: x < 0", E, "0.0 if x <= 0 else x", "0.0 if x < 0 else x", ENGINE),
    _m("elu forward: exp for expm1", E, "alpha * math.expm1(x)", "alpha * math.exp(x)", ENGINE),
    _m("sub forward: operands swapped", E, "self.data - other.data", "other.data - self.data",
       ENGINE),
    _m("neg: times +1", E, "return self * -1.0", "return self * 1.0", ENGINE),
    _m("rsub: operands swapped", E, "return lift(other) - self", "return self - lift(other)",
       ENGINE),
    _m("rtruediv: operands swapped", E, "return lift(other) / self", "return self / lift(other)",
       ENGINE),
    _m("backward: leaf grads overwritten", E,
       "self.grad = self.grad + seed if self._a is None else seed", "self.grad = seed", ENGINE),
    _m("backward: leaves reset too", E, "            if node._a is not None:\n",
       "            if True:\n", ENGINE),
    _m("sqrt domain: 0 rejected", E, "if self.data < 0:", "if self.data <= 0:", ENGINE),
    # ---- the chain rule (backprop.py) ----
    _m("backprop unary: = for +=", B, "a.grad += g * v._da", "a.grad = g * v._da", ENGINE),
    _m("backprop binary: b gets da", B, "b.grad += g * v._db", "b.grad += g * v._da", ENGINE),
    _m("backprop binary: a dropped", B, "a.grad += g * v._da", "pass", ENGINE, nth=1),
    _m("backprop nary: g dropped", B, "p.grad += g * d", "p.grad += d", ENGINE),
    _m("backprop nary: skips NaN nodes", B, "if g or v.data - v.data:", "if g:", ENGINE),
    _m("backprop checked: = for +", B, "p.grad = p.grad + contribution", "p.grad = contribution",
       ENGINE + FUNCTIONAL),
    _m("backprop checked: upstream dropped", B, "contribution = v.grad * d", "contribution = d",
       ENGINE + FUNCTIONAL),
    # ---- graph walk ----
    _m("graph: place any node whose parents are placed", "autograd/graph.py",
       "if not grand or (len(grand) > 2 and all_seen(grand)):",
       "if not grand or all_seen(grand):", ("tests/test_graph.py", *ENGINE),
       equivalent="a parent already seen is placed (in a DAG none is still on the path), so "
       "placing a node whose parents are all seen is always right; the len > 2 test only "
       "skips the set test where descending is as cheap"),
    # ---- helpers (rules.py) and float forms (floats.py) ----
    _m("sigmoid: 1 / (1 + e)", R, "return e / (1.0 + e)", "return 1.0 / (1.0 + e)", ENGINE),
    _m("softplus: log(1 + ...)", R, "math.log1p(math.exp(-abs(x)))",
       "math.log(1 + math.exp(-abs(x)))", ENGINE + LOSSES),
    _m("logsumexp: max not subtracted", F,
       "m + math.log(math.fsum([math.exp(x - m) for x in xs]))",
       "math.log(math.fsum([math.exp(x) for x in xs]))", ("tests/test_logsumexp.py", *ENGINE)),
    _m("dot grads: halves not swapped", F, "grads = ps[n : 2 * n] + ps[:n]",
       "grads = ps[:n] + ps[n : 2 * n]", ENGINE + FUNCTIONAL),
    _m("where: x >= 0", R, "return pos if x > 0 else neg", "return pos if x >= 0 else neg",
       ENGINE),
    _m("where_le0: x < 0", R, "return neg if x <= 0 else pos", "return neg if x < 0 else pos",
       ENGINE),
    _m("elu''(0) = alpha", R, "return x.exp() if x.data < 0 else 1.0 if x.data == 0 else 0.0",
       "return x.exp() if x.data <= 0 else 0.0", ENGINE),
    _m("inverse: plain 1/x", R, "return 1 / x if not -TINY < x < TINY else Quotient(x)",
       "return 1 / x", ENGINE),
    _m("inverse on Values: plain 1/x", R, "else x._quotient()", "else 1 / x", ENGINE),
    _m("x ** 0.0: derivative not constant", R,
       "    if type(c) is float and c == 0:\n        return 0.0\n", "", ENGINE),
    _m("mul_power: zero does not beat the pole", R,
       "return 0.0 if _data(c) == 0 and not math.isfinite(_data(p)) else c * p",
       "return c * p", ENGINE),
    _m("xlogy: NaN for a < 0 dropped", R,
       "if a > 0 else 0.0 if a == 0 else math.nan", "if a > 0 else 0.0", ENGINE),
    _m("xlogy on Values: NaN a constant", R, "(y + a) * math.nan", "math.nan", ENGINE),
    _m("pole: sign lost", R, "return math.copysign(math.inf, x) if odd else math.inf",
       "return math.inf", ENGINE),
    _m("reciprocal: sign of zero lost", R, "return 1.0 / x if x else math.copysign(math.inf, x)",
       "return 1.0 / x if x else math.inf", ENGINE,
       equivalent="its one caller, sqrt', passes out + 0.0, which is never -0.0"),
    _m("sign: 0 at 0 lost", R, "return 1.0 if x > 0 else -1.0 if x < 0 else 0.0",
       "return 1.0 if x > 0 else -1.0", ENGINE),
    _m("checked_pow: 0 ** 0 raises", F, "if a == 0 and b < 0:", "if a == 0 and b <= 0:", ENGINE),
    # ---- n-ary nodes ----
    _m("sum: starts at 1", N, "total = 0.0", "total = 1.0", ENGINE + FUNCTIONAL),
    _m("logsumexp rule: exponent flipped", N, "r.exp(x - out)", "r.exp(out - x)",
       ("tests/test_logsumexp.py", *ENGINE)),
    _m("matvec: bias dropped", N, "z + b.data", "z", ENGINE + LAYERS),
    _m("matvec: local grads unswapped", N, "(*xdata, *wdata, 1.0)", "(*wdata, *xdata, 1.0)",
       ENGINE + LAYERS),
    _m("matvec: length check off", N, "if len(ws) != len(xs):", "if len(ws) > len(xs):",
       ENGINE + LAYERS),
    # ---- transforms (functional.py) ----
    _m("jacobian: no zeroing per output", "autograd/functional.py",
       "                w.grad = 0.0\n", "                pass\n", FUNCTIONAL),
    _m("transforms: leaf grads not restored", "autograd/functional.py",
       "            leaf.grad = g\n", "            pass\n", FUNCTIONAL),
    _m("hessian: no graph when nested", "autograd/functional.py",
       "rows = _jacobian_rows(grads, xs, create_graph=traced)",
       "rows = _jacobian_rows(grads, xs, create_graph=False)", FUNCTIONAL),
    _m("grad: no graph when nested", "autograd/functional.py",
       "[row] = _jacobian_rows([out], [xs[i] for i in nums], create_graph=traced)",
       "[row] = _jacobian_rows([out], [xs[i] for i in nums], create_graph=False)", FUNCTIONAL),
    # ---- gradcheck ----
    _m("gradcheck: central difference over h", "autograd/gradcheck.py",
       "central = (yp1 - ym1) / (2 * h)", "central = (yp1 - ym1) / h", GRADCHECK),
    _m("gradcheck: truncation / 30", "autograd/gradcheck.py",
       "truncation = abs(central - (yp2 - ym2) / (4 * h)) / 3",
       "truncation = abs(central - (yp2 - ym2) / (4 * h)) / 30", GRADCHECK),
    _m("gradcheck: judged up to 2 bounds", "autograd/gradcheck.py",
       "if num.error <= bound / 2:", "if num.error <= bound * 2:", GRADCHECK),
    _m("gradcheck: slack doubled", "autograd/gradcheck.py",
       "slack = bound + num.error + (num.high - num.low)",
       "slack = 2 * (bound + num.error + (num.high - num.low))", GRADCHECK),
    _m("gradcheck: slack without width", "autograd/gradcheck.py",
       "slack = bound + num.error + (num.high - num.low)", "slack = bound + num.error",
       GRADCHECK),
    _m("gradcheck: rtol not scaled", "autograd/gradcheck.py",
       "bound = atol + rtol * abs(num.value)", "bound = atol + rtol", GRADCHECK),
    _m("gradcheck: passes at twice the bound", "autograd/gradcheck.py",
       "if err <= bound:", "if err <= 2 * bound:", GRADCHECK),
    # ---- compiled mode ----
    _m("symbolic where: >=", "autograd/symbolic.py", 'Where(f"{syms[0].text} > 0.0"',
       'Where(f"{syms[0].text} >= 0.0"', COMPILED),
    _m("symbolic where_le0: <", "autograd/symbolic.py", 'Where(f"{syms[0].text} <= 0.0"',
       'Where(f"{syms[0].text} < 0.0"', COMPILED),
    _m("symbolic: x * -1 taken as x", "autograd/symbolic.py",
       "if y.const == 1.0:  # x * 1.0 is x", "if y.const in (1.0, -1.0):  # x * 1.0 is x",
       COMPILED),
    _m("symbolic product: factors swapped", "autograd/symbolic.py",
       'return g if d.const == 1.0 else arith("*", g, d)',
       'return g if d.const == 1.0 else arith("*", d, g)', COMPILED,
       equivalent="float multiplication is commutative bit for bit (NaN payloads aside, "
       "which the compiled mode does not promise)"),
    _m("codegen sub: operands swapped", "autograd/codegen.py", 'f"{ps[0]} - {ps[1]}"',
       'f"{ps[1]} - {ps[0]}"', COMPILED),
    _m("codegen elu: exp for expm1", "autograd/codegen.py", "* _expm1({ps[0]})",
       "* _exp({ps[0]})", COMPILED),
    _m("codegen relu: < 0", "autograd/codegen.py", '"0.0 if {ps[0]} <= 0.0 else {ps[0]}"',
       '"0.0 if {ps[0]} < 0.0 else {ps[0]}"', COMPILED),
    _m("codegen guard: skips NaN", "autograd/codegen.py",
       'return f"{g.text} or {out.text} - {out.text}"', "return g.text", COMPILED),
    _m("namespace: log1p is log", "autograd/symbolic.py", '"_log1p": math.log1p',
       '"_log1p": math.log', COMPILED),
    # ---- softmax (nn/functional.py) ----
    _m("softmax: shift by the min", "nn/functional.py", "m = autograd.max(zs)",
       "m = autograd.min(zs)", SOFTMAX),
    _m("log_softmax: max not subtracted", "nn/functional.py",
       "diffs = [z - m for z in zs]", "diffs = zs", SOFTMAX),
    _m("log_softmax: + lse", "nn/functional.py", "return [s - lse for s in ss]",
       "return [s + lse for s in ss]", SOFTMAX),
    _m("softmax: times temperature", "nn/functional.py", "[d / temperature for d in diffs]",
       "[d * temperature for d in diffs]", SOFTMAX),
    _m("logsumexp: temperature ignored", "nn/functional.py",
       "zs if temperature == 1.0 else [z / temperature for z in zs]", "zs", SOFTMAX),
    # ---- losses ----
    _m("mean: n + 1", "nn/losses.py", "vsum(terms) * (1.0 / len(terms))",
       "vsum(terms) * (1.0 / (len(terms) + 1))", LOSSES),
    _m("mse: t - o", "nn/losses.py", "(lift(o) - t) ** 2", "(t - lift(o)) ** 2", LOSSES,
       equivalent="(t - o)^2 and (o - t)^2 are the same floats (a - b = -(b - a) exactly), "
       "and so are their derivatives"),
    _m("bce: clamp from p > 0", "nn/losses.py", "p.log() if p.data > math.exp(LOG_FLOOR)",
       "p.log() if p.data > 0", LOSSES),
    _m("bce: floor -1000", "nn/losses.py", "LOG_FLOOR = -100.0", "LOG_FLOOR = -1000.0", LOSSES),
    _m("bce: log(1 - p)", "nn/losses.py", "(-p).log1p()", "(1.0 - p).log()", LOSSES),
    _m("bce: log p for both", "nn/losses.py", "(1.0 - target) * _clamped_log1m(p)",
       "(1.0 - target) * _clamped_log(p)", LOSSES),
    _m("bce_with_logits: softplus(z) - t z", "nn/losses.py",
       "return (-z).softplus() if target == 1 else z.softplus()",
       "return z.softplus() - z * target", LOSSES),
    _m("bce_with_logits Value target: softplus(z) - t z", "nn/losses.py",
       "return target * (-z).softplus() + (1.0 - target) * z.softplus()",
       "return z.softplus() - z * target", LOSSES),
    _m("cross_entropy: operands swapped", "nn/losses.py",
       "autograd.logsumexp(s) - _pick(s, target)", "_pick(s, target) - autograd.logsumexp(s)",
       LOSSES),
    _m("pick: index n allowed", "nn/losses.py", "not 0 <= index(target) < len(xs)",
       "not 0 <= index(target) <= len(xs)", LOSSES),
    _m("hinge: relu dropped", "nn/losses.py", "(1.0 - lift(score) * target).relu()",
       "(1.0 - lift(score) * target)", LOSSES),
    _m("l2: a sum", "nn/losses.py", "return dot(ps, ps)", "return vsum(ps)", LOSSES),
    _m("l1: no abs", "nn/losses.py", "vsum(abs(p) for p in params)", "vsum(p for p in params)",
       LOSSES),
    _m("target check: no upper bound", "nn/losses.py", "if not 0.0 <= value <= 1.0:",
       "if not 0.0 <= value:", LOSSES),
    # ---- optimizers ----
    _m("sgd: weight decay sign", "nn/optim.py", "g += self.weight_decay * w",
       "g -= self.weight_decay * w", OPTIM),
    _m("sgd: momentum not decayed", "nn/optim.py", "self.momentum * self.velocity[i] + g",
       "self.velocity[i] + g", OPTIM),
    _m("nesterov: beta dropped", "nn/optim.py", "g = g + self.momentum * m if self.nesterov",
       "g = g + m if self.nesterov", OPTIM),
    _m("adam: weight decay sign", "nn/optim.py", "g += self.weight_decay * w",
       "g -= self.weight_decay * w", OPTIM, nth=1),
    _m("adam: eps inside the root", "nn/optim.py", "(math.sqrt(v_hat) + self.eps)",
       "math.sqrt(v_hat + self.eps)", OPTIM),
    _m("adam: bias correction off by one", "nn/optim.py", "(1 - b1**self.t)",
       "(1 - b1**(self.t + 1))", OPTIM),
    _m("adam: v from g not g^2", "nn/optim.py", "(1 - b2) * g * g", "(1 - b2) * g", OPTIM),
    _m("adam: t never advances", "nn/optim.py", "self.t += 1", "self.t = 1", OPTIM),
    _m("adam: betas swapped in m", "nn/optim.py", "b1 * self.m[i] + (1 - b1) * g",
       "b1 * self.m[i] + (1 - b2) * g", OPTIM),
    _m("optimizer: tied parameters stepped twice", "nn/optim.py",
       "list({id(p): p for p in params}.values())", "list(params)", OPTIM,
       equivalent="step computes every update before it sets any, so each copy of a tied "
       "parameter gets the same update from the same value, gradient and state, and the "
       "copies write the same number (keeping one copy saves the work and the state)"),
    _m("LinearLR: min dropped", "nn/optim.py", "* min(k, self.total) / self.total",
       "* k / self.total", OPTIM),
    _m("StepLR: k // step_size off by one", "nn/optim.py", "self.gamma ** (k // self.step_size)",
       "self.gamma ** ((k + 1) // self.step_size)", OPTIM),
    # ---- layers and init ----
    _m("dropout: after the last hidden layer only", "nn/layers.py",
       "            if self.dropout is not None:\n",
       "            if self.dropout is not None and layer is self.layers[-2]:\n", LAYERS),
    _m("dropout: no rescaling", "nn/layers.py", "scale = 1.0 / keep if keep else 0.0",
       "scale = 1.0", LAYERS),
    _m("dropout: keeps with probability p", "nn/layers.py", "if rand() < keep",
       "if rand() > keep", LAYERS),
    _m("dropout: also in eval mode", "nn/layers.py", "if not self.training or self.p == 0.0:",
       "if self.p == 0.0:", LAYERS),
    _m("neuron: bias starts at 0.01", "nn/layers.py", 'self.b = Value(0.0, "b")',
       'self.b = Value(0.01, "b")', LAYERS),
    _m("layer: fan_out is nin", "nn/layers.py", "fan_out=nout, rng=rng",
       "fan_out=nin, rng=rng", LAYERS),
    _m("mlp: activations swapped", "nn/layers.py",
       "output_activation if i == last else activation",
       "activation if i == last else output_activation", LAYERS),
    _m("xavier: fan_out ignored", "nn/init.py", "math.sqrt(6.0 / (fan_in + fan_out))",
       "math.sqrt(6.0 / fan_in)", LAYERS),
    _m("he: variance 1 / fan_in", "nn/init.py", "math.sqrt(2.0 / fan_in)",
       "math.sqrt(1.0 / fan_in)", LAYERS),
    # ---- module save/load ----
    _m("save: re-save resets permissions", "autograd/files.py",
       "mode = os.stat(target).st_mode & 0o777", "mode = 0o666 & ~_umask()", SAVE),
    _m("parameters: shared listed twice", "nn/module.py",
       "if isinstance(item, Value) and id(item) not in seen:", "if isinstance(item, Value):",
       SAVE),
    _m("load: unexpected names ignored", "nn/module.py",
       "unexpected = [n for n in state if n not in known]", "unexpected = []", SAVE),
    _m("train(mode): always True", "nn/module.py", "module.training = mode",
       "module.training = True", SAVE),
    _m("state_dict: rounded", "nn/module.py", "{name: p.data for name, p in",
       "{name: round(p.data, 12) for name, p in", SAVE),
    # ---- training loop and data ----
    _m("fit: loss not weighted by batch size", "nn/train.py",
       "total += data_loss * len(X)", "total += data_loss", TRAIN),
    _m("fit: no zero_grad between batches", "nn/train.py",
       "        optimizer.zero_grad()\n", "", TRAIN),
    _m("fit: unseeded is not seed 0", "nn/train.py",
       "make_rng(0 if seed is None and rng is None else seed, rng)", "make_rng(seed, rng)", TRAIN),
    _m("evaluate: leaves train mode on", "nn/train.py", "model.train(was_training)",
       "model.train()", TRAIN),
    _m("fit: stays in eval mode", "nn/train.py", "            model.train()\n",
       "            pass\n", TRAIN),
    _m("fit: schedule never steps", "nn/train.py", "                schedule.step()\n",
       "                pass\n", TRAIN),
    _m("accuracy: divides by n + 1", "nn/train.py", "correct / len(outputs) if outputs",
       "correct / (len(outputs) + 1) if outputs", TRAIN),
    _m("batches: last batch dropped", "nn/data.py", "for start in range(0, n, size):",
       "for start in range(0, n - size + 1, size):", ("tests/test_nn_data.py", *TRAIN)),
    _m("batches: one short", "nn/data.py", "chunk = order[start:start + size]",
       "chunk = order[start:start + size - 1]", ("tests/test_nn_data.py", *TRAIN)),
]


def apply(mutant: Mutant, text: str) -> str:
    """``text`` with the ``nth`` occurrence of the mutant's snippet replaced (ValueError if
    there is no such occurrence: the source changed under the mutant)."""
    start = -1
    for _ in range(mutant.nth + 1):
        start = text.find(mutant.old, start + 1)
        if start < 0:
            raise ValueError(f"{mutant.name}: snippet {mutant.old!r} not in {mutant.path}")
    return text[:start] + mutant.new + text[start + len(mutant.old):]


def scratch_copy() -> Path:
    """A copy of the project to mutate (the venv, git data and caches left out)."""
    where = Path(tempfile.mkdtemp(prefix="mutate-"))
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".hypothesis",
                                    ".pytest_cache", "*.egg-info", "build", "dist")
    shutil.copytree(ROOT, where / "project", ignore=ignore)
    return where / "project"


def _env(copy: Path) -> dict[str, str]:
    """The environment for a run in ``copy``: its packages first; the quick test profile."""
    env = {**os.environ, "PYTHONPATH": str(copy)}
    env.pop("CI", None)
    return env


def run_tests(copy: Path, tests: tuple[str, ...]) -> tuple[bool, float]:
    """(passed, seconds) for pytest on ``tests`` in ``copy`` (its packages first on the path)."""
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               *dict.fromkeys(tests)]
    start = time.monotonic()
    try:
        done = subprocess.run(command, cwd=copy, env=_env(copy), capture_output=True,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return False, time.monotonic() - start
    return done.returncode == 0, time.monotonic() - start


def run_mutant(mutant: Mutant, copy: Path) -> tuple[Mutant, bool, float]:
    """(mutant, survived, seconds): plant it in ``copy``, run its tests, put the file back."""
    path = copy / mutant.path
    original = path.read_text()
    path.write_text(apply(mutant, original))
    try:
        passed, seconds = run_tests(copy, mutant.tests)
    finally:
        path.write_text(original)
    return mutant, passed, seconds


def main(argv: list[str] | None = None) -> int:
    """Run the mutants (all, or those matching ``-k``) and print killed/survived."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("-k", nargs="*", default=[], help="words a mutant's name must contain")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at a time")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if not args.k or any(w in m.name for w in args.k)]
    for m in chosen:  # every snippet must be found before anything runs
        apply(m, (ROOT / m.path).read_text())
    if args.list:
        for m in chosen:
            print(f"{m.path:24} {m.name}" + ("   [equivalent]" if m.equivalent else ""))
        return 0
    copies = [scratch_copy() for _ in range(max(1, args.jobs))]
    try:
        where = subprocess.run([sys.executable, "-c", "import autograd; print(autograd.__file__)"],
                               cwd=copies[0], env=_env(copies[0]), capture_output=True, text=True)
        if not where.stdout.startswith(str(copies[0])):
            print(f"the scratch copy is not the one imported: {where.stdout or where.stderr}")
            return 2
        passed, _ = run_tests(copies[0], ("tests/test_engine.py",))
        if not passed:
            print("the unmutated tests fail: fix them first")
            return 2
        results = _run_all(chosen, copies)
    finally:
        for c in copies:
            shutil.rmtree(c.parent, ignore_errors=True)
    return _report(results)


def _run_all(chosen: list[Mutant], copies: list[Path]) -> list[tuple[Mutant, bool, float]]:
    """Run the mutants, one scratch copy per job, printing each result as it comes."""
    free = list(copies)

    def job(m: Mutant) -> tuple[Mutant, bool, float]:
        copy = free.pop()
        try:
            return run_mutant(m, copy)
        finally:
            free.append(copy)

    results = []
    with ThreadPoolExecutor(max_workers=len(copies)) as pool:
        for m, survived, seconds in pool.map(job, chosen):
            verdict = "SURVIVED" if survived else "killed"
            note = " (equivalent)" if survived and m.equivalent else ""
            print(f"{verdict:8} {seconds:6.1f}s  {m.path:24} {m.name}{note}", flush=True)
            results.append((m, survived, seconds))
    return results


def _report(results: list[tuple[Mutant, bool, float]]) -> int:
    """Print the totals and the survivors; 1 if a non-equivalent mutant survived."""
    survivors = [m for m, survived, _ in results if survived]
    missing = [m for m in survivors if not m.equivalent]
    print(f"\n{len(results)} mutants: {len(results) - len(survivors)} killed, "
          f"{len(survivors)} survived ({len(survivors) - len(missing)} equivalent)")
    for m in survivors:
        print(f"  survived: {m.path}: {m.name}" + (f"\n    equivalent: {m.equivalent}"
                                                   if m.equivalent else ""))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
