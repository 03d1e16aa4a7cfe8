"""3-D layers (torch.nn.Conv3d, ConvTranspose3d, MaxPool3d, AvgPool3d) over the ops of
:mod:`nnscratch.ops.conv3d`; inputs ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``."""
from __future__ import annotations

import numpy as np

from .. import ops
from .._checks import as_tensor
from ..ops.conv3d import per_axis_nd
from . import init
from .conv import _conv_repr, reset_fan_in_uniform, set_channels
from .module import Module, Parameter


class _Conv3dBase(Module):
    _nd = 3
    def _setup(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
               bias, weight_channels):
        name = type(self).__name__
        set_channels(self, in_channels, out_channels, groups, name)
        self.kernel_size = per_axis_nd(kernel_size, "kernel_size", name, 1, 3)
        self.stride = per_axis_nd(stride, "stride", name, 1, 3)
        self.dilation = per_axis_nd(dilation, "dilation", name, 1, 3)
        self.padding = padding if isinstance(padding, str) else per_axis_nd(
            padding, "padding", name, 0, 3)
        shape = weight_channels + self.kernel_size
        # torch's default init: U(±1/√fan_in) with fan_in = weight.size(1) · kernel volume
        fan_in = shape[1] * int(np.prod(self.kernel_size))
        self.weight = Parameter(init.fan_in_uniform(shape, fan_in))
        self.bias = (Parameter(init.fan_in_uniform((self.out_channels,), fan_in))
                     if bias else None)

    def reset_parameters(self) -> None:
        """Draw the weight and bias again from U(±1/√fan_in), in place (torch's)."""
        reset_fan_in_uniform(self)

    def extra_repr(self):
        return _conv_repr(self)


class Conv3d(_Conv3dBase):
    """3-D convolution layer (torch.nn.Conv3d, zero padding): weight
    ``(C_out, C_in/groups, kd, kh, kw)``, bias ``(C_out,)``."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise NotImplementedError(f"Conv3d: padding_mode={padding_mode!r} is not "
                                      f"implemented (only 'zeros')")
        self._setup(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                    bias, (out_channels, in_channels // groups))
        self._factory(device, dtype)

    def forward(self, x):
        return ops.conv3d(as_tensor(x, "Conv3d"), self.weight, self.bias, self.stride,
                          self.padding, self.dilation, self.groups)


class ConvTranspose3d(_Conv3dBase):
    """Transposed 3-D convolution (torch.nn.ConvTranspose3d): weight
    ``(C_in, C_out/groups, kd, kh, kw)``, bias ``(C_out,)``."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if padding_mode != "zeros":      # torch: "Only 'zeros' padding mode is supported"
            raise ValueError(f"ConvTranspose3d: only padding_mode='zeros' is supported for a "
                             f"transposed convolution (as torch), got {padding_mode!r}")
        self._setup(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                    bias, (in_channels, out_channels // groups))
        self.output_padding = per_axis_nd(output_padding, "output_padding", "ConvTranspose3d",
                                          0, 3)
        self._factory(device, dtype)

    def forward(self, x):
        return ops.conv_transpose3d(as_tensor(x, "ConvTranspose3d"), self.weight, self.bias,
                                    self.stride, self.padding, self.output_padding,
                                    self.groups, self.dilation)


class MaxPool3d(Module):
    """Max over ``kd×kh×kw`` windows (torch.nn.MaxPool3d); stride defaults to the kernel."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        self.kernel_size, self.stride, self.padding = kernel_size, stride or kernel_size, padding
        self.dilation, self.return_indices, self.ceil_mode = dilation, return_indices, ceil_mode

    def forward(self, x):
        return ops.max_pool3d(as_tensor(x, "MaxPool3d"), self.kernel_size, self.stride,
                              self.padding, self.dilation, self.ceil_mode, self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool3d(Module):
    """Mean over ``kd×kh×kw`` windows (torch.nn.AvgPool3d), torch's divisor rules."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        self.kernel_size, self.stride, self.padding = kernel_size, stride or kernel_size, padding
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, x):
        return ops.avg_pool3d(as_tensor(x, "AvgPool3d"), self.kernel_size, self.stride,
                              self.padding, self.ceil_mode, self.count_include_pad,
                              self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
