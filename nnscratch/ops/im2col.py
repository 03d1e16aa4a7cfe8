"""im2col / col2im: a convolution as one matrix multiply (001 §9.7).

Every receptive field of the (zero-padded) input is stretched into a column, so that the
correlation of ``F`` filters with the input becomes one GEMM ``W_row @ X_col``:

* ``X_col`` has one row per filter coefficient ``(c, i, j)`` (``C·kh·kw`` rows) and one column
  per output location ``(n, y, x)`` (``N·Ho·Wo`` columns);
* ``W_row`` is the weight ``(F, C, kh, kw)`` reshaped to ``(F, C·kh·kw)``;
* the product ``(F, N·Ho·Wo)`` is the output, reshaped to ``(N, F, Ho, Wo)``.

The textbook's example: a 227×227×3 image and 11×11×3 filters at stride 4 give
``(227 - 11)/4 + 1 = 55`` positions per axis, so ``X_col`` is ``363 × 3025``.

The columns are copied out of a *strided view* of the input (``np.lib.stride_tricks``): the
view costs nothing and the copy is one vectorised pass, with no Python loop over pixels.
``col2im`` is the adjoint (it sums the columns back onto the overlapping pixels); it loops only
over the ``kh·kw`` kernel offsets, each iteration adding a whole strided slice at once.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import kernels
from .conv_args import conv_output_size, pair


def pad_hw(x: np.ndarray, ph: int, pw: int, value: float = 0.0, eh: int = 0,
          ew: int = 0) -> np.ndarray:
    """Pad the last two axes by ``ph`` rows and ``pw`` columns on both sides, plus ``eh`` more
    rows at the bottom and ``ew`` more columns at the right."""
    if ph == pw == eh == ew == 0:
        return x
    *lead, h, w = x.shape
    out = np.full((*lead, h + 2 * ph + eh, w + 2 * pw + ew), value, dtype=x.dtype)
    out[..., ph:ph + h, pw:pw + w] = x
    return out


def windows(xp: np.ndarray, kh: int, kw: int, sh: int, sw: int, dh: int = 1,
            dw: int = 1) -> np.ndarray:
    """A read-only strided view ``(N, C, kh, kw, Ho, Wo)`` of a padded ``(N, C, Hp, Wp)``.

    ``view[n, c, i, j, y, x] = xp[n, c, y·sh + i·dh, x·sw + j·dw]``; nothing is copied.
    """
    n, c, hp, wp = xp.shape
    ho = (hp - dh * (kh - 1) - 1) // sh + 1
    wo = (wp - dw * (kw - 1) - 1) // sw + 1
    s_n, s_c, s_h, s_w = xp.strides
    return as_strided(xp, (n, c, kh, kw, ho, wo),
                      (s_n, s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw), writeable=False)


def _check_input(x, kernel_size, stride, padding, dilation, owner):
    x = np.asarray(x)
    if x.ndim not in (3, 4):
        raise ValueError(f"{owner}: x must be (C, H, W) or (N, C, H, W), got shape {x.shape}")
    kh, kw = pair(kernel_size, "kernel_size", owner, 1)
    sh, sw = pair(stride, "stride", owner, 1)
    ph, pw = pair(padding, "padding", owner, 0)
    dh, dw = pair(dilation, "dilation", owner, 1)
    h, w = x.shape[-2:]
    if dh * (kh - 1) + 1 > h + 2 * ph or dw * (kw - 1) + 1 > w + 2 * pw:
        raise ValueError(f"{owner}: kernel {(kh, kw)} (dilation {(dh, dw)}) is larger than the "
                         f"padded input {(h + 2 * ph, w + 2 * pw)}")
    return x, (kh, kw), (sh, sw), (ph, pw), (dh, dw)


def im2col(x: np.ndarray, kernel_size, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Stretch every receptive field of ``x`` into a column (001 §9.7).

    Shape:
        x ``(C, H, W)`` -> ``(C·kh·kw, Ho·Wo)``;  x ``(N, C, H, W)`` -> ``(C·kh·kw, N·Ho·Wo)``.
        Rows are ordered ``(c, i, j)`` like ``weight.reshape(F, -1)``; columns ``(n, y, x)``.

    Example (the textbook's): ``x`` of shape ``(3, 227, 227)``, ``kernel_size=11``,
    ``stride=4`` -> a ``363 × 3025`` matrix, and ``W.reshape(96, 363) @ im2col(x, 11, 4)`` is
    the ``96 × 3025`` output of 96 filters, reshaped to ``(96, 55, 55)``.
    """
    x, (kh, kw), (sh, sw), (ph, pw), (dh, dw) = _check_input(
        x, kernel_size, stride, padding, dilation, "im2col")
    x4 = x[None] if x.ndim == 3 else x
    return im2col_array(x4, kh, kw, sh, sw, ph, pw, dh, dw)


