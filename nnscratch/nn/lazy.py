"""Lazy modules: layers whose input size is read from their first input (torch's
``LazyLinear``, ``LazyConv*d``, ``LazyConvTranspose*d``, ``LazyBatchNorm*d``; d2l builds every
model from them).

Until the first forward the size-dependent parameters are :class:`UninitializedParameter`
objects: they can be handed to an optimizer (which keeps the same objects), but reading their
shape or values is an error.  A forward pre-hook calls ``initialize_parameters(input)``, which
materialises them in place (the objects become ordinary Parameters) and initialises them as the
eager layer does; then the hook removes itself and the module becomes the eager class
(``LazyLinear`` -> ``Linear``), as torch.  Loading a state dict materialises them with the
loaded shapes.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor, get_default_dtype
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .linear import Linear
from .module import Module, Parameter
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm
from .volumetric import Conv3d, ConvTranspose3d

_UNINITIALIZED = ("Can't access the shape of an uninitialized parameter or buffer. This error "
                  "usually happens in `load_state_dict` when trying to load an uninitialized "
                  "parameter into an initialized one. Call `forward` to initialize the "
                  "parameters before accessing their attributes.")


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (torch.nn.parameter.UninitializedParameter).
    :meth:`materialize` gives it a shape and turns it into a :class:`Parameter`, in place."""

    __slots__ = ()
    is_lazy = True

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None):
        Tensor.__init__(self, np.empty(0, get_default_dtype() if dtype is None else dtype),
                        requires_grad=requires_grad)

    @property
    def shape(self):
        raise RuntimeError(_UNINITIALIZED)

    def size(self, dim=None):
        raise RuntimeError(_UNINITIALIZED)

    def numel(self):
        raise RuntimeError(_UNINITIALIZED)

    def materialize(self, shape, device: Any = None, dtype: Any = None) -> None:
        """Allocate ``shape`` (zeros; the module initialises them) and become a Parameter."""
        dt = self._data.dtype if dtype is None else np.dtype(dtype)
        self._data = np.zeros(tuple(int(n) for n in shape), dt)
        self.__class__ = Parameter  # type: ignore[assignment]  # becomes what it stood for

    def __repr__(self):
        return "<UninitializedParameter>"


class LazyModuleMixin(Module):
    """What makes a module lazy: the pre-hook that infers the parameters at the first call."""

    cls_to_become: Any = None

    def _lazy_setup(self) -> None:
        self._infer_handle = self.register_forward_pre_hook(_infer_parameters)

    def has_uninitialized_params(self) -> bool:
        return any(isinstance(p, UninitializedParameter)
                   for p in self.parameters(recurse=False))

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define initialize_parameters")


def _infer_parameters(module, args):
    module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {type(module).__name__} has not been fully initialized")
    module._infer_handle.remove()
    del module._infer_handle
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


def _first_input(module, x) -> Any:
    if not hasattr(x, "shape") or len(x.shape) < module._min_ndim:
        raise ValueError(f"{type(module).__name__}: the first input must be a tensor of at "
                         f"least {module._min_ndim} dimensions to infer the input size, got "
                         f"{type(x).__name__} of shape {getattr(x, 'shape', None)}")
    return x


class LazyLinear(LazyModuleMixin, Linear):
    """:class:`Linear` whose ``in_features`` is the last dimension of the first input."""
    cls_to_become = Linear
    _min_ndim = 1

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None):
        Linear.__init__(self, 1, out_features, bias, device, dtype)
        dt = self.weight._data.dtype
        self.in_features = 0
        self.weight = UninitializedParameter(dtype=dt)
        self.bias = UninitializedParameter(dtype=dt) if bias else None
        self._lazy_setup()

    def initialize_parameters(self, input, *args: Any, **kwargs: Any) -> None:
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = int(_first_input(self, input).shape[-1])
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()


