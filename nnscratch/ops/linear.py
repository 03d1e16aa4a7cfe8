"""The affine map of a dense layer, fused into one op with one GEMM per gradient."""
import numpy as np

from ..autograd import fused


@fused
def linear(x, w, b=None):
    """``y = x @ w.T + b`` (PyTorch layout: ``w`` is ``(out, in)``).

    Shape: x ``(*, in)``, w ``(out, in)``, b ``(out,)`` -> y ``(*, out)``.
    VJP: dx = g w, dw = gᵀ x, db = Σ_rows g (leading dims flattened into rows).
    """
    y = x @ w.T
    if b is not None:
        y += b

    def vjp(g):
        g2 = g.reshape(-1, g.shape[-1])
        x2 = x.reshape(-1, x.shape[-1])
        return (g @ w, g2.T @ x2, None if b is None else g2.sum(axis=0))
    return y, vjp
