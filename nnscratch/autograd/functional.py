"""``torch.autograd.functional``: Jacobians, VJPs, JVPs, Hessians and HVPs of functions.

``vjp``, ``jacobian`` and the gradient inside ``hessian``/``hvp`` are exact: one forward pass
and one reverse sweep of :mod:`nnscratch.autograd`.
The engine records first derivatives only (a VJP is plain NumPy, not itself recorded), so
second derivatives are taken by **central differences of the exact gradient**:

    H[:, i] ≈ (∇f(x + h_i e_i) - ∇f(x - h_i e_i)) / (2 h_i),     h_i = u^(1/3) max(1, |x_i|)
    H v     ≈ (∇f(x + h v) - ∇f(x - h v)) / (2 h),               h = u^(1/3) max(1, ‖x‖) / ‖v‖

with u = 2.2e-16 the float64 unit round-off, so h ≈ 6e-6 for x of order one; the Hessian is
then symmetrised, (H + Hᵀ)/2.  Everything is evaluated in float64.

Accuracy: the error of one entry is about h²/6 |∂³f| (truncation) + u |∇f| / h (round-off).
For a quadratic the gradient is linear, so only the round-off term remains: relative errors
near 1e-10 (tests: ≤ 1e-8 against the analytic Hessian and torch's exact double backward).
For Rosenbrock and smooth networks the truncation term adds about 1e-10 · |∂³f|; tests hold
1e-6 relative.  Cost: a Hessian is 2n gradient evaluations, an HVP is two.

Shape:
    x: any shape ``S`` (a Tensor, array, list or number);  v: ``S``.
    hvp -> (f(x), ``S``);  hessian -> ``S + S``;  jacobian of f: ``S -> T`` -> ``T + S``
    (all as torch.autograd.functional, one input tensor).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .core import ShapeError
from .engine import Tensor
from .grad_mode import enable_grad
from .graph import run_backward

# u^(1/3): the step that balances central-difference truncation (h²) and round-off (u / h)
_CBRT_EPS = float(np.finfo(np.float64).eps) ** (1.0 / 3.0)


def _as_float_array(x, name: str, owner: str) -> np.ndarray:
    """``x`` as a float64 ndarray (a copy), rejecting non-numbers and non-finite entries."""
    if isinstance(x, Tensor):
        x = x._data
    try:
        arr = np.array(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{owner}: {name} must be a number, array or Tensor, "
                        f"got {type(x).__name__}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{owner}: {name} must be finite, got {arr.ravel()[:8]}")
    return arr


def _scalar_output(out, owner: str) -> Tensor:
    """Check that ``fun`` returned a one-element Tensor; return it."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{owner}: fun must return a scalar Tensor computed from its argument, "
                        f"got {type(out).__name__}")
    if out._data.size != 1:
        raise ValueError(f"{owner}: fun must return a scalar, got shape {out.shape}")
    return out


def value_and_grad(fun: Callable, x) -> tuple[float, np.ndarray]:
    """``(f(x), ∇f(x))`` by one forward pass and one reverse sweep (exact, float64).

    ``fun`` maps a Tensor of ``x``'s shape to a one-element Tensor.
    """
    arr = _as_float_array(x, "x", "value_and_grad")
    return _value_and_grad(fun, arr, "value_and_grad")


def _value_and_grad(fun, arr: np.ndarray, owner: str):
    t = Tensor(arr, requires_grad=True, dtype=np.float64)
    with enable_grad():
        out = _scalar_output(fun(t), owner)
        value = float(out._data.reshape(()))
        if out.requires_grad:
            out.backward()
    g = t.grad._data if t.grad is not None else np.zeros_like(arr)  # f does not use x
    return value, np.asarray(g, dtype=np.float64).reshape(arr.shape)


