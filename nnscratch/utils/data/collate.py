"""``default_collate``: a list of samples -> one batch, as ``torch.utils.data.default_collate``."""
from __future__ import annotations

import collections.abc

import numpy as np

from ...functions import stack
from ...tensor import Tensor, as_tensor, tensor


def default_collate(batch):
    """Stack a list of samples into a batch, recursively by the type of the first sample:

    - Tensors -> ``stack(batch)`` (new dim 0); NumPy arrays and NumPy scalars of numbers ->
      their Tensors stacked (dtype kept);
    - Python ``float`` -> float64 Tensor, ``int`` -> int64 Tensor, ``bool`` -> bool Tensor
      (torch's ``torch.tensor(batch)`` dtypes, not the default float dtype);
    - ``str``/``bytes`` -> the list as given;
    - a mapping -> the same keys, each value collated; a namedtuple -> the same type;
      a tuple/list of fields -> a list (torch returns a list for tuples too) of the fields
      collated, after checking every sample has the same number of fields.
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(list(batch), 0)
    if isinstance(elem, (np.ndarray, np.generic)) and not isinstance(elem, (np.str_, np.bytes_)):
        if elem.dtype.kind not in "biufc":
            raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, "
                            f"dicts or lists; found numpy dtype {elem.dtype}")
        return stack([as_tensor(np.asarray(b)) for b in batch], 0)
    if isinstance(elem, bool):
        return tensor(np.asarray(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return tensor(np.asarray(batch, dtype=np.int64))
    if isinstance(elem, float):
        return tensor(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            raise RuntimeError("default_collate: each element in list of batch should be of "
                               "equal size")
        return [default_collate(list(samples)) for samples in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts "
                    f"or lists; found {type(elem).__name__}")
