"""torch's 3-D convolution and pooling (``conv3d``, ``conv_transpose3d``, ``max_pool3d``,
``avg_pool3d``) and grouped transposed convolution: argument checks and layouts over the
windowed kernels of :mod:`.conv_nd`.  Unbatched inputs ``(C, D, H, W)`` are accepted, as torch.
"""
from __future__ import annotations

import numpy as np

from .._checks import tensor_arg
from ..autograd.core import ShapeError
from ..autograd.core import TensorBase as Tensor
from .conv_args import pair
from .conv_nd import avg_pool_nd, conv_nd, conv_transpose_nd, max_pool_indices, max_pool_nd


def per_axis_nd(value, name, owner, minimum, nd):
    """An int or ``nd`` ints -> a tuple of ``nd`` Python ints, each ``>= minimum``."""
    vals = tuple(value) if isinstance(value, (tuple, list)) else (value,) * nd
    if len(vals) != nd:
        raise ValueError(f"{owner}: {name} must be an int or {nd} ints, got {value!r}")
    return tuple(pair(v, name, owner, minimum)[0] for v in vals)


def _batched(x, nd, owner):
    """``(x as (N, C, *S), unbatched?)``."""
    from .shape import reshape
    if x.ndim == nd + 1:
        return reshape(x, (1,) + tuple(x.shape)), True
    if x.ndim != nd + 2:
        raise ShapeError(f"{owner}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) "
                         f"input, got shape {tuple(x.shape)}")
    return x, False


def _unbatch(y, unbatched):
    from .shape import reshape
    return reshape(y, tuple(y.shape[1:])) if unbatched else y


def _groups(groups, owner):
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{owner}: groups must be an int >= 1, got {groups!r}")
    return int(groups)


def conv3d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution (torch.nn.functional.conv3d): x ``(N, C, D, H, W)`` or ``(C, D, H, W)``,
    w ``(F, C/groups, kd, kh, kw)``, b ``(F,)``; ``padding`` ints, ``"valid"`` or ``"same"``
    (stride 1; the odd extra row goes after, as torch)."""
    from .padding import pad
    owner = "conv3d"
    x, unbatched = _batched(x, 3, owner)
    if w.ndim != 5:
        raise ShapeError(f"{owner}: expected a 5-D weight (out_channels, in_channels/groups, "
                         f"kd, kh, kw), got shape {tuple(w.shape)}")
    g = _groups(groups, owner)
    s = per_axis_nd(stride, "stride", owner, 1, 3)
    d = per_axis_nd(dilation, "dilation", owner, 1, 3)
    if padding == "valid":
        p = (0, 0, 0)
    elif padding == "same":
        if s != (1, 1, 1):
            raise ValueError(f"{owner}: padding='same' needs stride 1, got stride {stride}")
        total = [dd * (k - 1) for dd, k in zip(d, w.shape[2:])]
        widths = [v for t in reversed(total) for v in (t // 2, t - t // 2)]
        x, p = pad(x, tuple(widths)), (0, 0, 0)
    else:
        p = per_axis_nd(padding, "padding", owner, 0, 3)
    f, c = w.shape[0], x.shape[1]
    if f % g or c != w.shape[1] * g:
        raise ShapeError(f"{owner}: input has {c} channels but the weight of shape "
                         f"{tuple(w.shape)} (groups={g}) expects {w.shape[1] * g} (and "
                         f"out_channels divisible by groups)")
    if any(dd * (k - 1) + 1 > n + 2 * pp for dd, k, n, pp in zip(d, w.shape[2:], x.shape[2:], p)):
        raise ShapeError(f"{owner}: kernel size {tuple(w.shape[2:])} (dilation {d}) is larger "
                         f"than the padded input (input shape {tuple(x.shape)}, padding {p})")
    if b is not None and tuple(b.shape) != (f,):
        raise ShapeError(f"{owner}: bias must have shape ({f},), got {tuple(b.shape)}")
    return _unbatch(conv_nd(x, w, b, stride=s, padding=p, dilation=d, groups=g), unbatched)


def conv_transpose(x, w, b, stride, padding, output_padding, groups, dilation, nd, owner):
    """Transposed convolution in ``nd`` dimensions (torch.nn.functional.conv_transpose{nd}d):
    x ``(N, C_in, *S)`` (or unbatched), w ``(C_in, C_out/groups, *K)``, b ``(C_out,)`` ->
    ``(N, C_out, *O)``, ``O = (S - 1)·s - 2p + d·(K - 1) + output_padding + 1``."""
    x, unbatched = _batched(x, nd, owner)
    w = tensor_arg(w, "weight", owner)
    if w.ndim != nd + 2:
        raise ShapeError(f"{owner}: expected a {nd + 2}-D weight (in_channels, "
                         f"out_channels/groups, k…), got shape {tuple(w.shape)}")
    g = _groups(groups, owner)
    s = per_axis_nd(stride, "stride", owner, 1, nd)
    p = per_axis_nd(padding, "padding", owner, 0, nd)
    d = per_axis_nd(dilation, "dilation", owner, 1, nd)
    op = per_axis_nd(output_padding, "output_padding", owner, 0, nd)
    if any(o >= max(ss, dd) for o, ss, dd in zip(op, s, d)):
        raise ShapeError(f"{owner}: output_padding must be smaller than either stride or "
                         f"dilation, got output_padding {op}, stride {s}, dilation {d}")
    c_in = x.shape[1]
    if c_in != w.shape[0] or c_in % g:
        raise ShapeError(f"{owner}: input has {c_in} channels but the weight of shape "
                         f"{tuple(w.shape)} expects {w.shape[0]} (divisible by groups={g})")
    c_out = w.shape[1] * g
    if b is not None and tuple(b.shape) != (c_out,):
        raise ShapeError(f"{owner}: bias must have shape ({c_out},), got {tuple(b.shape)}")
    out = tuple((n - 1) * ss - 2 * pp + dd * (k - 1) + o + 1
                for n, ss, pp, dd, k, o in zip(x.shape[2:], s, p, d, w.shape[2:], op))
    if min(out) < 1:
        raise ShapeError(f"{owner}: the output would be empty ({out}) for input "
                         f"{tuple(x.shape)}, padding {p}")
    y = conv_transpose_nd(x, w, b, stride=s, padding=p, dilation=d, groups=g, out_size=out)
    return _unbatch(y, unbatched)


def conv_transpose3d(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-D transposed convolution (torch.nn.functional.conv_transpose3d)."""
    return conv_transpose(x, w, b, stride, padding, output_padding, groups, dilation, 3,
                          "conv_transpose3d")


