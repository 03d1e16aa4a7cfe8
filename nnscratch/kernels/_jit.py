"""The numba decorators every kernel uses (imported only when a kernel is first needed)."""
from __future__ import annotations

import numba

# cache=True: the machine code is written to disk at the first compile and loaded by later
# processes (numba keys it by the source file's stamp and the argument types).
# fastmath stays off: the kernels must give the NumPy reference's numbers (NaN and inf
# included), and the reordering it allows would not.
# No parallel=True: on two cores shared with OpenBLAS's threads (and, on a busy machine, with
# other processes) numba's thread pool measured slower than one thread for these kernels (the
# im2col 2.5x; the LSTM cell between its GEMMs ~5x, at load 12: bench/analysis.md).
jit = numba.njit(cache=True, nogil=True)

# For loops that divide: with Python's error model numba checks every divisor for zero (to
# raise ZeroDivisionError), and that branch keeps LLVM from vectorising the loop (measured
# 8x slower for the float32 tanh below).  NumPy's model gives IEEE results (inf, NaN) instead.
jit_ieee = numba.njit(cache=True, nogil=True, error_model="numpy")

# an unsigned index: numba then skips the negative-index wrap-around check at every access
u64 = numba.uint64
