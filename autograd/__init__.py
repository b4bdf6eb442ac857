"""A scalar reverse-mode automatic differentiation engine.

>>> from autograd import Value
>>> x, w, b = Value(2.0, "x"), Value(-3.0, "w"), Value(6.0, "b")
>>> L = (1 / ((-(x * w + b)).exp() + 1)).log()
>>> L.backward()
>>> [round(v.grad, 6) for v in (x, w, b)]
[-1.5, 1.0, 0.5]
"""

from . import math as math  # autograd.math; not in __all__: a star import must not shadow math
from ._version import __version__
from .anomaly import AnomalyError, detect_anomaly
from .clash import NameClashWarning, warn_if_clashing
from .compile import Compiled, TraceError, jit
from .engine import RULES, Operand, Value, lift, zero_grad
from .forward import hvp, jacfwd, jvp
from .functional import grad, hessian, jacobian, value_and_grad
from .gradcheck import GradcheckError, GradcheckResult, GradcheckWarning, gradcheck, gradgradcheck
from .graph import topological_order
from .html import to_html
from .modes import enable_grad, gc_paused, no_grad
from .nary import dot, logsumexp, matvec, max, min, sum
from .notebook import Explorer, explore
from .render import draw, render, to_dot
from .rundot import RenderError
from .userops import Op, op
from .vmap import Vmapped, vmap

__all__ = [
    "RULES",
    "AnomalyError",
    "Compiled",
    "Explorer",
    "GradcheckError",
    "GradcheckResult",
    "GradcheckWarning",
    "NameClashWarning",
    "Op",
    "Operand",
    "RenderError",
    "TraceError",
    "Value",
    "Vmapped",
    "__version__",
    "detect_anomaly",
    "dot",
    "draw",
    "enable_grad",
    "explore",
    "gc_paused",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "hessian",
    "hvp",
    "jacfwd",
    "jacobian",
    "jit",
    "jvp",
    "lift",
    "logsumexp",
    "matvec",
    "max",
    "min",
    "no_grad",
    "op",
    "render",
    "sum",
    "to_dot",
    "to_html",
    "topological_order",
    "value_and_grad",
    "vmap",
    "zero_grad",
]

warn_if_clashing()  # HIPS autograd merged into this folder breaks both: say so at import
