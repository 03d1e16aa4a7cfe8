"""``t[idx]`` and ``t[idx] = v`` with torch's indexing rules.

NumPy and torch agree on basic indexing (ints, slices, ``None``, ``...``) and on advanced
indexing with index arrays and boolean masks alone.  They differ when the two mix: NumPy counts
an int (or a 0-d index) as an advanced index that broadcasts with the index arrays, so in
``x[0, :, [0, 1]]`` the int and the list are "separated" by the slice and the indexed axis moves
to the front, ``(2, 3)``; torch first *selects* with every int (and 0-d integer tensor), then
indexes what is left, ``x[0][:, [0, 1]]`` -> ``(3, 2)``.  A Python bool (or 0-d bool tensor) is
torch's "unsqueeze, then index the new axis with ``[0]`` (True) or ``[]`` (False)".

So an index is split in two NumPy indices applied one after the other:

* ``basic``: the ints, slices and ``None``s (plus a new axis per bool scalar), a view of ``x``;
* ``advanced``: the index arrays and masks on that view, ``slice(None)`` elsewhere; NumPy's
  placement rule (adjacent advanced indices stay in place, separated ones go first) is then
  torch's, since no int is left among them.

Reference: torch/csrc/autograd/python_variable_indexing.cpp (``applySlicing``, then
``index``), and the "Indexing" notes of the PyTorch docs.
"""
from __future__ import annotations

import numpy as np

from ..autograd import defvjp, primitive
from ..autograd.core import TensorBase as Tensor
from ..autograd.lifted import lifted


class Index:
    """A torch index split into its NumPy ``basic`` and ``advanced`` parts (``None`` when there
    are no index arrays, then ``x[basic]`` is the whole result and a view)."""

    __slots__ = ("basic", "advanced")

    def __init__(self, basic, advanced):
        self.basic, self.advanced = basic, advanced

    def __repr__(self):
        return f"Index(basic={self.basic!r}, advanced={self.advanced!r})"


def _entry(i):
    """One entry of an index as NumPy sees it: tensors and lists become arrays."""
    if isinstance(i, Tensor):
        return i._data
    if isinstance(i, (list, np.ndarray)):
        a = np.asarray(i)
        if a.dtype.kind not in "biu":
            if a.size == 0:                      # torch reads x[[]] as an empty int64 index
                return a.astype(np.int64)
            raise IndexError(f"tensors used as indices must be long, int, byte or bool "
                             f"tensors, got dtype {a.dtype}")
        return a
    return i


def _dims_used(i):
    if i is None or i is Ellipsis or isinstance(i, (bool, np.bool_)):
        return 0
    if isinstance(i, np.ndarray):
        return i.ndim if i.dtype == np.bool_ else 1
    return 1


def torch_index(idx) -> Index:
    """Split ``idx`` (anything ``t[idx]`` accepts) into an :class:`Index` for an array."""
    if isinstance(idx, Index):
        return idx
    if type(idx) is int or type(idx) is slice:              # the common cases, first
        return Index((idx,), None)
    parts = tuple(_entry(i) for i in (idx if isinstance(idx, tuple) else (idx,)))
    arrays = selects = False
    for i in parts:
        if isinstance(i, np.ndarray):
            arrays = True
            selects = selects or i.ndim == 0
        elif isinstance(i, (bool, np.bool_)):
            selects = True
        elif not (i is None or i is Ellipsis or isinstance(i, slice)):
            selects = True                                  # an int
    if not (arrays or selects and any(isinstance(i, (bool, np.bool_)) for i in parts)):
        return Index(parts, None)            # ints, slices, None, ...: NumPy's meaning is torch's
    if not selects:
        return Index((Ellipsis,), parts)     # index arrays without ints: NumPy's is torch's too
    n_ell = sum(i is Ellipsis for i in parts)
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    basic: list = []
    advanced: list = []
    for i in parts:
        if i is Ellipsis:
            basic.append(Ellipsis)
            advanced.append(Ellipsis)
        elif isinstance(i, np.ndarray) and i.ndim == 0:
            if i.dtype == np.bool_:
                basic.append(None)
                advanced.append(np.zeros(int(bool(i)), dtype=np.intp))
            else:
                basic.append(int(i))
        elif isinstance(i, (bool, np.bool_)):
            basic.append(None)
            advanced.append(np.zeros(int(i), dtype=np.intp))
        elif isinstance(i, np.ndarray):
            basic.extend([slice(None)] * _dims_used(i))
            advanced.append(i)
        elif i is None or isinstance(i, slice):
            basic.append(i)
            advanced.append(slice(None))
        else:                                    # an int (or anything NumPy takes as one)
            basic.append(i)
    if not n_ell:
        basic.append(Ellipsis)                   # keeps x[basic] a view, also when 0-d
    return Index(tuple(basic), tuple(advanced))