def im2col_array(x, kh, kw, sh, sw, ph, pw, dh, dw, ones_row=False) -> np.ndarray:
    """im2col of an ``(N, C, H, W)`` array without argument checks (the conv's hot path).

    ``ones_row=True`` appends a row of ones, so that a bias column in the weight matrix adds
    the bias inside the GEMM (and its gradient comes out of the weight-gradient GEMM)."""
    n, c = x.shape[:2]
    view = windows(pad_hw(x, ph, pw), kh, kw, sh, sw, dh, dw)
    ho, wo = view.shape[-2:]
    k = c * kh * kw
    cols = np.empty((k + ones_row, n * ho * wo), dtype=x.dtype)
    # one copy, in (c, i, j, n, y, x) order: the inner runs along x stay contiguous for sw = 1
    np.copyto(cols[:k].reshape(c, kh, kw, n, ho, wo), view.transpose(1, 2, 3, 0, 4, 5))
    if ones_row:
        cols[k] = 1
    return cols


def col2im(cols: np.ndarray, input_shape, kernel_size, stride=1, padding=0,
           dilation=1) -> np.ndarray:
    """The adjoint of :func:`im2col`: add every column back onto the pixels it was read from.

    Pixels shared by overlapping receptive fields receive the sum of their copies, so
    ``<im2col(x), c> = <x, col2im(c)>``; this is how the conv's input gradient is formed.

    Shape: cols ``(C·kh·kw, [N·]Ho·Wo)`` -> ``input_shape`` (``(C, H, W)`` or ``(N, C, H, W)``).
    """
    shape = tuple(int(s) for s in input_shape)
    _, (kh, kw), (sh, sw), (ph, pw), (dh, dw) = _check_input(
        np.empty(shape, dtype=np.int8), kernel_size, stride, padding, dilation, "col2im")
    shape4 = (1,) + shape if len(shape) == 3 else shape
    n, c, h, w = shape4
    ho = conv_output_size(h, kh, sh, ph, dh)
    wo = conv_output_size(w, kw, sw, pw, dw)
    cols = np.asarray(cols)
    if cols.shape != (c * kh * kw, n * ho * wo):
        raise ValueError(f"col2im: cols must have shape {(c * kh * kw, n * ho * wo)} for input "
                         f"shape {shape}, got {cols.shape}")
    out = col2im_array(cols.reshape(c, kh, kw, n, ho, wo), (n, c, h, w),
                       sh, sw, ph, pw, dh, dw)
    return out.reshape(shape)


