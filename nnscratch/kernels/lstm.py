"""An LSTM cell's elementwise gate arithmetic as compiled loops (reference: the time loops of
``lstm_sequence`` in ``nnscratch/ops/recurrent.py``).

Per time step the NumPy reference makes about 6 elementwise calls in the forward pass and 17
in the backward on ``(H, N)`` blocks (``H·N`` = 8192 numbers in the char-LSTM benchmark): each
call is a pass over memory plus NumPy's fixed cost per call, which at this size is a good part
of the work.  The loops below do the same arithmetic, in the same order and with the same
roundings (no fused multiply-add: numba's default, fastmath off), in one pass.  The ``tanh``
calls stay NumPy's: its vectorised tanh is several times faster than the scalar libm one a
numba loop would call, and the results would differ in the last bits.

Layout (the reference's): gate activations ``a`` ``(4H, N)`` with rows ``i, f, o, g``,
feature-major states ``(H, N)``.  Serial loops: an ``(H, N)`` block is too small to share out
over threads with profit.
"""
from __future__ import annotations

import numpy as np

from ._jit import jit


def _rows(x: np.ndarray, rows: int) -> np.ndarray:
    """``x`` as ``rows`` flat rows, a view (a copy would lose the kernel's writes)."""
    if not x.flags.c_contiguous:
        raise ValueError(f"lstm kernels: arrays must be C-contiguous, got strides {x.strides}")
    return x.reshape(rows, -1)


def cell_forward(a, c_prev, c):
    """After ``a = tanh(a)`` (the sigmoid rows' pre-activations pre-halved): the sigmoid rows
    become ``½ tanh + ½``, and ``c = f ⊙ c_prev + i ⊙ g``, written into ``a`` and ``c``."""
    _cell_forward(_rows(a, 4), _rows(c_prev, 1)[0], _rows(c, 1)[0], c.dtype.type(0.5))


# The loops run over the H·N numbers of each gate as one flat row (the blocks are contiguous):
# a single index the compiler vectorises, measured 1.6x faster than nested (h, n) loops.
# The constants come in as arguments of the arrays' dtype: a Python literal is a float64 in
# numba and would turn float32 arithmetic into float64 (other roundings than the reference's).
@jit
def _cell_forward(a, c_prev, c, half):
    for k in range(c.size):
        i = a[0, k] * half + half
        f = a[1, k] * half + half
        a[0, k] = i
        a[1, k] = f
        a[2, k] = a[2, k] * half + half
        c[k] = f * c_prev[k] + i * a[3, k]


def cell_backward(dm, dc, a, tc, c_prev, d):
    """One BPTT step's gate gradients ``d`` ``(4H, N)`` (rows i, f, o, g) from ``dm = ∂E/∂m_t``
    and the carried ``dc``, which is updated to ``dc_t ⊙ f`` (what reaches ``c_{t-1}``)::

        δo = dm tanh(c) σ'      dc += dm o (1 - tanh²c)     δi = dc g σ'    δf = dc c_prev σ'
        δg = dc i (1 - g²)      with σ' = σ (1 - σ)
    """
    _cell_backward(_rows(dm, 1)[0], _rows(dc, 1)[0], _rows(a, 4), _rows(tc, 1)[0],
                   _rows(c_prev, 1)[0], _rows(d, 4), dc.dtype.type(1))


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
