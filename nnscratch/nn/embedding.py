"""Embedding layer."""
from .. import ops
from .._checks import positive_int
from ..ops.embedding import _padding_index
from . import init
from .module import Module, Parameter


class Embedding(Module):
    """A lookup table: integer index i -> row i of ``weight`` (torch.nn.Embedding).

    Shape: idx ``(*)`` ints -> ``(*, embedding_dim)``.  Weight from N(0, 1), as PyTorch.
    ``padding_idx`` (default None): the index of a padding token; its row starts at zero and
    receives no gradient, so padded positions embed to zeros.
    """

    integer_input = True    # fit/predict keep integer indices as integers

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None):
        self.num_embeddings = positive_int(num_embeddings, "num_embeddings", "Embedding")
        self.embedding_dim = positive_int(embedding_dim, "embedding_dim", "Embedding")
        self.padding_idx = _padding_index(padding_idx, self.num_embeddings, "Embedding")
        self.weight = Parameter(init.normal(0.0, 1.0, (num_embeddings, embedding_dim)))
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    def forward(self, idx):
        return ops.embedding(idx, self.weight, self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        return s + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")