def fd_hessian(grad_fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """Symmetrised central-difference Jacobian of ``grad_fn`` at the flat float64 ``x``.

    Shape: x ``(n,)`` -> ``(n, n)``.  2n calls of ``grad_fn``.
    """
    n = x.size
    H = np.empty((n, n))
    for i in range(n):
        h = _CBRT_EPS * max(1.0, abs(x[i]))
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        # divide by the step that was really taken (x + h is rounded)
        H[:, i] = (grad_fn(xp) - grad_fn(xm)) / (xp[i] - xm[i])
    return 0.5 * (H + H.T)


def fd_hvp(grad_fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
           v: np.ndarray) -> np.ndarray:
    """Central-difference directional derivative of ``grad_fn``: H(x) v.  Two calls.

    Shape: x ``(n,)``, v ``(n,)`` -> ``(n,)``.
    """
    vnorm = float(np.linalg.norm(v))
    if vnorm == 0.0:
        return np.zeros_like(x)
    h = _CBRT_EPS * max(1.0, float(np.linalg.norm(x))) / vnorm
    return (grad_fn(x + h * v) - grad_fn(x - h * v)) / (2.0 * h)


def _single_input(inputs, owner):
    if isinstance(inputs, tuple) or isinstance(inputs, list) and any(
            isinstance(i, (Tensor, np.ndarray)) for i in inputs):   # a list of numbers is one
        if len(inputs) != 1:
            raise NotImplementedError(f"{owner}: nnscratch takes one input tensor, got "
                                      f"{len(inputs)}; concatenate them into one")
        inputs = inputs[0]
    return _as_float_array(inputs, "inputs", owner)


def _outputs(func, x, owner):
    with enable_grad():
        out = func(x)
    if not isinstance(out, Tensor):
        raise TypeError(f"{owner}: func must return a Tensor, got {type(out).__name__}")
    return out


def _unsupported(owner, create_graph, strict=False):
    """torch's ``create_graph=True`` (a differentiable result) and, for the finite-difference
    second derivatives, ``strict=True``, are refused rather than silently ignored."""
    if create_graph:
        raise NotImplementedError(f"torch.autograd.functional.{owner}(create_graph=True): "
                                  f"nnscratch has no double backward (its VJPs are NumPy code, "
                                  f"not recorded)")
    if strict:
        raise NotImplementedError(f"torch.autograd.functional.{owner}(strict=True) is not "
                                  f"supported")


def vjp(func: Callable, inputs, v=None, create_graph=False, strict=False):
    """``(func(x), vᵀ J)``, exact, as ``torch.autograd.functional.vjp`` (float64).

    ``v`` has the output's shape (it may be omitted for a one-element output).  With
    ``strict=True`` an output that does not depend on the input is an error, as torch.
    """
    _unsupported("vjp", create_graph)
    x = Tensor(_single_input(inputs, "vjp"), requires_grad=True, dtype=np.float64)
    out = _outputs(func, x, "vjp")
    if v is None:
        if out.numel() != 1:
            raise ShapeError(f"vjp: v can be omitted only for a one-element output, got "
                               f"shape {tuple(out.shape)}")
        v = np.ones(out.shape)
    vec = _as_float_array(v, "v", "vjp")
    if vec.shape != tuple(out.shape):
        raise ValueError(f"vjp: v must have the output's shape {tuple(out.shape)}, got "
                         f"{vec.shape}")
    g = np.zeros(x.shape)
    if out.requires_grad:
        got = run_backward([(out, vec.astype(out.dtype))], only={id(x)})
        if id(x) in got:
            g = got[id(x)][1]
        elif strict:
            out = None
    if strict and (out is None or not out.requires_grad):
        raise RuntimeError("vjp(strict=True): the output of the user-provided function is "
                           "independent of its input")
    return out.detach(), Tensor(np.asarray(g, dtype=np.float64).reshape(x.shape))


def jacobian(func: Callable, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian ``∂func(x)/∂x`` of shape ``out.shape + x.shape``, one exact reverse sweep
    per output element (``torch.autograd.functional.jacobian``).  ``vectorize`` and
    ``strategy`` are torch's speed choices; the values are the same whatever they say."""
    _unsupported("jacobian", create_graph)
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"jacobian: strategy must be 'forward-mode' or 'reverse-mode', got "
                         f"{strategy!r}")
    arr = _single_input(inputs, "jacobian")
    out = _outputs(func, Tensor(arr, dtype=np.float64), "jacobian")
    rows = []
    for k in range(out.numel()):
        e = np.zeros(out.numel())
        e[k] = 1.0
        rows.append(vjp(func, arr, e.reshape(out.shape), strict=strict)[1].numpy().ravel())
    J = np.array(rows).reshape(tuple(out.shape) + arr.shape)
    return Tensor(J)


def jvp(func: Callable, inputs, v=None, create_graph=False, strict=False):
    """``(func(x), J v)`` as ``torch.autograd.functional.jvp``: computed as the contraction of
    the exact Jacobian with ``v`` (reverse mode only: one sweep per output element)."""
    _unsupported("jvp", create_graph)
    arr = _single_input(inputs, "jvp")
    vec = np.ones_like(arr) if v is None else _as_float_array(v, "v", "jvp")
    if vec.shape != arr.shape:
        raise ValueError(f"jvp: v must have the shape of inputs {arr.shape}, got {vec.shape}")
    out = _outputs(func, Tensor(arr, dtype=np.float64), "jvp")
    J = jacobian(func, arr, strict=strict).numpy().reshape(out.numel(), arr.size)
    return out.detach(), Tensor((J @ vec.ravel()).reshape(tuple(out.shape)))


def hessian(func: Callable, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """∇²f(x) by central differences of the exact gradient (see the module docstring).

    Returns a float64 Tensor of shape ``x.shape + x.shape``; matches
    ``torch.autograd.functional.hessian`` to about 1e-8 relative for smooth ``f``.
    ``vectorize``/``outer_jacobian_strategy`` (torch's speed choices) change nothing here.
    """
    _unsupported("hessian", create_graph, strict)
    arr = _single_input(inputs, "hessian")
    shape = arr.shape

    def grad_fn(flat):
        return _value_and_grad(func, flat.reshape(shape), "hessian")[1].ravel()
    return Tensor(fd_hessian(grad_fn, arr.ravel()).reshape(shape + shape))


def hvp(func: Callable, inputs, v=None, create_graph=False, strict=False):
    """``(f(x), ∇²f(x) v)`` from two gradient evaluations (see the module docstring), as
    ``torch.autograd.functional.hvp``; matches torch's to about 1e-8 relative."""
    _unsupported("hvp", create_graph, strict)
    arr = _single_input(inputs, "hvp")
    vec = _as_float_array(np.ones_like(arr) if v is None else v, "v", "hvp")
    if vec.shape != arr.shape:
        raise ValueError(f"hvp: v must have the shape of inputs {arr.shape}, got {vec.shape}")
    shape = arr.shape

    def grad_fn(flat):
        return _value_and_grad(func, flat.reshape(shape), "hvp")[1].ravel()
    value = _value_and_grad(func, arr, "hvp")[0]
    return (Tensor(np.float64(value)),
            Tensor(fd_hvp(grad_fn, arr.ravel(), vec.ravel()).reshape(shape)))


__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "value_and_grad"]
