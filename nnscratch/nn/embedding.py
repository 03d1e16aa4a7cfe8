"""Embedding layer."""
from typing import Any

from .. import ops
from .._checks import positive_int
from ..ops.embedding import _padding_index
from . import init
from .module import Module, Parameter


class Embedding(Module):
    """A lookup table: integer index i -> row i of ``weight`` (torch.nn.Embedding).

    Shape: idx ``(*)`` ints -> ``(*, embedding_dim)``.  Weight from N(0, 1), as PyTorch.
    ``padding_idx`` (default None): the index of a padding token; its row starts at zero and
    receives no gradient, so padded positions embed to zeros.  ``max_norm``: looked-up rows
    longer than it (in the ``norm_type``-norm) are renormalised in place first, as torch;
    ``scale_grad_by_freq``: gradients divided by each index's count in the batch.
    """

    integer_input = True    # fit/predict keep integer indices as integers

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False, _weight: Any = None,
                 _freeze: bool = False, device: Any = None, dtype: Any = None):
        self.num_embeddings = positive_int(num_embeddings, "num_embeddings", "Embedding")
        self.embedding_dim = positive_int(embedding_dim, "embedding_dim", "Embedding")
        self.padding_idx = _padding_index(padding_idx, self.num_embeddings, "Embedding")
        # sparse=True: torch returns a sparse gradient; here it is the same values, dense
        # (no sparse tensor type on the NumPy backend; see docs/torch-compat.md)
        self.max_norm, self.norm_type = max_norm, float(norm_type)
        self.scale_grad_by_freq, self.sparse = bool(scale_grad_by_freq), bool(sparse)
        shape = (num_embeddings, embedding_dim)
        if _weight is None:
            self.weight = Parameter(init.normal(0.0, 1.0, shape), requires_grad=not _freeze)
            if self.padding_idx is not None:
                self.weight._data[self.padding_idx] = 0
        else:
            w = Parameter(_weight, requires_grad=not _freeze)
            if tuple(w.shape) != shape:
                raise ValueError(f"Embedding: _weight must have shape {shape}, got "
                                 f"{tuple(w.shape)}")
            self.weight = w
        self._factory(device, dtype)

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True,
                        padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> "Embedding":
        """An Embedding holding ``embeddings`` ``(num, dim)``, frozen by default (torch's)."""
        shape = getattr(embeddings, "shape", None)
        if shape is None or len(shape) != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape "
                             f"{shape}")
        return cls(shape[0], shape[1], padding_idx, max_norm, norm_type, scale_grad_by_freq,
                   sparse, _weight=embeddings, _freeze=freeze)

    def forward(self, idx):
        return ops.embedding(idx, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                             self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):       # torch's: only what differs from the defaults
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        s += f", padding_idx={self.padding_idx}" if self.padding_idx is not None else ""
        s += f", max_norm={self.max_norm}" if self.max_norm is not None else ""
        s += f", norm_type={self.norm_type}" if self.norm_type != 2 else ""
        s += ", scale_grad_by_freq=True" if self.scale_grad_by_freq else ""
        return s + (", sparse=True" if self.sparse else "")
