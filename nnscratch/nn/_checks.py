"""Argument checks shared by the layers: each error names the layer, expected and actual."""
import numpy as np

from .._checks import check_int
from ..tensor import Tensor


def positive_int(value, name, owner):
    return check_int(value, name, owner, 1)


def as_tensor(x, owner):
    """``x`` as a Tensor; a layer computes on real numbers only (a complex or object input
    would silently give complex output or a raw NumPy error deep inside an op)."""
    if isinstance(x, Tensor):
        kind = x.dtype.kind
    elif isinstance(x, np.ndarray):
        kind = x.dtype.kind
    else:
        raise TypeError(f"{owner}: input must be a Tensor or ndarray, got {type(x).__name__}")
    if kind not in "biuf":
        raise TypeError(f"{owner}: input must hold real numbers (bool, int or float), got "
                        f"dtype {x.dtype}")
    return x if isinstance(x, Tensor) else Tensor._wrap(x)


def check_last_dim(x, expected, owner):
    if x.ndim == 0 or x.shape[-1] != expected:
        raise ValueError(f"{owner}: expected input with last dimension {expected}, "
                         f"got shape {tuple(x.shape)}")


def check_ndim(x, allowed, owner, layout=""):
    if x.ndim not in allowed:
        raise ValueError(f"{owner}: expected a {' or '.join(f'{n}-D' for n in allowed)} input"
                         f"{' ' + layout if layout else ''}, got shape {tuple(x.shape)}")
