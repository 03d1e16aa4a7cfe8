"""Embedding lookup: rows of a weight matrix picked by integer indices."""
import numpy as np

from ..autograd import fused


@fused
def _embedding(weight, idx):
    def vjp(g):
        dw = np.zeros_like(weight)
        np.add.at(dw, idx.reshape(-1), g.reshape(-1, weight.shape[1]))  # repeats accumulate
        return dw, None
    return weight[idx], vjp


def embedding(idx, weight):
    """``weight[idx]`` (torch.nn.functional.embedding). Shape: idx ``(*)`` -> ``(*, D)``."""
    from ..tensor import Tensor
    i = idx.data if isinstance(idx, Tensor) else np.asarray(idx)
    if i.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {i.dtype}")
    v = weight.shape[0]
    if i.size and (i.min() < 0 or i.max() >= v):
        raise ValueError(f"embedding: indices must be in [0, {v}), got range "
                         f"[{i.min()}, {i.max()}]")
    return _embedding(weight, i)
