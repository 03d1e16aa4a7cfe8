"""Dense layers."""
from __future__ import annotations

from typing import Any

from .. import ops
from .._checks import as_tensor, check_floating, check_last_dim, positive_int
from .._types import TensorLike
from ..tensor import Tensor
from . import init
from .module import Module, Parameter


class Linear(Module):
    """Affine map ``y = x @ W.T + b`` (matches torch.nn.Linear).

    Shape:
        x: ``(*, in_features)`` -> y: ``(*, out_features)``
    Parameters:
        weight ``(out_features, in_features)``, bias ``(out_features,)``, both from
        U(-1/sqrt(in_features), 1/sqrt(in_features)), as in PyTorch.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None):
        self.in_features = positive_int(in_features, "in_features", "Linear")
        self.out_features = positive_int(out_features, "out_features", "Linear")
        shape = (self.out_features, self.in_features)
        self.weight = Parameter(init.fan_in_uniform(shape, self.in_features))
        self.bias = (Parameter(init.fan_in_uniform((self.out_features,), self.in_features))
                     if bias else None)
        self._factory(device, dtype)

    def reset_parameters(self) -> None:
        """Draw the weight and bias again from U(±1/√in_features), in place (torch's)."""
        self.weight._data[...] = init.fan_in_uniform(tuple(self.weight.shape), self.in_features)
        if self.bias is not None:
            self.bias._data[...] = init.fan_in_uniform((self.out_features,), self.in_features)

    def forward(self, x: TensorLike) -> Tensor:
        x = check_floating(as_tensor(x, "Linear"), "Linear")
        check_last_dim(x, self.in_features, f"Linear({self.in_features}, {self.out_features})")
        return ops.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """Returns its input unchanged (torch.nn.Identity).  Like torch's, it takes and ignores
    any constructor arguments, so it can stand in for the layer it replaces
    (``nn.Identity(54, unused_argument1=0.1)`` in the gradients tutorial)."""

    def __init__(self, *args: Any, **kwargs: Any):
        pass

    def forward(self, x):
        return x
