"""The process group: torch.distributed's collective calls over MPI (mpi4py).

One world per process, as torch's default group: :func:`init_process_group` joins it,
:func:`get_rank`/:func:`get_world_size` describe it, the collectives (:func:`all_reduce`,
:func:`broadcast`, :func:`all_gather`, :func:`barrier`) move data through MPI, and
:func:`destroy_process_group` leaves it.  The MPI runtime is MPICH from the ``mpich`` wheel
(``pip install nnscratch[distributed]``); ``nnscratch launch -n P script.py`` starts P ranks.

A script started alone (no ``mpiexec``) gets a world of size 1 with or without mpi4py, in which
every collective is the identity, so the same script runs on one process unchanged.

Collectives work in place on a Tensor's array (or an ndarray) and bump the tensor's version
counter, as torch's do; ``async_op=True`` returns a finished :class:`Work` (MPI's blocking
calls have already completed when it is returned).
"""
from __future__ import annotations

import enum
import os

import numpy as np

__all__ = ["ReduceOp", "Work", "init_process_group", "destroy_process_group", "is_available",
           "is_initialized", "is_mpi_available", "get_rank", "get_world_size", "get_backend",
           "all_reduce", "broadcast", "all_gather", "all_gather_object",
           "broadcast_object_list", "barrier", "DistributedError"]


class DistributedError(RuntimeError):
    """A distributed call that cannot work as asked; the message names the cause."""


class ReduceOp(enum.Enum):
    """How :func:`all_reduce` combines the ranks' values (torch.distributed.ReduceOp)."""
    SUM = "sum"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    AVG = "avg"          # SUM, then divided by the world size


class Work:
    """The handle ``async_op=True`` returns; the operation has already completed."""

    def wait(self, timeout=None) -> bool:
        return True

    def is_completed(self) -> bool:
        return True


# environment variables that the MPI launchers set in every rank they start: if one says the
# world is larger than 1, running on without MPI would silently train P separate models
_LAUNCHER_SIZE_VARS = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MPI_LOCALNRANKS", "PMIX_SIZE")


class _World:
    """The joined world: ``comm`` is MPI's COMM_WORLD, or None in a world of size 1."""

    def __init__(self, comm, backend):
        self.comm, self.backend = comm, backend
        self.rank = 0 if comm is None else comm.Get_rank()
        self.size = 1 if comm is None else comm.Get_size()


_world: _World | None = None


def is_available() -> bool:
    """True: the distributed package is always importable (torch.distributed.is_available)."""
    return True


def is_mpi_available() -> bool:
    """Whether mpi4py (and the MPI library under it) can be imported."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def _launched_size() -> int:
    for var in _LAUNCHER_SIZE_VARS:
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return 1


def _mpi():
    """The ``mpi4py.MPI`` module, or None when mpi4py is missing and no launcher started us."""
    try:
        from mpi4py import MPI
    except ImportError as e:
        size = _launched_size()
        if size > 1:
            raise DistributedError(
                f"init_process_group: this process was started as one of {size} MPI ranks but "
                f"mpi4py cannot be imported ({e}); install it with "
                f"pip install 'nnscratch[distributed]'") from None
        return None
    return MPI


def init_process_group(backend: str = "mpi", init_method=None, timeout=None, world_size=-1,
                       rank=-1, store=None, group_name="", pg_options=None, device_id=None):
    """Join the world of ranks that ``mpiexec`` (or ``nnscratch launch``) started.

    ``backend``: "mpi" (the one transport; "gloo", torch's CPU backend, is accepted as a name
    for it so torch scripts run unchanged).  ``world_size``/``rank``, when given, must match
    what MPI reports (MPI, not an ``init_method``, decides them).  Started alone, the world has
    size 1.  Raises RuntimeError when already initialised, NotImplementedError for "nccl".
    """
    global _world
    if _world is not None:
        raise RuntimeError("init_process_group: trying to initialize the default process group "
                           "twice (call destroy_process_group() first)")
    if not isinstance(backend, str):
        raise TypeError(f"init_process_group: backend must be a string, got "
                        f"{type(backend).__name__}")
    b = backend.lower()
    if b in ("nccl", "ucc", "xccl"):
        raise NotImplementedError(f"init_process_group: backend {backend!r} needs GPUs; "
                                  f"nnscratch runs on CPUs with backend='mpi'")
    if b not in ("mpi", "gloo"):
        raise ValueError(f"init_process_group: backend must be 'mpi' (or 'gloo'), got "
                         f"{backend!r}")
    MPI = _mpi()
    if MPI is not None and not MPI.Is_initialized():
        MPI.Init()
    world = _World(None if MPI is None else MPI.COMM_WORLD, "mpi")
    for name, given, actual in (("world_size", world_size, world.size),
                                ("rank", rank, world.rank)):
        if given not in (-1, None) and given != actual:
            raise ValueError(f"init_process_group: {name}={given} but MPI started this process "
                             f"as {name} {actual}; launch with 'nnscratch launch -n "
                             f"{world_size if name == 'world_size' else '<P>'} ...'")
    _world = world


def destroy_process_group(group=None) -> None:
    """Leave the world (MPI itself is finalised when the process exits)."""
    global _world
    if _world is not None and _world.comm is not None:
        _world.comm.Barrier()
    _world = None


def is_initialized() -> bool:
    return _world is not None


def _require(fn: str) -> _World:
    if _world is None:
        raise RuntimeError(f"{fn}: the default process group has not been initialized; call "
                           f"nnscratch.distributed.init_process_group() first")
    return _world


def get_rank(group=None) -> int:
    """This process's rank in ``[0, world_size)``."""
    return _require("get_rank").rank


def get_world_size(group=None) -> int:
    """The number of ranks."""
    return _require("get_world_size").size


