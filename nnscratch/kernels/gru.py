"""A GRU cell's step as compiled loops, one forward and one backward (reference: the NumPy
steps ``_GRUTape._step_numpy`` and ``_GRUTape._cell_backward`` in ``nnscratch/ops/recurrent.py``;
``reset_after=True`` only, as in torch.nn.GRU).

* **Forward, float32** (:func:`cell_forward`): the NumPy step makes 11 elementwise calls on
  ``(H, N)`` blocks, two of them ``tanh``; this loop does the same arithmetic in one pass, in
  the reference's order, with the float32 ``tanh`` of :mod:`.tanh` (at most 6 ULP from the
  correctly rounded value, where NumPy's is within 1: so not bit for bit;
  ``tests/kernels/test_kernels.py`` states the bound).  float64 (the gradient checks) keeps
  NumPy's.
* **Backward** (:func:`cell_backward`, both dtypes): the 14 calls of the gate gradients in one
  pass, the reference's arithmetic in its order (no fused multiply-add), so the same bits.

Layout (the reference's): gate activations ``a`` ``(3H, N)`` with rows ``r, z, n``, the sigmoid
rows' pre-activations pre-halved (σ(z) = ½ tanh(z/2) + ½), feature-major states ``(H, N)``.
"""
from __future__ import annotations

import numpy as np

from ._jit import jit, jit_ieee
from .lstm import _rows
from .tanh import tanh32


def cell_forward(a, rec, b_hn, keep, h, h_next):
    """One float32 step: with ``rec = W_hh h`` (rows r, z pre-halved) and ``b_hn`` the hidden
    bias of rows n broadcast to ``(H, N)``: ``keep = rec_n + b_hn``, ``r, z = ½ tanh(a + rec)
    + ½``, ``n = tanh(a_n + r ⊙ keep)`` written back into ``a``, and ``h_next = n + (h - n) ⊙ z``
    (= ``(1 - z) ⊙ n + z ⊙ h``)."""
    _cell_forward(_rows(a, 3), _rows(rec, 3), _rows(b_hn, 1)[0], _rows(keep, 1)[0],
                  _rows(h, 1)[0], _rows(h_next, 1)[0])


@jit_ieee
def _cell_forward(a, rec, b_hn, keep, h, h_next):
    half = np.float32(0.5)
    for k in range(h.size):
        kp = rec[2, k] + b_hn[k]
        r = tanh32(a[0, k] + rec[0, k]) * half + half
        z = tanh32(a[1, k] + rec[1, k]) * half + half
        n = tanh32(a[2, k] + r * kp)
        a[0, k], a[1, k], a[2, k] = r, z, n
        keep[k] = kp
        h_next[k] = n + (h[k] - n) * z


def cell_backward(dh, a, h, keep, d, dn):
    """One BPTT step's gate gradients from ``dh = ∂E/∂h_t`` (activations ``a`` rows r, z, n,
    ``h = h_{t-1}``, ``keep = W_hn h + b_hn``)::

        δn = dh (1 - n²)(1 - z)     δz = (h - n) dh (1 - z) z     δr = δn keep (1 - r) r

    into ``dn`` (δn) and ``d`` (rows δr, δz, δn ⊙ r: what the hidden side sees)."""
    _cell_backward(_rows(dh, 1)[0], _rows(a, 3), _rows(h, 1)[0], _rows(keep, 1)[0],
                   _rows(d, 3), _rows(dn, 1)[0], dh.dtype.type(1))


# ``one`` comes in as an argument of the arrays' dtype (the kernel serves float32 and float64)
@jit
def _cell_backward(dh, a, h, keep, d, dn, one):
    for k in range(dh.size):
        r, z, n, g = a[0, k], a[1, k], a[2, k], dh[k]
        omz = one - z
        dn_k = g * ((one - n * n) * omz)
        d[0, k] = (dn_k * keep[k]) * ((one - r) * r)
        d[1, k] = ((h[k] - n) * g) * (omz * z)
        d[2, k] = dn_k * r
        dn[k] = dn_k
