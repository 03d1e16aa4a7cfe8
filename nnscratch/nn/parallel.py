"""``nn.parallel.DistributedDataParallel``: one model replica per rank, gradients averaged.

Data parallelism (as torch.nn.parallel.DistributedDataParallel): every rank holds the same
weights, runs forward and backward on its own shard of the batch, and before the optimizer
step the gradients are replaced by their mean over the ranks, ``g ← (1/P) Σ_r g_r``.  With
equal shards and a mean-reduced loss that is the gradient of the whole batch, so P ranks with
batch b each take the same steps as one process with batch P·b.

How: at wrap time rank 0's parameters and buffers are broadcast (and every rank checks that
all ranks built the same parameter shapes).  A post-accumulate-grad hook on each parameter
queues one callback at the end of ``backward()``; it copies the gradients into one flat,
contiguous bucket, reduces it with a single in-place MPI_Allreduce, scales it by 1/P, and
leaves every ``p.grad`` a view of its slice of the bucket.  A gradient that is NaN or infinite
on any rank makes the sum non-finite on every rank, so each rank's finiteness check fails at
the same step and all ranks stop together (``grads_finite`` says so).  In training mode each
forward first broadcasts rank 0's buffers, as torch's ``broadcast_buffers=True``, so BatchNorm's
running statistics stay in step (use :class:`nnscratch.nn.SyncBatchNorm` to normalise with the
statistics of the whole batch).
"""
from __future__ import annotations

import contextlib
import math
import time
import weakref

import numpy as np

from ..autograd import queue_callback
from ..distributed import process_group as pg
from ..tensor import Tensor
from .module import Module

__all__ = ["DistributedDataParallel"]

# id(parameter) -> (weak reference to it, its DDP hook): wrapping a model again (a second
# fit(distributed=True) on it) replaces the first wrapper's hooks instead of adding a second
# allreduce per backward
_hooks: dict = {}


def _by_dtype(arrays):
    """{dtype: [indices]} in first-seen order: one flat buffer per dtype (usually one)."""
    groups = {}
    for i, a in enumerate(arrays):
        groups.setdefault(a.dtype, []).append(i)
    return groups


class _Bucket:
    """A flat buffer holding several arrays of one dtype back to back."""

    def __init__(self, dtype, shapes):
        self.shapes = shapes
        sizes = [int(np.prod(s)) for s in shapes]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.flat = np.empty(int(self.offsets[-1]), dtype)

    def view(self, i):
        return self.flat[self.offsets[i]:self.offsets[i + 1]].reshape(self.shapes[i])


def broadcast_arrays(arrays, src: int = 0) -> None:
    """Overwrite ``arrays`` (in place) with rank ``src``'s: one broadcast per dtype."""
    for dtype, idx in _by_dtype(arrays).items():
        b = _Bucket(dtype, [arrays[i].shape for i in idx])
        for k, i in enumerate(idx):
            b.view(k)[...] = arrays[i]
        pg.broadcast(b.flat, src=src)
        for k, i in enumerate(idx):
            arrays[i][...] = b.view(k)


