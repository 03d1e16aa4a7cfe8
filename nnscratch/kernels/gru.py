"""A GRU cell's forward step as one compiled loop (reference: the NumPy time loop of
``_GRUTape.forward`` in ``nnscratch/ops/recurrent.py``, ``reset_after=True`` as in
torch.nn.GRU).

Per time step the NumPy reference makes 11 elementwise calls on ``(H, N)`` blocks, two of them
``tanh``; this loop does the same arithmetic in one pass, in the reference's order, with the
float32 ``tanh`` of :mod:`.tanh` (at most 6 ULP from the correctly rounded value, where NumPy's
is within 1: so not bit for bit; ``tests/test_kernels.py`` states the bound).  float32 only:
float64 (the gradient checks) keeps the NumPy path.  The backward stays NumPy's.

Layout (the reference's): gate activations ``a`` ``(3H, N)`` with rows ``r, z, n``, the sigmoid
rows' pre-activations pre-halved (σ(z) = ½ tanh(z/2) + ½), feature-major states ``(H, N)``.
"""
from __future__ import annotations

import numpy as np

from ._jit import jit_ieee
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
