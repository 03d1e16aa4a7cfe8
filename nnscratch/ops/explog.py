"""Exponentials and logarithms in other bases, and log-sum of two exponentials.

exp2 x = 2^x, d = 2^x ln 2; log2 x, d = 1/(x ln 2); log10 x, d = 1/(x ln 10);
logaddexp(a, b) = log(e^a + e^b), ∂/∂a = σ(a - b) = e^(a - out); logaddexp2 likewise in base 2.
``logaddexp(-inf, -inf)`` is -inf with a zero gradient (torch's value; NumPy's derivative
e^(a - out) would be NaN there).
"""
import math

import numpy as np

from ..autograd import defvjp, primitive

_IEEE = dict(invalid="ignore", divide="ignore", over="ignore")  # NaN/inf, silently (torch)

_LN2 = math.log(2)
_LN10 = math.log(10)


@primitive
def exp2(x):
    """2^x (``torch.exp2``)."""
    with np.errstate(**_IEEE):
        return np.exp2(x)
defvjp(exp2, lambda g, out, x: g * out * _LN2, saves=("out",))


@primitive
def log2(x):
    """log₂ x (``torch.log2``)."""
    with np.errstate(**_IEEE):
        return np.log2(x)
defvjp(log2, lambda g, out, x: g / (x * _LN2), saves=(0,))


@primitive
def log10(x):
    """log₁₀ x (``torch.log10``)."""
    with np.errstate(**_IEEE):
        return np.log10(x)
defvjp(log10, lambda g, out, x: g / (x * _LN10), saves=(0,))


def _share(a, out, base=None):
    """e^(a - out) (2^(a - out) in base 2), 0 where both inputs are -inf (out is -inf)."""
    d = a - np.where(np.isneginf(out), 0, out)
    w = np.exp2(d) if base == 2 else np.exp(d)
    return np.where(np.isneginf(out), 0, w)


@primitive
def logaddexp(a, b):
    """log(e^a + e^b) without overflow (``torch.logaddexp``)."""
    return np.logaddexp(a, b)
defvjp(logaddexp, lambda g, out, a, b: g * _share(a, out),
                  lambda g, out, a, b: g * _share(b, out))


@primitive
def logaddexp2(a, b):
    """log₂(2^a + 2^b) (``torch.logaddexp2``)."""
    return np.logaddexp2(a, b)
defvjp(logaddexp2, lambda g, out, a, b: g * _share(a, out, 2),
                   lambda g, out, a, b: g * _share(b, out, 2))