class _LazyConvNd(LazyModuleMixin):
    """A convolution (``transposed``: its adjoint) whose ``in_channels`` is read from the
    channel axis of the first input, ``(N, C, *spatial)`` or unbatched ``(C, *spatial)``."""
    transposed = False
    weight: Any
    bias: Any

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None):
        eager: Any = self.cls_to_become
        eager.__init__(self, groups, out_channels, kernel_size, stride, padding, dilation,
                       groups, bias, padding_mode, device, dtype)
        self._uninitialize()

    def _uninitialize(self) -> None:
        dt = self.weight._data.dtype
        self.in_channels = 0
        self.weight = UninitializedParameter(dtype=dt)
        self.bias = UninitializedParameter(dtype=dt) if self.bias is not None else None
        self._lazy_setup()

    def initialize_parameters(self, input, *args: Any, **kwargs: Any) -> None:
        if self.has_uninitialized_params():
            x = _first_input(self, input)
            self.in_channels = int(x.shape[-self._nd - 1])
            if self.in_channels % self.groups:
                raise ValueError(f"{type(self).__name__}: in_channels ({self.in_channels}) "
                                 f"must be divisible by groups ({self.groups})")
            channels = ((self.in_channels, self.out_channels // self.groups) if self.transposed
                        else (self.out_channels, self.in_channels // self.groups))
            with no_grad():
                self.weight.materialize(channels + tuple(self.kernel_size))
                if self.bias is not None:
                    self.bias.materialize((self.out_channels,))
                self.reset_parameters()


class _LazyConvTransposeNd(_LazyConvNd):
    transposed = True

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None):
        eager: Any = self.cls_to_become
        eager.__init__(self, groups, out_channels, kernel_size, stride, padding,
                       output_padding, groups, bias, dilation, padding_mode, device, dtype)
        self._uninitialize()


class _LazyBatchNorm(LazyModuleMixin, _BatchNorm):
    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True):
        eager: Any = self.cls_to_become
        eager.__init__(self, 1, eps, momentum, affine, track_running_stats, device, dtype,
                       bias=bias)
        dt = get_default_dtype() if self.running_mean is None else self.running_mean._data.dtype
        self.num_features = 0
        if affine:
            self.weight = UninitializedParameter(dtype=dt)
            self.bias = UninitializedParameter(dtype=dt) if bias else None
        self._lazy_setup()

    def has_uninitialized_params(self) -> bool:
        return self.num_features == 0

    def initialize_parameters(self, input, *args: Any, **kwargs: Any) -> None:
        if self.has_uninitialized_params():
            x = _first_input(self, input)
            self.num_features = c = int(x.shape[1])
            # the dtype the module has now (.double() may have cast it since construction)
            held = self.weight if self.weight is not None else self.running_mean
            dt = held._data.dtype if held is not None else get_default_dtype()
            with no_grad():
                for p in (self.weight, self.bias):
                    if p is not None:
                        p.materialize((c,))
                if self.track_running_stats:
                    self.register_buffer("running_mean", np.zeros(c, dt))
                    self.register_buffer("running_var", np.ones(c, dt))
                self.reset_parameters()


def _lazy(base, eager, min_ndim: int, size: str) -> Any:
    """``Lazy<eager>``: ``eager`` whose ``size`` is read from the first input (which has at
    least ``min_ndim`` axes); it becomes ``eager`` once materialised, as torch's."""
    name = f"Lazy{eager.__name__}"
    return type(base)(name, (base, eager), {
        "cls_to_become": eager, "_min_ndim": min_ndim, "__module__": __name__,
        "__qualname__": name,
        "__doc__": f":class:`{eager.__name__}` whose ``{size}`` is read from the first input."})


LazyConv1d = _lazy(_LazyConvNd, Conv1d, 2, "in_channels")
LazyConv2d = _lazy(_LazyConvNd, Conv2d, 3, "in_channels")
LazyConv3d = _lazy(_LazyConvNd, Conv3d, 4, "in_channels")
LazyConvTranspose1d = _lazy(_LazyConvTransposeNd, ConvTranspose1d, 2, "in_channels")
LazyConvTranspose2d = _lazy(_LazyConvTransposeNd, ConvTranspose2d, 3, "in_channels")
LazyConvTranspose3d = _lazy(_LazyConvTransposeNd, ConvTranspose3d, 4, "in_channels")
LazyBatchNorm1d = _lazy(_LazyBatchNorm, BatchNorm1d, 2, "num_features")
LazyBatchNorm2d = _lazy(_LazyBatchNorm, BatchNorm2d, 4, "num_features")
LazyBatchNorm3d = _lazy(_LazyBatchNorm, BatchNorm3d, 5, "num_features")


__all__ = ["UninitializedParameter", "LazyModuleMixin", "LazyLinear", "LazyConv1d",
           "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
           "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d"]
