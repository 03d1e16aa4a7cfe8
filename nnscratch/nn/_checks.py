"""Argument checks shared by the layers: each error names the layer, expected and actual."""
import numpy as np

from .._checks import check_int
from ..tensor import Tensor


def positive_int(value, name, owner):
    return check_int(value, name, owner, 1)


def as_tensor(x, owner):
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._wrap(x)
    raise TypeError(f"{owner}: input must be a Tensor or ndarray, got {type(x).__name__}")


def check_last_dim(x, expected, owner):
    if x.ndim == 0 or x.shape[-1] != expected:
        raise ValueError(f"{owner}: expected input with last dimension {expected}, "
                         f"got shape {tuple(x.shape)}")


def check_ndim(x, allowed, owner, layout=""):
    if x.ndim not in allowed:
        raise ValueError(f"{owner}: expected a {' or '.join(f'{n}-D' for n in allowed)} input"
                         f"{' ' + layout if layout else ''}, got shape {tuple(x.shape)}")
