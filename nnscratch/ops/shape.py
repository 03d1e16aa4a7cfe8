"""Shape ops: reshape, transpose, concatenate/stack, where, pad (indexing: ``indexing.py``)."""
import numpy as np

from ..autograd import defvjp, fused, primitive
from ..autograd.core import TensorBase as Tensor  # every tensor is one
from ..dtype import operand as _operand
from .indexing import unindex


@primitive(view=True)
def reshape(x, shape):
    return np.reshape(x, shape)
defvjp(reshape, lambda g, out, x, shape: np.reshape(g, x.shape), saves=())


@primitive(view=True)
def transpose(x, axes=None):
    return np.transpose(x, axes)
# the inverse permutation; axes are taken modulo ndim first, since argsort of (-1, 0, 1)
# would not invert np.transpose(x, (-1, 0, 1))
defvjp(transpose, lambda g, out, x, axes=None:
       np.transpose(g, None if axes is None else np.argsort([a % x.ndim for a in axes])),
       saves=())


def _as_operands(tensors, name):
    """Tensors stay Tensors (so they are recorded); other operands become arrays, cast to the
    first tensor's float dtype so that float32 stays float32 (as in binary operators)."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{name}: expected a non-empty sequence of tensors")
    like = next((t for t in tensors if isinstance(t, Tensor)), None)
    return [t if isinstance(t, Tensor) else
            np.asarray(t if like is None else _operand(t, like)) for t in tensors]


@fused(linear=True)
def _concatenate(*xs, axis=0):
    out = np.concatenate(xs, axis=axis)
    cuts = np.cumsum([a.shape[axis] for a in xs])[:-1]
    return out, lambda g: tuple(np.split(g, cuts, axis=axis))


def concatenate(tensors, axis=0):
    """Join tensors along an existing axis (``np.concatenate``)."""
    tensors = _as_operands(tensors, "concatenate")
    return _concatenate(*tensors, axis=axis)


@fused(linear=True)
def _stack(*xs, axis=0):
    out = np.stack(xs, axis=axis)
    return out, lambda g: tuple(np.moveaxis(g, axis, 0))


def stack(tensors, axis=0):
    """Join tensors along a new axis (``np.stack``)."""
    tensors = _as_operands(tensors, "stack")
    return _stack(*tensors, axis=axis)


@primitive
def _where(cond, a, b):
    return np.where(cond, a, b)
defvjp(_where, None,
       lambda g, out, cond, a, b: g * cond,
       lambda g, out, cond, a, b: g * ~cond)


def check_condition(cond) -> None:
    """torch.where's condition is a boolean tensor (a float mask is an error there, not a
    truthiness test); the public ``where`` functions check it, this op casts."""
    dtype = cond._data.dtype if isinstance(cond, Tensor) else np.asarray(cond).dtype
    if dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {dtype}")


def where(cond, a, b):
    """Elementwise ``a if cond else b``; gradients flow to the branch chosen."""
    if isinstance(cond, Tensor) and cond._data.dtype == np.bool_:
        c = cond                   # kept a Tensor, so that an ONNX trace follows the mask
    else:
        c = (cond._data if isinstance(cond, Tensor) else np.asarray(cond)).astype(bool)
    if isinstance(a, Tensor) and not isinstance(b, Tensor):
        b = _operand(b, a)         # float32 stays float32, as in binary operators
    elif isinstance(b, Tensor) and not isinstance(a, Tensor):
        a = _operand(a, b)
    return _where(c, a, b)


@primitive
def _pad(x, pad_width, value=0.0):
    return np.pad(x, pad_width, constant_values=value)


def pad_axes(x, pad_width, value=0.0):
    """Constant padding by per-axis widths, ``np.pad(x, pad_width, constant_values=value)``.

    (NumPy's convention; ``F.pad`` is torch's, last axis first, with more modes.)

    ``pad_width``: an int (every side of every axis), a ``(before, after)`` pair (every axis)
    or one pair per axis; all >= 0.
    """
    if np.any(np.asarray(pad_width) < 0):
        raise ValueError(f"pad_axes: pad_width must be >= 0, got {pad_width}")
    return _pad(x, pad_width, value)


def _pad_vjp(g, out, x, pad_width, value=0.0):
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int).reshape(-1, 2)
                             if np.ndim(pad_width) else [[pad_width, pad_width]], (x.ndim, 2))
    return g[tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape))]
defvjp(_pad, _pad_vjp)


# ----------------------------------------------------------------- torch's shape methods

@primitive(view=True)
def broadcast_to(x, shape):
    """``x`` repeated along its size-1 axes without copying (torch's ``expand``)."""
    return np.broadcast_to(x, shape)
defvjp(broadcast_to, lambda g, out, x, shape: g, saves=())   # the engine sums g back to x


@primitive
def tile(x, reps):
    """``x`` repeated ``reps[i]`` times along axis i (torch's ``repeat``)."""
    return np.tile(x, reps)


def _tile_vjp(g, out, x, reps):
    # axis i of the output is reps[i] blocks of x's axis i: sum the blocks back
    split = [d for r, n in zip(reps, x.shape) for d in (r, n)]
    return g.reshape(split).sum(axis=tuple(range(0, 2 * x.ndim, 2)))
defvjp(tile, _tile_vjp, saves=())


@primitive
def flip(x, dims):
    """``x`` reversed along ``dims`` (``torch.flip``; a copy, as torch)."""
    return np.flip(x, dims).copy()
defvjp(flip, lambda g, out, x, dims: np.flip(g, dims), saves=())


@primitive
def clone(x):
    """A copy of ``x`` that autograd sees as a function of it (``torch.clone``)."""
    return x.copy()
defvjp(clone, lambda g, out, x: g, saves=())


@primitive
def gather(x, dim, index):
    """``out[i][j][k] = x[index[i][j][k]][j][k]`` along ``dim`` (``torch.gather``); ``out`` has
    ``index``'s shape, which may be smaller than ``x``'s in every dimension."""
    from .scatter import along, check_index, check_scatter_shapes
    check_index(index, "gather", x.shape[dim] if x.ndim else 1, dim)
    check_scatter_shapes(x.shape, dim, index, None, "gather")
    return x[along(index, dim)]


def _gather_vjp(g, out, x, dim, index):
    from .scatter import along
    return unindex(g, x.shape, along(index, dim))        # repeated indices accumulate
defvjp(gather, _gather_vjp, saves=())


@primitive
def index_select(x, dim, index):
    """The slices ``index`` (1-D integers, repeats allowed) of ``x`` along ``dim``
    (``torch.index_select``); the VJP adds each slice's gradient back where it came from."""
    return np.take(x, index, axis=dim)


def _index_select_vjp(g, out, x, dim, index):
    return unindex(g, x.shape, (slice(None),) * (dim % x.ndim) + (index,))  # repeats add up
defvjp(index_select, _index_select_vjp, saves=())


@primitive
def roll(x, shifts, dims=None):
    """Shift entries cyclically by ``shifts`` along ``dims`` (``torch.roll``; with no dims, over
    the flattened tensor); the VJP rolls the gradient back."""
    return np.roll(x, shifts, axis=dims)
defvjp(roll, lambda g, out, x, shifts, dims=None:
       np.roll(g, tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts,
               axis=dims), saves=())


@primitive
def tril(x, diagonal=0):
    """The lower triangle of the last two axes, on and below ``diagonal`` (``torch.tril``)."""
    return np.tril(x, diagonal)
defvjp(tril, lambda g, out, x, diagonal=0: np.tril(g, diagonal), saves=())


@primitive
def triu(x, diagonal=0):
    """The upper triangle of the last two axes, on and above ``diagonal`` (``torch.triu``)."""
    return np.triu(x, diagonal)
defvjp(triu, lambda g, out, x, diagonal=0: np.triu(g, diagonal), saves=())
