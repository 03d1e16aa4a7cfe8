"""``torch.functional``: the tensor functions torch also exposes under that module name
(``import torch.functional as F``, as the "Building models" tutorial writes it).

The names nnscratch has are the same objects as ``nnscratch.einsum`` & co.; any other name
of torch 2.13's ``torch.functional.__all__`` (``stft``, ``lu``, ``cdist`` ...) is the clear
:class:`~nnscratch._unsupported.TorchFeatureError` a missing torch name gives everywhere.
"""
from ._functions_ops_math import (
    broadcast_shapes,
    broadcast_tensors,
    cartesian_prod,
    chain_matmul,
    meshgrid,
    tensordot,
    unique,
    unique_consecutive,
)
from .functions import einsum, norm, split

__all__ = ["broadcast_shapes", "broadcast_tensors", "cartesian_prod", "chain_matmul",
           "einsum", "meshgrid", "norm", "split", "tensordot", "unique", "unique_consecutive"]

# torch.functional.__all__ in torch 2.13 that nnscratch does not provide
_TORCH_ONLY = frozenset({"atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "cdist",
                         "istft", "lu", "pca_lowrank", "stft", "svd_lowrank",
                         "unravel_index"})


def __getattr__(name):
    from ._unsupported import TorchFeatureError
    if name in _TORCH_ONLY:
        raise TorchFeatureError(f"torch.functional.{name} is a torch feature that nnscratch "
                                f"does not implement (docs/torch-compat.md lists what it "
                                f"provides)")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
