"""Pooling layers (001 §9.9): thin modules over :mod:`nnscratch.ops.pool`."""
from __future__ import annotations

import numpy as np

from .. import ops
from .._checks import as_tensor, check_ndim
from .._types import Size, TensorLike
from ..autograd.core import ShapeError
from ..autograd.core import TensorBase as Tensor  # every tensor is one
from ..ops.conv_nd import avg_pool_nd
from ..ops.pool import _pool_args
from .module import Module


def avg_pool2d(x: TensorLike, kernel_size: Size, stride: Size | None = None,
               padding: Size = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """torch.nn.functional.avg_pool2d: :func:`nnscratch.ops.avg_pool2d`, or with
    ``divisor_override`` each window's *sum* over that number (torch's rule, whatever the
    padding and ``ceil_mode``; the gradient is ``g / divisor_override`` to every cell of the
    window).  Shape: ``(N, C, H, W)`` -> ``(N, C, Ho, Wo)``."""
    if divisor_override is None:
        return ops.avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad)
    if not divisor_override:    # torch: RuntimeError "divisor must be not zero"
        raise ShapeError(f"avg_pool2d: divisor must be not zero, got {divisor_override}")
    x = as_tensor(x, "avg_pool2d")
    k, s, p, _ = _pool_args(x, kernel_size, stride, padding, 1, 2, "avg_pool2d")
    return avg_pool_nd(x, kernel=k, stride=s, padding=p, ceil_mode=bool(ceil_mode),
                       count_include_pad=bool(count_include_pad),
                       divisor_override=int(divisor_override))


def _unbatched(layer, x, name) -> bool:
    """Is ``x`` one unbatched sample ``(C, *spatial)``?  Else it must be ``(N, C, *spatial)``."""
    check_ndim(x, (layer.nd + 1, layer.nd + 2), name,
               "(N, C, L) or (C, L)" if layer.nd == 1 else "(N, C, H, W) or (C, H, W)")
    return x.ndim == layer.nd + 1


def _one_sample(layer, x):
    """torch's pooling layers take one unbatched sample: pooled as a batch of one."""
    out = layer.forward(x.unsqueeze(0))
    return tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)


class _Pool(Module):
    """Shared constructor and repr of the pooling layers; ``nd`` spatial dims, ``kind``."""

    nd, kind = 2, "max"

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                 count_include_pad=True, return_indices=False, divisor_override=None):
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.divisor_override = divisor_override
        self.dilation, self.ceil_mode = dilation, bool(ceil_mode)
        self.count_include_pad = bool(count_include_pad)
        self.return_indices = bool(return_indices)
        _pool_args(_probe(self.nd), kernel_size, stride, padding, dilation, self.nd,
                   type(self).__name__, check_size=False)

    def forward(self, x):
        name = type(self).__name__
        x = as_tensor(x, name)
        if _unbatched(self, x, name):
            return _one_sample(self, x)
        if self.kind == "max":
            pool = ops.max_pool1d if self.nd == 1 else ops.max_pool2d
            return pool(x, self.kernel_size, self.stride, self.padding, self.dilation,
                        self.ceil_mode, self.return_indices)
        if self.nd == 1:
            return ops.avg_pool1d(x, self.kernel_size, self.stride, self.padding,
                                  self.ceil_mode, self.count_include_pad)
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        # torch's: MaxPoolNd lists every window argument as given (ints stay ints);
        # AvgPool2d as given, AvgPool1d as 1-tuples
        stride = self.stride if self.stride is not None else self.kernel_size
        if self.kind == "max":
            return (f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}, "
                    f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")
        if self.nd == 1:
            return (f"kernel_size={_tuple1(self.kernel_size)}, stride={_tuple1(stride)}, "
                    f"padding={_tuple1(self.padding)}")
        return f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}"


class MaxPool2d(_Pool):
    """Max over ``K×K`` windows of each channel; matches torch.nn.MaxPool2d.

    The textbook's two settings: K=2, S=2 (keeps one activation in four) and the overlapping
    K=3, S=2 (001 §9.9).  Gradient goes to each window's first maximum (PyTorch's tie rule).

    Shape: ``(N, C, H, W)`` -> ``(N, C, Ho, Wo)``, ``Ho = floor((H + 2P - D(K-1) - 1)/S) + 1``
    (ceil with ``ceil_mode``).  Defaults: stride = kernel_size, padding 0, dilation 1.  With
    ``return_indices`` the layer returns ``(output, indices)`` for :class:`MaxUnpool2d`.
    """

    def __init__(self, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
                 dilation: Size = 1, return_indices: bool = False, ceil_mode: bool = False):
        super().__init__(kernel_size, stride, padding, dilation, ceil_mode,
                         return_indices=return_indices)


class MaxPool1d(MaxPool2d):
    """Max over windows of length ``k`` along the last axis; matches torch.nn.MaxPool1d.

    Shape: ``(N, C, L)`` -> ``(N, C, Lo)``.  Defaults: stride = kernel_size, padding 0.
    """

    nd = 1


