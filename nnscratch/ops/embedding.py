"""Embedding lookup: rows of a weight matrix picked by integer indices."""
import numpy as np

from ..autograd import declare as _declare
from ..autograd import fused
from ..autograd.core import IndexOutOfRange
from ..autograd.core import TensorBase as Tensor  # every tensor is one
from .indexing import getitem
from .shape import where


def _row_scale(idx, v, dtype):
    """``scale_grad_by_freq``: ``1 / count(i)`` per row i, the count of i in this batch (1 for
    rows not looked up); a column ``(v, 1)``."""
    count = np.bincount(idx.reshape(-1), minlength=v)
    return (1.0 / np.maximum(count, 1)).astype(dtype)[:, None]


def _embedding_composite(weight, idx, *, padding_idx=None, scale_grad_by_freq=False):
    """``weight[idx]`` as a recorded getitem; the padding row as a constant (no gradient);
    ``scale_grad_by_freq``: the value ``W[idx]`` exactly, the gradient through ``(W·s)[idx]``."""
    i = idx._data if hasattr(idx, "_data") else idx
    if padding_idx is not None:
        row = (np.arange(weight.shape[0]) == padding_idx)[:, None]
        weight = where(row, weight.detach(), weight)
    out = getitem(weight, i)
    if scale_grad_by_freq:
        scaled = getitem(weight * _row_scale(i, weight.shape[0], weight.dtype), i)
        out = out.detach() + (scaled - scaled.detach())
    return out


@fused(composite=_embedding_composite)
def _embedding(weight, idx, *, padding_idx=None, scale_grad_by_freq=False):
    def vjp(g):
        dw = np.zeros_like(weight)
        np.add.at(dw, idx.reshape(-1), g.reshape(-1, weight.shape[1]))  # repeats accumulate
        if scale_grad_by_freq:
            dw *= _row_scale(idx, weight.shape[0], dw.dtype)
        if padding_idx is not None:
            dw[padding_idx] = 0
        return dw, None
    return weight[idx], vjp


def embedding(idx, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False):
    """``weight[idx]`` (torch.nn.functional.embedding). Shape: idx ``(*)`` -> ``(*, D)``.

    ``padding_idx`` (an index, negative counting from the end): that row receives no
    gradient, so the padding token keeps its vector (zeros, as :class:`nn.Embedding` makes it).
    ``max_norm``: first, in place and outside autograd (torch's ``embedding_renorm_``), every
    looked-up row whose ``norm_type``-norm exceeds it is scaled by ``max_norm / (norm + 1e-7)``.
    ``scale_grad_by_freq``: row i's gradient is divided by how often i occurs in ``idx``.
    ``sparse``: torch returns a sparse gradient; here the same values, dense (no sparse type).
    """
    i = idx._data if isinstance(idx, Tensor) else np.asarray(idx)
    if i.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {i.dtype}")
    v = weight.shape[0]
    if i.size and (i.min() < 0 or i.max() >= v):
        raise IndexOutOfRange(f"embedding: indices must be in [0, {v}), got range "
                         f"[{i.min()}, {i.max()}]")
    if max_norm is not None:
        if _declare._recorder is not None:     # an ONNX trace (nnscratch.onnx_trace)
            raise ValueError("nnscratch.onnx.export: cannot export embedding with max_norm: it "
                             "renormalises the looked-up rows of the weight in place, which a "
                             "graph of constant weights cannot follow")
        embedding_renorm_(weight, i, max_norm, norm_type)
    return _embedding(weight, i, padding_idx=_padding_index(padding_idx, v, "embedding"),
                      scale_grad_by_freq=bool(scale_grad_by_freq))


def embedding_renorm_(weight, idx, max_norm: float, norm_type: float = 2.0):
    """torch.embedding_renorm_: the rows ``idx`` of ``weight`` whose ``norm_type``-norm
    exceeds ``max_norm`` are scaled in place by ``max_norm / (norm + 1e-7)`` (not recorded;
    the weight's version counter moves, as an in-place change does).  Returns ``weight``."""
    w = weight._data if isinstance(weight, Tensor) else weight
    rows = np.unique(np.asarray(getattr(idx, "_data", idx)).reshape(-1))
    norms = np.linalg.norm(w[rows].astype(np.float64), ord=float(norm_type), axis=1)
    big = norms > max_norm
    scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
    w[rows[big]] *= scale[:, None]
    if isinstance(weight, Tensor):
        weight._counter.n += 1
    return weight


def _padding_index(padding_idx, v, owner):
    """``padding_idx`` in ``[-v, v)`` as an index in ``[0, v)``, or None."""
    if padding_idx is None:
        return None
    if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)):
        raise TypeError(f"{owner}: padding_idx must be an int or None, got "
                        f"{type(padding_idx).__name__}")
    if not -v <= padding_idx < v:
        raise ValueError(f"{owner}: padding_idx must be in [-{v}, {v}) (num_embeddings {v}), "
                         f"got {padding_idx}")
    return int(padding_idx) % v
