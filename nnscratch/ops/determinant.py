"""The determinant of square matrices (``torch.det``/``linalg.det``), forward and VJP.

d det(A) = det(A) tr(A⁻¹ dA), so the VJP is g · adj(A)ᵀ, the adjugate: det(A) A⁻ᵀ when A is
invertible.  For a singular A (where A⁻¹ does not exist but the derivative does) the adjugate
is taken from the SVD A = U S Vᵀ: adj(A) = det(U) det(V) · V diag(∏_{j≠i} s_j) Uᵀ.
"""
import numpy as np

from ..autograd import defvjp, primitive


@primitive
def det(a):
    """det of the last two (square) axes; batched over the leading ones."""
    if np.ndim(a) < 2 or np.shape(a)[-1] != np.shape(a)[-2]:
        raise RuntimeError(f"linalg.det: A must be batches of square matrices, but they are "
                           f"{np.shape(a)[-2:] if np.ndim(a) >= 2 else np.shape(a)} matrices")
    return np.linalg.det(a)


def _adjugate(a):
    u, s, vt = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], -1)
    sign = np.linalg.det(u) * np.linalg.det(vt)
    return sign[..., None, None] * (np.swapaxes(vt, -1, -2) * others[..., None, :]) @ \
        np.swapaxes(u, -1, -2)


def _det_vjp(g, out, a):
    return (g * 1.0)[..., None, None] * np.swapaxes(_adjugate(a), -1, -2)
defvjp(det, _det_vjp, saves=(0,))