class DistributedDataParallel(Module):
    """Wrap ``module`` so that ``backward()`` leaves the rank-averaged gradient in ``p.grad``.

    Args (torch's; the ones about devices and buckets are accepted and ignored, since one
    bucket holds every gradient):
        module: the model; every rank must build the same one (shapes are checked).
        broadcast_buffers: broadcast rank 0's buffers at the start of each training forward
            (default True, as torch).
    Attributes:
        module: the wrapped model (the state_dict's names get a ``module.`` prefix, as torch).
        grads_finite: after a backward, whether the averaged gradients are all finite.
        allreduce_seconds, allreduce_calls: time spent in, and number of, gradient allreduces.
    Raises:
        RuntimeError: the process group is not initialised.
        ValueError (on every rank): the ranks' models differ in a parameter's name, shape or
            dtype.
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool = True, process_group=None, bucket_cap_mb=None,
                 find_unused_parameters: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False):
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be an nn.Module, got "
                            f"{type(module).__name__}")
        if isinstance(module, DistributedDataParallel):
            raise TypeError("DistributedDataParallel: the module is already wrapped")
        world = pg._require("DistributedDataParallel")
        self.module = module
        self.broadcast_buffers = bool(broadcast_buffers)
        self._world_size = world.size
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        self._check_same_model(module)
        self._broadcast_state()
        self._params = [p for _, p in named]
        groups = _by_dtype([p._data for p in self._params])
        self._buckets = []
        for dtype, idx in groups.items():
            self._buckets.append(([self._params[i] for i in idx],
                                  _Bucket(dtype, [self._params[i].shape for i in idx])))
        self._views = [[None] * len(ps) for ps, _ in self._buckets]
        self._pending = False
        self._sync = True
        self.grads_finite = True
        self.allreduce_seconds = 0.0
        self.allreduce_calls = 0
        for p in self._params:
            ref, handle = _hooks.get(id(p), (None, None))
            if ref is not None and ref() is p:
                handle.remove()
            _hooks[id(p)] = (weakref.ref(p), p.register_post_accumulate_grad_hook(self._on_grad))

    # ------------------------------------------------------------------ wrap time
    def _check_same_model(self, module):
        sig = [(n, tuple(p.shape), str(p.dtype)) for n, p in module.named_parameters()]
        sig += [(f"buffer {n}", tuple(b.shape), str(b.dtype)) for n, b in module.named_buffers()]
        every = pg.gather_objects(sig)
        for r, other in enumerate(every):
            if other == every[0]:
                continue
            mine, theirs = dict((n, s) for n, *s in every[0]), dict((n, s) for n, *s in other)
            for name in list(mine) + [n for n in theirs if n not in mine]:
                a, b = mine.get(name), theirs.get(name)
                if a != b:
                    show = lambda v: "missing" if v is None else f"shape {v[0]} dtype {v[1]}"
                    raise ValueError(
                        f"DistributedDataParallel: parameter {name!r} has {show(a)} on rank 0 "
                        f"but {show(b)} on rank {r}; every rank must build the same model")
            raise ValueError(f"DistributedDataParallel: the parameters are in a different "
                             f"order on rank {r} than on rank 0; build the same model on "
                             f"every rank")

    def _buffers(self):
        return [b._data for _, b in self.module.named_buffers()]

    def _broadcast_state(self):
        if self._world_size > 1:
            broadcast_arrays([p._data for p in self.module.parameters()]
                             + self._buffers())

    def sync_buffers(self) -> None:
        """Copy rank 0's buffers (BatchNorm's running statistics) to every rank."""
        bufs = self._buffers()
        if self._world_size > 1 and bufs:
            broadcast_arrays(bufs)

    # ------------------------------------------------------------------ forward/backward
    def forward(self, *inputs, **kwargs):
        if self.training and self.broadcast_buffers:
            self.sync_buffers()
        return self.module(*inputs, **kwargs)

    @contextlib.contextmanager
    def no_sync(self):
        """Inside, backward accumulates local gradients only; the first backward after it
        averages everything accumulated (gradient accumulation over several batches)."""
        prev, self._sync = self._sync, False
        try:
            yield
        finally:
            self._sync = prev

    def _on_grad(self, p):
        if self._sync and not self._pending:
            self._pending = True
            queue_callback(self._reduce)

    def _reduce(self):
        """Average the gradients over the ranks: one allreduce per bucket (one per dtype)."""
        self._pending = False
        finite = True
        for (params, bucket), views in zip(self._buckets, self._views):
            for i, p in enumerate(params):
                g = p._grad
                if g is None:
                    bucket.view(i)[...] = 0       # unused here, maybe used on another rank
                elif g is not views[i]:
                    bucket.view(i)[...] = g._data
            t0 = time.perf_counter()
            pg.allreduce_array(bucket.flat)
            self.allreduce_seconds += time.perf_counter() - t0
            self.allreduce_calls += 1
            if self._world_size > 1:
                bucket.flat *= 1.0 / self._world_size
            total = float(bucket.flat.sum())     # non-finite iff some entry is (or overflow)
            if not math.isfinite(total):
                finite = finite and bool(np.isfinite(bucket.flat).all())
            for i, p in enumerate(params):
                if p._grad is not views[i]:
                    views[i] = Tensor._wrap(bucket.view(i))
                    p._grad = views[i]
                else:
                    views[i]._counter.n += 1
        self.grads_finite = finite

    def extra_repr(self):
        return f"world_size={self._world_size}"
