"""Samplers: which dataset indices a DataLoader visits, in what order and in what batches."""
from __future__ import annotations

import itertools

import numpy as np

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
    generator; it is reproducible but not torch's order.  The indices are drawn lazily, as
    torch draws them: ``replacement=True`` in chunks of 32, without replacement one
    permutation of ``len(data_source)`` at a time, so ``num_samples=int(1e10)`` (minGPT's
    "infinite" sampler) costs no memory up front."""

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
        if hasattr(data_source, "__len__") and len(data_source) == 0:
            # torch divides by the length at the first epoch (ZeroDivisionError)
            raise ValueError(f"RandomSampler: data_source is empty, so num_samples="
                             f"{self.num_samples} indices cannot be drawn from it")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        rng = numpy_rng(self.generator, "RandomSampler")
        if self.replacement:
            yield from _chunks(lambda k: rng.integers(0, n, size=k), self.num_samples)
            return
        whole, rest = divmod(self.num_samples, n)
        for _ in range(whole):
            yield from rng.permutation(n).tolist()
        if rest:
            yield from rng.permutation(n).tolist()[:rest]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a fresh random order on every ``iter`` (an epoch), without
    replacement (torch.utils.data.SubsetRandomSampler): e.g. a validation split of one data
    set.  The order comes from ``generator`` or the library generator, not torch's numbers."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        numpy_rng(generator, "SubsetRandomSampler")  # check the type now
        self.generator = generator

    def __iter__(self):
        rng = numpy_rng(self.generator, "SubsetRandomSampler")
        for i in rng.permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


def _chunks(draw, total: int, chunk: int = 32):
    """``total`` indices from ``draw(k)`` (an array of k indices), ``chunk`` at a time."""
    done = 0
    while done < total:
        k = min(chunk, total - done)
        yield from draw(k).tolist()
        done += k


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``
    (torch.utils.data.WeightedRandomSampler): with replacement lazily, in chunks of 32;
    without, ``num_samples <= len(weights)`` distinct indices."""

    def __init__(self, weights, num_samples: int, replacement: bool = True, generator=None):
        import numpy as np
        try:
            w = np.asarray(getattr(weights, "_data", weights), dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise TypeError(f"WeightedRandomSampler: weights must be a 1-D sequence of numbers, "
                            f"got {type(weights).__name__} ({e})") from None
        if w.ndim != 1 or not len(w):
            raise ValueError(f"WeightedRandomSampler: weights must be a non-empty 1-D sequence, "
                             f"got shape {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
            raise ValueError("WeightedRandomSampler: weights must be finite, non-negative and "
                             "not all zero")
        self.num_samples = positive_int(num_samples, "num_samples", "WeightedRandomSampler")
        self.replacement = check_bool(replacement, "replacement", "WeightedRandomSampler")
        if not self.replacement and self.num_samples > len(w):
            raise RuntimeError(f"WeightedRandomSampler: cannot sample num_samples="
                               f"{self.num_samples} > {len(w)} weights without replacement")
        if not self.replacement and self.num_samples > np.count_nonzero(w):
            # torch then returns zero-weight indices; a weight of 0 means "never"
            raise ValueError(f"WeightedRandomSampler: without replacement num_samples="
                             f"{self.num_samples} needs as many non-zero weights, got "
                             f"{np.count_nonzero(w)}")
        self.weights, self._p = weights, w / w.sum()
        self.generator = generator
        numpy_rng(generator, "WeightedRandomSampler")

    def __iter__(self):
        rng = numpy_rng(self.generator, "WeightedRandomSampler")
        n = len(self._p)
        if self.replacement:
            yield from _chunks(lambda k: rng.choice(n, size=k, p=self._p), self.num_samples)
        else:
            yield from rng.choice(n, size=self.num_samples, replace=False, p=self._p).tolist()

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
        it = iter(self.sampler)
        while batch := list(itertools.islice(it, self.batch_size)):   # a chunk at C speed
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield batch

    def __len__(self):
        n, b = len(self.sampler), self.batch_size
        return n // b if self.drop_last else -(-n // b)


class ShardedBatchSampler(Sampler):
    """Row-index batches of ``n`` rows as arrays: every epoch a fresh permutation from ``rng``
    (``np.arange`` without ``shuffle``) cut into global batches of ``world * batch_size``
    rows, of which rank ``rank`` gets rows ``rank, rank + world, …``.

    With ``world=1`` it is plain mini-batching, and that is how ``fit`` batches arrays: index
    arrays (slices of one permutation) rather than lists of Python ints, so a batch costs one
    slice, and an unshuffled batch is a view (``ArrayDataset.__getitems__``).  With
    ``world > 1`` it is distributed ``fit``'s split (:mod:`nnscratch.training.distributed`):
    a last global batch of fewer than ``world`` rows is skipped.
    """

    def __init__(self, n: int, batch_size: int, shuffle: bool, rng, rank: int = 0,
                 world: int = 1):
        self.n, self.batch_size, self.shuffle, self.rng = n, batch_size, shuffle, rng
        self.rank, self.world = rank, world

    def __len__(self):
        full, rest = divmod(self.n, self.batch_size * self.world)
        return full + (rest >= self.world)

    def __iter__(self):
        step = self.batch_size * self.world
        order = self.rng.permutation(self.n) if self.shuffle else np.arange(self.n)
        for i in range(0, self.n, step):
            rows = order[i:i + step]
            if len(rows) < self.world:      # too few to give every rank one: skipped
                return
            yield rows[self.rank::self.world] if self.world > 1 else rows
