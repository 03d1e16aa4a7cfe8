"""Map-style datasets: ``Dataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset`` and
``random_split``; iterable-style ones: ``IterableDataset`` and ``ChainDataset``
(``torch.utils.data.dataset``)."""
from __future__ import annotations

import bisect
import math

import numpy as np

from ...tensor import Tensor
from ._rng import numpy_rng


class Dataset:
    """A map from an index ``0 <= i < len(ds)`` to a sample: subclasses define ``__getitem__``
    (and ``__len__``, which the samplers read).  ``a + b`` concatenates, as torch."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: subclasses define ``__iter__`` (torch.utils.data.IterableDataset).

    :class:`~nnscratch.utils.data.DataLoader` batches it in the order it yields, so it takes no
    ``shuffle``, ``sampler`` or ``batch_sampler`` (a ValueError, as torch).  ``a + b`` chains.
    Loading is in-process, so there is no worker sharding (``get_worker_info()`` is None)."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__()")

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate over it, it "
                        f"has no __getitem__")

    def __add__(self, other):
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """The samples of each iterable dataset in turn (torch.utils.data.ChainDataset)."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        for k, d in enumerate(self.datasets):
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset: datasets[{k}] must be an IterableDataset, got "
                                f"{type(d).__name__}")

    def __iter__(self):
        for d in self.datasets:
            yield from d

    def __len__(self):
        return sum(len(d) for d in self.datasets)


def is_iterable_style(dataset) -> bool:
    """True for an IterableDataset, or any object that can be iterated but not indexed."""
    return isinstance(dataset, IterableDataset) or (
        hasattr(dataset, "__iter__") and not hasattr(dataset, "__getitem__"))


class TensorDataset(Dataset):
    """Sample ``i`` is ``tuple(t[i] for t in tensors)``; every tensor has the same first size.

    ``tensors`` keeps the given tensors (attribute of the same name, as torch)."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: needs at least one tensor, got none")
        for k, t in enumerate(tensors):
            if not isinstance(t, (Tensor, np.ndarray)):
                raise TypeError(f"TensorDataset: tensors[{k}] must be a Tensor, got "
                                f"{type(t).__name__}")
            if len(t.shape) == 0:
                raise ValueError(f"TensorDataset: tensors[{k}] is 0-d; every tensor needs a "
                                 f"sample dimension")
        n = tensors[0].shape[0]
        sizes = [t.shape[0] for t in tensors]
        if any(s != n for s in sizes):
            raise ValueError(f"TensorDataset: size mismatch between tensors: first sizes {sizes}")
        self.tensors = tuple(tensors)

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class ArrayDataset(Dataset):
    """In-memory arrays as a map-style dataset that hands out whole batches at once.

    ``ds[i]`` is ``tuple(a[i] for a in arrays)`` (as :class:`TensorDataset`), and
    ``ds.__getitems__(indices)`` -- what :class:`~nnscratch.utils.data.DataLoader` calls for a
    batch of indices, as torch's loader does -- is ``tuple(a[indices] for a in arrays)``: one
    gather per array instead of one indexing per sample, and a view (no copy) when the indices
    are consecutive (an unshuffled loader).  The batch is already collated: load it with
    ``collate_fn=ArrayDataset.collate`` (the identity), as :func:`array_loader` does.

    Shape: every array ``(N, *)``; a batch ``(B, *)`` per array.
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("ArrayDataset: needs at least one array, got none")
        self.arrays = tuple(np.asarray(a) for a in arrays)
        sizes = [a.shape[0] if a.ndim else None for a in self.arrays]
        if None in sizes or any(s != sizes[0] for s in sizes):
            raise ValueError(f"ArrayDataset: every array needs the same first size, got shapes "
                             f"{[a.shape for a in self.arrays]}")

    def __getitem__(self, index):
        return tuple(a[index] for a in self.arrays)

    def __getitems__(self, indices):
        idx = np.asarray(indices, dtype=np.intp)
        if len(idx) and idx[-1] - idx[0] == len(idx) - 1 and (np.diff(idx) == 1).all():
            idx = slice(int(idx[0]), int(idx[-1]) + 1)     # consecutive rows: a view
        return tuple(a[idx] for a in self.arrays)

    def __len__(self):
        return len(self.arrays[0])

    @staticmethod
    def collate(batch):
        """The identity: ``__getitems__`` already returns the batch."""
        return batch


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order (``Subset[i] = ds[indices[i]]``)."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """The datasets one after another: index ``i`` falls in the first whose cumulative size
    exceeds it (negative indices count from the end, as torch)."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]).tolist())

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError(f"ConcatDataset: absolute value of index {idx} should not "
                                 f"exceed dataset length {len(self)}")
            idx += len(self)
        d = bisect.bisect_right(self.cumulative_sizes, idx)
        start = 0 if d == 0 else self.cumulative_sizes[d - 1]
        return self.datasets[d][idx - start]


def _split_lengths(n: int, lengths) -> list[int]:
    """Integer lengths from ``lengths`` (ints summing to ``n``, or fractions summing to 1).

    Fractions as torch: ``floor(n * f)`` each, then the remainder handed out one at a time
    round-robin from the first split."""
    lengths = list(lengths)
    if lengths and all(isinstance(x, float) for x in lengths) and math.isclose(sum(lengths), 1):
        if any(not 0 <= f <= 1 for f in lengths):
            raise ValueError(f"random_split: fractions must be in [0, 1], got {lengths}")
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        return counts
    if any(isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < 0
           for x in lengths):
        raise TypeError(f"random_split: lengths must be ints >= 0 or fractions summing to 1, "
                        f"got {lengths}")
    if sum(lengths) != n:
        raise ValueError(f"random_split: sum of input lengths ({sum(lengths)}) does not equal "
                         f"the length of the input dataset ({n})")
    return [int(x) for x in lengths]


def random_split(dataset, lengths, generator=None) -> list[Subset]:
    """Split ``dataset`` into disjoint random :class:`Subset` s of the given ``lengths``.

    ``lengths``: ints summing to ``len(dataset)``, or fractions summing to 1 (see
    :func:`_split_lengths`).  The permutation comes from ``generator`` (an
    :class:`nnscratch.Generator`) or the library generator; it is not torch's permutation.
    """
    counts = _split_lengths(len(dataset), lengths)
    order = numpy_rng(generator, "random_split").permutation(sum(counts)).tolist()
    bounds = np.cumsum([0] + counts).tolist()
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
