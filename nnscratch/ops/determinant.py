"""The determinant of square matrices (``torch.det``/``linalg.det``), forward and VJP.

d det(A) = det(A) tr(A⁻¹ dA), so the VJP is g · adj(A)ᵀ = g · C, the matrix of cofactors
C_ij = (-1)^(i+j) det(A without row i and column j).  It exists for a singular A too (where
A⁻¹ does not), and it is built from det itself (one batched call on the n² minors), so under
create_graph it is recorded and det is differentiable to any order.
"""
import numpy as np

from ..autograd import defvjp, primitive
from ..autograd.lifted import lifted


@primitive
def det(a):
    """det of the last two (square) axes; batched over the leading ones."""
    if np.ndim(a) < 2 or np.shape(a)[-1] != np.shape(a)[-2]:
        raise RuntimeError(f"linalg.det: A must be batches of square matrices, but they are "
                           f"{np.shape(a)[-2:] if np.ndim(a) >= 2 else np.shape(a)} matrices")
    return np.linalg.det(a)


def _cofactors(a):
    """C_ij = (-1)^(i+j) det(minor_ij), batched; polymorphic (arrays or recorded Tensors)."""
    n = a.shape[-1]
    keep = np.array([[k for k in range(n) if k != i] for i in range(n)], dtype=np.intp)
    rows = keep[:, None, :, None]                 # (i, j, k, l): row k of minor (i, j)
    cols = keep[None, :, None, :]                 # column l of minor (i, j)
    minors = a[..., np.broadcast_to(rows, (n, n, n - 1, n - 1)),
               np.broadcast_to(cols, (n, n, n - 1, n - 1))]
    sign = (-1.0) ** np.add.outer(np.arange(n), np.arange(n))
    return lifted(det)(minors) * sign


def _det_vjp(g, out, a):
    return (g * 1.0)[..., None, None] * _cofactors(a)
defvjp(det, _det_vjp, saves=(0,))
