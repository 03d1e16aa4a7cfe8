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
            lambda g, out, a, b: g, saves=())


@primitive
def sub(a, b):
    return a - b
defvjp(sub, lambda g, out, a, b: g,
            lambda g, out, a, b: -g, saves=())


@primitive
def mul(a, b):
    return a * b
defvjp(mul, lambda g, out, a, b: g * b,
            lambda g, out, a, b: g * a, saves=(0, 1))


@primitive
def div(a, b):
    return a / b
defvjp(div, lambda g, out, a, b: g / b,
            lambda g, out, a, b: -g * out / b)


@primitive
def neg(a):
    return -a
defvjp(neg, lambda g, out, a: -g, saves=())


def _log_or_zero(a, dtype):
    """log a, with 0 where a = 0 and NaN where a < 0, in ``dtype`` (the output's).

    d(a^b)/db = a^b log a; where a = 0 the product tends to 0 (for b > 0).  Built in the
    output's dtype: NaN/0.0 literals or a Python-float base would otherwise make it float64.
    """
    a = np.asarray(a)
    log = np.full(a.shape, np.nan, dtype=dtype)
    log[a == 0] = 0
    pos = a > 0
    log[pos] = np.log(a[pos])
    return log


def _power_vjp_a(g, out, a, b):
    """d(a^b)/da = b a^(b-1), taken as 0 where b = 0 (a^0 = 1 is constant, even at a = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):  # 0^(b-1) for b < 1, as torch: inf
        d = b * a ** (b - 1)
    if np.any(np.equal(b, 0)):  # as torch: otherwise 0 * 0^-1 = NaN at a = 0
        d = np.where(np.equal(b, 0), 0, d)
    return g * d


@primitive
def power(a, b):
    with np.errstate(divide="ignore"):   # 0 ** -1 = inf, as IEEE pow and torch, silently
        return a ** b
defvjp(power, _power_vjp_a,
              lambda g, out, a, b: g * out * _log_or_zero(a, np.result_type(out)))


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
    a_k = np.shape(a)[-1] if np.ndim(a) else None
    b_k = np.shape(b)[-2 if np.ndim(b) > 1 else -1] if np.ndim(b) else None
    if a_k is None or b_k is None or a_k != b_k:
        raise ValueError(f"matmul: shapes {np.shape(a)} and {np.shape(b)} are not aligned "
                         f"(the last axis of a, {a_k}, must equal the contracted axis of b, "
                         f"{b_k}; 0-d operands are not allowed)")
    return a @ b
defvjp(matmul, _matmul_vjp_a, _matmul_vjp_b, saves=(0, 1))


@primitive
def astype(a, dtype):
    return a.astype(dtype)
defvjp(astype, lambda g, out, a, dtype: g.astype(a.dtype), saves=())
