"""Writing values at indices: torch's scatter/index/put/masked families, forward and VJP.

``scatter`` is the adjoint of ``gather``: along ``dim``, element ``index[i][j][k]`` names the
slot of the output that ``src[i][j][k]`` goes to (``dim=0``: ``out[index[i][j][k]][j][k] =
src[i][j][k]``).  ``index`` may be smaller than ``src`` and than the input in every dimension
(torch's rule); only its own positions are read.  The ``index_*`` ops write whole slices along
``dim``; ``put``/``take`` work on the flattened tensor; the masked ops on the True entries.

Gradients: a written slot's old value is overwritten (gradient 0 for the input there); a value
that was written receives the gradient of its slot; a sum passes the gradient to every term;
``prod``/``amax``/``amin``/``mean`` reductions follow torch's formulas (``amax``/``amin``: the
gradient split evenly among the terms equal to the result, as torch's ``scatter_reduce``).
Duplicate indices in ``scatter``/``index_copy``/``put`` make torch's result depend on the
write order (documented as undefined); here the last write wins, as NumPy's assignment.
"""
from __future__ import annotations

import numpy as np

from ..autograd import defvjp, primitive
from ..autograd.core import IndexOutOfRange  # noqa: F401  (re-exported for the methods)
from ..autograd.lifted import lifted

# --------------------------------------------------------------------------- index checks

def check_index(index, name, size=None, dim=None, out_of_range=None):
    """``index`` as an integer array, range-checked against ``size``; a bad dtype is torch's
    RuntimeError (:class:`ShapeError`), an index out of range ``out_of_range`` (default the
    same; torch raises IndexError for some ops)."""
    from ..autograd.core import ShapeError
    from ..autograd.core import TensorBase as Tensor
    a = index._data if isinstance(index, Tensor) else np.asarray(index)
    if a.dtype.kind not in "iu":
        raise ShapeError(f"{name}(): Expected dtype int64 for index, got {a.dtype}")
    if size is not None and a.size and (a.max() >= size or a.min() < -size):
        bad = a.max() if a.max() >= size else a.min()
        raise (out_of_range or ShapeError)(f"{name}(): index {bad} is out of bounds for "
                                           f"dimension {dim} with size {size}")
    return a


def check_scatter_shapes(x_shape, dim, index, src_shape, name):
    """torch's rule: ``index.size(d) <= src.size(d)`` for every d and ``<= self.size(d)`` for
    ``d != dim``, with the same number of dimensions (a 0-d tensor counts as 1-d)."""
    from ..autograd.core import ShapeError
    nd = max(len(x_shape), 1)
    if index.ndim != nd and index.size:
        raise ShapeError(f"{name}(): index has {index.ndim} dimensions, expected {nd} (the "
                         f"input's)")
    for d, n in enumerate(index.shape):
        if (src_shape is not None and n > src_shape[d]
                or d != dim and x_shape and n > x_shape[d]):
            raise ShapeError(f"{name}(): expected index {list(index.shape)} to be smaller than "
                             f"self {list(x_shape)} apart from dimension {dim} and to be "
                             f"smaller size than src {list(src_shape or ())}")


def along(index, dim):
    """The NumPy index of the slots ``index`` names along ``dim`` (the other axes by position)."""
    grids = list(np.ogrid[tuple(slice(n) for n in index.shape)])
    grids[dim] = index
    return tuple(grids)


def _head(index):
    """The leading block of ``src`` that ``index`` reads: ``src[:i0, :i1, ...]``."""
    return tuple(slice(n) for n in index.shape)


def _padded(values, index, shape):
    """``values`` (index's shape) placed in the leading block of zeros of ``shape``
    (differentiable: a recorded op on Tensors)."""
    from .indexing import unindex
    return unindex(values, tuple(shape), _head(index), accumulate=False)


def _plain(a):
    """The values of ``a`` (a Tensor under create_graph): for masks and counts, constants."""
    return getattr(a, "_data", a)


def _written(shape, index, dim):
    """A bool array: the slots of ``shape`` that ``index`` writes to."""
    m = np.zeros(shape, dtype=bool)
    m[along(index, dim)] = True
    return m


# --------------------------------------------------------------------------- scatter

@primitive
def scatter(x, dim, index, src):
    """``out = x``, then ``out[index[i][j][k]][j][k] = src[i][j][k]`` for ``dim=0``
    (``torch.scatter``); ``src`` may be a number (torch's ``value=``)."""
    out = x.copy()
    out[along(index, dim)] = src[_head(index)] if np.ndim(src) else src
    return out


def _scatter_vjp_x(g, out, x, dim, index, src):
    return np.where(_written(x.shape, index, dim), 0, g)


def _scatter_vjp_src(g, out, x, dim, index, src):
    return _padded(g[along(index, dim)], index, src.shape)


defvjp(scatter, _scatter_vjp_x, None, None, _scatter_vjp_src, saves=())


