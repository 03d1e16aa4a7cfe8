"""Pooling layers (001 §9.9): thin modules over :mod:`nnscratch.ops.pool`."""
from __future__ import annotations

import numpy as np

from .. import ops
from ..ops.pool import _pool_args
from ._checks import as_tensor, check_ndim
from .module import Module


class MaxPool2d(Module):
    """Max over ``K×K`` windows of each channel; matches torch.nn.MaxPool2d.

    The textbook's two settings: K=2, S=2 (keeps one activation in four) and the overlapping
    K=3, S=2 (001 §9.9).  Gradient goes to each window's first maximum (PyTorch's tie rule).

    Shape: ``(N, C, H, W)`` -> ``(N, C, Ho, Wo)``, ``Ho = floor((H + 2P - D(K-1) - 1)/S) + 1``.
    Defaults: stride = kernel_size, padding 0, dilation 1.  No parameters.
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1):
        self.kernel_size, self.stride = kernel_size, stride
        self.padding, self.dilation = padding, dilation
        _pool_args(_probe(2), kernel_size, stride, padding, dilation, 2, "MaxPool2d",
                   check_size=False)

    def forward(self, x):
        x = as_tensor(x, "MaxPool2d")
        check_ndim(x, (4,), "MaxPool2d", "(N, C, H, W)")
        return ops.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride or self.kernel_size}"


class MaxPool1d(Module):
    """Max over windows of length ``k`` along the last axis; matches torch.nn.MaxPool1d.

    Shape: ``(N, C, L)`` -> ``(N, C, Lo)``.  Defaults: stride = kernel_size, padding 0.
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1):
        self.kernel_size, self.stride = kernel_size, stride
        self.padding, self.dilation = padding, dilation
        _pool_args(_probe(1), kernel_size, stride, padding, dilation, 1, "MaxPool1d",
                   check_size=False)

    def forward(self, x):
        x = as_tensor(x, "MaxPool1d")
        check_ndim(x, (3,), "MaxPool1d", "(N, C, L)")
        return ops.max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride or self.kernel_size}"


class AvgPool2d(Module):
    """Mean over ``K×K`` windows of each channel; matches torch.nn.AvgPool2d.

    Shape: ``(N, C, H, W)`` -> ``(N, C, Ho, Wo)``.  Defaults: stride = kernel_size, padding 0,
    count_include_pad True (padding zeros count in the mean, as in PyTorch).
    """

    def __init__(self, kernel_size, stride=None, padding=0, count_include_pad: bool = True):
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.count_include_pad = count_include_pad
        _pool_args(_probe(2), kernel_size, stride, padding, 1, 2, "AvgPool2d",
                   check_size=False)

    def forward(self, x):
        x = as_tensor(x, "AvgPool2d")
        check_ndim(x, (4,), "AvgPool2d", "(N, C, H, W)")
        return ops.avg_pool2d(x, self.kernel_size, self.stride, self.padding,
                              self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride or self.kernel_size}"


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
