"""Convolutional layers (001 §9.5): thin modules over :mod:`nnscratch.ops.conv`."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from .._checks import as_tensor, check_floating, positive_int
from .._types import Padding, Size, TensorLike
from ..ops.conv_args import per_axis
from ..ops.padding import pad as _pad
from ..tensor import Tensor
from . import init
from .module import Module, Parameter

# torch's padding_mode names -> F.pad's mode names
_PADDING_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate",
                  "circular": "circular"}


class _ConvNd(Module):
    _nd = 2
    _layout = "(N, C, H, W)"

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Size, stride: Size = 1,
                 padding: Padding = 0, dilation: Size = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None):
        name = type(self).__name__
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {tuple(_PADDING_MODES)}, "
                             f"got {padding_mode!r}")
        self.padding_mode = padding_mode
        set_channels(self, in_channels, out_channels, groups, name)
        def one(v, nm, lo):
            return per_axis(v, nm, name, lo, self._nd)
        self.kernel_size = one(kernel_size, "kernel_size", 1)
        self.stride = one(stride, "stride", 1)
        self.dilation = one(dilation, "dilation", 1)
        if isinstance(padding, str):       # "same" / "valid", kept as the string (as torch)
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: padding must be an int, a tuple of ints, 'valid' or "
                                 f"'same', got {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{name}: padding='same' needs stride 1 (as in PyTorch), "
                                 f"got stride {stride!r}")
            self.padding = padding
        else:
            self.padding = one(padding, "padding", 0)
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        fan_in = shape[1] * int(np.prod(self.kernel_size))
        # PyTorch's default: kaiming_uniform(a=√5) for the weight, which is U(±1/√fan_in),
        # and U(±1/√fan_in) for the bias
        self.weight = Parameter(init.fan_in_uniform(shape, fan_in))
        self.bias = (Parameter(init.fan_in_uniform((self.out_channels,), fan_in))
                     if bias else None)
        self._factory(device, dtype)

    def reset_parameters(self) -> None:
        """Draw the weight and bias again from U(±1/√fan_in), in place (torch's)."""
        reset_fan_in_uniform(self)

    def _padded(self, x):
        """``(x, padding)`` for the conv op: with a padding_mode other than zeros, the input
        is padded here (reflect/replicate/circular, as torch does it) and the conv pads
        nothing."""
        if self.padding_mode == "zeros" or self.padding == "valid":
            return x, self.padding if self._nd == 2 or isinstance(self.padding, str) \
                else self.padding[0]
        if self.padding == "same":       # torch: half on each side, the odd one at the end
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            pairs = [(t // 2, t - t // 2) for t in totals]
        else:
            pairs = [(p, p) for p in self.padding]
        flat = tuple(v for pair in reversed(pairs) for v in pair)    # last axis first
        return _pad(x, flat, _PADDING_MODES[self.padding_mode]), 0

    def _check(self, x):
        name = self._describe()
        x = check_floating(as_tensor(x, type(self).__name__), name)
        if x.ndim not in (self._nd + 1, self._nd + 2):   # unbatched inputs too, as torch
            raise ValueError(f"{name}: expected a {self._nd + 2}-D input {self._layout}, "
                             f"got shape {tuple(x.shape)}")
        if x.shape[-self._nd - 1] != self.in_channels:
            raise ValueError(f"{name}: expected input with {self.in_channels} channels "
                             f"(axis 1 of {self._layout}), got shape {tuple(x.shape)}")
        return x

    def _describe(self):
        return f"{type(self).__name__}({self.in_channels}, {self.out_channels})"

    def extra_repr(self):
        return _conv_repr(self)


class Conv2d(_ConvNd):
    """2-D convolution layer (cross-correlation, as in PyTorch); matches torch.nn.Conv2d.

    ``Z[n, f] = b[f] + Σ_c Θ[f, c] ⋆ X[n, c]`` with stride S, zero padding P, dilation D
    (001 §9.5); computed as im2col + one GEMM (001 §9.7).

    Shape:
        x ``(N, C_in, H, W)`` -> ``(N, C_out, Ho, Wo)``,
        ``Ho = floor((H + 2P - D(K - 1) - 1)/S) + 1`` (``(W - K + 2P)/S + 1`` in the textbook).
    Parameters:
        weight ``(C_out, C_in/groups, kh, kw)`` and bias ``(C_out,)``, both from
        U(±1/sqrt(fan_in)) with ``fan_in = C_in/groups · kh · kw``, as in PyTorch.
    Defaults: stride 1, padding 0 (or ``"valid"``; ``"same"`` keeps H, W at stride 1),
    dilation 1, groups 1, bias True.
    """
    _nd = 2
    _layout = "(N, C, H, W)"

    def forward(self, x: TensorLike) -> Tensor:
        x, padding = self._padded(self._check(x))
        return _reraise(self, lambda: ops.conv2d(x, self.weight, self.bias, self.stride,
                                                 padding, self.dilation, self.groups))


class Conv1d(_ConvNd):
    """1-D convolution layer (001 eq. 9.1 over channels); matches torch.nn.Conv1d.

    Shape:
        x ``(N, C_in, L)`` -> ``(N, C_out, Lo)``, ``Lo = floor((L + 2P - D(K - 1) - 1)/S) + 1``.
    Parameters:
        weight ``(C_out, C_in/groups, k)``, bias ``(C_out,)``, from U(±1/sqrt(C_in/groups · k)).
    Defaults: stride 1, padding 0, dilation 1, groups 1, bias True.
    """
    _nd = 1
    _layout = "(N, C, L)"

    def forward(self, x):
        x, padding = self._padded(self._check(x))
        return _reraise(self, lambda: ops.conv1d(x, self.weight, self.bias, self.stride[0],
                                                 padding, self.dilation[0], self.groups))


def _reraise(layer, call):
    """Run the op; a ValueError from it is re-raised naming the layer."""
    try:
        return call()
    except ValueError as e:
        raise ValueError(f"{layer._describe()}: {e}") from None


class _ConvTransposeNd(Module):
    _nd = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None):
        name = type(self).__name__
        if padding_mode != "zeros":      # torch: "Only 'zeros' padding mode is supported"
            raise ValueError(f"{name}: only padding_mode='zeros' is supported for a "
                             f"transposed convolution (as torch), got {padding_mode!r}")
        set_channels(self, in_channels, out_channels, groups, name)

        def one(v, nm, lo):
            return per_axis(v, nm, name, lo, self._nd)
        self.kernel_size = one(kernel_size, "kernel_size", 1)
        self.stride, self.padding = one(stride, "stride", 1), one(padding, "padding", 0)
        self.output_padding = one(output_padding, "output_padding", 0)
        self.dilation = one(dilation, "dilation", 1)
        shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        # PyTorch's fan_in for a transposed conv weight (C_in, C_out/groups, k…) is its size(1)·k…
        fan_in = self.out_channels // self.groups * int(np.prod(self.kernel_size))
        self.weight = Parameter(init.fan_in_uniform(shape, fan_in))
        self.bias = (Parameter(init.fan_in_uniform((self.out_channels,), fan_in))
                     if bias else None)
        self._factory(device, dtype)

    def reset_parameters(self) -> None:
        """Draw the weight and bias again from U(±1/√fan_in), fan_in = weight.size(1)·k…
        (torch's), in place."""
        reset_fan_in_uniform(self)

    def forward(self, x):
        x = as_tensor(x, type(self).__name__)
        f = ops.conv_transpose1d if self._nd == 1 else ops.conv_transpose2d
        args = [v if self._nd == 2 else v[0] for v in (self.stride, self.padding,
                                                        self.output_padding)]
        d = self.dilation if self._nd == 2 else self.dilation[0]
        return _reraise(self, lambda: f(x, self.weight, self.bias, *args, self.groups, d))

    def _describe(self):
        return f"{type(self).__name__}({self.in_channels}, {self.out_channels})"

    def extra_repr(self):
        return _conv_repr(self)


def reset_fan_in_uniform(layer) -> None:
    """``layer.weight`` and ``bias`` drawn again in place from U(±1/√fan_in), fan_in =
    weight.size(1) · kernel volume: torch's default for every (transposed) convolution."""
    w = layer.weight._data
    fan_in = w.shape[1] * int(np.prod(w.shape[2:]))
    w[...] = init.fan_in_uniform(w.shape, fan_in, w.dtype)
    if layer.bias is not None:
        layer.bias._data[...] = init.fan_in_uniform(layer.bias._data.shape, fan_in, w.dtype)


def set_channels(layer, in_channels, out_channels, groups, name):
    """``layer.in_channels``, ``out_channels``, ``groups``: positive ints, both channel counts
    divisible by groups."""
    layer.in_channels = positive_int(in_channels, "in_channels", name)
    layer.out_channels = positive_int(out_channels, "out_channels", name)
    layer.groups = positive_int(groups, "groups", name)
    if in_channels % groups or out_channels % groups:
        raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels "
                         f"({out_channels}) must both be divisible by groups ({groups})")


def _conv_repr(layer) -> str:
    """torch's ``_ConvNd.extra_repr``: sizes as tuples, stride always, the rest when not at
    their defaults (``padding=same`` unquoted, as torch prints it)."""
    s = (f"{layer.in_channels}, {layer.out_channels}, kernel_size={layer.kernel_size}, "
         f"stride={layer.stride}")
    for nm, default in (("padding", 0), ("dilation", 1), ("output_padding", 0)):
        v = getattr(layer, nm, (default,))
        if isinstance(v, str) or any(e != default for e in v):
            s += f", {nm}={v}"
    if layer.groups != 1:
        s += f", groups={layer.groups}"
    if layer.bias is None:
        s += ", bias=False"
    if getattr(layer, "padding_mode", "zeros") != "zeros":
        s += f", padding_mode={layer.padding_mode}"
    return s


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution (the adjoint of :class:`Conv2d`, used to upsample in
    decoders); matches torch.nn.ConvTranspose2d.

    Shape: ``(N, C_in, H, W)`` -> ``(N, C_out, Ho, Wo)``,
    ``Ho = (H - 1)·S - 2P + D·(K - 1) + output_padding + 1``.
    Parameters: weight ``(C_in, C_out/groups, kh, kw)``, bias ``(C_out,)``, from
    U(±1/sqrt(C_out/groups·kh·kw)).
    """
    _nd = 2


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution; matches torch.nn.ConvTranspose1d.
    Shape: ``(N, C_in, L)`` -> ``(N, C_out, Lo)``."""
    _nd = 1