@primitive
def scatter_add(x, dim, index, src):
    """``out = x``, then ``out[index[i][j][k]][j][k] += src[i][j][k]`` for ``dim=0``
    (``torch.scatter_add``; repeated indices accumulate)."""
    out = x.copy()
    np.add.at(out, along(index, dim), src[_head(index)])
    return out


defvjp(scatter_add, lambda g, out, x, dim, index, src: g, None, None, _scatter_vjp_src,
       saves=())


_REDUCTIONS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum,
               "mean": np.add}


def _identity(ufunc, dtype):
    if ufunc is np.maximum:
        return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min
    if ufunc is np.minimum:
        return np.inf if dtype.kind == "f" else np.iinfo(dtype).max
    return ufunc.identity


def _counts(x, dim, index, include_self):
    """How many terms each output slot reduces (1 for the untouched ones)."""
    n = np.zeros(x.shape, dtype=np.int64)
    np.add.at(n, along(index, dim), 1)
    return n + 1 if include_self else np.maximum(n, 1)


@primitive
def scatter_reduce(x, dim, index, src, reduce, include_self=True):
    """Reduce ``src`` into the slots ``index`` names along ``dim`` with ``reduce`` in
    ``"sum" | "prod" | "mean" | "amax" | "amin"``; ``include_self`` counts the input's value as
    one more term (``torch.scatter_reduce``).  An integer ``"mean"`` rounds down, as torch."""
    ufunc = _REDUCTIONS[reduce]
    pos = along(index, dim)
    out = x.copy()
    if not include_self:
        out[pos] = _identity(ufunc, x.dtype)
    ufunc.at(out, pos, src[_head(index)])
    if reduce == "mean":
        n = _counts(x, dim, index, include_self)
        touched = _written(x.shape, index, dim)
        mean = out // n if x.dtype.kind in "iub" else out / n
        out = np.where(touched, mean, x).astype(x.dtype)
    return out


def _prod_of_others(x, dim, index, s, include_self):
    """For every term of every slot, the product of the slot's *other* terms, exact with
    zeros (no division by a zero term): with ``p`` the product of the slot's nonzero terms,
    ``z`` its number of zeros and ``zs`` the sum of its zero terms (0, but not a constant),
    a nonzero term's is ``p/t`` (z = 0), ``zs·p/t`` (z = 1), else 0; a zero term's is ``p``
    (z = 1), ``(zs - t)·p`` (z = 2, the other zero times p), else 0.  ``p`` and ``zs`` are
    scatter_reduce itself, so under create_graph all of it is recorded and the second
    derivative is exact at zeros too (torch's)."""
    pos = along(index, dim)
    xv, sv = _plain(x), _plain(s)
    zeros = np.zeros(x.shape, dtype=np.int64)
    base, zbase = np.ones_like(x), np.zeros_like(x)
    if include_self:
        base, zbase = np.where(xv != 0, x, 1), np.where(xv == 0, x, 0)
        zeros = zeros + (xv == 0)
    p = _scatter_reduce(base, dim, index, np.where(sv != 0, s, 1), "prod")
    zs = _scatter_reduce(zbase, dim, index, np.where(sv == 0, s, 0), "sum")
    np.add.at(zeros, pos, sv == 0)

    def others(t, tv, p, z, zs):
        safe = np.where(tv != 0, t, 1)
        nonzero = np.where(z == 0, p / safe, np.where(z == 1, zs * p / safe, 0))
        zero = np.where(z == 1, p, np.where(z == 2, (zs - t) * p, 0))
        return np.where(tv != 0, nonzero, zero)
    return others(x, xv, p, zeros, zs), others(s, sv, p[pos], zeros[pos], zs[pos])


def _scatter_reduce_vjps(g, out, x, dim, index, src, reduce, include_self):
    """(dx, dsrc) of scatter_reduce."""
    pos = along(index, dim)
    s = src[_head(index)]
    touched = _written(x.shape, index, dim)
    keep = np.where(touched, 0, g)                  # untouched slots: out = x
    if reduce == "sum":
        return (g if include_self else keep), g[pos]
    if reduce == "mean":
        n = _counts(x, dim, index, include_self)
        gn = g / n
        return (np.where(touched, gn, g) if include_self else keep), gn[pos]
    if reduce == "prod":
        ox, os_ = _prod_of_others(x, dim, index, s, include_self)
        return (np.where(touched, g * ox, g) if include_self else keep), g[pos] * os_
    # amax/amin: split evenly among the terms equal to the result; as torch, an input value
    # equal to the result counts as a term even when include_self=False (it then gets 0)
    xv, sv, ov = _plain(x), _plain(s), _plain(out)
    hit_x = (xv == ov) & touched
    hit_s = sv == ov[pos]
    ties = hit_x.astype(np.int64)
    np.add.at(ties, pos, hit_s)
    share = g / np.maximum(ties, 1)
    dx = np.where(touched, np.where(hit_x & include_self, share, 0), g)
    return dx, np.where(hit_s, share[pos], 0)


