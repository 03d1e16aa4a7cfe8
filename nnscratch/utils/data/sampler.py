"""Samplers: which dataset indices a DataLoader visits, in what order and in what batches."""
from __future__ import annotations

from ..._checks import check_bool, positive_int
from ._rng import numpy_rng


class Sampler:
    """An iterable of dataset indices (or of index lists, for a batch sampler)."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """``0, 1, …, len(data_source) - 1``."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh random permutation of the indices on every ``iter`` (an epoch), or
    ``num_samples`` indices drawn with replacement when ``replacement=True``.

    The order comes from ``generator`` (an :class:`nnscratch.Generator`) or the library
    generator, drawn when the epoch starts; it is reproducible but not torch's order."""

    def __init__(self, data_source, replacement: bool = False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = check_bool(replacement, "replacement", "RandomSampler")
        self._num_samples = (None if num_samples is None else
                             positive_int(num_samples, "num_samples", "RandomSampler"))
        self.generator = generator
        numpy_rng(generator, "RandomSampler")  # check the type now, not at the first epoch
        if self.num_samples <= 0:             # an empty data set: nothing to draw from (torch)
            raise ValueError(f"RandomSampler: num_samples should be a positive integer value, "
                             f"but got num_samples={self.num_samples} (an empty data set?)")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        rng = numpy_rng(self.generator, "RandomSampler")
        if self.replacement:
            return iter(rng.integers(0, n, size=self.num_samples).tolist())
        whole, rest = divmod(self.num_samples, n)
        order = [i for _ in range(whole) for i in rng.permutation(n).tolist()]
        return iter(order + rng.permutation(n).tolist()[:rest])

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of ``batch_size`` indices from ``sampler``; the last is shorter unless
    ``drop_last``."""

    def __init__(self, sampler, batch_size: int, drop_last: bool):
        self.sampler = sampler
        self.batch_size = positive_int(batch_size, "batch_size", "BatchSampler")
        self.drop_last = check_bool(drop_last, "drop_last", "BatchSampler")

    def __iter__(self):
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n, b = len(self.sampler), self.batch_size
        return n // b if self.drop_last else -(-n // b)
