"""More pointwise activations (torch.nn.functional's), forward and VJP side by side.

The derivatives at the kinks are torch's: ``hardtanh``/``relu6``/``hardsigmoid`` have slope 0 at
the clip points, ``hardswish`` takes ``x/3 + 1/2`` on
``(-3, 3)``, 0 at -3 and 1 at 3, and ``celu``/``selu`` the exponential branch at 0.  The masks
are written as torch's comparisons, so that a NaN input gets the gradient of the branch
torch's kernels send it to (the "else" branch).
"""
from __future__ import annotations

import numpy as np

from ..autograd import defvjp, primitive
from ..numeric import stable_sigmoid

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


@primitive
def hardtanh(x, min_val=-1.0, max_val=1.0):
    """``clamp(x, min_val, max_val)``; slope 1 strictly inside (``F.hardtanh``)."""
    return np.clip(x, min_val, max_val)


defvjp(hardtanh, lambda g, out, x, min_val=-1.0, max_val=1.0:
       g * ~((x <= min_val) | (x >= max_val)), saves=(0,))


def relu6(x):
    """``min(max(x, 0), 6)`` (``F.relu6``: torch's hardtanh(x, 0, 6))."""
    return hardtanh(x, 0.0, 6.0)


@primitive
def hardsigmoid(x):
    """``clamp(x / 6 + 1/2, 0, 1)``; slope 1/6 on ``(-3, 3)`` (``F.hardsigmoid``)."""
    return np.clip(x / 6 + 0.5, 0, 1).astype(x.dtype, copy=False)


defvjp(hardsigmoid, lambda g, out, x: g * ((x > -3) & (x < 3)) / 6, saves=(0,))


@primitive
def hardswish(x):
    """``x · hardsigmoid(x)``: 0 below -3, x above 3 (``F.hardswish``); derivative
    ``x/3 + 1/2`` on ``(-3, 3)``."""
    return (x * np.clip(x / 6 + 0.5, 0, 1)).astype(x.dtype, copy=False)


defvjp(hardswish, lambda g, out, x:
       g * np.where(x <= -3, 0, np.where(x < 3, x / 3 + 0.5, 1)), saves=(0,))


@primitive
def celu(x, alpha=1.0):
    """``max(0, x) + min(0, α (e^{x/α} - 1))`` (``F.celu``); derivative ``e^{x/α}`` below 0."""
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0) / alpha)).astype(x.dtype,
                                                                                   copy=False)


defvjp(celu, lambda g, out, x, alpha=1.0:
       np.where(x <= 0, g * np.exp(np.minimum(x, 0) / alpha), g), saves=(0,))


@primitive
def selu(x):
    """``scale · (max(0, x) + min(0, α (e^x - 1)))`` with Klambauer et al.'s α ≈ 1.6733 and
    scale ≈ 1.0507 (``F.selu``)."""
    return (SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))
            ).astype(x.dtype, copy=False)


defvjp(selu, lambda g, out, x:
       g * np.where(x <= 0, SELU_SCALE * SELU_ALPHA * np.exp(np.minimum(x, 0)), SELU_SCALE),
       saves=(0,))


def _softplus(x):
    return np.logaddexp(0, x)


@primitive
def mish(x):
    """``x · tanh(softplus(x))`` (Misra 2019; ``F.mish``); derivative
    ``tanh(sp) + x σ(x) (1 - tanh²(sp))``."""
    return (x * np.tanh(_softplus(x))).astype(x.dtype, copy=False)


def _mish_vjp(g, out, x):
    t = np.tanh(_softplus(x))
    return g * (t + x * stable_sigmoid(x) * (1 - t * t))


defvjp(mish, _mish_vjp, saves=(0,))


@primitive
def softsign(x):
    """``x / (1 + |x|)`` (``F.softsign``); derivative ``1 / (1 + |x|)²``."""
    return x / (1 + np.abs(x))


defvjp(softsign, lambda g, out, x: g / (1 + np.abs(x)) ** 2, saves=(0,))


@primitive
def logsigmoid(x):
    """``log σ(x) = -softplus(-x)``, stable for large ``|x|`` (``F.logsigmoid``); derivative
    ``σ(-x)``."""
    return -np.logaddexp(0, -x)


defvjp(logsigmoid, lambda g, out, x: g * stable_sigmoid(-x), saves=(0,))
