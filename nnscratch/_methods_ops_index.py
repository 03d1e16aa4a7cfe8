"""Tensor methods of the indexing half of issue 32: the scatter/index/put/masked families,
diagonals, windows and ``repeat_interleave`` (torch's names and signatures).

A mixin: :func:`install` copies its methods onto the engine's ``Tensor`` (one line in
:mod:`nnscratch.tensor`); ``FUNCTIONS`` are also torch's top-level functions
(``ns.scatter(t, ...)`` is ``t.scatter(...)``).  In-place variants (``scatter_`` …) are the
out-of-place op written back with torch's autograd rules (``tensor._inplace``).
"""
from __future__ import annotations

import numpy as np

from . import ops as _ops
from ._tensor.inplace import _inplace as _write_inplace
from .autograd.core import ShapeError, _dim
from .autograd.core import TensorBase as Tensor
from .ops.scatter import IndexOutOfRange, check_index, check_scatter_shapes


def _raw(o):
    return o._data if isinstance(o, Tensor) else o


def _same_dtype(self, src, name, what="src"):
    """torch refuses to scatter values of another dtype (no implicit cast)."""
    if isinstance(src, Tensor) and src.dtype != self.dtype:
        raise ShapeError(f"{name}(): Expected self.dtype to be equal to {what}.dtype, got "
                         f"{self.dtype} and {src.dtype}")
    if not isinstance(src, Tensor):
        return Tensor._wrap(np.asarray(src, dtype=self._data.dtype))
    return src


def _inplace(self, name, fn, *others):
    return _write_inplace(self, name, fn, *others)


def _scatter_args(self, dim, index, src, name):
    d = _dim(dim, max(self.ndim, 1), name)
    idx = check_index(index, name, self.shape[d] if self.ndim else 1, d)
    if not isinstance(src, Tensor) and np.ndim(src) == 0:
        src_shape = None                      # a number (torch's value=)
    else:
        src = _same_dtype(self, src, name)
        src_shape = tuple(src.shape)
    check_scatter_shapes(tuple(self.shape), d, idx, src_shape, name)
    return d, idx, src


def _index_args(self, dim, index, name, source=None, out_of_range=None):
    d = _dim(dim, max(self.ndim, 1), name)
    idx = np.asarray(_raw(index))
    if idx.ndim > 1 or idx.dtype.kind not in "iu":
        raise ShapeError(f"{name}(): index must be a 1-D integer tensor, got {idx.ndim}-D of "
                         f"dtype {idx.dtype}")
    n = self.shape[d] if self.ndim else 1
    check_index(idx, name, n, d, out_of_range)
    if source is not None:
        source = _same_dtype(self, source, name, "source")
        want = tuple(self.shape[:d]) + (idx.size,) + tuple(self.shape[d + 1:])
        if self.ndim and tuple(source.shape) != want:
            raise ShapeError(f"{name}(): source must have shape {want} (self's, with "
                             f"dimension {d} of the index's length), got {tuple(source.shape)}")
    return d, idx.reshape(-1), source


def _mask(mask, name):
    m = np.asarray(_raw(mask))
    if m.dtype != np.bool_:
        raise ShapeError(f"{name}: expected a bool mask, got dtype {m.dtype}")
    return m


