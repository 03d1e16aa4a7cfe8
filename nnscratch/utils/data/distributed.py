"""``torch.utils.data.distributed.DistributedSampler``: each rank's share of a dataset."""
from __future__ import annotations

import math

import numpy as np

from ..._checks import check_bool
from ...distributed import process_group as pg
from .sampler import Sampler


class DistributedSampler(Sampler):
    """The indices of ``dataset`` that rank ``rank`` of ``num_replicas`` visits this epoch.

    Every rank draws the same permutation of ``range(len(dataset))`` (seeded by
    ``seed + epoch``: call :meth:`set_epoch` at the start of each epoch for a new order), and
    takes every ``num_replicas``-th index starting at its rank: the shards are disjoint and
    their union is the dataset.  So that all ranks take the same number of steps, the list is
    first cut to a multiple of ``num_replicas`` (``drop_last=True``: the last
    ``len % num_replicas`` indices of the order are skipped) or padded with its own first
    indices (``drop_last=False``, torch's default: a few samples are seen twice).  A
    DataLoader with batch size b over this sampler makes, step by step, the batches of one
    process with batch size ``num_replicas · b`` over the same order.

    Args (torch's): dataset (with ``len``), num_replicas (default: the world size), rank
    (default: this process's), shuffle (default True), seed (default 0), drop_last (False).
    The order is a NumPy permutation, reproducible but not torch's.
    Raises ValueError when the dataset has fewer samples than there are ranks (some rank would
    get nothing), or when rank is not in ``[0, num_replicas)``.
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle: bool = True,
                 seed: int = 0, drop_last: bool = False):
        owner = "DistributedSampler"
        if num_replicas is None:
            num_replicas = pg.get_world_size() if pg.is_initialized() else 1
        if rank is None:
            rank = pg.get_rank() if pg.is_initialized() else 0
        if isinstance(num_replicas, bool) or not isinstance(num_replicas, (int, np.integer)) \
                or num_replicas < 1:
            raise ValueError(f"{owner}: num_replicas must be a positive int, got "
                             f"{num_replicas!r}")
        if isinstance(rank, bool) or not isinstance(rank, (int, np.integer)) \
                or not 0 <= rank < num_replicas:
            raise ValueError(f"{owner}: rank must be an int in [0, {num_replicas}), got "
                             f"{rank!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"{owner}: seed must be a non-negative int, got {seed!r}")
        n = len(dataset)
        if n < num_replicas:
            raise ValueError(f"{owner}: the dataset has {n} samples, fewer than the "
                             f"{num_replicas} ranks, so some rank would get none; use fewer "
                             f"ranks or more data")
        self.dataset, self.num_replicas, self.rank = dataset, int(num_replicas), int(rank)
        self.shuffle = check_bool(shuffle, "shuffle", owner)
        self.drop_last = check_bool(drop_last, "drop_last", owner)
        self.seed, self.epoch = int(seed), 0
        if self.drop_last:
            self.num_samples = n // self.num_replicas
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Use the order of epoch ``epoch`` (the same on every rank) from now on."""
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise ValueError(f"DistributedSampler.set_epoch: epoch must be a non-negative int, "
                             f"got {epoch!r}")
        self.epoch = int(epoch)

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if self.shuffle:
            order = np.random.default_rng(self.seed + self.epoch).permutation(n)
        else:
            order = np.arange(n)
        if self.total_size <= n:
            return order[:self.total_size]
        return np.resize(order, self.total_size)   # repeats the order from its start

    def __iter__(self):
        return iter(self._order()[self.rank::self.num_replicas].tolist())

    def __len__(self) -> int:
        return self.num_samples
