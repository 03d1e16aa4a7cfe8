"""1-D and 2-D convolution layers' op: im2col + one GEMM, with the analytic backward (001 §9.6–9.7).

What deep-learning libraries call "convolution" is the textbook's *correlation* (001 eq. 9.1,
no filter flip); we follow PyTorch.  For an input ``X`` ``(N, C, H, W)`` and filters ``Θ``
``(F, C/groups, kh, kw)``::

    Z[n, f, y, x] = b[f] + Σ_{c,i,j} Θ[f, c, i, j] · Xpad[n, c, y·s + i·d, x·s + j·d]

Forward: ``X_col = im2col(X)`` ``(C·kh·kw, N·Ho·Wo)``; ``Z = Θ_row @ X_col + b``.
Backward (001 eq. 9.7 in matrix form), for the upstream gradient ``δ`` reshaped ``(F, N·Ho·Wo)``:

* ``∂E/∂Θ_row = δ @ X_colᵀ``  (the input correlated with δ),
* ``∂E/∂X = col2im(Θ_rowᵀ @ δ)``  (δ "full-convolved" with the filters),
* ``∂E/∂b = Σ δ`` over the batch and positions.

With ``groups = G`` the channels split into ``G`` independent blocks: the same three products
run once per block (a batched matmul over ``G``).  With one group the bias rides inside the
GEMMs (a row of ones under ``X_col``).  For stride 1 the columns are laid out on the flattened
padded image (:class:`~nnscratch.ops.im2col.FlatPlan`), which turns im2col and col2im into
``kh·kw`` contiguous copies/adds; other strides use the textbook layout.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..autograd import fused
from ..autograd.core import ShapeError
from .conv_args import lift_1d, pair
from .conv_args import single as _one
from .einsum import einsum
from .im2col import conv_plan
from .indexing import getitem, unindex
from .shape import pad_axes, reshape, stack

if TYPE_CHECKING:   # annotations only
    from .._types import Padding, Size, TensorLike
    from ..autograd.core import TensorBase as Tensor



def _conv_composite(x, w, b=None, *, stride, padding, dilation, groups):
    """The convolution from recorded ops, for create_graph (engine.fused): the kh·kw shifted
    (strided) slices of the padded input, stacked, contracted with the filters by einsum."""
    one_d = x.ndim == 3
    x, w = lift_1d(x), lift_1d(w)           # polymorphic: recorded on Tensors
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    ho, wo = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    xp = pad_axes(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
    cols = stack([getitem(xp, (slice(None), slice(None),
                               slice(i * dh, i * dh + sh * (ho - 1) + 1, sh),
                               slice(j * dw, j * dw + sw * (wo - 1) + 1, sw)))
                  for i in range(kh) for j in range(kw)], axis=2)   # (N, C, kh·kw, Ho, Wo)
    cols = reshape(cols, (n, groups, cg, kh * kw, ho, wo))
    y = einsum("ngckyx,gfck->ngfyx", cols, reshape(w, (groups, f // groups, cg, kh * kw)))
    y = reshape(y, (n, f, ho, wo))
    if b is not None:
        y = y + reshape(b, (1, f, 1, 1))
    return getitem(y, (slice(None), slice(None), 0)) if one_d else y


@fused(composite=_conv_composite)
def _conv(x, w, b=None, *, stride, padding, dilation, groups, needs_input_grad):
    """The fused op behind conv1d/conv2d; a 1-D input is a 2-D one of height 1."""
    x_shape, w_shape = x.shape, w.shape
    x, w = lift_1d(x), lift_1d(w)
    f, cg, kh, kw = w.shape
    k = cg * kh * kw
    plan = conv_plan(x.shape, (kh, kw), stride, padding, dilation)
    # with one group the bias rides in the GEMM: a ones row under the columns, a bias column
    # beside the weights; its gradient then comes out of the weight-gradient GEMM for free
    fold_bias = groups == 1 and b is not None
    cols = plan.columns(x, ones_row=fold_bias)                  # (C·kh·kw [+1], N·positions)
    if groups == 1:
        w_row = w.reshape(f, k)
        y = (np.concatenate([w_row, b[:, None]], axis=1) if fold_bias else w_row) @ cols
    else:
        cols = cols.reshape(groups, k, -1)
        w_row = w.reshape(groups, f // groups, k)
        y = np.matmul(w_row, cols).reshape(f, -1)
        if b is not None:
            y += b[:, None]
    out = plan.output(y)                                        # (N, F, Ho, Wo)
    if len(x_shape) == 3:
        out = out[:, :, 0, :]

    def vjp(g):
        g = lift_1d(g)
        g_row = plan.grad_rows(g)                               # (F, N·positions)
        db = None
        if groups == 1:
            # Σ over the N·positions columns as (cols @ g_rowᵀ)ᵀ: OpenBLAS splits this long-K,
            # small-output GEMM better with the larger side as M (measured for the bench
            # ConvNet's second conv, (32 × 14208)·(14208 × 145): 1.2-1.6 ms -> 0.85 ms)
            dw_ = np.ascontiguousarray((cols @ g_row.T).T)
            if fold_bias:
                dw_, db = dw_[:, :k], dw_[:, k]
            dw_ = dw_.reshape(w_shape)
            dcols = (w_row.T @ g_row) if needs_input_grad[0] else None
        else:
            db = None if b is None else g_row.sum(axis=1)
            g_row = g_row.reshape(groups, f // groups, -1)
            dw_ = np.matmul(g_row, cols.transpose(0, 2, 1)).reshape(w_shape)
            dcols = np.matmul(w_row.transpose(0, 2, 1), g_row) if needs_input_grad[0] else None
        dx = None if dcols is None else plan.col2im(dcols).reshape(x_shape)
        return dx, dw_, db
    return out, vjp


def _array(t):
    return getattr(t, "_data", t)


def _padding_string(x, w, stride, padding, dilation, nd, owner):
    """Resolve ``padding="valid"`` (none) or ``"same"`` (output as long as the input; stride 1
    only) as PyTorch does: a total of ``D·(K-1)`` per axis, half on each side and the odd one
    at the end (bottom/right), which the conv's symmetric padding cannot express, so the input
    is padded for it first.  Returns ``(x, padding)``."""
    if padding == "valid":
        return x, 0
    if padding != "same":
        raise ValueError(f"{owner}: padding must be an int, a tuple of ints, 'valid' or "
                         f"'same', got {padding!r}")
    strides = (stride,) * nd if not isinstance(stride, (tuple, list)) else tuple(stride)
    if any(s != 1 for s in strides):
        raise ValueError(f"{owner}: padding='same' needs stride 1 (as in PyTorch), got stride "
                         f"{stride!r}")
    dil = (dilation,) * nd if not isinstance(dilation, (tuple, list)) else tuple(dilation)
    wa = _array(w)
    if getattr(wa, "ndim", 0) != nd + 2 or len(dil) != nd:
        return x, 0       # _check_conv reports the bad weight or dilation
    totals = [d * (k - 1) for d, k in zip(dil, wa.shape[2:])]
    if any(t % 2 for t in totals):
        x = pad_axes(x, [(0, 0), (0, 0)] + [(0, t % 2) for t in totals])
    sym = tuple(t // 2 for t in totals)
    return x, sym if nd == 2 else sym[0]


def _check_conv(x, w, b, stride, padding, dilation, groups, nd, owner):
    """Validate a conv call; returns stride, padding, dilation as (h, w) pairs and groups."""
    xa, wa = _array(x), _array(w)
    if not hasattr(xa, "shape") or not hasattr(wa, "shape"):
        raise TypeError(f"{owner}: input and weight must be Tensors or arrays, "
                        f"got {type(x).__name__} and {type(w).__name__}")
    layout, wlayout = (("(N, C, L)", "(out_channels, in_channels/groups, k)") if nd == 1 else
                       ("(N, C, H, W)", "(out_channels, in_channels/groups, kh, kw)"))
    if xa.ndim != nd + 2:
        raise ShapeError(f"{owner}: expected a {nd + 2}-D input {layout}, "
                         f"got shape {tuple(xa.shape)}")
    if wa.ndim != nd + 2:
        raise ShapeError(f"{owner}: expected a {nd + 2}-D weight {wlayout}, "
                         f"got shape {tuple(wa.shape)}")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{owner}: groups must be an int >= 1, got {groups!r}")
    if nd == 1:   # a 1-D conv is a 2-D conv of height 1
        s, p, d = ((1, _one(stride, "stride", owner, 1)), (0, _one(padding, "padding", owner, 0)),
                   (1, _one(dilation, "dilation", owner, 1)))
    else:
        s, p, d = (pair(stride, "stride", owner, 1), pair(padding, "padding", owner, 0),
                   pair(dilation, "dilation", owner, 1))
    c, f = xa.shape[1], wa.shape[0]
    if f % groups:
        raise ShapeError(f"{owner}: out_channels ({f}) must be divisible by groups ({groups})")
    if c != wa.shape[1] * groups:
        raise ShapeError(f"{owner}: input has {c} channels but the weight of shape "
                         f"{tuple(wa.shape)} (groups={groups}) expects {wa.shape[1] * groups}; "
                         f"got input shape {tuple(xa.shape)}")
    spatial = tuple(xa.shape[2:]) if nd == 2 else (1,) + tuple(xa.shape[2:])
    kernel = tuple(wa.shape[2:]) if nd == 2 else (1,) + tuple(wa.shape[2:])
    padded = tuple(n + 2 * q for n, q in zip(spatial, p))
    if any(dd * (k - 1) + 1 > n for k, dd, n in zip(kernel, d, padded)):
        raise ShapeError(f"{owner}: kernel size {tuple(wa.shape[2:])} (dilation "
                         f"{d[2 - nd:]}) is larger than the padded input {padded[2 - nd:]} "
                         f"(input shape {tuple(xa.shape)}, padding {p[2 - nd:]})")
    if b is not None and getattr(_array(b), "shape", None) != (f,):
        raise ShapeError(f"{owner}: bias must have shape ({f},), "
                         f"got {getattr(_array(b), 'shape', None)}")
    return s, p, d, int(groups)


def conv2d(x: TensorLike, w: TensorLike, b: TensorLike | None = None, stride: Size = 1,
           padding: Padding = 0, dilation: Size = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation of a batch of volumes with ``F`` filters (torch.nn.functional.conv2d).

    ``Z = Θ_row @ im2col(X) + b`` (001 §9.5–9.7); output size per axis
    ``floor((W + 2P - D·(K - 1) - 1)/S) + 1``, i.e. ``(W - K + 2P)/S + 1`` for ``D = 1``.

    Args:
        x: input ``(N, C, H, W)``.
        w: the filters (weight) ``(F, C/groups, kh, kw)``, PyTorch's layout.
        b: the bias ``(F,)`` or None.
        stride, dilation: an int or an ``(h, w)`` pair.
        padding: an int or an ``(h, w)`` pair of zeros on both sides, or ``"valid"`` (0) or
            ``"same"`` (stride 1; output the size of the input, as PyTorch pads it).
        groups: split channels into independent blocks (``C`` and ``F`` divisible by it).

    Shape: ``(N, C, H, W)`` -> ``(N, F, Ho, Wo)``.
    """
    if np.ndim(_array(x)) == 3:                # unbatched (C, H, W), as torch
        return getitem(conv2d(getitem(x, None), w, b, stride, padding, dilation, groups), 0)
    if isinstance(padding, str):
        x, padding = _padding_string(x, w, stride, padding, dilation, 2, "conv2d")
    s, p, d, groups = _check_conv(x, w, b, stride, padding, dilation, groups, 2, "conv2d")
    return _conv(x, w, b, stride=s, padding=p, dilation=d, groups=groups)


