"""torch.nn.functional names of issue 32's indexing half: more activations, ``softmin``,
``normalize``, ``interpolate``, ``unfold``/``fold``, 3-D convolution and pooling.

Each is a thin wrapper with torch's signature over the op in :mod:`nnscratch.ops` that holds
its forward and VJP; ``inplace=True`` writes the result back through ``copy_`` (values and
gradients are torch's, the memory saving is not).
"""
from __future__ import annotations

from .. import ops
from ..ops.conv3d import avg_pool3d, conv3d, conv_transpose3d, max_pool3d
from ..ops.interpolate import interpolate
from ..tensor import Tensor

__all__ = ["hardtanh", "relu6", "hardsigmoid", "hardswish", "celu", "selu", "mish", "softsign",
           "logsigmoid", "softmin", "normalize", "interpolate", "unfold", "fold", "conv3d",
           "conv_transpose3d", "max_pool3d", "avg_pool3d"]


def _tensor(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: input must be a Tensor, got {type(x).__name__}")
    return x


def _maybe_inplace(x, out_of_place, inplace):
    if not inplace:
        return out_of_place(x)
    return x.copy_(out_of_place(x.clone()))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``clamp(x, min_val, max_val)`` (torch.nn.functional.hardtanh)."""
    _tensor(input, "hardtanh")
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val "
                         f"({max_val})")
    return _maybe_inplace(input, lambda x: ops.hardtanh(x, min_val, max_val), inplace)


def relu6(input, inplace=False):
    """``min(max(x, 0), 6)`` (torch.nn.functional.relu6)."""
    return _maybe_inplace(_tensor(input, "relu6"), ops.relu6, inplace)


def hardsigmoid(input, inplace=False):
    """``clamp(x/6 + 1/2, 0, 1)`` (torch.nn.functional.hardsigmoid)."""
    return _maybe_inplace(_tensor(input, "hardsigmoid"), ops.hardsigmoid, inplace)


def hardswish(input, inplace=False):
    """``x · hardsigmoid(x)`` (torch.nn.functional.hardswish)."""
    return _maybe_inplace(_tensor(input, "hardswish"), ops.hardswish, inplace)


def celu(input, alpha=1.0, inplace=False):
    """``max(0, x) + min(0, α (e^{x/α} - 1))`` (torch.nn.functional.celu)."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides x)")
    return _maybe_inplace(_tensor(input, "celu"), lambda x: ops.celu(x, alpha), inplace)


def selu(input, inplace=False):
    """Scaled ELU with Klambauer et al.'s constants (torch.nn.functional.selu)."""
    return _maybe_inplace(_tensor(input, "selu"), ops.selu, inplace)


def mish(input, inplace=False):
    """``x · tanh(softplus(x))`` (torch.nn.functional.mish)."""
    return _maybe_inplace(_tensor(input, "mish"), ops.mish, inplace)


def softsign(input):
    """``x / (1 + |x|)`` (torch.nn.functional.softsign)."""
    return ops.softsign(_tensor(input, "softsign"))


def logsigmoid(input):
    """``log σ(x)``, stable (torch.nn.functional.logsigmoid)."""
    return ops.logsigmoid(_tensor(input, "logsigmoid"))


def _implicit_dim(ndim):
    """torch's legacy choice of ``dim`` for softmax-like calls without one."""
    return 0 if ndim in (0, 1, 3) else 1


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-x, dim)`` (torch.nn.functional.softmin)."""
    x = _tensor(input, "softmin")
    if dtype is not None:
        x = x.to(dtype)
    d = _implicit_dim(x.ndim) if dim is None else dim
    return ops.softmax(-x, axis=d)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``x / max(‖x‖_p, eps)`` along ``dim`` (torch.nn.functional.normalize)."""
    x = _tensor(input, "normalize")
    if out is not None:
        raise TypeError("normalize: out= is not supported; assign the result")
    if x.ndim == 0:
        return ops.normalize(x, float(p), None, eps)
    from ..autograd.core import _dim
    return ops.normalize(x, float(p), _dim(dim, x.ndim, "normalize"), eps)


def _batched(x, name, nd):
    """``(x as (N, C, *spatial), undo)``: an unbatched input gets a batch axis of 1."""
    x = _tensor(x, name)
    if x.ndim == nd + 1:
        return ops.reshape(x, (1, *x.shape)), lambda y: ops.reshape(y, tuple(y.shape[1:]))
    if x.ndim != nd + 2:
        from ..autograd.core import ShapeError
        raise ShapeError(f"{name}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) "
                         f"input, got shape {tuple(x.shape)}")
    return x, lambda y: y


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Every receptive field as a column: ``(N, C, H, W) -> (N, C·kh·kw, L)`` (and
    ``(C, H, W) -> (C·kh·kw, L)``) (torch.nn.functional.unfold)."""
    x, undo = _batched(input, "unfold", 2)
    return undo(ops.unfold(x, kernel_size, dilation, padding, stride))


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of :func:`unfold`: ``(N, C·kh·kw, L) -> (N, C, *output_size)``, overlapping
    entries summed (torch.nn.functional.fold)."""
    x = _tensor(input, "fold")
    if x.ndim == 2:
        x, undo = ops.reshape(x, (1, *x.shape)), (lambda y: ops.reshape(y, tuple(y.shape[1:])))
    else:
        undo = (lambda y: y)
    from ..ops.conv_args import conv_output_size, pair
    kh, kw = pair(kernel_size, "kernel_size", "fold", 1)
    (h, w), (dh, dw) = pair(output_size, "output_size", "fold", 1), pair(dilation, "dilation",
                                                                        "fold", 1)
    (ph, pw), (sh, sw) = pair(padding, "padding", "fold", 0), pair(stride, "stride", "fold", 1)
    blocks = conv_output_size(h, kh, sh, ph, dh) * conv_output_size(w, kw, sw, pw, dw)
    if x.ndim != 3 or x.shape[1] % (kh * kw) or x.shape[2] != blocks:
        from ..autograd.core import ShapeError
        raise ShapeError(f"fold: expected input of shape (N, C·{kh}·{kw}, {blocks}) for "
                         f"output_size {(h, w)}, got {tuple(input.shape)}")
    return undo(ops.fold(x, (h, w), (kh, kw), (dh, dw), (ph, pw), (sh, sw)))


