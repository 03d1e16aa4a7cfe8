"""``DataLoader``: batches of a map-style or iterable-style dataset, as
``torch.utils.data.DataLoader``."""
from __future__ import annotations

from ..._checks import check_bool, check_int, check_range, positive_int
from .collate import default_collate
from .dataset import is_iterable_style
from .sampler import BatchSampler, RandomSampler, SequentialSampler


class DataLoader:
    """Iterate over ``dataset`` in batches: ``collate_fn([dataset[i] for i in batch])`` for each
    index batch of the batch sampler.  Torch's signature and defaults (no shuffling unless
    asked, ``batch_size=1``).

    The indices: ``batch_sampler`` if given, else ``BatchSampler(sampler, batch_size,
    drop_last)`` with ``sampler`` defaulting to :class:`RandomSampler` (``shuffle=True``,
    drawing from ``generator`` or the library generator at each epoch) or
    :class:`SequentialSampler`.  ``batch_size=None`` turns batching off: each sample is
    yielded as is (no collation, as torch).

    Workers: ``num_workers``, ``timeout``, ``worker_init_fn``, ``persistent_workers``,
    ``prefetch_factor``, ``pin_memory`` and ``multiprocessing_context`` are accepted and
    checked, but all loading runs **in-process** in the iterating thread (there is no worker
    process and no pinned memory on a CPU-only NumPy backend); ``worker_init_fn`` is not
    called because there is no worker.

    ``len(loader)`` is ``len(batch_sampler)`` (``ceil(N / B)``, or ``floor`` with
    ``drop_last``).

    An iterable-style dataset (:class:`IterableDataset`, or anything iterable without
    ``__getitem__``) is batched in the order it yields: groups of ``batch_size`` samples (the
    last one shorter unless ``drop_last``), each through ``collate_fn``; ``shuffle``,
    ``sampler`` and ``batch_sampler`` are refused, as torch refuses them; ``len(loader)``
    needs ``len(dataset)``.

    A dataset with ``__getitems__(indices)`` gets each batch's indices at once and its result
    goes to ``collate_fn`` (torch's rule); :func:`array_loader` loads ``(X, y)`` arrays so.
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        owner = "DataLoader"
        self._iterable = is_iterable_style(dataset)
        if self._iterable:
            for name, value in (("shuffle", shuffle), ("sampler", sampler),
                                ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                     f"{name} option, but got {name}={value!r}")
            shuffle = None
        self.dataset = dataset
        self.num_workers = check_int(num_workers, "num_workers", owner, 0)
        if self.num_workers == 0 and (persistent_workers or prefetch_factor is not None):
            raise ValueError(f"{owner}: persistent_workers={persistent_workers!r} and "
                             f"prefetch_factor={prefetch_factor!r} need num_workers > 0 "
                             f"(as torch)")
        # torch lets timeout=nan through; a NaN timeout can only be a bug upstream
        timeout = check_range(timeout, "timeout", owner, 0.0, allow_inf=True)
        if prefetch_factor is not None:
            check_int(prefetch_factor, "prefetch_factor", owner, 0)
        if multiprocessing_context is not None:
            import multiprocessing
            if self.num_workers == 0:
                raise ValueError(f"{owner}: multiprocessing_context can only be used with "
                                 f"multi-process loading (num_workers > 0), but got "
                                 f"num_workers=0")
            methods = multiprocessing.get_all_start_methods()
            if isinstance(multiprocessing_context, str) and multiprocessing_context not in methods:
                raise ValueError(f"{owner}: multiprocessing_context option should specify a "
                                 f"valid start method in {methods}, but got "
                                 f"multiprocessing_context={multiprocessing_context!r}")
        self.pin_memory = check_bool(pin_memory, "pin_memory", owner)
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.persistent_workers = check_bool(persistent_workers, "persistent_workers", owner)
        self.prefetch_factor = prefetch_factor
        self.generator = generator
        drop_last = check_bool(drop_last, "drop_last", owner)
        shuffle = bool(shuffle) if shuffle is not None else False
        if sampler is not None and shuffle:
            raise ValueError(f"{owner}: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(f"{owner}: batch_sampler option is mutually exclusive with "
                                 f"batch_size, shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(f"{owner}: batch_size=None option disables auto-batching and is "
                             f"mutually exclusive with drop_last")
        if self._iterable:
            if batch_size is not None:
                batch_size = positive_int(batch_size, "batch_size", owner)
            self.batch_size, self.drop_last = batch_size, drop_last
            self.sampler = self.batch_sampler = None
            self.collate_fn = collate_fn if collate_fn is not None else (
                default_collate if batch_size is not None else (lambda sample: sample))
            return
        if sampler is None:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None:
            batch_size = positive_int(batch_size, "batch_size", owner)
            if batch_sampler is None:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else (lambda sample: sample)
        self.collate_fn = collate_fn

    def _iter_stream(self):
        if self.batch_size is None:
            for sample in self.dataset:
                yield self.collate_fn(sample)
            return
        batch = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __iter__(self):
        if self._iterable:
            yield from self._iter_stream()
            return
        if self.batch_sampler is None:
            for i in self.sampler:
                yield self.collate_fn(self.dataset[i])
            return
        fetch_batch = getattr(self.dataset, "__getitems__", None)   # torch's batched fetch
        for indices in self.batch_sampler:
            yield self.collate_fn(fetch_batch(indices) if fetch_batch is not None
                                  else [self.dataset[i] for i in indices])

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)       # a TypeError if the stream has no length, as torch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)


def array_loader(*arrays, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 generator=None, batch_sampler=None) -> DataLoader:
    """``DataLoader(ArrayDataset(*arrays), ...)`` yielding ``tuple(a[batch] for a in arrays)``
    (one gather per array and batch; see :class:`ArrayDataset`).  ``generator`` is an
    :class:`nnscratch.Generator` or an ``np.random.Generator`` whose stream gives the shuffles;
    ``batch_sampler`` replaces ``batch_size``/``shuffle``/``drop_last``, as in DataLoader."""
    from .dataset import ArrayDataset
    ds = ArrayDataset(*arrays)
    if batch_sampler is not None:
        return DataLoader(ds, batch_sampler=batch_sampler, collate_fn=ArrayDataset.collate)
    return DataLoader(ds, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                      generator=generator, collate_fn=ArrayDataset.collate)
