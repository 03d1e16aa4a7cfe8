"""Embedding layer."""
from .. import ops
from . import init
from ._checks import positive_int
from .module import Module, Parameter


class Embedding(Module):
    """A lookup table: integer index i -> row i of ``weight`` (torch.nn.Embedding).

    Shape: idx ``(*)`` ints -> ``(*, embedding_dim)``.  Weight from N(0, 1), as PyTorch.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int):
        self.num_embeddings = positive_int(num_embeddings, "num_embeddings", "Embedding")
        self.embedding_dim = positive_int(embedding_dim, "embedding_dim", "Embedding")
        self.weight = Parameter(init.normal(0.0, 1.0, (num_embeddings, embedding_dim)))

    def forward(self, idx):
        return ops.embedding(idx, self.weight)

    def extra_repr(self):
        return f"{self.num_embeddings}, {self.embedding_dim}"
