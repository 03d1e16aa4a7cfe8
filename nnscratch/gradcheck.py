"""Finite-difference gradient checking (float64, central differences, random cotangent)."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import random as _random
from .autograd import enable_grad, no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with central differences; says where and by how much."""


def _as_inputs(inputs):
    if isinstance(inputs, (Tensor, np.ndarray)):
        inputs = (inputs,)
    out = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor):
            out.append(x)
        elif isinstance(x, np.ndarray) and x.dtype.kind == "f":
            out.append(Tensor(x.astype(np.float64), requires_grad=True))
        else:
            out.append(x)
    return out


def gradcheck(fn: Callable[..., Any], inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, seed: int | None = 0) -> bool:
    """Check ``fn``'s VJP against central differences in a random direction.

    For a random cotangent u (same shape as ``fn(*inputs)``), the analytic gradient of
    ⟨u, fn(x)⟩ with respect to every float input that requires grad is compared elementwise with
    (⟨u, fn(x + eps e_i)⟩ - ⟨u, fn(x - eps e_i)⟩) / (2 eps).  A random u (not just ``.sum()``)
    catches VJPs that are right only on average.  Inputs should be float64.

    Returns True, or raises :class:`GradcheckError` naming the input, the index, and both
    values.  ``fn`` must be deterministic (fix dropout masks and sampling noise).
    """
    xs = _as_inputs(inputs)
    checked = [i for i, x in enumerate(xs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad")
    for i in checked:
        if xs[i].dtype != np.float64:
            raise TypeError(f"gradcheck: input {i} has dtype {xs[i].dtype}; use float64 "
                            "(float32 round-off swamps the finite differences)")
    gen = _random.rng(seed)
    with enable_grad():
        for i in checked:
            xs[i].grad = None
        out = fn(*xs)
        if not isinstance(out, Tensor):
            raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
        u = gen.standard_normal(out.shape)
        if out.requires_grad:  # else fn ignores its inputs: the analytic gradient is zero
            out.backward(u)
    analytic = {i: (xs[i].grad._data if xs[i].grad is not None else np.zeros(xs[i].shape))
                for i in checked}

    def f_dot_u():
        with no_grad():  # the finite differences need values only
            return float(np.sum(np.asarray(fn(*xs)._data, dtype=np.float64) * u))

    for i in checked:
        data = xs[i]._data
        # index the array itself: reshape(-1) would copy a non-contiguous input, and perturbing
        # the copy would leave the input (and the numeric gradient) unchanged
        for idx in np.ndindex(data.shape):
            orig = data[idx]
            data[idx] = orig + eps
            plus = f_dot_u()
            data[idx] = orig - eps
            minus = f_dot_u()
            data[idx] = orig
            num = (plus - minus) / (2 * eps)
            ana = analytic[i][idx]
            if not abs(ana - num) <= atol + rtol * abs(num):
                raise GradcheckError(f"gradcheck: input {i}, index {tuple(int(k) for k in idx)}:"
                                     f" analytic {ana:.10g} != numeric {num:.10g}")
    return True
