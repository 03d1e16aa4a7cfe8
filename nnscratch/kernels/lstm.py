"""An LSTM cell's elementwise work as compiled loops (reference: the NumPy time loops of
``_LSTMTape`` in ``nnscratch/ops/recurrent.py``).

Per time step the NumPy reference makes about 8 elementwise calls in the forward pass and 17
in the backward on ``(H, N)`` blocks (``H·N`` = 8192 numbers in the char-LSTM benchmark): each
call is a pass over memory plus NumPy's fixed cost per call, which at this size is a good part
of the work.  The loops below do the same arithmetic in one pass.

* **Forward, float32** (:func:`cell_forward`): the whole cell, from the pre-activations to
  ``c_t``, ``tanh(c_t)`` and ``o ⊙ tanh(c_t)``, with its own ``tanh`` (:func:`.tanh.tanh32`,
  a rational approximation, at most 6 ULP from the correctly rounded value; NumPy's is within
  1).  NumPy's float32 ``tanh`` took ~2.8 ns a number here (about a quarter of the LSTM's
  forward time); this one, vectorised by LLVM, ~0.5 ns.  So the forward pass is *not* bit for
  bit the reference's: ``tests/kernels/test_kernels.py`` states the bounds.  float64 (gradient
  checks) keeps the NumPy path.
* **Backward** (:func:`cell_backward`, both dtypes): the reference's arithmetic, in its order
  and with its roundings (no fused multiply-add: numba's default, fastmath off), so the same
  bits given the same activations.

Layout (the reference's): gate activations ``a`` ``(4H, N)`` with rows ``i, f, o, g``,
feature-major states ``(H, N)``.  Serial loops: an ``(H, N)`` block is too small to share out
over threads with profit.
"""
from __future__ import annotations

import numpy as np

from ._jit import jit, jit_ieee
from .tanh import tanh32


def _rows(x: np.ndarray, rows: int) -> np.ndarray:
    """``x`` as ``rows`` flat rows, a view (a copy would lose the kernel's writes)."""
    if not x.flags.c_contiguous:
        raise ValueError(f"lstm kernels: arrays must be C-contiguous, got strides {x.strides}")
    return x.reshape(rows, -1)


def cell_forward(a, rec, c_prev, c, tc, h):
    """One float32 step: ``a += rec`` (``W_ih x_t + b`` plus ``W_hh h_{t-1}``, the sigmoid
    rows' pre-activations pre-halved), then the activations ``i, f, o = ½ tanh + ½``,
    ``g = tanh`` written back into ``a``, ``c = f ⊙ c_prev + i ⊙ g``, ``tc = tanh(c)`` and
    ``h = o ⊙ tc``."""
    _cell_forward(_rows(a, 4), _rows(rec, 4), _rows(c_prev, 1)[0], _rows(c, 1)[0],
                  _rows(tc, 1)[0], _rows(h, 1)[0])


# The loops run over the H·N numbers of each gate as one flat row (the blocks are contiguous):
# a single index the compiler vectorises, measured 1.6x faster than nested (h, n) loops.
# Constants are float32 (a Python float literal is a float64 in numba and would turn the
# float32 arithmetic into float64).
@jit_ieee
def _cell_forward(a, rec, c_prev, c, tc, h):
    half = np.float32(0.5)
    for k in range(c.size):
        i = tanh32(a[0, k] + rec[0, k]) * half + half
        f = tanh32(a[1, k] + rec[1, k]) * half + half
        o = tanh32(a[2, k] + rec[2, k]) * half + half
        g = tanh32(a[3, k] + rec[3, k])
        a[0, k], a[1, k], a[2, k], a[3, k] = i, f, o, g
        cc = f * c_prev[k] + i * g
        t = tanh32(cc)
        c[k], tc[k], h[k] = cc, t, o * t


def cell_backward(dm, dc, a, tc, c_prev, d):
    """One BPTT step's gate gradients ``d`` ``(4H, N)`` (rows i, f, o, g) from ``dm = ∂E/∂m_t``
    and the carried ``dc``, which is updated to ``dc_t ⊙ f`` (what reaches ``c_{t-1}``)::

        δo = dm tanh(c) σ'      dc += dm o (1 - tanh²c)     δi = dc g σ'    δf = dc c_prev σ'
        δg = dc i (1 - g²)      with σ' = σ (1 - σ)
    """
    _cell_backward(_rows(dm, 1)[0], _rows(dc, 1)[0], _rows(a, 4), _rows(tc, 1)[0],
                   _rows(c_prev, 1)[0], _rows(d, 4), dc.dtype.type(1))


# ``one`` comes in as an argument of the arrays' dtype (the kernel serves float32 and float64)
@jit
def _cell_backward(dm, dc, a, tc, c_prev, d, one):
    for k in range(dc.size):
        i, f, o, g = a[0, k], a[1, k], a[2, k], a[3, k]
        t, m = tc[k], dm[k]
        dc_t = dc[k] + (one - t * t) * o * m
        d[0, k] = dc_t * g * ((one - i) * i)
        d[1, k] = dc_t * c_prev[k] * ((one - f) * f)
        d[2, k] = m * t * ((one - o) * o)
        d[3, k] = dc_t * i * (one - g * g)
        dc[k] = dc_t * f
