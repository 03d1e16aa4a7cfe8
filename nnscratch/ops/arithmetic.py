"""Arithmetic: + - * / ** @ and dtype casts, each with its VJP beside it.

The VJPs may return gradients of the broadcast shape; the engine sums them back
(:func:`nnscratch.autograd.unbroadcast`).
"""
import numpy as np

from ..autograd import defvjp, primitive


@primitive
def add(a, b):
    return a + b
defvjp(add, lambda g, out, a, b: g,
            lambda g, out, a, b: g)


@primitive
def sub(a, b):
    return a - b
defvjp(sub, lambda g, out, a, b: g,
            lambda g, out, a, b: -g)


@primitive
def mul(a, b):
    return a * b
defvjp(mul, lambda g, out, a, b: g * b,
            lambda g, out, a, b: g * a)


@primitive
def div(a, b):
    return a / b
defvjp(div, lambda g, out, a, b: g / b,
            lambda g, out, a, b: -g * out / b)


@primitive
def neg(a):
    return -a
defvjp(neg, lambda g, out, a: -g)


def _log_or_zero(a):
    # d(a^b)/db = a^b log a; where a = 0 the product a^b log a tends to 0 (for b > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a > 0, np.log(np.where(a > 0, a, 1)), np.where(a == 0, 0.0, np.nan))


@primitive
def power(a, b):
    return a ** b
defvjp(power, lambda g, out, a, b: g * b * a ** (b - 1),
              lambda g, out, a, b: g * out * _log_or_zero(a))


def _matmul_vjp_a(g, out, a, b):
    if a.ndim == 1 and b.ndim == 1:
        return g * b
    if b.ndim == 1:                              # (..., m, k) @ (k,) -> (..., m)
        return g[..., :, None] * b
    if a.ndim == 1:                              # (k,) @ (..., k, n) -> (..., n)
        return (g[..., None, :] @ np.swapaxes(b, -1, -2))[..., 0, :]
    return g @ np.swapaxes(b, -1, -2)


def _matmul_vjp_b(g, out, a, b):
    if a.ndim == 1 and b.ndim == 1:
        return g * a
    if b.ndim == 1:
        return (np.swapaxes(a, -1, -2) @ g[..., :, None])[..., 0]
    if a.ndim == 1:
        return a[:, None] * g[..., None, :]
    return np.swapaxes(a, -1, -2) @ g


@primitive
def matmul(a, b):
    return a @ b
defvjp(matmul, _matmul_vjp_a, _matmul_vjp_b)


@primitive
def astype(a, dtype):
    return a.astype(dtype)
defvjp(astype, lambda g, out, a, dtype: g.astype(a.dtype))