class AvgPool2d(_Pool):
    """Mean over ``K×K`` windows of each channel; matches torch.nn.AvgPool2d (same argument
    order).

    Shape: ``(N, C, H, W)`` -> ``(N, C, Ho, Wo)``.  Defaults: stride = kernel_size, padding 0,
    ceil_mode False, count_include_pad True (padding zeros count in the mean, as in PyTorch);
    ``divisor_override``: each window's sum divided by this number instead (torch's).
    """

    kind = "avg"

    def __init__(self, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None):
        super().__init__(kernel_size, stride, padding, 1, ceil_mode, count_include_pad,
                         divisor_override=divisor_override)


class AvgPool1d(AvgPool2d):
    """Mean over windows of length ``k`` along the last axis; matches torch.nn.AvgPool1d.

    Shape: ``(N, C, L)`` -> ``(N, C, Lo)``.  Defaults as :class:`AvgPool2d` (torch's 1-D
    layer has no ``divisor_override``).
    """

    nd = 1

    def __init__(self, kernel_size: Size, stride: Size | None = None, padding: Size = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True):
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)


class MaxUnpool2d(Module):
    """Put pooled maxima back where :class:`MaxPool2d` (``return_indices=True``) found them,
    zeros elsewhere; matches torch.nn.MaxUnpool2d.

    ``forward(x, indices, output_size=None)``: ``(N, C, H, W)`` -> ``(N, C, Ho, Wo)`` with
    ``Ho = (H - 1)·S - 2P + K`` unless ``output_size`` is given.  No parameters.
    """

    nd = 2

    def __init__(self, kernel_size, stride=None, padding=0):
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        _pool_args(_probe(self.nd), kernel_size, stride, padding, 1, self.nd,
                   type(self).__name__, check_size=False)

    def forward(self, x, indices, output_size=None):
        x = as_tensor(x, type(self).__name__)
        unpool = ops.max_unpool1d if self.nd == 1 else ops.max_unpool2d
        return unpool(x, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self):
        n = self.nd     # torch stores (and prints) the window arguments as nd-tuples
        stride = self.stride if self.stride is not None else self.kernel_size
        return (f"kernel_size={_tuple_n(self.kernel_size, n)}, stride={_tuple_n(stride, n)}, "
                f"padding={_tuple_n(self.padding, n)}")


def _tuple_n(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _tuple1(v):
    return _tuple_n(v, 1)


class MaxUnpool1d(MaxUnpool2d):
    """:class:`MaxUnpool2d` along the last axis; matches torch.nn.MaxUnpool1d."""

    nd = 1


class _AdaptivePool(Module):
    """Pooling to a fixed output size, whatever the input's (PyTorch's adaptive windows)."""

    nd, kind = 2, "avg"

    def __init__(self, output_size, return_indices: bool = False):
        self.output_size, self.return_indices = output_size, bool(return_indices)
        ops.pool._output_size(output_size, (1,) * self.nd, self.nd, type(self).__name__)

    def forward(self, x):
        name = type(self).__name__
        x = as_tensor(x, name)
        if _unbatched(self, x, name):
            return _one_sample(self, x)
        f = getattr(ops, f"adaptive_{self.kind}_pool{self.nd}d")
        if self.kind == "max":
            return f(x, self.output_size, self.return_indices)
        return f(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePool):
    """Average to ``output_size`` ``(Ho, Wo)`` (an int for both; None keeps an axis); matches
    torch.nn.AdaptiveAvgPool2d.  ``AdaptiveAvgPool2d(1)`` is global average pooling.

    Shape: ``(N, C, H, W)`` -> ``(N, C, Ho, Wo)``.  No parameters.
    """


class AdaptiveAvgPool1d(_AdaptivePool):
    """Average to ``output_size`` along the last axis; matches torch.nn.AdaptiveAvgPool1d."""

    nd = 1


class AdaptiveMaxPool2d(_AdaptivePool):
    """Max over adaptive windows to ``output_size``; matches torch.nn.AdaptiveMaxPool2d
    (gradient to each window's first maximum).  Shape as :class:`AdaptiveAvgPool2d`."""

    kind = "max"


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """Max to ``output_size`` along the last axis; matches torch.nn.AdaptiveMaxPool1d."""

    nd = 1


class GlobalAvgPool2d(Module):
    """Average each channel over all positions: ``(N, C, H, W)`` -> ``(N, C)``.

    Equals torch.nn.AdaptiveAvgPool2d(1) followed by flattening (``keepdim=True`` keeps the
    ``(N, C, 1, 1)`` shape).  No parameters.
    """

    def __init__(self, keepdim: bool = False):
        self.keepdim = bool(keepdim)

    def forward(self, x):
        x = as_tensor(x, "GlobalAvgPool2d")
        check_ndim(x, (4,), "GlobalAvgPool2d", "(N, C, H, W)")
        return x.mean(axis=(2, 3), keepdims=self.keepdim)


def _probe(nd):
    """A tiny stand-in input so that the hyper-parameters are validated at construction."""
    return np.empty((1, 1) + (1,) * nd, dtype=np.float32)