def col2im_array(cols6, shape, sh, sw, ph, pw, dh, dw) -> np.ndarray:
    """col2im of columns laid out ``(C, kh, kw, N, Ho, Wo)`` into an ``(N, C, H, W)`` array.

    Loops over the ``kh·kw`` kernel offsets only; each step adds one strided slice.
    The sum is formed in ``(C, N, H, W)`` order (matching the columns) and returned as a
    transposed view, which saves a copy.
    """
    c, kh, kw, n, ho, wo = cols6.shape
    h, w = shape[2:]
    acc = np.zeros((c, n, h + 2 * ph, w + 2 * pw), dtype=cols6.dtype)
    for i in range(kh):
        y0 = i * dh
        for j in range(kw):
            x0 = j * dw
            acc[:, :, y0:y0 + sh * (ho - 1) + 1:sh, x0:x0 + sw * (wo - 1) + 1:sw] += cols6[:, i, j]
    acc = acc[:, :, ph:ph + h, pw:pw + w]
    return acc.transpose(1, 0, 2, 3)


# ----------------------------------------------------------------------------- the conv's plans
# The conv op needs four things from its column layout: the columns, the output seen through
# them, the upstream gradient laid out like the columns, and col2im.  Two layouts provide them.

class StridedPlan:
    """The textbook layout: one column per output pixel, ``(C·kh·kw, N·Ho·Wo)``; any stride."""

    def __init__(self, shape, kernel, stride, padding, dilation):
        self.n, self.c, self.h, self.w = shape
        (self.kh, self.kw), (self.sh, self.sw) = kernel, stride
        (self.ph, self.pw), (self.dh, self.dw) = padding, dilation
        self.ho = conv_output_size(self.h, self.kh, self.sh, self.ph, self.dh)
        self.wo = conv_output_size(self.w, self.kw, self.sw, self.pw, self.dw)
        self.cols_per_image = self.ho * self.wo

    def columns(self, x, ones_row=False):
        return im2col_array(x, self.kh, self.kw, self.sh, self.sw, self.ph, self.pw,
                            self.dh, self.dw, ones_row)

    def output(self, y):
        """``(F, N·Ho·Wo)`` -> a C-contiguous ``(N, F, Ho, Wo)``.

        One copy; the next layers (ReLU, pooling) run several times faster on a contiguous
        array than on a transposed view."""
        return np.ascontiguousarray(y.reshape(-1, self.n, self.ho, self.wo).transpose(1, 0, 2, 3))

    def grad_rows(self, g):
        """``(N, F, Ho, Wo)`` -> ``(F, N·Ho·Wo)``."""
        f = g.shape[1]
        return np.ascontiguousarray(g.transpose(1, 0, 2, 3)).reshape(f, -1)

    def col2im(self, dcols):
        return col2im_array(dcols.reshape(self.c, self.kh, self.kw, self.n, self.ho, self.wo),
                            (self.n, self.c, self.h, self.w), self.sh, self.sw, self.ph,
                            self.pw, self.dh, self.dw)