def conv1d(x: TensorLike, w: TensorLike, b: TensorLike | None = None, stride: Size = 1,
           padding: Padding = 0, dilation: Size = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation (001 eq. 9.1 with ``F`` filters over ``C`` channels).

    ``z[n, f, t] = b[f] + Σ_{c,j} w[f, c, j] · xpad[n, c, t·s + j·d]``; matches
    torch.nn.functional.conv1d.  Computed as a 2-D convolution of height 1 (same im2col + GEMM).

    Shape: x ``(N, C, L)``, w ``(F, C/groups, k)``, b ``(F,)`` -> ``(N, F, Lo)`` with
    ``Lo = floor((L + 2P - D·(k - 1) - 1)/S) + 1``; ``padding`` may be ``"valid"`` or
    ``"same"`` (see :func:`conv2d`).
    """
    if np.ndim(_array(x)) == 2:                # unbatched (C, L), as torch
        return getitem(conv1d(getitem(x, None), w, b, stride, padding, dilation, groups), 0)
    if isinstance(padding, str):
        x, padding = _padding_string(x, w, stride, padding, dilation, 1, "conv1d")
    s, p, d, groups = _check_conv(x, w, b, stride, padding, dilation, groups, 1, "conv1d")
    return _conv(x, w, b, stride=s, padding=p, dilation=d, groups=groups)


# --------------------------------------------------------------------- transposed convolution


def _conv_transpose_composite(x, w, b=None, *, stride, padding, dilation, out_hw):
    """The transposed convolution from recorded ops, for create_graph (engine.fused): each
    input pixel times the filters (einsum), scatter-added at its strided place in the padded
    output (unindex), then the padding cropped."""
    one_d = x.ndim == 3
    x, w = lift_1d(x), lift_1d(w)           # polymorphic: recorded on Tensors
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n, _, h, wd = x.shape
    _, c_out, kh, kw = w.shape
    parts = einsum("ncyx,coij->noijyx", x, w)                 # (N, C_out, kh, kw, H, W)
    rows = (np.arange(kh) * dh)[:, None] + (np.arange(h) * sh)[None, :]
    cols = (np.arange(kw) * dw)[:, None] + (np.arange(wd) * sw)[None, :]
    at = (slice(None), slice(None), rows[:, None, :, None], cols[None, :, None, :])
    full = unindex(parts, (n, c_out, out_hw[0] + 2 * ph, out_hw[1] + 2 * pw), at)
    y = getitem(full, (slice(None), slice(None), slice(ph, ph + out_hw[0]),
                       slice(pw, pw + out_hw[1])))
    if b is not None:
        y = y + reshape(b, (1, c_out, 1, 1))
    return getitem(y, (slice(None), slice(None), 0)) if one_d else y


@fused(composite=_conv_transpose_composite)
def _conv_transpose(x, w, b=None, *, stride, padding, dilation, out_hw, needs_input_grad):
    """The adjoint of a convolution with filters ``w``: what conv2d's backward does to its
    output gradient, ``col2im(W_rowᵀ X_rows)``; its own backward is that convolution."""
    x_shape, w_shape = x.shape, w.shape
    x, w = lift_1d(x), lift_1d(w)
    n, c_in = x.shape[:2]
    _, c_out, kh, kw = w.shape
    plan = conv_plan((n, c_out) + tuple(out_hw), (kh, kw), stride, padding, dilation)
    w_row = w.reshape(c_in, c_out * kh * kw)
    x_rows = plan.grad_rows(x)                                 # (C_in, N·positions)
    y = np.ascontiguousarray(plan.col2im(w_row.T @ x_rows))   # (N, C_out, Ho, Wo)
    if b is not None:
        y += b[None, :, None, None]
    out = y if len(x_shape) == 4 else y[:, :, 0, :]

    def vjp(g):
        g = lift_1d(g)
        cols = plan.columns(g)                                 # (C_out·kh·kw, N·positions)
        dw = (x_rows @ cols.T).reshape(w_shape)
        dx = plan.output(w_row @ cols).reshape(x_shape) if needs_input_grad[0] else None
        db = None if b is None else g.sum(axis=(0, 2, 3))
        return dx, dw, db
    return out, vjp


def _conv_transpose_args(x, w, b, stride, padding, output_padding, groups, dilation, nd, owner):
    xa, wa = _array(x), _array(w)
    layout = "(N, C_in, L)" if nd == 1 else "(N, C_in, H, W)"
    if getattr(xa, "ndim", 0) != nd + 2 or getattr(wa, "ndim", 0) != nd + 2:
        raise ShapeError(f"{owner}: expected a {nd + 2}-D input {layout} and weight "
                         f"(C_in, C_out, k…), got {tuple(getattr(xa, 'shape', ()))} and "
                         f"{tuple(getattr(wa, 'shape', ()))}")
    if xa.shape[1] != wa.shape[0]:
        raise ShapeError(f"{owner}: input has {xa.shape[1]} channels but the weight of shape "
                         f"{tuple(wa.shape)} expects {wa.shape[0]} (weight is (C_in, C_out, k…))")
    if b is not None and getattr(_array(b), "shape", None) != (wa.shape[1],):
        raise ShapeError(f"{owner}: bias must have shape ({wa.shape[1]},), "
                         f"got {getattr(_array(b), 'shape', None)}")
    if nd == 1:
        s, p, d = ((1, _one(stride, "stride", owner, 1)), (0, _one(padding, "padding", owner, 0)),
                   (1, _one(dilation, "dilation", owner, 1)))
        op = (0, _one(output_padding, "output_padding", owner, 0))
    else:
        s, p, d = (pair(stride, "stride", owner, 1), pair(padding, "padding", owner, 0),
                   pair(dilation, "dilation", owner, 1))
        op = pair(output_padding, "output_padding", owner, 0)
    if any(o >= max(ss, dd) for o, ss, dd in zip(op, s, d)):
        raise ValueError(f"{owner}: output_padding must be smaller than stride or dilation, got "
                         f"output_padding {op[2 - nd:]}, stride {s[2 - nd:]}, "
                         f"dilation {d[2 - nd:]}")
    spatial = tuple(xa.shape[2:]) if nd == 2 else (1,) + tuple(xa.shape[2:])
    kernel = tuple(wa.shape[2:]) if nd == 2 else (1,) + tuple(wa.shape[2:])
    out_hw = tuple((n - 1) * ss - 2 * pp + dd * (k - 1) + o + 1
                   for n, ss, pp, dd, k, o in zip(spatial, s, p, d, kernel, op))
    if min(out_hw) < 1:
        raise ShapeError(f"{owner}: the output would be empty ({out_hw[2 - nd:]}) for input "
                         f"{tuple(xa.shape)}, padding {p[2 - nd:]}")
    return s, p, d, out_hw


def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, groups: int = 1,
                     dilation=1):
    """Transposed convolution ("deconvolution"; torch.nn.functional.conv_transpose2d): the
    adjoint of conv2d, which maps each input pixel to a ``kh×kw`` patch of the output scaled
    by the filters, patches overlapping where the stride is smaller than the kernel.

    Shape: x ``(N, C_in, H, W)``, w ``(C_in, C_out, kh, kw)`` (PyTorch's layout), b ``(C_out,)``
    -> ``(N, C_out, Ho, Wo)`` with ``Ho = (H - 1)·S - 2P + D·(kh - 1) + output_padding + 1``.
    ``output_padding`` (< stride or dilation) picks among the sizes a strided conv maps to H.
    ``groups > 1`` and unbatched inputs ``(C_in, H, W)`` run on the windowed kernel of
    :mod:`.conv_nd`.
    """
    if groups != 1 or np.ndim(_array(x)) == 3:
        from .conv3d import conv_transpose
        return conv_transpose(x, w, b, stride, padding, output_padding, groups, dilation, 2,
                              "conv_transpose2d")
    s, p, d, out_hw = _conv_transpose_args(x, w, b, stride, padding, output_padding, groups,
                                           dilation, 2, "conv_transpose2d")
    return _conv_transpose(x, w, b, stride=s, padding=p, dilation=d, out_hw=out_hw)


def conv_transpose1d(x, w, b=None, stride=1, padding=0, output_padding=0, groups: int = 1,
                     dilation=1):
    """:func:`conv_transpose2d` along one axis: x ``(N, C_in, L)``, w ``(C_in, C_out, k)``
    -> ``(N, C_out, Lo)``; matches torch.nn.functional.conv_transpose1d."""
    if groups != 1 or np.ndim(_array(x)) == 2:
        from .conv3d import conv_transpose
        return conv_transpose(x, w, b, stride, padding, output_padding, groups, dilation, 1,
                              "conv_transpose1d")
    s, p, d, out_hw = _conv_transpose_args(x, w, b, stride, padding, output_padding, groups,
                                           dilation, 1, "conv_transpose1d")
    return _conv_transpose(x, w, b, stride=s, padding=p, dilation=d, out_hw=out_hw)
