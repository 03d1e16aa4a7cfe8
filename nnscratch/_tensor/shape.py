"""Shape and indexing: ``reshape``/``view``, ``transpose``/``permute``, ``squeeze`` …, views
that share memory (and the in-place version counter) with their base, and indexing:
``t[idx]``, ``gather``, ``index_select``, ``split``, ``narrow`` …"""
from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import ops as _ops
from ..autograd.core import ShapeError, _dim
from ..autograd.core import TensorBase as _Base
from ..dtype import operand
from .args import dims as _dims
from .args import function, raw, shape_args

if TYPE_CHECKING:   # annotations only: a method returns a tensor of its receiver's class
    from typing_extensions import Self


def _flip_dims(dims):
    return tuple(dims) if isinstance(dims, (list, tuple)) else (dims,)


def _triangle(self, diagonal, which):
    if self._data.ndim < 2:
        raise RuntimeError(f"{which}: input tensor must have at least 2 dimensions")
    return getattr(_ops, which)(self, int(diagonal))


class ShapeMethods(_Base):
    """Reshaping, views, transposes and indexing."""

    __slots__ = ()

    # ------------------------------------------------------------------ reshaping
    @function
    def reshape(self, *shape: Any) -> Self:
        return _ops.reshape(self, shape_args(shape, "reshape"))

    def view(self, *shape: Any) -> Self:
        if len(shape) == 1 and not isinstance(shape[0], (tuple, list, builtins.int, np.integer)):
            # torch's view(dtype) reinterprets the bits; converting the values would be a
            # silent change of meaning
            raise NotImplementedError(f"view(dtype={shape[0]!r}): reinterpreting a tensor's bits "
                                      f"as another dtype is not supported; use .to(dtype) to "
                                      f"convert")
        return _ops.reshape(self, shape_args(shape, "view"))

    def view_as(self, other):
        return _ops.reshape(self, other._data.shape)

    reshape_as = view_as

    def ravel(self):
        return _ops.reshape(self, (-1,))

    @function
    def flatten(self, start_dim=0, end_dim=-1):
        nd = self._data.ndim
        if nd == 0:
            return _ops.reshape(self, (1,))
        s, e = _dim(start_dim, nd, "flatten"), _dim(end_dim, nd, "flatten")
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        shp = self._data.shape
        return _ops.reshape(self, shp[:s] + (-1 if 0 not in shp[s:e + 1] else 0,) + shp[e + 1:])

    @function
    def unflatten(self, dim, sizes):
        d = _dim(dim, self._data.ndim, "unflatten")
        shp = self._data.shape
        return _ops.reshape(self, shp[:d] + tuple(sizes) + shp[d + 1:])

    @function
    def squeeze(self, dim=None, *, axis=None):
        d = _dims(dim, axis, "squeeze")
        shp = self._data.shape
        if d is None:
            new = tuple(s for s in shp if s != 1)
        else:
            ds = {_dim(x, len(shp), "squeeze") for x in (d if isinstance(d, tuple) else (d,))}
            new = tuple(s for i, s in enumerate(shp) if not (i in ds and s == 1))
        return _ops.reshape(self, new)

    @function
    def unsqueeze(self, dim=None, *, axis=None):
        d = _dims(dim, axis, "unsqueeze")
        nd = self._data.ndim + 1
        if isinstance(d, builtins.bool) or not isinstance(d, (builtins.int, np.integer)):
            raise TypeError(f"unsqueeze(): argument 'dim' must be int, not {type(d).__name__}")
        if not -nd <= d < nd:
            raise IndexError(f"unsqueeze: dimension out of range (expected to be in range of "
                             f"[{-nd}, {nd - 1}], but got {d})")
        return _ops.reshape(self, np.expand_dims(self._data, builtins.int(d) % nd).shape)

    def expand(self, *sizes):
        sizes = shape_args(sizes, "expand")
        shp = self._data.shape
        lead = len(sizes) - len(shp)
        if lead < 0:
            raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be "
                               f"greater or equal to the number of dimensions ({len(shp)})")
        target = tuple(shp[i - lead] if s == -1 else s for i, s in enumerate(sizes))
        return _ops.broadcast_to(self, target)

    def expand_as(self, other):
        return ShapeMethods.expand(self, other._data.shape)

    @function
    def broadcast_to(self, size):
        return _ops.broadcast_to(self, tuple(size))

    def repeat(self, *sizes):
        sizes = shape_args(sizes, "repeat")
        if len(sizes) < self._data.ndim:
            raise RuntimeError("repeat: number of repeat dims can not be smaller than number of "
                               "dimensions of tensor")
        x = _ops.reshape(self, (1,) * (len(sizes) - self._data.ndim) + self._data.shape)
        return _ops.tile(x, sizes)

    def contiguous(self, memory_format=None):
        return self

    def is_contiguous(self, memory_format=None):
        return builtins.bool(self._data.flags.c_contiguous)

    @function
    def clone(self, memory_format=None):
        return _ops.clone(self)

    def copy(self):
        return _ops.clone(self)

    # ------------------------------------------------------------------ transposes
    @function
    def transpose(self, dim0: Any = None, dim1: Any = None, *, axes: Any = None) -> Self:
        """``transpose(d0, d1)`` swaps two dimensions, as torch (``transpose()`` on a 2-D
        tensor and NumPy's ``transpose(axes)`` with a full order are also accepted)."""
        nd = self._data.ndim
        if isinstance(dim0, (tuple, list)):
            return _ops.transpose(self, tuple(dim0))
        if dim0 is None and dim1 is None:
            return _ops.transpose(self, axes)
        if dim1 is None:
            raise TypeError("transpose: expected two dimensions, transpose(dim0, dim1)")
        order = list(range(nd))
        a, b = _dim(dim0, nd, "transpose"), _dim(dim1, nd, "transpose")
        order[a], order[b] = order[b], order[a]
        return _ops.transpose(self, tuple(order))

    @function
    def permute(self, *dims: Any) -> Self:
        dims = shape_args(dims, "permute")
        nd = self._data.ndim
        if sorted(d % builtins.max(nd, 1) for d in dims) != list(range(nd)):
            raise RuntimeError(f"permute: number of dims don't match or repeat: got {dims} for "
                               f"a {nd}-D tensor")
        return _ops.transpose(self, dims)

    @function
    def t(self):
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                               f"{self._data.ndim}D")
        return _ops.transpose(self, None)

    @property
    def T(self) -> Self:
        return _ops.transpose(self, None)

    @property
    def mT(self) -> Self:
        return ShapeMethods.transpose(self, -2, -1)

    @function
    def movedim(self, source, destination):
        nd = self._data.ndim
        src = source if isinstance(source, (list, tuple)) else (source,)
        dst = destination if isinstance(destination, (list, tuple)) else (destination,)
        if len(src) != len(dst):
            raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src}) "
                               f"and destination ({dst}) must have the same number of dims")
        src = [_dim(d, nd, "movedim") for d in src]
        dst = [_dim(d, nd, "movedim") for d in dst]
        if len(set(src)) != len(src) or len(set(dst)) != len(dst):
            raise RuntimeError(f"movedim: repeated dim in source {tuple(src)} or destination "
                               f"{tuple(dst)}")
        order = [d for d in range(nd) if d not in src]    # the dims that stay, in their order
        for d, s in sorted(zip(dst, src)):                # each moved dim lands at its place
            order.insert(d, s)
        return _ops.transpose(self, tuple(order))

    moveaxis = movedim

    @function
    def flip(self, dims):
        return _ops.flip(self, _flip_dims(dims))

    @function
    def roll(self, shifts, dims=None):
        nd = self._data.ndim
        if dims is None:
            if isinstance(shifts, (list, tuple)):
                if len(shifts) != 1:
                    raise RuntimeError(f"roll: with no dims, shifts must be one int, got "
                                       f"{shifts}")
                shifts = shifts[0]
            return _ops.roll(self, int(shifts))
        shifts = tuple(shifts) if isinstance(shifts, (list, tuple)) else (shifts,)
        dims = tuple(dims) if isinstance(dims, (list, tuple)) else (dims,)
        if len(shifts) != len(dims):
            raise RuntimeError(f"roll: shifts and dims must have the same length, got "
                               f"{len(shifts)} and {len(dims)}")
        return _ops.roll(self, tuple(int(s) for s in shifts),
                         tuple(_dim(d, nd, "roll") for d in dims))

    @function
    def tril(self, diagonal=0):
        """``torch.tril``: the lower triangle of the last two dimensions, the rest zero."""
        return _triangle(self, diagonal, "tril")

    @function
    def triu(self, diagonal=0):
        """``torch.triu``: the upper triangle of the last two dimensions, the rest zero."""
        return _triangle(self, diagonal, "triu")

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, idx: Any) -> Self:
        return _ops.getitem(self, idx)

    @function
    def split(self, split_size_or_sections, dim=0):
        d = _dim(dim, self._data.ndim, "split")
        n = self._data.shape[d]
        if isinstance(split_size_or_sections, (builtins.int, np.integer)):
            step = builtins.int(split_size_or_sections)
            if step <= 0:
                raise RuntimeError(f"split: split_size must be positive, got {step}")
            bounds = list(range(0, n, step)) + [n]
        else:
            sizes = list(split_size_or_sections)
            if builtins.sum(sizes) != n:
                raise RuntimeError(f"split: split sizes {sizes} don't add up to the dimension's "
                                   f"size {n}")
            bounds = list(np.cumsum([0] + sizes))
        return tuple(ShapeMethods.narrow(self, d, lo, hi - lo)
                     for lo, hi in zip(bounds[:-1], bounds[1:]))

    @function
    def chunk(self, chunks, dim=0):
        if chunks < 1:
            raise ShapeError(f"chunk: chunks must be > 0, got {chunks}")
        n = self._data.shape[_dim(dim, self._data.ndim, "chunk")]
        return ShapeMethods.split(self, builtins.max(1, -(-n // chunks)), dim)

    @function
    def narrow(self, dim, start, length):
        d = _dim(dim, self._data.ndim, "narrow")
        n = self._data.shape[d]
        s = start + n if start < 0 else start          # torch counts a negative start from the end
        if not (0 <= s <= n and 0 <= length and s + length <= n):
            raise ShapeError(f"narrow: start ({start}) + length ({length}) exceeds dimension "
                             f"size ({n})")
        idx = (slice(None),) * d + (slice(s, s + length),)
        return _ops.getitem(self, idx)

    @function
    def select(self, dim, index):
        """``torch.select``: the slice at ``index`` along ``dim``, that dimension dropped
        (``x.select(1, i)`` is ``x[:, i]``; a negative index counts from the end)."""
        if self._data.ndim == 0:
            raise IndexError("select() cannot be applied to a 0-dim tensor.")
        if isinstance(index, _Base) and index._data.ndim == 0 and index._data.dtype.kind in "iu":
            index = int(index._data)
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"select(): argument 'index' must be int, not "
                            f"{type(index).__name__}")
        d = _dim(dim, self._data.ndim, "select")
        n = self._data.shape[d]
        if not -n <= index < n:
            raise IndexError(f"select(): index {index} out of range for tensor of size "
                             f"{list(self._data.shape)} at dimension {dim}")
        return _ops.getitem(self, (slice(None),) * d + (index,))

    def where(self, condition, y):
        """``x.where(condition, y)`` is ``torch.where(condition, x, y)``."""
        _ops.shape.check_condition(condition)
        return _ops.where(condition, self, y)

    @function
    def unbind(self, dim=0):
        d = _dim(dim, self._data.ndim, "unbind")
        return tuple(_ops.getitem(self, (slice(None),) * d + (i,))
                     for i in range(self._data.shape[d]))

    @function
    def gather(self, dim, index):
        return _ops.gather(self, _dim(dim, self._data.ndim, "gather"), np.asarray(raw(index)))

    @function
    def index_select(self, dim, index):
        d = _dim(dim, self._data.ndim, "index_select")
        idx = np.asarray(raw(index))
        if idx.ndim > 1 or idx.dtype.kind not in "iu":
            raise TypeError(f"index_select: index must be a 1-D integer tensor, got "
                            f"{idx.ndim}-D of dtype {idx.dtype}")
        n = self._data.shape[d] if self._data.ndim else 1
        if idx.size and not (-n <= idx.min() and idx.max() < n):
            raise IndexError(f"index_select: index out of range: dim {d} has size {n}, got "
                             f"indices from {idx.min()} to {idx.max()}")
        if self._data.ndim == 0:      # torch: one index, and a 0-d result
            if idx.size != 1:
                raise IndexError(f"index_select: a 0-d tensor takes exactly one index, got "
                                 f"{idx.size}")
            return _ops.reshape(_ops.index_select(_ops.reshape(self, (1,)), 0,
                                                  idx.reshape(1)), ())
        return _ops.index_select(self, d, idx.reshape(-1))

    @function
    def masked_fill(self, mask, value):
        """Entries where ``mask`` is True replaced by ``value`` (out of place, as torch)."""
        m = np.asarray(raw(mask))
        if m.dtype != np.bool_:
            raise TypeError(f"masked_fill: mask must be a bool tensor, got dtype {m.dtype}")
        return _ops.where(mask if isinstance(mask, _Base) else m,
                          value if isinstance(value, _Base) else operand(raw(value), self), self)