def get_backend(group=None) -> str:
    return _require("get_backend").backend


def _array_of(tensor, fn, arg="tensor"):
    from ..tensor import Tensor
    if isinstance(tensor, Tensor):
        return tensor._data, tensor
    if isinstance(tensor, np.ndarray):
        return tensor, None
    raise TypeError(f"{fn}: {arg} must be a Tensor or an ndarray, got {type(tensor).__name__}")


def _bump(t):
    if t is not None:
        t._counter.n += 1


def _mpi_op(op, MPI):
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX}[op]


def allreduce_array(a: np.ndarray, op: ReduceOp = ReduceOp.SUM) -> np.ndarray:
    """Reduce ``a`` over the ranks, in place (one MPI_Allreduce); returns ``a``.

    ``a`` must be C-contiguous and writeable (the callers own such buffers)."""
    world = _require("all_reduce")
    if world.comm is not None and world.size > 1:
        from mpi4py import MPI
        world.comm.Allreduce(MPI.IN_PLACE, a, op=_mpi_op(op, MPI))
    if op is ReduceOp.AVG:
        if a.dtype.kind != "f":
            raise TypeError(f"all_reduce: ReduceOp.AVG needs a float tensor, got {a.dtype}")
        a /= world.size
    return a


def _checked_op(op, fn):
    if not isinstance(op, ReduceOp):
        raise TypeError(f"{fn}: op must be a ReduceOp (SUM, PRODUCT, MIN, MAX, AVG), got {op!r}")
    return op


def all_reduce(tensor, op: ReduceOp = ReduceOp.SUM, group=None, async_op: bool = False):
    """Replace ``tensor`` on every rank by the reduction (``op``) of all ranks' values."""
    op = _checked_op(op, "all_reduce")
    a, t = _array_of(tensor, "all_reduce")
    if a.flags.c_contiguous and a.flags.writeable:
        allreduce_array(a, op)
    elif not a.flags.writeable:
        raise ValueError("all_reduce: the tensor is read-only (an array from Ray's object "
                         "store?); reduce a copy")
    else:
        a[...] = allreduce_array(np.ascontiguousarray(a), op)
    _bump(t)
    return Work() if async_op else None


def broadcast(tensor, src: int = 0, group=None, async_op: bool = False):
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every other rank."""
    world = _require("broadcast")
    if not isinstance(src, (int, np.integer)) or not 0 <= src < world.size:
        raise ValueError(f"broadcast: src must be a rank in [0, {world.size}), got {src!r}")
    a, t = _array_of(tensor, "broadcast")
    if world.comm is not None and world.size > 1:
        buf = a if a.flags.c_contiguous and a.flags.writeable else np.ascontiguousarray(a)
        world.comm.Bcast(buf, root=int(src))
        if buf is not a:
            a[...] = buf
    _bump(t)
    return Work() if async_op else None


def all_gather(tensor_list, tensor, group=None, async_op: bool = False):
    """Fill ``tensor_list[r]`` with rank r's ``tensor`` on every rank (equal shapes)."""
    world = _require("all_gather")
    a, _ = _array_of(tensor, "all_gather")
    if not isinstance(tensor_list, list) or len(tensor_list) != world.size:
        raise ValueError(f"all_gather: tensor_list must be a list of world_size={world.size} "
                         f"tensors, got {type(tensor_list).__name__} of length "
                         f"{len(tensor_list) if hasattr(tensor_list, '__len__') else '?'}")
    outs = [_array_of(x, "all_gather", "tensor_list[i]") for x in tensor_list]
    for r, (o, _) in enumerate(outs):
        if o.shape != a.shape or o.dtype != a.dtype:
            raise ValueError(f"all_gather: tensor_list[{r}] must have shape {a.shape} and dtype "
                             f"{a.dtype} (the tensor's), got {o.shape} {o.dtype}")
    if world.comm is None or world.size == 1:
        gathered = a[None]
    else:
        gathered = np.empty((world.size,) + a.shape, a.dtype)
        world.comm.Allgather(np.ascontiguousarray(a), gathered)
    for (o, t), g in zip(outs, gathered):
        o[...] = g
        _bump(t)
    return Work() if async_op else None


def all_gather_object(object_list, obj, group=None) -> None:
    """Fill ``object_list[r]`` with rank r's picklable ``obj`` (torch's all_gather_object)."""
    world = _require("all_gather_object")
    if not isinstance(object_list, list) or len(object_list) != world.size:
        raise ValueError(f"all_gather_object: object_list must be a list of world_size="
                         f"{world.size} items, got {object_list!r}")
    object_list[:] = [obj] if world.comm is None else world.comm.allgather(obj)


def broadcast_object_list(object_list, src: int = 0, group=None) -> None:
    """Replace ``object_list``'s items on every rank by rank ``src``'s (picklable objects)."""
    world = _require("broadcast_object_list")
    if world.comm is not None and world.size > 1:
        object_list[:] = world.comm.bcast(list(object_list), root=src)


def barrier(group=None, async_op: bool = False, device_ids=None):
    """Wait until every rank has reached this call."""
    world = _require("barrier")
    if world.comm is not None and world.size > 1:
        world.comm.Barrier()
    return Work() if async_op else None


def gather_objects(obj) -> list:
    """Every rank's ``obj``, in rank order (on every rank); ``[obj]`` in a world of one."""
    world = _require("all_gather_object")
    return [obj] if world.comm is None or world.size == 1 else world.comm.allgather(obj)


def broadcast_object(obj, src: int = 0):
    """Rank ``src``'s ``obj`` on every rank."""
    world = _require("broadcast_object_list")
    return obj if world.comm is None or world.size == 1 else world.comm.bcast(obj, root=src)
