"""The affine map of a dense layer, fused into one op with one GEMM per gradient."""
import numpy as np

from ..autograd import fused


@fused
def linear(x, w, b=None, needs_input_grad=(True, True, True)):
    """``y = x @ w.T + b`` (PyTorch layout: ``w`` is ``(out, in)``).

    Shape: x ``(*, in)``, w ``(out, in)``, b ``(out,)`` -> y ``(*, out)``.
    VJP: dx = g w, dw = gᵀ x, db = Σ_rows g (leading dims flattened into rows).
    """
    y = x @ w.T
    if b is not None:
        y += b

    need_x, need_w, need_b = needs_input_grad

    def vjp(g):
        g2 = g.reshape(-1, g.shape[-1])
        return (g @ w if need_x else None,
                g2.T @ x.reshape(-1, x.shape[-1]) if need_w else None,
                g2.sum(axis=0) if need_b and b is not None else None)
    return y, vjp
