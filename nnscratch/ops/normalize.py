"""``F.normalize``: ``x / max(‖x‖_p, eps)`` along ``dim`` (torch.nn.functional.normalize).

With ``d = max(n, eps)`` and ``n = ‖x‖_p``, ``∂n/∂x = sign(x) |x|^{p-1} / n^{p-1}``, so the VJP
is ``g / d - [n > eps] · ⟨g, x⟩ / d² · ∂n/∂x``; below ``eps`` the denominator is a constant (as
torch's ``clamp_min``), which keeps a zero vector's gradient finite (``g / eps``).
"""
from __future__ import annotations

import numpy as np

from ..autograd import defvjp, primitive


def _norm(x, p, dim):
    if p == 0:      # torch's "0-norm": the count of non-zero entries
        return np.count_nonzero(x, axis=dim, keepdims=True).astype(x.dtype)
    return np.sum(np.abs(x) ** p, axis=dim, keepdims=True) ** (1.0 / p)


@primitive
def normalize(x, p=2.0, dim=1, eps=1e-12):
    """``x / max(‖x‖_p, eps)`` over ``dim`` (kept for broadcasting); shapes as ``x``."""
    return x / np.maximum(_norm(x, p, dim), eps)


def _normalize_vjp(g, out, x, p=2.0, dim=1, eps=1e-12):
    n = _norm(x, p, dim)
    d = np.maximum(n, eps)
    if p == 0:      # the count is piecewise constant: only the division has a gradient
        return g / d
    dn = np.sign(x) * np.abs(x) ** (p - 1) / np.where(n > 0, n, 1) ** (p - 1)
    inner = np.sum(g * x, axis=dim, keepdims=True)
    return g / d - np.where(n > eps, inner / (d * d), 0) * dn


defvjp(normalize, _normalize_vjp, saves=(0,))
