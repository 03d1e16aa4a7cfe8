"""Elementwise functions and activations; each VJP reuses the forward result where it can."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..autograd import defvjp, primitive
from ..numeric import stable_sigmoid

if TYPE_CHECKING:   # annotations only
    from .._types import TensorLike
    from ..autograd.core import TensorBase as Tensor



@primitive
def exp(x):
    return np.exp(x)
defvjp(exp, lambda g, out, x: g * out, saves=("out",))


@primitive
def log(x):
    return np.log(x)
defvjp(log, lambda g, out, x: g / x, saves=(0,))


@primitive
def log1p(x):
    """``log(1 + x)``, accurate for tiny x (``torch.log1p``); d/dx = 1 / (1 + x)."""
    return np.log1p(x)
defvjp(log1p, lambda g, out, x: g / (1 + x), saves=(0,))


@primitive
def expm1(x):
    """``e^x - 1``, accurate for tiny x (``torch.expm1``); d/dx = e^x = out + 1."""
    return np.expm1(x)
defvjp(expm1, lambda g, out, x: g * (out + 1), saves=("out",))


@primitive
def sqrt(x):
    return np.sqrt(x)
defvjp(sqrt, lambda g, out, x: g / (2 * out), saves=("out",))


@primitive
def abs(x):
    return np.abs(x)
defvjp(abs, lambda g, out, x: g * np.sign(x), saves=(0,))


@primitive
def sin(x):
    return np.sin(x)
defvjp(sin, lambda g, out, x: g * np.cos(x), saves=(0,))


@primitive
def cos(x):
    return np.cos(x)
defvjp(cos, lambda g, out, x: -g * np.sin(x), saves=(0,))


@primitive
def clip(x, lo=None, hi=None):
    """Clamp to ``[lo, hi]``; the gradient passes where ``lo <= x <= hi`` (as torch.clamp)."""
    return np.clip(x, lo, hi)


def _clip_vjp(g, out, x, lo=None, hi=None):
    inside = np.ones(x.shape, dtype=bool)
    if lo is not None:
        inside &= x >= lo
    if hi is not None:
        inside &= x <= hi
    return g * inside
defvjp(clip, _clip_vjp, saves=(0,))


@primitive
def relu(x: TensorLike) -> Tensor:
    """max(x, 0); the derivative at 0 is taken as 0, as in PyTorch."""
    return np.maximum(x, 0)
defvjp(relu, lambda g, out, x: g * (out > 0), saves=("out",))


@primitive
def leaky_relu(x: TensorLike, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, ``negative_slope * x`` otherwise (torch.nn.functional.leaky_relu)."""
    return np.where(x > 0, x, x * negative_slope)
defvjp(leaky_relu, lambda g, out, x, negative_slope=0.01: np.where(x > 0, g, g * negative_slope))


@primitive
def sigmoid(x: TensorLike) -> Tensor:
    """σ(x) = 1 / (1 + e^-x); σ' = σ (1 - σ)."""
    return stable_sigmoid(x)  # type: ignore  # an array here; the decorator wraps it
defvjp(sigmoid, lambda g, out, x: g * out * (1 - out), saves=("out",))


@primitive
def tanh(x: TensorLike) -> Tensor:
    """tanh(x); tanh' = 1 - tanh²."""
    return np.tanh(x)
defvjp(tanh, lambda g, out, x: g * (1 - out * out), saves=("out",))


@primitive
def elu(x, alpha=1.0):
    """x for x > 0, ``alpha (e^x - 1)`` otherwise (Clevert et al. 2016; torch's elu).
    For x <= 0 the derivative α e^x is the output plus α."""
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
defvjp(elu, lambda g, out, x, alpha=1.0: np.where(x > 0, g, g * (out + alpha)))


@primitive
def silu(x):
    """x σ(x) (swish); derivative σ(x) (1 + x (1 - σ(x)))."""
    return x * stable_sigmoid(x)


def _silu_vjp(g, out, x):
    s = stable_sigmoid(x)
    return g * s * (1 + x * (1 - s))
defvjp(silu, _silu_vjp)


@primitive
def softplus(x, beta=1.0, threshold=20.0):
    """``log(1 + e^{βx}) / β``, and x itself where ``βx > threshold`` (torch's softplus);
    the derivative is σ(βx) (1 in the linear part)."""
    bx = beta * x
    return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta)
defvjp(softplus, lambda g, out, x, beta=1.0, threshold=20.0:
       np.where(beta * x > threshold, g, g * stable_sigmoid(beta * x)))


def _tie_share(g, a, b):
    """The part of ``g`` that goes to ``a`` in max(a, b): all of it where a wins, half of it
    at a tie (torch splits a tie evenly; so does its maximum(x, 0) at 0)."""
    return g * (a > b) + g * (a == b) * 0.5


@primitive
def maximum(a, b):
    """The elementwise maximum (``torch.maximum``; NaN wins, as torch)."""
    return np.maximum(a, b)
defvjp(maximum, lambda g, out, a, b: _tie_share(g, a, b),
                lambda g, out, a, b: _tie_share(g, b, a), saves=(0, 1))


@primitive
def minimum(a, b):
    """The elementwise minimum (``torch.minimum``; NaN wins, as torch)."""
    return np.minimum(a, b)
defvjp(minimum, lambda g, out, a, b: _tie_share(g, b, a),
                lambda g, out, a, b: _tie_share(g, a, b), saves=(0, 1))
