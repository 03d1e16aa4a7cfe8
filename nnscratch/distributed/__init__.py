"""``torch.distributed``'s names over MPI: data-parallel training on several processes.

``init_process_group(backend="mpi")`` joins the ranks ``nnscratch launch -n P script.py``
started (a script started alone is a world of size 1, with or without MPI installed); the
collectives ``all_reduce``, ``broadcast``, ``all_gather`` and ``barrier`` move arrays through
MPI (mpi4py over the ``mpich`` wheel: ``pip install 'nnscratch[distributed]'``).  The model
side is :class:`nnscratch.nn.parallel.DistributedDataParallel` and :class:`nnscratch.nn.
SyncBatchNorm`; the data side :class:`nnscratch.utils.data.distributed.DistributedSampler`;
``ns.fit(..., distributed=True)`` puts them together.  The launcher is
:mod:`nnscratch.distributed.launch`.
"""
from .process_group import (DistributedError, ReduceOp, Work, all_gather, all_gather_object,
                            all_reduce, barrier, broadcast, broadcast_object_list,
                            destroy_process_group, get_backend, get_rank, get_world_size,
                            init_process_group, is_available, is_initialized, is_mpi_available)

__all__ = ["ReduceOp", "Work", "DistributedError", "init_process_group",
           "destroy_process_group", "is_available", "is_initialized", "is_mpi_available",
           "get_rank", "get_world_size", "get_backend", "all_reduce", "broadcast", "all_gather",
           "all_gather_object", "broadcast_object_list", "barrier"]
