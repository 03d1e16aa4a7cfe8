"""Argument checks shared by the data utilities (each error names the argument)."""
from __future__ import annotations

import numpy as np

from .._checks import check_int, check_seed  # noqa: F401  (re-exported)
from ..tensor import Tensor


def as_array(x, name: str, owner: str) -> np.ndarray:
    """The array behind ``x`` (a Tensor's ``.data`` without copying; lists converted)."""
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in "biuf":  # objects, text, complex: nothing a model can take
            raise TypeError(f"{owner}: {name} must be a numeric array, got dtype {x.dtype}")
        return x
    if isinstance(x, (list, tuple)):
        a = np.asarray(x)
        if a.dtype.hasobject:
            raise TypeError(f"{owner}: {name} must be rectangular numeric data, got a ragged "
                            f"{type(x).__name__}")
        return a
    raise TypeError(f"{owner}: {name} must be an np.ndarray, Tensor or list, "
                    f"got {type(x).__name__}")


def positive_int(value, name: str, owner: str) -> int:
    return check_int(value, name, owner, 1)


def check_bool(value, name: str, owner: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)
