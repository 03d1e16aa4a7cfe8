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


def pair(value, name: str, owner: str, minimum: int = 0) -> tuple:
    """An int or a pair of ints -> a pair of Python ints, each ``>= minimum``."""
    vals = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(vals) != 2:
        raise ValueError(f"{owner}: {name} must be an int or a pair of ints, got {value!r}")
    out = []
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{owner}: {name} must be an int or a pair of ints, got {value!r}")
        if v < minimum:
            raise ValueError(f"{owner}: {name} must be >= {minimum}, got {value!r}")
        out.append(int(v))
    return tuple(out)


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0,
                     dilation: int = 1) -> int:
    """``floor((size + 2·padding - dilation·(kernel - 1) - 1) / stride) + 1``.

    With ``dilation = 1`` this is the textbook's ``(W - K + 2P)/S + 1`` (001 §9.5), rounded
    down when the stride does not divide evenly (as PyTorch does).
    """
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def pad2d(x: np.ndarray, ph: int, pw: int, value: float = 0.0) -> np.ndarray:
    """Pad the last two axes by ``ph`` rows and ``pw`` columns on both sides."""
    if ph == 0 and pw == 0:
        return x
    *lead, h, w = x.shape
    out = np.full((*lead, h + 2 * ph, w + 2 * pw), value, dtype=x.dtype)
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


def im2col_array(x, kh, kw, sh, sw, ph, pw, dh, dw) -> np.ndarray:
    """im2col of an ``(N, C, H, W)`` array without argument checks (the conv's hot path)."""
    n, c = x.shape[:2]
    view = windows(pad2d(x, ph, pw), kh, kw, sh, sw, dh, dw)
    ho, wo = view.shape[-2:]
    # one copy, in (c, i, j, n, y, x) order: the inner runs along x stay contiguous for sw = 1
    cols = np.empty((c, kh, kw, n, ho, wo), dtype=x.dtype)
    np.copyto(cols, view.transpose(1, 2, 3, 0, 4, 5))
    return cols.reshape(c * kh * kw, n * ho * wo)


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
