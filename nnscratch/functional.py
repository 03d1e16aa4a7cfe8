"""``torch.functional``: the tensor functions torch also exposes under that module name
(``import torch.functional as F``, as the "Building models" tutorial writes it).

The names nnscratch has are the same objects as ``nnscratch.einsum`` & co.; any other name
of torch 2.13's ``torch.functional`` (``stft``, ``lu``, ``cdist`` ...) is the clear
:class:`~nnscratch._unsupported.TorchFeatureError` a missing torch name gives everywhere.
"""
from . import _functions_ops_math as _math
from . import functions as _functions

# the same objects as nnscratch.<name> (those modules register some of them at import, so
# they are read by name)
broadcast_shapes = getattr(_math, "broadcast_shapes")
broadcast_tensors = getattr(_math, "broadcast_tensors")
cartesian_prod = getattr(_math, "cartesian_prod")
chain_matmul = getattr(_math, "chain_matmul")
meshgrid = getattr(_math, "meshgrid")
tensordot = getattr(_math, "tensordot")
unique = getattr(_math, "unique")
unique_consecutive = getattr(_math, "unique_consecutive")
einsum = getattr(_functions, "einsum")
norm = getattr(_functions, "norm")
split = getattr(_functions, "split")

__all__ = ["broadcast_shapes", "broadcast_tensors", "cartesian_prod", "chain_matmul",
           "einsum", "meshgrid", "norm", "split", "tensordot", "unique", "unique_consecutive"]

# torch.functional's names in torch 2.13 that nnscratch does not provide
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
