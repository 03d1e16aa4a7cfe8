"""torch's ``out=`` argument on its top-level functions (``torch.matmul(a, b, out=c)``).

The result is computed as usual, then written into ``out``: cast to ``out``'s dtype (a cast
that loses the kind, float into int, is torch's RuntimeError), ``out`` resized (with torch's
warning) when its shape differs, and ``out`` itself returned.  As in torch, ``out=`` takes no
part in autograd: with gradients enabled, an input or ``out`` that requires grad is a
RuntimeError.  Functions returning several tensors take a tuple of as many.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np

from .autograd import is_grad_enabled, no_grad
from .autograd.core import TensorBase as Tensor

# torch 2.13's top-level functions that take ``out=`` and nnscratch provides (listed once from
# torch's docstrings and by trying them; the library does not import torch)
OUT_NAMES = (
    "abs acos acosh add addbmm addcdiv addcmul addmm addmv addr all amax amin any arange asin "
    "asinh atan atan2 atanh baddbmm bernoulli bitwise_and bitwise_left_shift bitwise_not "
    "bitwise_or bitwise_right_shift bitwise_xor bmm bucketize cat ceil chain_matmul cholesky "
    "clamp copysign cos cosh cross cumprod cumsum deg2rad diag diff div dot empty eq exp eye "
    "float_power floor floor_divide fmax fmin fmod full gather gcd ge gt heaviside histc "
    "hypot index_select inner isneginf isposinf kron lcm ldexp le lerp linspace log "
    "log10 log1p log2 logaddexp logaddexp2 logcumsumexp logical_and logical_not logical_or "
    "logical_xor logspace logsumexp lt masked_select matmul max maximum mean min minimum mm "
    "msort mul multinomial mv nan_to_num nanmean ne neg nextafter norm ones outer pow quantile "
    "rad2deg rand randint randn randperm range reciprocal remainder round rsqrt searchsorted "
    "sgn sign signbit sin sinh sqrt square stack std std_mean sub tan tanh tril triu trunc "
    "var var_mean vdot where zeros "
    # and those torch takes out= on without documenting it so (tried on torch 2.13)
    "aminmax clip concat concatenate cummax cummin divide erf erfc erfinv exp2 expm1 fix frac "
    "frexp greater greater_equal histogram inverse kthvalue less less_equal logit "
    "matrix_power multiply negative nonzero not_equal sigmoid sinc sort subtract svd topk "
    "xlogy argmax argmin nansum isin mode tensordot slogdet sum prod median").split()


def _write(name: str, out, result):
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    src, dst = result._data.dtype, out._data.dtype
    if not np.can_cast(src, dst, casting="same_kind"):
        raise RuntimeError(f"result type {src} can't be cast to the desired output type {dst}")
    if out.shape != result.shape:
        if out._data.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out.shape)}, which does not match the required output shape "
                          f"{list(result.shape)}.", UserWarning, stacklevel=3)
        out._data = np.empty(result.shape, dst)
    with no_grad():
        out.copy_(result)  # type: ignore[attr-defined]  # every tensor is a Tensor
    return out


def with_out(fn):
    """``fn`` taking torch's keyword ``out=`` as described in the module docstring."""
    name = fn.__name__

    @functools.wraps(fn)
    def call(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        result = fn(*args, **kwargs)
        results = tuple(result) if isinstance(result, tuple) else (result,)
        outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        if len(outs) != len(results) or not all(isinstance(r, Tensor) for r in results):
            raise TypeError(f"{name}(): argument 'out' must be {len(results)} Tensor(s), got "
                            f"{type(out).__name__}")
        if is_grad_enabled() and any(t.requires_grad for t in results + outs
                                     if isinstance(t, Tensor)):
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                               f"automatic differentiation, but one of the arguments requires "
                               f"grad.")
        written = tuple(_write(name, o, r) for o, r in zip(outs, results))
        if not isinstance(result, tuple):
            return written[0]
        return type(result)(*written) if hasattr(result, "_fields") else written
    return call
