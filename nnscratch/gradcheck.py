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
              rtol: float = 1e-3, seed: int | None = 0, *, fast_mode: bool = False) -> bool:
    """Check ``fn``'s VJP against central differences in a random direction.

    For a random cotangent u (same shape as ``fn(*inputs)``), the analytic gradient of
    ⟨u, fn(x)⟩ with respect to every float input that requires grad is compared elementwise with
    (⟨u, fn(x + eps e_i)⟩ - ⟨u, fn(x - eps e_i)⟩) / (2 eps).  A random u (not just ``.sum()``)
    catches VJPs that are right only on average.  Inputs should be float64.

    ``fast_mode=True`` (torch's option) checks one random direction d of all inputs at once
    instead of each entry: Σ_i ⟨∂⟨u, fn⟩/∂x_i, d_i⟩ against the central difference of ⟨u, fn⟩
    along d -- two evaluations instead of two per entry.

    Returns True, or raises :class:`GradcheckError` naming the input, the index, and both
    values.  ``fn`` must be deterministic (fix dropout masks and sampling noise).
    """
    if not (isinstance(eps, (int, float, np.floating)) and np.isfinite(eps) and eps > 0):
        raise ValueError(f"gradcheck: eps must be a finite number > 0, got {eps!r}")
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

    if fast_mode:
        d = {i: gen.standard_normal(xs[i].shape) for i in checked}
        ana = sum(float(np.sum(analytic[i] * d[i])) for i in checked)
        orig = {i: xs[i]._data.copy() for i in checked}
        for i in checked:
            xs[i]._data[...] = orig[i] + eps * d[i]
        plus = f_dot_u()
        for i in checked:
            xs[i]._data[...] = orig[i] - eps * d[i]
        minus = f_dot_u()
        for i in checked:
            xs[i]._data[...] = orig[i]
        num = (plus - minus) / (2 * eps)
        if not abs(ana - num) <= atol + rtol * abs(num):
            raise GradcheckError(f"gradcheck (fast mode): along a random direction, analytic "
                                 f"{ana:.10g} != numeric {num:.10g}")
        return True
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


def gradgradcheck(func: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, fast_mode: bool = False,
                  seed: int | None = 0) -> bool:
    """Check second derivatives: the recorded backward of ``func`` against central differences
    of its first derivatives (``torch.autograd.gradgradcheck``).

    With a random cotangent u (``grad_outputs``, or standard normal, float64), the function
    ``(x, u) -> ∂⟨u, func(x)⟩/∂x``, computed with ``create_graph=True``, is itself checked by
    :func:`gradcheck` in a random direction: that exercises every second derivative
    ∂²⟨u, f⟩/∂x∂x (a Hessian-vector product) and the mixed one with respect to u (the VJP is
    linear in u).  ``fast_mode`` as in :func:`gradcheck` (one random direction).  Inputs
    should be float64.  Returns True; on a mismatch raises
    :class:`GradcheckError` (or returns False with ``raise_exception=False``).
    """
    xs = _as_inputs(inputs)
    diff = [i for i, x in enumerate(xs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError("gradgradcheck: no input requires grad")
    with enable_grad():
        out = func(*xs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradgradcheck: func must return a Tensor, got {type(out).__name__}")
    if grad_outputs is None:
        u0 = _random.rng(None if seed is None else seed + 1).standard_normal(out.shape)
    else:
        u0 = np.asarray(grad_outputs._data if isinstance(grad_outputs, Tensor)
                        else grad_outputs, dtype=np.float64)
        if u0.shape != tuple(out.shape):
            raise ValueError(f"gradgradcheck: grad_outputs must have the output's shape "
                             f"{tuple(out.shape)}, got {u0.shape}")
    u = Tensor(u0, requires_grad=True, dtype=np.float64)
    n = len(xs)

    def first_derivatives(*args):
        from .autograd.grad import grad
        ins, v = list(args[:n]), args[n]
        with enable_grad():
            y = func(*ins)
            if not y.requires_grad:       # func ignores its inputs: zero derivatives
                return Tensor(np.zeros(sum(ins[i]._data.size for i in diff)))
            gs = grad(y, [ins[i] for i in diff], v, create_graph=True, materialize_grads=True)
        flat = [g.reshape(-1) for g in gs]
        return flat[0] if len(flat) == 1 else _concat(flat)

    try:
        return gradcheck(first_derivatives, [*xs, u], eps=eps, atol=atol, rtol=rtol, seed=seed,
                         fast_mode=fast_mode)
    except GradcheckError as e:
        if raise_exception:
            raise GradcheckError(f"gradgradcheck: {e}") from None
        return False


def _concat(ts):
    from .ops import concatenate
    return concatenate(ts, axis=0)