def take(x, index: Index):
    """``x[index]`` on arrays (torch's meaning; see the module docstring)."""
    y = x[index.basic]
    return y if index.advanced is None else y[index.advanced]


def assign(x, index: Index, v):
    """``x[index] = v`` in place on the array ``x``."""
    if index.advanced is None:
        x[index.basic] = v
    else:
        view = x[index.basic]                    # a view: writing into it writes into x
        view[index.advanced] = v


def _has_arrays(index):
    return index.advanced is not None


def _is_int_array(i):
    return isinstance(i, np.ndarray) and i.dtype.kind in "iu"


@primitive
def _unindex(g, shape, idx, accumulate=True):
    """``zeros(shape)`` with ``g`` added at ``x[idx]``: the transpose of indexing, the VJP of
    getitem, gather and index_select (repeated integer indices accumulate; a caller whose
    indices are distinct passes ``accumulate=False`` for a plain, faster write)."""
    dx = np.zeros(shape, dtype=g.dtype)
    parts = idx if isinstance(idx, tuple) else (idx,)
    if accumulate and any(_is_int_array(i) for i in parts):
        np.add.at(dx, idx, g)
    else:
        dx[idx] = g
    return dx
defvjp(_unindex, lambda h, out, g, shape, idx, accumulate=True: h[idx], saves=())


unindex = lifted(_unindex)


@primitive(view=True)
def _getitem(x, index):
    return take(x, index)


def _getitem_vjp(g, out, x, index):
    """The gradient added back where each element came from (:func:`unindex`, itself
    differentiable): through the advanced part first, then the basic part's view."""
    if not _has_arrays(index):
        return unindex(g, x.shape, index.basic, accumulate=False)
    if index.basic == (Ellipsis,):
        return unindex(g, x.shape, index.advanced)       # repeated indices accumulate
    inner = np.broadcast_to(np.empty((), np.int8), x.shape)[index.basic].shape
    return unindex(unindex(g, inner, index.advanced), x.shape, index.basic, accumulate=False)
defvjp(_getitem, _getitem_vjp, saves=())


def getitem(x, idx):
    """``x[idx]`` with torch's rules for ints, slices, ``None``, ``...``, masks and index
    tensors; the VJP adds the gradient back where each element came from."""
    return _getitem(x, torch_index(idx))


@primitive
def _index_put(x, index, v):
    out = x.copy()
    assign(out, index, v)
    return out


def _index_put_vjp_x(g, out, x, index, v):
    return index_put_array(g, index, 0)          # the overwritten entries do not reach x


defvjp(_index_put, _index_put_vjp_x, None,
       lambda g, out, x, index, v: take(g, index),   # the engine sums it back to v's shape
       saves=())
index_put_array = lifted(_index_put)


def index_put(x, idx, v):
    """A copy of ``x`` with ``x[idx] = v`` (what ``t[idx] = v`` records inside a graph)."""
    return _index_put(x, torch_index(idx), v)
