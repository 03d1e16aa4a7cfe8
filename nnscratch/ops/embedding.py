"""Embedding lookup: rows of a weight matrix picked by integer indices."""
import numpy as np

from ..autograd import fused
from ..autograd.core import IndexOutOfRange
from ..autograd.core import TensorBase as Tensor  # every tensor is one
from .indexing import getitem
from .shape import where


def _embedding_composite(weight, idx, *, padding_idx=None):
    """``weight[idx]`` as a recorded getitem; the padding row as a constant (no gradient)."""
    if padding_idx is not None:
        row = (np.arange(weight.shape[0]) == padding_idx)[:, None]
        weight = where(row, weight.detach(), weight)
    return getitem(weight, idx._data if hasattr(idx, "_data") else idx)


@fused(composite=_embedding_composite)
def _embedding(weight, idx, *, padding_idx=None):
    def vjp(g):
        dw = np.zeros_like(weight)
        np.add.at(dw, idx.reshape(-1), g.reshape(-1, weight.shape[1]))  # repeats accumulate
        if padding_idx is not None:
            dw[padding_idx] = 0
        return dw, None
    return weight[idx], vjp


def embedding(idx, weight, padding_idx=None):
    """``weight[idx]`` (torch.nn.functional.embedding). Shape: idx ``(*)`` -> ``(*, D)``.

    ``padding_idx`` (an index, negative counting from the end): that row receives no
    gradient, so the padding token keeps its vector (zeros, as :class:`nn.Embedding` makes it).
    """
    i = idx._data if isinstance(idx, Tensor) else np.asarray(idx)
    if i.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {i.dtype}")
    v = weight.shape[0]
    if i.size and (i.min() < 0 or i.max() >= v):
        raise IndexOutOfRange(f"embedding: indices must be in [0, {v}), got range "
                         f"[{i.min()}, {i.max()}]")
    return _embedding(weight, i, padding_idx=_padding_index(padding_idx, v, "embedding"))


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
