"""The stride-1 convolution's column layout as compiled loops (reference: ``FlatPlan`` in
``nnscratch/ops/im2col.py``, whose NumPy methods compute the same arrays).

``FlatPlan`` lays the padded image ``(N, C, Hp, Wp)`` out flat, so that row ``(c, i, j)`` of the
columns is the slice ``xp[n, c].ravel()[s : s + L]`` with shift ``s = i·dh·Wp + j·dw`` and
``L = (Ho - 1)·Wp + Wo`` positions per image.  NumPy needs a padded copy of the input first and
then one strided copy; the loops below read the unpadded input directly (zeros where a position
falls in the padding or in the junk columns past ``Wo``).  Only copies and sums in the
reference's order: the results are bit for bit the reference's.

The loops index flat arrays with unsigned integers (``_u``): with signed indices numba must
allow for Python's negative indexing at every access, which kept LLVM from vectorising the
copies (measured 2.5x slower for the benchmark ConvNet's second im2col).
"""
from __future__ import annotations

import numpy as np

from ._jit import jit
from ._jit import u64 as _u


@jit
def _columns(x, cols, n_img, c_in, h, w, kh, kw, ph, pw, dh, dw, ho, wo, wp):
    length = (ho - 1) * wp + wo
    for row in range(c_in * kh * kw):
        c, ij = row // (kh * kw), row % (kh * kw)
        i, j = ij // kw, ij % kw
        shift = j * dw - pw                           # input column = output column + shift
        lo, hi = max(0, -shift), max(0, min(wo, w - shift))   # the columns that see the input
        for n in range(n_img):
            for y in range(ho):
                r = y + i * dh - ph                   # the input row under this output row
                start = _u((row * n_img + n) * length + y * wp)
                m = _u(wp if y < ho - 1 else wo)
                if r < 0 or r >= h or hi <= lo:
                    for p in range(m):
                        cols[start + p] = 0
                    continue
                src = _u(((n * c_in + c) * h + r) * w + shift + lo)
                for p in range(_u(lo)):
                    cols[start + p] = 0
                d = start + _u(lo)
                for p in range(_u(hi - lo)):
                    cols[d + p] = x[src + p]
                for p in range(_u(hi), m):
                    cols[start + p] = 0


def columns(x: np.ndarray, kh: int, kw: int, ph: int, pw: int, dh: int, dw: int, ho: int,
            wo: int, ones_row: bool) -> np.ndarray:
    """``FlatPlan.columns``: ``(C·kh·kw [+1], N·L)`` columns of ``x`` ``(N, C, H, W)``."""
    n, c, h, w = x.shape
    wp = w + 2 * pw
    k = c * kh * kw
    cols = np.empty((k + ones_row, n * ((ho - 1) * wp + wo)), dtype=x.dtype)
    _columns(np.ascontiguousarray(x).reshape(-1), cols.reshape(-1), n, c, h, w, kh, kw, ph, pw,
             dh, dw, ho, wo, wp)
    if ones_row:
        cols[k] = 1
    return cols


@jit
def _col2im(dcols, out, n_img, c_in, h, w, kh, kw, ph, pw, dh, dw, ho, wo, wp):
    length = (ho - 1) * wp + wo
    for plane in range(n_img * c_in):
        n, c = plane // c_in, plane % c_in
        base = _u(plane * h * w)
        for p in range(_u(h * w)):
            out[base + p] = 0
        # offset by offset, each adding one shifted run: the reference's order of the sums
        for i in range(kh):
            for j in range(kw):
                row = (c * kh + i) * kw + j
                shift = j * dw - pw
                lo, hi = max(0, -shift), max(0, min(wo, w - shift))
                for yo in range(ho):
                    r = yo + i * dh - ph
                    if r < 0 or r >= h or hi <= lo:
                        continue
                    src = _u((row * n_img + n) * length + yo * wp + lo)
                    dst = base + _u(r * w + shift + lo)
                    for p in range(_u(hi - lo)):
                        out[dst + p] += dcols[src + p]


def col2im(dcols: np.ndarray, shape, kh: int, kw: int, ph: int, pw: int, dh: int, dw: int,
           ho: int, wo: int) -> np.ndarray:
    """``FlatPlan.col2im``: the input gradient ``(N, C, H, W)`` (C-contiguous) from the
    column gradients ``(C·kh·kw, N·L)``; the junk columns past ``Wo`` are never read."""
    n, c, h, w = shape
    out = np.empty(shape, dtype=dcols.dtype)
    _col2im(np.ascontiguousarray(dcols).reshape(-1), out.reshape(-1), n, c, h, w, kh, kw, ph,
            pw, dh, dw, ho, wo, w + 2 * pw)
    return out


@jit
def _grid_copy(rows, grid, n_img, f, ho, wo, wp, to_grid):
    """Copy between the GEMM's ``(F, N·L)`` rows and the ``(N, F, Ho, Wo)`` grid, one way
    (``to_grid``) or the other, where the rows' junk columns get zeros."""
    length = (ho - 1) * wp + wo
    for plane in range(n_img * f):
        n, k = plane // f, plane % f
        for r in range(ho):
            at = _u(k * n_img * length + n * length + r * wp)
            pix = _u((plane * ho + r) * wo)
            if to_grid:
                for p in range(_u(wo)):
                    grid[pix + p] = rows[at + p]
            else:
                for p in range(_u(wo)):
                    rows[at + p] = grid[pix + p]
                if r < ho - 1:
                    for p in range(_u(wo), _u(wp)):   # the junk columns must add nothing
                        rows[at + p] = 0


def output(y: np.ndarray, n: int, ho: int, wo: int, wp: int) -> np.ndarray:
    """``FlatPlan.output``: the GEMM's ``(F, N·L)`` as a C-contiguous ``(N, F, Ho, Wo)``."""
    out = np.empty((n, y.shape[0], ho, wo), dtype=y.dtype)
    _grid_copy(np.ascontiguousarray(y).reshape(-1), out.reshape(-1), n, y.shape[0], ho, wo, wp,
               True)
    return out


def grad_rows(g: np.ndarray, wp: int) -> np.ndarray:
    """``FlatPlan.grad_rows``: ``(N, F, Ho, Wo)`` -> ``(F, N·L)``, zeros in the junk columns."""
    n, f, ho, wo = g.shape
    rows = np.empty((f, n * ((ho - 1) * wp + wo)), dtype=g.dtype)
    _grid_copy(rows.reshape(-1), np.ascontiguousarray(g).reshape(-1), n, f, ho, wo, wp, False)
    return rows