_scatter_reduce = lifted(scatter_reduce)
defvjp(scatter_reduce,
       lambda g, out, x, dim, index, src, reduce, include_self=True:
       _scatter_reduce_vjps(g, out, x, dim, index, src, reduce, include_self)[0],
       None, None,
       lambda g, out, x, dim, index, src, reduce, include_self=True:
       _padded(_scatter_reduce_vjps(g, out, x, dim, index, src, reduce, include_self)[1],
               index, src.shape))


# --------------------------------------------------------------------------- index_* along dim

def _slot(dim, index):
    """The NumPy index of the slices ``index`` (1-D) picks along ``dim``."""
    return (slice(None),) * dim + (index,)


@primitive
def index_add(x, dim, index, source, alpha=1):
    """``out = x``; ``out[..., index[i], ...] += alpha * source[..., i, ...]`` along ``dim``
    (``torch.index_add``; repeated indices accumulate)."""
    out = x.copy()
    np.add.at(out, _slot(dim, index), source * alpha if alpha != 1 else source)
    return out


defvjp(index_add, lambda g, out, x, dim, index, source, alpha=1: g, None, None,
       lambda g, out, x, dim, index, source, alpha=1: g[_slot(dim, index)] * alpha, saves=())


@primitive
def index_copy(x, dim, index, source):
    """``out = x``; ``out[..., index[i], ...] = source[..., i, ...]`` along ``dim``
    (``torch.index_copy``)."""
    out = x.copy()
    out[_slot(dim, index)] = source
    return out


def _index_cleared(g, dim, index):
    g = g.copy()
    g[_slot(dim, index)] = 0                 # the overwritten slices do not reach x
    return g


defvjp(index_copy, lambda g, out, x, dim, index, source: _index_cleared(g, dim, index),
       None, None, lambda g, out, x, dim, index, source: g[_slot(dim, index)], saves=())


@primitive
def index_fill(x, dim, index, value):
    """``out = x``; the slices ``index`` along ``dim`` set to ``value`` (a number or a 0-d
    tensor, which then receives their gradient's sum) (``torch.index_fill``)."""
    out = x.copy()
    out[_slot(dim, index)] = value
    return out


defvjp(index_fill, lambda g, out, x, dim, index, value: _index_cleared(g, dim, index),
       None, None,
       lambda g, out, x, dim, index, value: g[_slot(dim, np.unique(index))].sum(), saves=())


# --------------------------------------------------------------------------- flat put/take

@primitive
def take(x, index):
    """``x.flatten()[index]``, in ``index``'s shape (``torch.take``)."""
    return x.reshape(-1)[index]


def _take_vjp(g, out, x, index):
    from .indexing import unindex
    flat = unindex(g.reshape(-1), (int(np.prod(x.shape)),), index.reshape(-1))
    return flat.reshape(x.shape)


defvjp(take, _take_vjp, None, saves=())


@primitive
def put(x, index, source, accumulate=False):
    """``out = x``; ``out.flatten()[index] = source`` (``+=`` with ``accumulate``)
    (``torch.put``)."""
    out = x.copy()
    flat = out.reshape(-1)
    if accumulate:
        np.add.at(flat, index.reshape(-1), source.reshape(-1))
    else:
        flat[index.reshape(-1)] = source.reshape(-1)
    return out


def _put_vjp_x(g, out, x, index, source, accumulate=False):
    if accumulate:
        return g
    written = np.zeros(x.shape, dtype=bool)
    written.reshape(-1)[index.reshape(-1)] = True
    return np.where(written, 0, g)


defvjp(put, _put_vjp_x, None,
       lambda g, out, x, index, source, accumulate=False:
       g.reshape(-1)[index.reshape(-1)].reshape(source.shape), saves=())


# --------------------------------------------------------------------------- masks

@primitive
def masked_select(x, mask):
    """The entries of ``x`` where ``mask`` (broadcast with ``x``) is True, as a 1-D tensor
    (``torch.masked_select``)."""
    xb, mb = np.broadcast_arrays(x, mask)
    return xb[mb]


def _masked_select_vjp(g, out, x, mask):
    from .indexing import unindex
    shape = np.broadcast_shapes(x.shape, mask.shape)
    return unindex(g, shape, np.broadcast_to(mask, shape), accumulate=False)
    # (of mask's broadcast shape: the engine sums it back to x's shape)


defvjp(masked_select, _masked_select_vjp, None, saves=())


@primitive
def masked_scatter(x, mask, source):
    """``out = x``; the True entries of ``mask`` (broadcast to ``x``), in row-major order,
    take the first ``mask.sum()`` elements of ``source`` (``torch.masked_scatter``)."""
    m = np.broadcast_to(mask, x.shape)
    out = x.copy()
    out[m] = source.reshape(-1)[:np.count_nonzero(m)]
    return out


def _masked_scatter_vjp_source(g, out, x, mask, source):
    from .indexing import unindex
    m = np.broadcast_to(mask, x.shape)
    ds = unindex(g[m], (int(np.prod(source.shape)),), slice(0, np.count_nonzero(m)),
                 accumulate=False)
    return ds.reshape(source.shape)


defvjp(masked_scatter, lambda g, out, x, mask, source: np.where(mask, 0, g), None,
       _masked_scatter_vjp_source, saves=())
