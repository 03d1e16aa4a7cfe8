"""``fit(..., distributed=True)``: the fit loop run data-parallel on the ranks of an MPI world.

Each of the P ranks (``nnscratch launch -n P script.py``) runs the same script and calls
``fit`` with the same data.  Every epoch all ranks draw the same permutation of the rows
(the seed is rank 0's), cut it into global batches of ``P * batch_size`` rows and give rank r
rows ``r, r + P, …`` of each (as :class:`~nnscratch.utils.data.distributed.DistributedSampler`
deals them out); the model is wrapped in
:class:`~nnscratch.nn.parallel.DistributedDataParallel`, so every step averages the gradients
and all ranks take the same step as one process with batch ``P * batch_size`` would.  When
the last global batch is ragged its ranks' losses are re-weighted by their row counts, so the
step is still the one of the whole batch; a remainder of fewer than P rows is skipped.

Every rank reports the same numbers: the batch loss is summed over the ranks before it is
checked (so a loss that is NaN on one rank stops every rank at the same batch, with the same
DivergenceError, and no rank is left waiting in a collective), training metrics are computed
over all ranks' outputs, validation runs on the whole validation set with rank 0's buffers.
Only rank 0 writes: the ``checkpoint`` file, ModelCheckpoint and CSVLogger files, and the
progress bar.  A DataLoader passed as ``X`` is used as given (give it a DistributedSampler;
fit calls its ``set_epoch`` at each epoch, as it does without distributed).
"""
from __future__ import annotations

import numpy as np

from .. import random as nsrandom
from ..distributed import process_group as pg
from ..nn.parallel import DistributedDataParallel
from ..tensor import as_tensor as _as_tensor
from ..utils.data import ShardedBatchSampler, array_loader
from .callbacks import CSVLogger, ModelCheckpoint
from .run import _FitRun

__all__ = ["DistributedFitRun"]

# callbacks whose only effect is writing files: kept on rank 0 alone
_WRITERS = (ModelCheckpoint, CSVLogger)


class DistributedFitRun(_FitRun):
    """:class:`~nnscratch.training.run._FitRun` with the data sharded over the ranks and the
    gradients, losses and metrics combined over them (see the module docstring)."""

    def __init__(self, model, optimizer, loss_fn, kind, epochs, batch_size, metrics, callbacks,
                 *, scheduler, checkpoint, progress):
        if not pg.is_initialized():
            pg.init_process_group("mpi")
        self.rank, self.world = pg.get_rank(), pg.get_world_size()
        if isinstance(model, DistributedDataParallel):
            self.ddp = model
        else:
            self.ddp = DistributedDataParallel(model)
        if self.rank != 0:
            callbacks = [cb for cb in callbacks if not isinstance(cb, _WRITERS)]
            checkpoint, progress = None, False
        super().__init__(model, optimizer, loss_fn, kind, epochs, batch_size, metrics,
                         callbacks, scheduler=scheduler, checkpoint=checkpoint,
                         progress=progress)
        self._global_rows = None

    def training_data(self, X, y, seed, shuffle):
        super().training_data(X, y, seed, shuffle)
        if self.arrays is None:        # a DataLoader, used as given
            return
        counts = pg.gather_objects(len(self.arrays[0]))
        if len(set(counts)) > 1:
            raise ValueError(f"{self.owner}(distributed=True): X has {counts} rows on ranks "
                             f"0..{self.world - 1}; every rank must pass the same data")
        n = counts[0]
        if n < self.world:
            raise ValueError(f"{self.owner}(distributed=True): X has {n} rows, fewer than the "
                             f"{self.world} ranks, so some rank would get none; use fewer "
                             f"ranks or more data")
        if seed is None:   # the library generators of the ranks may differ: use rank 0's
            seed = pg.broadcast_object(int(nsrandom.generator().integers(2 ** 31)))
        self.shuffle_rng = nsrandom.rng(seed)
        self.batches = array_loader(*self.arrays, batch_sampler=ShardedBatchSampler(
            n, self.batch_size, shuffle, self.shuffle_rng, self.rank, self.world))

    def forward(self, xb):
        return self.ddp(_as_tensor(xb))

    def batch_loss(self, value, n):
        """The loss of the whole global batch, the same on every rank (one small allreduce);
        a ragged batch's local loss is re-weighted so the averaged gradient is the batch's."""
        local = float(np.asarray(value._data if hasattr(value, "_data") else value))
        s = pg.allreduce_array(np.array([local * n, n], np.float64))
        total_rows = int(s[1])
        self._global_rows = total_rows
        if n * self.world != total_rows:
            value = value * (n * self.world / total_rows)
        return float(s[0] / total_rows), value

    def rows(self, xb) -> int:
        return self._global_rows

    def all_rows(self, arrays):
        return np.concatenate(pg.gather_objects(np.concatenate(arrays)))

    def end_epoch(self, epoch, logs) -> bool:
        self.ddp.sync_buffers()     # validation and checkpoints see rank 0's running stats
        return super().end_epoch(epoch, logs)
