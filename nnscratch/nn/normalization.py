"""Batch normalisation layers (Ioffe & Szegedy 2015; 001 §6.9) and layer normalisation
(Ba et al. 2016)."""
from typing import Any

import numpy as np

from .. import ops
from .._checks import as_tensor, check_floating, positive_int
from ..tensor import Tensor, get_default_dtype
from .module import Module, Parameter


class _BatchNorm(Module):
    _ndims: tuple[int, ...] = ()
    _layout = ""
    running_mean: Tensor | None
    running_var: Tensor | None
    num_batches_tracked: Tensor | None

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True):
        name = type(self).__name__
        self.num_features = positive_int(num_features, "num_features", name)
        if eps <= 0:
            raise ValueError(f"{name}: eps must be > 0, got {eps}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"{name}: momentum must be in [0, 1] or None, got {momentum}")
        # momentum=None: running statistics are the plain average of all batches (as torch)
        self.eps = float(eps)
        self.momentum = None if momentum is None else float(momentum)
        dt = get_default_dtype()
        self.weight = Parameter(np.ones(num_features, dt)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dt)) if affine and bias else None
        self.track_running_stats = track_running_stats
        self.register_buffer("running_mean", np.zeros(num_features, dt)
                             if track_running_stats else None)
        self.register_buffer("running_var", np.ones(num_features, dt)
                             if track_running_stats else None)
        self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64)
                             if track_running_stats else None)
        self._factory(device, dtype)

    def reset_running_stats(self) -> None:
        """Running mean 0, variance 1, no batch seen (torch's)."""
        for buffer, value in ((self.running_mean, 0), (self.running_var, 1),
                              (self.num_batches_tracked, 0)):
            if buffer is not None:
                buffer._data[...] = value

    def reset_parameters(self) -> None:
        """The running statistics reset, weight ones and bias zeros (torch's)."""
        self.reset_running_stats()
        if self.weight is not None:
            self.weight._data[...] = 1
        if self.bias is not None:
            self.bias._data[...] = 0

    def forward(self, x):
        name = type(self).__name__
        x = check_floating(as_tensor(x, name), name)
        if x.ndim not in self._ndims or x.shape[1] != self.num_features:
            raise ValueError(f"{name}({self.num_features}): expected input {self._layout} "
                             f"with C = {self.num_features}, got shape {tuple(x.shape)}")
        use_batch = self.training or not self.track_running_stats
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1
            if momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked)
        return ops.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                              training=use_batch, momentum=0.0 if momentum is None else momentum,
                              eps=self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.weight is not None}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over ``(N, C)`` or ``(N, C, L)`` inputs (torch.nn.BatchNorm1d).

    Shape: x ``(N, C)`` or ``(N, C, L)`` -> same.  Buffers ``running_mean``, ``running_var``.
    """
    _ndims = (2, 3)
    _layout = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch norm over ``(N, C, H, W)`` inputs, per channel (torch.nn.BatchNorm2d)."""
    _ndims = (4,)
    _layout = "(N, C, H, W)"


class BatchNorm3d(_BatchNorm):
    """Batch norm over ``(N, C, D, H, W)`` inputs, per channel (torch.nn.BatchNorm3d)."""
    _ndims = (5,)
    _layout = "(N, C, D, H, W)"


class LayerNorm(Module):
    """Standardise each example over its last axes ``normalized_shape``, then scale by γ and
    shift by β elementwise (Ba et al. 2016); matches torch.nn.LayerNorm.  Unlike batch norm
    it keeps no running statistics and behaves the same in training and evaluation.

    Shape: ``(*, *normalized_shape)`` -> the same.  Parameters (``elementwise_affine``):
    weight (ones) and bias (zeros, unless ``bias=False``), each ``normalized_shape``.
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Any = None, dtype: Any = None):
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else \
            tuple(normalized_shape)
        if not shape:
            raise ValueError("LayerNorm: normalized_shape must name at least one axis")
        self.normalized_shape = tuple(positive_int(n, "normalized_shape", "LayerNorm")
                                      for n in shape)
        if not eps > 0:
            raise ValueError(f"LayerNorm: eps must be > 0, got {eps}")
        self.eps = float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        dt = get_default_dtype()
        self.weight = Parameter(np.ones(self.normalized_shape, dt)) if elementwise_affine \
            else None
        self.bias = Parameter(np.zeros(self.normalized_shape, dt)) \
            if elementwise_affine and bias else None
        self._factory(device, dtype)

    def forward(self, x):
        x = check_floating(as_tensor(x, "LayerNorm"), "LayerNorm")
        return ops.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Standardise each example's channels in ``num_groups`` groups, then scale and shift per
    channel (Wu & He 2018); matches torch.nn.GroupNorm.  Independent of the batch size, like
    layer norm; one group is layer norm over (C, …), C groups instance norm.

    Shape: ``(N, C, *)`` -> the same.  Parameters (``affine``): weight (ones), bias (zeros),
    each ``(C,)``.
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True):
        self.num_groups = positive_int(num_groups, "num_groups", "GroupNorm")
        self.num_channels = positive_int(num_channels, "num_channels", "GroupNorm")
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        if not eps > 0:
            raise ValueError(f"GroupNorm: eps must be > 0, got {eps}")
        self.eps, self.affine = float(eps), bool(affine)
        dt = get_default_dtype()
        self.weight = Parameter(np.ones(num_channels, dt)) if affine else None
        self.bias = Parameter(np.zeros(num_channels, dt)) if affine and bias else None
        self._factory(device, dtype)

    def forward(self, x):
        x = as_tensor(x, "GroupNorm")
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm({self.num_groups}, {self.num_channels}): expected "
                             f"input (N, {self.num_channels}, *), got shape {tuple(x.shape)}")
        return ops.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")
