"""``nn.SyncBatchNorm``: batch normalisation with the statistics of every rank's batch."""
from __future__ import annotations

from .._checks import as_tensor
from ..distributed import process_group as pg
from ..ops.sync_norm import sync_batch_norm
from .module import Module
from .normalization import _BatchNorm


def _sum_over_ranks(a):
    if pg.is_initialized():
        pg.allreduce_array(a)
    return a


class SyncBatchNorm(_BatchNorm):
    """Batch norm whose training statistics are those of the whole distributed batch
    (torch.nn.SyncBatchNorm): one allreduce of the per-channel ``[Σx, Σx², n]`` in forward
    and one of ``[Σgx̂, Σgx̂x̂]`` in backward (:mod:`nnscratch.ops.sync_norm`).  P ranks with
    batch b then compute what BatchNorm computes on the batch of P·b, running statistics
    included, which stay identical on every rank.  In ``eval()`` mode, or without an
    initialised process group (a world of one), it is :class:`BatchNorm1d`/``2d``.

    Shape: ``(N, C)``, ``(N, C, L)`` or ``(N, C, H, W)`` -> same.  Buffers ``running_mean``,
    ``running_var``, ``num_batches_tracked``; parameters ``weight``, ``bias`` ``(C,)``.
    """
    _ndims = (2, 3, 4, 5)
    _layout = "(N, C, *)"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, process_group=None,
                 device=None, dtype=None, *, bias: bool = True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def forward(self, x):
        x = as_tensor(x, "SyncBatchNorm")
        if not (self.training and pg.is_initialized() and pg.get_world_size() > 1):
            return super().forward(x)
        if x.ndim not in self._ndims or x.shape[1] != self.num_features:
            raise ValueError(f"SyncBatchNorm({self.num_features}): expected input "
                             f"{self._layout} with C = {self.num_features}, got shape "
                             f"{tuple(x.shape)}")
        momentum = self.momentum
        if self.track_running_stats:
            self.num_batches_tracked += 1
            if momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked)
        arrays = [None if b is None else b._data for b in (self.running_mean, self.running_var)]
        return sync_batch_norm(x, *arrays, self.weight, self.bias,
                               0.0 if momentum is None else momentum, self.eps, _sum_over_ranks)

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group=None) -> Module:
        """``module`` with every BatchNorm layer replaced by a SyncBatchNorm holding the same
        parameters and buffers (torch's classmethod); a BatchNorm ``module`` is returned
        converted."""
        if isinstance(module, _BatchNorm) and not isinstance(module, cls):
            new = cls(module.num_features, module.eps, module.momentum,
                      module.weight is not None, module.track_running_stats)
            new.weight, new.bias = module.weight, module.bias
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                setattr(new, name, getattr(module, name))
            new.training = module.training
            return new
        for name, child in list(vars(module).items()):
            if name.startswith("_"):
                continue
            if isinstance(child, Module):
                setattr(module, name, cls.convert_sync_batchnorm(child))
            elif isinstance(child, (list, tuple)) and child and \
                    all(isinstance(m, Module) for m in child):
                setattr(module, name, type(child)(cls.convert_sync_batchnorm(m) for m in child))
        return module