class FlatPlan(StridedPlan):
    """Stride-1 layout on the flattened padded image (a GEMM-conv trick, as in Caffe's
    successors): with the padded image of width ``Wp`` stored row after row, the pixel under
    kernel offset ``(i, j)`` of output ``(y, x)`` sits at ``(y + i·dh)·Wp + x + j·dw``, i.e. at
    a *fixed shift* ``i·dh·Wp + j·dw`` from ``y·Wp + x``.  So each row ``(c, i, j)`` of the
    columns is one contiguous slice of the image, if the output is computed on the wider grid
    ``Ho × Wp`` (``L = (Ho - 1)·Wp + Wo`` positions per image; the ``Wp - Wo`` extra columns
    per row are junk and are dropped).  im2col becomes ``kh·kw`` long contiguous copies and
    col2im ``kh·kw`` long contiguous adds, at the price of ``Wp/Wo`` more GEMM columns.
    """

    def __init__(self, shape, kernel, stride, padding, dilation):
        super().__init__(shape, kernel, stride, padding, dilation)
        self.hp, self.wp = self.h + 2 * self.ph, self.w + 2 * self.pw
        self.cols_per_image = (self.ho - 1) * self.wp + self.wo

    def columns(self, x, ones_row=False):
        if (k := kernels.compiled("conv")) is not None:
            return k.columns(x, self.kh, self.kw, self.ph, self.pw, self.dh, self.dw, self.ho,
                             self.wo, ones_row)
        xp = pad_hw(x, self.ph, self.pw)
        if xp.strides[-1] != xp.itemsize or xp.strides[-2] != self.wp * xp.itemsize:
            xp = np.ascontiguousarray(xp)        # each image plane must be one flat run
        s_n, s_c, s_h, s_w = xp.strides
        length = self.cols_per_image
        view = as_strided(xp, (self.c, self.kh, self.kw, self.n, length),
                          (s_c, s_h * self.dh, s_w * self.dw, s_n, s_w), writeable=False)
        k = self.c * self.kh * self.kw
        cols = np.empty((k + ones_row, self.n * length), dtype=x.dtype)
        np.copyto(cols[:k].reshape(view.shape), view)
        # the junk columns read pixels the output never sees (past a row's end, wrapping into
        # the next): zeros, or a NaN or inf there would reach the weight gradient as inf·0
        self._junk(cols[:k])[...] = 0
        if ones_row:
            cols[k] = 1
        return cols

    def _junk(self, a):
        """The junk columns ``(rows, N, Ho - 1, Wp - Wo)`` of ``(rows, N·L)`` (a strided view;
        empty when the image is one row or has no padding)."""
        rows, isz, length = a.shape[0], a.itemsize, self.cols_per_image
        extra = self.wp - self.wo if self.ho > 1 else 0
        return as_strided(a[:, self.wo:], (rows, self.n, self.ho - 1, extra),
                          (a.strides[0], length * isz, self.wp * isz, isz))

    def _grid(self, a):
        """The valid ``(rows, N, Ho, Wo)`` positions inside ``(rows, N·L)`` (a strided view)."""
        rows, isz, length = a.shape[0], a.itemsize, self.cols_per_image
        return as_strided(a, (rows, self.n, self.ho, self.wo),
                          (length * self.n * isz, length * isz, self.wp * isz, isz))

    def output(self, y):
        if (k := kernels.compiled("conv")) is not None:
            return k.output(y, self.n, self.ho, self.wo, self.wp)
        return np.ascontiguousarray(self._grid(y).transpose(1, 0, 2, 3))

    def grad_rows(self, g):
        if (k := kernels.compiled("conv")) is not None:
            return k.grad_rows(g, self.wp)
        f, length = g.shape[1], self.cols_per_image
        rows = np.empty((f, self.n * length), dtype=g.dtype)
        self._junk(rows)[...] = 0                # the junk columns must add nothing
        self._grid(rows)[...] = g.transpose(1, 0, 2, 3)
        return rows

    def col2im(self, dcols):
        if (k := kernels.compiled("conv")) is not None:
            return k.col2im(dcols, (self.n, self.c, self.h, self.w), self.kh, self.kw, self.ph,
                            self.pw, self.dh, self.dw, self.ho, self.wo)
        length = self.cols_per_image
        dcols = dcols.reshape(self.c, self.kh, self.kw, self.n, length)
        acc = np.zeros((self.c, self.n, self.hp * self.wp), dtype=dcols.dtype)
        for i in range(self.kh):
            for j in range(self.kw):
                shift = i * self.dh * self.wp + j * self.dw
                acc[:, :, shift:shift + length] += dcols[:, i, j]
        acc = acc.reshape(self.c, self.n, self.hp, self.wp)
        return acc[:, :, self.ph:self.ph + self.h, self.pw:self.pw + self.w].transpose(1, 0, 2, 3)


def conv_plan(shape, kernel, stride, padding, dilation) -> StridedPlan:
    """The fastest column layout for these hyper-parameters."""
    cls = FlatPlan if stride == (1, 1) else StridedPlan
    return cls(shape, kernel, stride, padding, dilation)
