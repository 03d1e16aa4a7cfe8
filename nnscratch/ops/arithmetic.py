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
            lambda g, out, a, b: g * a, saves=[(1,), (0,)])   # each reads the other


@primitive
def div(a, b):
    return a / b
defvjp(div, lambda g, out, a, b: g / b,
            lambda g, out, a, b: -g * out / b, saves=[(1,), (1, "out")])


@primitive
def neg(a):
    return -a
defvjp(neg, lambda g, out, a: -g, saves=())


def _power_vjp_a(g, out, a, b):
    """d(a^b)/da = b a^(b-1), taken as 0 where b = 0 (a^0 = 1 is constant, even at a = 0):
    there the base is replaced by 1, so that no 0 * inf = NaN appears (nor in its own
    derivative, under create_graph)."""
    zero = np.equal(b, 0)
    if np.any(zero):
        a = np.where(zero, 1, a)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0^(b-1) for b < 1, as torch: inf
        return g * (b * a ** (b - 1))


def _power_vjp_b(g, out, a, b):
    """d(a^b)/db = a^b log a.  At a = 0, as torch: 0 where b >= 0 (the limit), and
    a^b log a = inf * -inf = -inf where b < 0; NaN for a < 0 (log of a negative)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        # a Python-number base stays a Python number: a NumPy float64 scalar would make a
        # float32 gradient float64
        log_a = np.log(a) if hasattr(a, "dtype") else float(np.log(a))
        d = out * log_a
    limit = np.logical_and(np.equal(a, 0), np.greater_equal(b, 0))
    return g * (np.where(limit, 0, d) if np.any(limit) else d)


@primitive
def power(a, b):
    with np.errstate(divide="ignore"):   # 0 ** -1 = inf, as IEEE pow and torch, silently
        return a ** b
defvjp(power, _power_vjp_a, _power_vjp_b, saves=[(0, 1), (0, "out")])


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
defvjp(matmul, _matmul_vjp_a, _matmul_vjp_b, saves=[(1,), (0,)])


@primitive
def astype(a, dtype):
    return a.astype(dtype)
defvjp(astype, lambda g, out, a, dtype: g.astype(a.dtype), saves=())
