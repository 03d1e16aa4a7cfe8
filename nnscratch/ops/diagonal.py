"""Diagonals: ``diagonal`` (read one), ``diag_embed`` (write one into zeros), ``diag`` (either,
by the input's rank), each the other's adjoint.

For offset ``k`` the diagonal of a square block is the entries ``(i, i + k)`` (``k >= 0``) or
``(i - k, i)`` (``k < 0``); torch puts it as the *last* axis of ``diagonal``'s result.
"""
from __future__ import annotations

import numpy as np

from ..autograd import defvjp, primitive
from ..autograd.lifted import lifted


def _cells(n, offset):
    """Row and column indices of the ``n`` entries of diagonal ``offset``."""
    i = np.arange(n)
    return i + max(-offset, 0), i + max(offset, 0)


def _length(rows, cols, offset):
    return max(0, min(rows + min(offset, 0), cols - max(offset, 0)))


@primitive(view=True)
def diagonal(x, offset=0, dim1=0, dim2=1):
    """Diagonal ``offset`` of the planes spanned by ``dim1`` and ``dim2``, as the last axis
    (``torch.diagonal``): ``out[..., i] = x[..., i + max(-k, 0), ..., i + max(k, 0), ...]``."""
    return np.diagonal(x, offset, dim1, dim2)


@primitive
def _undiagonal(g, shape, offset, dim1, dim2):
    """Zeros of ``shape`` with ``g`` written on diagonal ``offset`` of the planes ``dim1``,
    ``dim2``: the adjoint of :func:`diagonal` (its VJP), itself differentiable (its VJP is
    ``diagonal``), so diagonal's gradient can be differentiated again."""
    dx = np.zeros(shape, dtype=g.dtype)
    planes = np.moveaxis(dx, (dim1, dim2), (-2, -1))     # a view of dx
    r, c = _cells(g.shape[-1], offset)
    planes[..., r, c] = g
    return dx


defvjp(_undiagonal, lambda h, out, g, shape, offset, dim1, dim2:
       lifted(diagonal)(h, offset, dim1, dim2), saves=())
defvjp(diagonal, lambda g, out, x, offset=0, dim1=0, dim2=1:
       lifted(_undiagonal)(g, x.shape, offset, dim1, dim2), saves=())


def _embed(x, offset, dim1, dim2):
    n = x.shape[-1]
    m = n + abs(offset)
    out = np.zeros(x.shape[:-1] + (m, m), dtype=x.dtype)
    r, c = _cells(n, offset)
    out[..., r, c] = x
    return np.moveaxis(out, (-2, -1), (dim1 % out.ndim, dim2 % out.ndim))


@primitive
def diag_embed(x, offset=0, dim1=-2, dim2=-1):
    """Square matrices with ``x``'s last axis on diagonal ``offset`` of the planes ``dim1``,
    ``dim2`` of the result (one more axis than ``x``), zeros elsewhere (``torch.diag_embed``)."""
    return _embed(x, offset, dim1, dim2)


defvjp(diag_embed, lambda g, out, x, offset=0, dim1=-2, dim2=-1:
       lifted(diagonal)(g, offset, dim1 % g.ndim, dim2 % g.ndim), saves=())


def diag(x, diagonal=0):
    """``torch.diag``: a 1-D ``x`` becomes the square matrix with ``x`` on diagonal
    ``diagonal``; of a 2-D ``x``, diagonal ``diagonal`` as a 1-D tensor."""
    from ..autograd.core import ShapeError
    if x.ndim == 1:
        return diag_embed(x, diagonal, 0, 1)
    if x.ndim == 2:
        return globals()["diagonal"](x, diagonal, 0, 1)
    raise ShapeError(f"diag(): Supports 1D or 2D tensors. Got {x.ndim}D")
