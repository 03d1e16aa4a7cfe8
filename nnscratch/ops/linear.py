"""The affine map of a dense layer, fused into one op with one GEMM per gradient."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..autograd import fused
from ..autograd.core import ShapeError
from ..autograd.graph import FreshGrads
from .arithmetic import matmul
from .shape import transpose

if TYPE_CHECKING:   # annotations only
    from .._types import TensorLike
    from ..autograd.core import TensorBase as Tensor


def _linear_composite(x, w, b=None):
    """``x @ w.T + b`` from recorded ops: what create_graph differentiates (engine.fused)."""
    y = matmul(x, transpose(w))
    return y if b is None else y + b


@fused(composite=_linear_composite)
def linear(x: TensorLike, w: TensorLike, b: TensorLike | None = None,
           needs_input_grad: tuple[bool, bool, bool] = (True, True, True)) -> Tensor:
    """``y = x @ w.T + b`` (PyTorch layout: ``w`` is ``(out, in)``).

    Shape: x ``(*, in)``, w ``(out, in)``, b ``(out,)`` -> y ``(*, out)``.
    VJP: dx = g w, dw = gᵀ x, db = Σ_rows g.  Leading dims are flattened into rows, so a
    ``(N, T, in)`` input is one GEMM (NumPy's ``@`` would run N small batched GEMMs, measured
    4.8x slower for N, T, in, out = 32, 64, 256, 65).
    """
    for name, a in (("input", x), ("weight", w)):
        if not hasattr(a, "ndim"):
            raise TypeError(f"linear(): argument '{name}' must be Tensor, not "
                            f"{type(a).__name__}")
    if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ShapeError(f"linear: input's last dimension must equal weight.shape[1] "
                         f"(weight is (out, in)), got input {x.shape} and weight {w.shape}")
    if b is not None and b.shape != (w.shape[0],):
        raise ShapeError(f"linear: bias must have shape ({w.shape[0]},), got {b.shape}")
    x2 = x.reshape(-1, x.shape[-1])
    y = x2 @ w.T
    if b is not None:
        y += b

    need_x, need_w, need_b = needs_input_grad

    def vjp(g):
        g2 = g.reshape(-1, g.shape[-1])
        # every array new (two products, one sum): the weight and bias gradients become
        # their leaves' .grad without a copy
        return FreshGrads(((g2 @ w).reshape(x.shape) if need_x else None,
                           g2.T @ x2 if need_w else None,
                           np.add.reduce(g2, axis=0) if need_b and b is not None else None))

    return y.reshape(x.shape[:-1] + (w.shape[0],)), vjp  # type: ignore[return-value]  # @fused
