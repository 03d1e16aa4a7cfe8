"""A float32 ``tanh`` that numba vectorises, for the recurrent cells' compiled forward loops
(``lstm.py``, ``gru.py``; reference: ``np.tanh``).

NumPy's float32 ``tanh`` took ~2.8 ns a number on the project's machine (its SIMD version needs
AVX-512, which NumPy does not find there), and numba's own ``np.tanh`` in a loop calls the
scalar libm one, several times slower still.  This one is a rational function, branch-free, so
LLVM vectorises a loop over it: ~0.5-0.8 ns a number.  Accuracy: at most 6 ULP from the
correctly rounded value (NumPy's is within 1), checked by ``tests/kernels/test_kernels.py`` on
every 97th float32 in ±10.

Editing this file: numba's disk cache keys a kernel by *its own* source file, so the cached
LSTM and GRU kernels that inline ``tanh32`` do not see a change here; delete
``nnscratch/kernels/__pycache__`` (or touch ``lstm.py`` and ``gru.py``) after editing it.
"""
from __future__ import annotations

import numpy as np

from ._jit import jit_ieee


@jit_ieee
def tanh32(x):
    """float32 ``tanh(x)`` as ``x·p(x²)/q(x²)`` (degrees 12 and 6: the minimax fit Eigen uses
    for float), on x clamped to ±7.905 where it reaches ±1 exactly.  Below |x| = 0.0004,
    ``tanh(x)`` rounds to x itself (and returning x keeps the subnormals exact); NaN stays NaN.
    Branch-free, so a loop over it vectorises."""
    clamp = np.float32(7.90531110763549805)
    v = min(max(x, -clamp), clamp)
    v2 = v * v
    p = v2 * np.float32(-2.76076847742355e-16) + np.float32(2.00018790482477e-13)
    p = p * v2 + np.float32(-8.60467152213735e-11)
    p = p * v2 + np.float32(5.12229709037114e-08)
    p = p * v2 + np.float32(1.48572235717979e-05)
    p = p * v2 + np.float32(6.37261928875436e-04)
    p = p * v2 + np.float32(4.89352455891786e-03)
    q = v2 * np.float32(1.19825839466702e-06) + np.float32(1.18534705686654e-04)
    q = q * v2 + np.float32(2.26843463243900e-03)
    q = q * v2 + np.float32(4.89352518554385e-03)
    r = (p * v) / q
    r = x if abs(x) < np.float32(0.0004) else r
    return x if x != x else r


@jit_ieee
def tanh_into(x, out):
    """``out[k] = tanh32(x[k])`` over flat float32 arrays (for the tests' sweep)."""
    for k in range(x.size):
        out[k] = tanh32(x[k])