class IndexOpsMethods:
    """The methods :func:`install` puts on ``Tensor``."""

    # ---------------------------------------------------------------- scatter family
    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        """``torch.Tensor.scatter(dim, index, src | value, *, reduce=None)``: a copy with
        ``src``'s values (or ``value``) written at the slots ``index`` names along ``dim``;
        ``reduce="add" | "multiply"`` combines them with the old values instead."""
        if (src is None) == (value is None):
            raise TypeError("scatter(): give exactly one of src and value")
        src = value if src is None else src
        d, idx, src = _scatter_args(self, dim, index, src, "scatter")
        if reduce is not None:
            kinds = {"add": "sum", "multiply": "prod"}
            if reduce not in kinds:
                raise ValueError(f"scatter(): reduce must be 'add' or 'multiply', got "
                                 f"{reduce!r}")
            if not isinstance(src, Tensor):
                src = Tensor._wrap(np.full(np.shape(idx), src, dtype=self._data.dtype))
            return _ops.scatter_reduce(self, d, idx, src, kinds[reduce])
        return _ops.scatter(self, d, idx, src)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        return _inplace(self, "scatter_", lambda s, *o: IndexOpsMethods.scatter(
            s, dim, index, *o, value=value, reduce=reduce), *(() if src is None else (src,)))

    def scatter_add(self, dim, index, src):
        """``torch.Tensor.scatter_add``: a copy with ``src`` added at the slots ``index``
        names along ``dim`` (repeated slots accumulate)."""
        d, idx, src = _scatter_args(self, dim, index, src, "scatter_add")
        return _ops.scatter_add(self, d, idx, src)

    def scatter_add_(self, dim, index, src):
        return _inplace(self, "scatter_add_",
                        lambda s, o: IndexOpsMethods.scatter_add(s, dim, index, o), src)

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        """``torch.Tensor.scatter_reduce``: ``src`` reduced into the slots ``index`` names
        along ``dim`` with ``reduce`` in ``sum | prod | mean | amax | amin``."""
        if reduce not in ("sum", "prod", "mean", "amax", "amin"):
            raise ShapeError(f"scatter_reduce(): reduce argument must be either sum, prod, "
                             f"mean, amax or amin, got {reduce!r}")
        d, idx, src = _scatter_args(self, dim, index, src, "scatter_reduce")
        return _ops.scatter_reduce(self, d, idx, src, reduce, bool(include_self))

    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return _inplace(self, "scatter_reduce_", lambda s, o: IndexOpsMethods.scatter_reduce(
            s, dim, index, o, reduce, include_self=include_self), src)

    # ---------------------------------------------------------------- index_* along dim
    def index_add(self, dim, index, source, *, alpha=1):
        """``torch.Tensor.index_add``: slice ``i`` of ``source`` along ``dim`` (times
        ``alpha``) added to slice ``index[i]`` of a copy of self."""
        d, idx, source = _index_args(self, dim, index, "index_add", source)
        return _ops.index_add(self, d, idx, source, alpha)

    def index_add_(self, dim, index, source, *, alpha=1):
        return _inplace(self, "index_add_", lambda s, o: IndexOpsMethods.index_add(
            s, dim, index, o, alpha=alpha), source)

    def index_copy(self, dim, index, source):
        """``torch.Tensor.index_copy``: slice ``index[i]`` of a copy of self replaced by
        slice ``i`` of ``source`` along ``dim``."""
        d, idx, source = _index_args(self, dim, index, "index_copy", source, IndexOutOfRange)
        return _ops.index_copy(self, d, idx, source)

    def index_copy_(self, dim, index, source):
        return _inplace(self, "index_copy_",
                        lambda s, o: IndexOpsMethods.index_copy(s, dim, index, o), source)

    def index_fill(self, dim, index, value):
        """``torch.Tensor.index_fill``: the slices ``index`` along ``dim`` of a copy of self
        set to ``value`` (a number or a 0-d tensor)."""
        d, idx, _ = _index_args(self, dim, index, "index_fill", None, IndexOutOfRange)
        if isinstance(value, Tensor) and value.ndim:
            raise ShapeError(f"index_fill(): value must be a 0-d tensor or a number, got "
                             f"shape {tuple(value.shape)}")
        return _ops.index_fill(self, d, idx, value)

    def index_fill_(self, dim, index, value):
        return _inplace(self, "index_fill_",
                        lambda s: IndexOpsMethods.index_fill(s, dim, index, value))

    # ---------------------------------------------------------------- flat put/take
    def take(self, index):
        """``torch.take``: ``self.flatten()[index]`` in ``index``'s shape."""
        idx = check_index(index, "take", max(self.numel(), 1), 0, IndexOutOfRange)
        return _ops.take(self, idx)

    def put(self, index, source, accumulate=False):
        """``torch.Tensor.put``: a copy with ``flatten()[index] = source`` (``+=`` with
        ``accumulate``)."""
        idx = check_index(index, "put", max(self.numel(), 1), 0, IndexOutOfRange)
        source = _same_dtype(self, source, "put", "source")
        if source.numel() != idx.size:
            raise ShapeError(f"put(): expected source and index to have the same number of "
                             f"elements, got {source.numel()} and {idx.size}")
        return _ops.put(self, idx, source, bool(accumulate))

    def put_(self, index, source, accumulate=False):
        return _inplace(self, "put_",
                        lambda s, o: IndexOpsMethods.put(s, index, o, accumulate), source)

    # ---------------------------------------------------------------- masks
    def masked_select(self, mask):
        """``torch.masked_select``: the entries where ``mask`` (broadcast) is True, 1-D."""
        return _ops.masked_select(self, _mask(mask, "masked_select"))

    def masked_scatter(self, mask, source):
        """``torch.Tensor.masked_scatter``: the True entries of ``mask`` (broadcast to self)
        take ``source``'s first elements in row-major order."""
        m = _mask(mask, "masked_scatter")
        source = _same_dtype(self, source, "masked_scatter", "source")
        need = int(np.count_nonzero(np.broadcast_to(m, self.shape)))
        if source.numel() < need:
            raise ShapeError(f"masked_scatter(): the mask has {need} True entries but source "
                             f"only {source.numel()} elements")
        return _ops.masked_scatter(self, m, source)

    def masked_scatter_(self, mask, source):
        return _inplace(self, "masked_scatter_",
                        lambda s, o: IndexOpsMethods.masked_scatter(s, mask, o), source)

    def argwhere(self):
        """``torch.argwhere``: the indices of the nonzero entries, ``(count, ndim)`` int64."""
        return Tensor._wrap(np.argwhere(self._data).astype(np.int64))

    # ---------------------------------------------------------------- diagonals, windows
    def diag(self, diagonal=0):
        """``torch.diag``: 1-D -> the matrix with self on diagonal ``diagonal``; 2-D -> that
        diagonal."""
        return _ops.diag(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        """``torch.diagonal``: diagonal ``offset`` of the planes ``(dim1, dim2)``, last."""
        d1, d2 = _dim(dim1, self.ndim, "diagonal"), _dim(dim2, self.ndim, "diagonal")
        if d1 == d2:
            raise ShapeError(f"diagonal(): dim1 and dim2 cannot be equal, got {dim1} and "
                             f"{dim2}")
        return _ops.diagonal(self, offset, d1, d2)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        """``torch.diag_embed``: self's last axis on diagonal ``offset`` of new square planes
        ``(dim1, dim2)``."""
        d1, d2 = _dim(dim1, self.ndim + 1, "diag_embed"), _dim(dim2, self.ndim + 1, "diag_embed")
        if d1 == d2:
            raise ShapeError(f"diag_embed(): dim1 and dim2 cannot be equal, got {dim1} and "
                             f"{dim2}")
        return _ops.diag_embed(self, offset, d1, d2)

    def unfold(self, dimension, size, step):
        """``torch.Tensor.unfold``: windows of ``size`` every ``step`` along ``dimension``
        (that axis becomes the window count; the window is a new last axis)."""
        d = _dim(dimension, self.ndim, "unfold")
        n = self.shape[d]
        if not 0 <= size <= n:
            raise ShapeError(f"unfold(): maximum size for tensor at dimension {d} is {n} but "
                             f"size is {size}")
        if step <= 0:
            raise ShapeError(f"unfold(): step is {step} but must be > 0")
        return _ops.unfold_dim(self, d, int(size), int(step))

    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        """``torch.repeat_interleave``: each element (or slice along ``dim``) repeated
        ``repeats`` times (an int or one count per slice); without ``dim``, of the flattened
        tensor.  Without ``repeats``, self holds the counts: ``[2, 1] -> [0, 0, 1]``."""
        if repeats is None:
            return IndexOpsMethods.repeat_interleave(Tensor._wrap(np.arange(self.numel())), self)
        x = self
        if dim is None:
            x, d = _ops.reshape(self, (-1,)), 0
        else:
            d = _dim(dim, self.ndim, "repeat_interleave")
        r = np.asarray(_raw(repeats))
        if r.dtype.kind not in "iu" or r.ndim > 1:
            raise ShapeError(f"repeat_interleave(): repeats must be an int or a 1-D integer "
                             f"tensor, got {r.ndim}-D of dtype {r.dtype}")
        if r.ndim == 1 and r.size not in (1, x.shape[d]):
            raise ShapeError(f"repeat_interleave(): repeats must have the same size as input "
                             f"along dim ({x.shape[d]}), got {r.size}")
        if r.size and r.min() < 0:
            raise ShapeError(f"repeat_interleave(): repeats can not be negative, got {r.min()}")
        r = int(r.reshape(-1)[0]) if r.ndim == 0 or r.size == 1 else r
        return _ops.repeat_interleave(x, r, d)


FUNCTIONS = ("scatter", "scatter_add", "scatter_reduce", "index_add", "index_copy",
             "index_fill", "take", "put", "masked_select", "masked_scatter", "argwhere", "diag",
             "diagonal", "diag_embed", "repeat_interleave")


def install(cls) -> None:
    """Copy the methods onto ``cls`` (called once by nnscratch.tensor after the class)."""
    for name, fn in vars(IndexOpsMethods).items():
        if not name.startswith("__"):
            setattr(cls, name, fn)