def _pool_args(x, kernel_size, stride, padding, dilation, owner):
    k = per_axis_nd(kernel_size, "kernel_size", owner, 1, 3)
    s = k if stride is None or stride == () or stride == [] else per_axis_nd(
        stride, "stride", owner, 1, 3)
    p = per_axis_nd(padding, "padding", owner, 0, 3)
    d = per_axis_nd(dilation, "dilation", owner, 1, 3)
    if any(pp > kk // 2 for pp, kk in zip(p, k)):
        raise ShapeError(f"{owner}: pad should be at most half of effective kernel size, got "
                         f"padding {p} for kernel_size {k}")
    if any(dd * (kk - 1) + 1 > n + 2 * pp for dd, kk, n, pp in zip(d, k, x.shape[-3:], p)):
        raise ShapeError(f"{owner}: kernel_size {k} (dilation {d}) is larger than the padded "
                         f"input; input shape {tuple(x.shape)}, padding {p}")
    return k, s, p, d


def max_pool3d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """3-D max pooling (torch.nn.functional.max_pool3d) of ``(N, C, D, H, W)`` or unbatched
    input; padding is -inf (never the maximum).  ``return_indices``: also each winner's flat
    index ``(d·H + h)·W + w`` in its ``(D, H, W)`` volume (int64, torch's)."""
    owner = "max_pool3d"
    x, unbatched = _batched(x, 3, owner)
    k, s, p, d = _pool_args(x, kernel_size, stride, padding, dilation, owner)
    y = max_pool_nd(x, kernel=k, stride=s, padding=p, dilation=d, ceil_mode=bool(ceil_mode))
    if not return_indices:
        return _unbatch(y, unbatched)
    idx = max_pool_indices(x._data, k, s, p, d, bool(ceil_mode))
    return _unbatch(y, unbatched), _unbatch(Tensor._wrap(idx), unbatched)


def avg_pool3d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-D average pooling (torch.nn.functional.avg_pool3d) with torch's divisor rules."""
    owner = "avg_pool3d"
    x, unbatched = _batched(x, 3, owner)
    k, s, p, _ = _pool_args(x, kernel_size, stride, padding, 1, owner)
    if divisor_override is not None and divisor_override == 0:
        raise ShapeError(f"{owner}: divisor must be not zero, got {divisor_override}")
    y = avg_pool_nd(x, kernel=k, stride=s, padding=p, ceil_mode=bool(ceil_mode),
                    count_include_pad=bool(count_include_pad), divisor_override=divisor_override)
    return _unbatch(y, unbatched)
