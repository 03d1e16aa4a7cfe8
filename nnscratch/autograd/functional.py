"""``torch.autograd.functional``: Jacobians, VJPs, JVPs, Hessians, HVPs and VHPs, exact.

Everything is reverse mode on the engine, with double backward (``create_graph``) for the
second-order quantities -- no finite differences (those remain gradcheck's reference only):

* ``vjp(f, x, v)`` = vᵀ J: one reverse sweep from f(x) with cotangent v;
* ``jvp(f, x, v)`` = J v by the double-VJP trick: g(u) = uᵀ J is linear in a dummy cotangent
  u, so J v = ∂⟨g(u), v⟩/∂u, a reverse sweep through the recorded first one;
* ``jacobian``: one VJP per output entry (its rows);
* ``hessian(f, x)`` = the Jacobian of the recorded gradient; ``vhp(f, x, v)`` = vᵀ ∇²f,
  ``hvp(f, x, v)`` = ∇²f v (the double-VJP trick applied to the gradient; equal to vhp for a
  symmetric Hessian, computed as torch does).

Signatures, tuple handling and results follow torch 2.13: ``inputs`` is a Tensor or a tuple of
Tensors, ``func`` returns a Tensor or a tuple of them; results have the same structure and the
inputs' dtype; ``create_graph=True`` returns results that are themselves differentiable (with
respect to the inputs' graphs); ``strict=True`` raises when an output does not depend on an
input (where torch would return zeros); ``vectorize``/``strategy`` are torch's speed choices
and change no value here.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..tensor import Tensor
from .grad import grad
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp", "value_and_grad",
           "hessian_vector_products"]


# ------------------------------------------------------------------------ argument handling
def _as_tuple(x, arg: str, owner: str, arrays=False):
    """(is_tuple, tuple of Tensors) for a Tensor or a tuple of them (torch's rule); with
    ``arrays`` (the inputs) an ndarray or a number is taken as a Tensor of its values too,
    float64 for Python numbers, as the minimisers pass them."""
    is_tuple = isinstance(x, tuple) or isinstance(x, list) and any(
        isinstance(i, (Tensor, np.ndarray)) for i in x)
    xs = tuple(x) if is_tuple else (x,)
    out = []
    for i, t in enumerate(xs):
        if not isinstance(t, Tensor):
            a = np.asarray(t) if arrays else None
            if a is None or a.dtype.kind not in "biuf":
                what = f"{arg}[{i}]" if is_tuple else arg
                raise TypeError(f"{owner}: the {what} must be a Tensor (or a tuple of "
                                f"Tensors), got {type(t).__name__}")
            t = Tensor._wrap(a.astype(np.float64) if a.dtype.kind != "f" else a.copy())
        out.append(t)
    return is_tuple, tuple(out)


def _prepare(inputs, create_graph: bool):
    """Inputs the function is differentiated at: fresh leaves requiring grad; with
    create_graph, inputs that require grad stay wired to their graph (through a view)."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(Tensor._wrap(t._data).requires_grad_(t._data.dtype.kind == "f"))
    return tuple(out)


def _finish(ts, create_graph: bool):
    """Results as torch returns them: detached unless create_graph."""
    return tuple(t if t is None or create_graph else t.detach() for t in ts)


def _call(func, xs, owner: str):
    with enable_grad():
        out = func(*xs)
    is_tuple, outs = _as_tuple(out, "outputs", owner)
    return is_tuple, outs


def _check_v(v, refs, is_tuple, owner: str, what: str):
    """``v`` (Tensor or tuple) with the structure and shapes of ``refs``."""
    if v is None:
        if len(refs) == 1 and refs[0].numel() == 1:
            return (Tensor._wrap(np.ones_like(refs[0]._data)),)
        raise RuntimeError(f"{owner}: the vector v can only be None if the {what} is a single "
                           f"Tensor with a single element")
    v_tuple, vs = _as_tuple(v, "v", owner, arrays=True)
    if len(vs) != len(refs):
        raise RuntimeError(f"{owner}: v has {len(vs)} Tensor(s), the {what} "
                           f"{len(refs)}")
    for i, (a, r) in enumerate(zip(vs, refs)):
        if tuple(a.shape) != tuple(r.shape):
            raise RuntimeError(f"{owner}: entry {i} of v has shape {tuple(a.shape)}, the "
                               f"{what}'s shape {tuple(r.shape)}")
    return vs


def _grads(outs, xs, cotangents, create_graph, strict, owner, what="input"):
    """∂⟨outs, cotangents⟩/∂xs, zeros (or a strict-mode error) where there is no path."""
    outs_c = [(o, c) for o, c in zip(outs, cotangents) if o.requires_grad]
    if not outs_c:
        gs = (None,) * len(xs)
    else:
        gs = grad([o for o, _ in outs_c], list(xs), [c for _, c in outs_c],
                  retain_graph=True, create_graph=create_graph, allow_unused=True)
    result = []
    for i, (g, x) in enumerate(zip(gs, xs)):
        if g is None:
            if strict:
                raise RuntimeError(f"{owner}: the output of the user-provided function is "
                                   f"independent of {what} {i}. This is not allowed in strict "
                                   f"mode.")
            g = Tensor._wrap(np.zeros_like(x._data))
        result.append(g)
    return tuple(result)


def _result(is_tuple, ts):
    return ts if is_tuple else ts[0]


# ----------------------------------------------------------------------------- first order
def vjp(func: Callable, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀ J)`` (``torch.autograd.functional.vjp``); ``v`` has the outputs'
    structure (None for a single one-element output)."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "vjp", arrays=True)
    xs = _prepare(xs, create_graph)
    out_tuple, outs = _call(func, xs, "vjp")
    vs = _check_v(v, outs, out_tuple, "vjp", "output")
    gs = _grads(outs, xs, vs, create_graph, strict, "vjp")
    return _result(out_tuple, _finish(outs, create_graph)), \
        _result(in_tuple, _finish(gs, create_graph))


def jvp(func: Callable, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)`` (``torch.autograd.functional.jvp``) by the double-VJP trick:
    with a dummy cotangent u, uᵀ J is linear in u, and J v is its gradient along v."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "jvp", arrays=True)
    xs = _prepare(xs, create_graph)
    vs = _check_v(v, xs, in_tuple, "jvp", "input")
    out_tuple, outs = _call(func, xs, "jvp")
    us = tuple(Tensor._wrap(np.zeros_like(o._data)).requires_grad_(True) for o in outs)
    gs = _grads(outs, xs, us, True, strict, "jvp")
    live = [(g, w) for g, w in zip(gs, vs) if g.requires_grad]
    if live:
        js = grad([g for g, _ in live], list(us), [w for _, w in live],
                  retain_graph=True, create_graph=create_graph, allow_unused=True)
    else:
        js = (None,) * len(us)
    if strict and any(j is None for j in js):
        raise RuntimeError("jvp: the output of the user-provided function is independent of "
                           "its input. This is not allowed in strict mode.")
    js = tuple(Tensor._wrap(np.zeros_like(o._data)) if j is None else j
               for j, o in zip(js, outs))
    return _result(out_tuple, _finish(outs, create_graph)), \
        _result(out_tuple, _finish(js, create_graph))


def jacobian(func: Callable, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """``∂func/∂inputs`` (``torch.autograd.functional.jacobian``): entry ``[i][j]`` has shape
    ``outputs[i].shape + inputs[j].shape``; the tuple levels are dropped where ``func``'s
    output or ``inputs`` is a single Tensor, as torch.  One reverse sweep per output entry."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"jacobian: strategy must be 'forward-mode' or 'reverse-mode', got "
                         f"{strategy!r}")
    in_tuple, xs = _as_tuple(inputs, "inputs", "jacobian", arrays=True)
    xs = _prepare(xs, create_graph)
    out_tuple, outs = _call(func, xs, "jacobian")
    return _jacobian_of(outs, xs, in_tuple, out_tuple, create_graph, strict, "jacobian")


def _jacobian_of(outs, xs, in_tuple, out_tuple, create_graph, strict, owner):
    blocks = []
    for o in outs:
        rows = [[] for _ in xs]
        for k in range(o.numel()):
            e = np.zeros(o._data.size, dtype=o._data.dtype)
            e[k] = 1
            gs = _grads([o], xs, [Tensor._wrap(e.reshape(o._data.shape))], create_graph,
                        strict, owner)
            for j, g in enumerate(gs):
                rows[j].append(g)
        per_input = []
        for j, x in enumerate(xs):
            shape = tuple(o.shape) + tuple(x.shape)
            if rows[j]:
                J = np.stack(rows[j], axis=0).reshape(shape)   # recorded: Tensor's NumPy
            else:                     # an empty output: an empty Jacobian
                J = Tensor._wrap(np.zeros(shape, dtype=x._data.dtype))
            per_input.append(J if create_graph else J.detach())
        blocks.append(_result(in_tuple, tuple(per_input)))
    return _result(out_tuple, tuple(blocks))


# ---------------------------------------------------------------------------- second order
def _gradient(func, xs, strict, owner, create_graph=True):
    """(f(xs), ∇f(xs), recorded by default): ``func`` must return one one-element Tensor."""
    out_tuple, outs = _call(func, xs, owner)
    if out_tuple or outs[0].numel() != 1:
        raise RuntimeError(f"{owner}: the function given to {owner} should return a single "
                           f"Tensor with a single element, got "
                           f"{'a tuple' if out_tuple else tuple(outs[0].shape)}")
    f = outs[0]
    return f, _grads([f], xs, [Tensor._wrap(np.ones_like(f._data))], create_graph, strict,
                     owner)


def hessian(func: Callable, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """∇²f (``torch.autograd.functional.hessian``): the Jacobian of the recorded gradient;
    entry ``[i][j]`` has shape ``inputs[i].shape + inputs[j].shape`` (a single Tensor for a single
    input)."""
    if outer_jacobian_strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"hessian: outer_jacobian_strategy must be 'forward-mode' or "
                         f"'reverse-mode', got {outer_jacobian_strategy!r}")
    in_tuple, xs = _as_tuple(inputs, "inputs", "hessian", arrays=True)
    xs = _prepare(xs, True)
    _, gs = _gradient(func, xs, strict, "hessian")
    return _jacobian_of(gs, xs, in_tuple, in_tuple, create_graph, strict, "hessian")


def vhp(func: Callable, inputs, v=None, create_graph=False, strict=False):
    """``(f(inputs), vᵀ ∇²f)`` (``torch.autograd.functional.vhp``): the VJP of the recorded
    gradient with cotangent v."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "vhp", arrays=True)
    xs = _prepare(xs, True)
    vs = _check_v(v, xs, in_tuple, "vhp", "input")
    f, gs = _gradient(func, xs, strict, "vhp")
    hv = _grads(gs, xs, vs, create_graph, strict, "vhp")
    return _finish((f,), create_graph)[0], _result(in_tuple, _finish(hv, create_graph))


def hvp(func: Callable, inputs, v=None, create_graph=False, strict=False):
    """``(f(inputs), ∇²f v)`` (``torch.autograd.functional.hvp``), by the double-VJP trick on
    the gradient: with u a dummy cotangent, uᵀ∇²f is linear in u and ∇²f v its gradient
    along v."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "hvp", arrays=True)
    xs = _prepare(xs, True)
    vs = _check_v(v, xs, in_tuple, "hvp", "input")
    f, gs = _gradient(func, xs, strict, "hvp")
    us = tuple(Tensor._wrap(np.zeros_like(x._data)).requires_grad_(True) for x in xs)
    uh = _grads(gs, xs, us, True, strict, "hvp")
    hv = _grads(uh, us, vs, create_graph, strict, "hvp", what="input of the VHP")
    return _finish((f,), create_graph)[0], _result(in_tuple, _finish(hv, create_graph))


def value_and_grad(fun: Callable, x, owner: str = "value_and_grad") -> tuple[float, np.ndarray]:
    """``(f(x), ∇f(x))`` in float64 by one forward pass and one reverse sweep: ``fun`` maps
    a Tensor of ``x``'s shape to a one-element Tensor (nnscratch's, for the minimisers)."""
    t = Tensor(np.array(getattr(x, "_data", x), dtype=np.float64), requires_grad=True)
    with enable_grad():
        out = fun(t)
        if not isinstance(out, Tensor):
            raise TypeError(f"{owner}: fun must return a scalar Tensor computed from its "
                            f"argument, got {type(out).__name__}")
        if out._data.size != 1:
            raise ValueError(f"{owner}: fun must return a scalar, got shape {tuple(out.shape)}")
        if out.requires_grad:
            out.backward()
    g = t.grad._data if t.grad is not None else np.zeros_like(t._data)   # f ignores x
    return float(out._data.reshape(())), np.asarray(g, dtype=np.float64)


def hessian_vector_products(fun: Callable, x) -> Callable:
    """``p -> ∇²f(x) p`` at a fixed x: the gradient is recorded once, and each product is one
    reverse sweep through it (Newton-CG asks for many products at the same point)."""
    (t,) = _prepare((Tensor._wrap(np.array(x, dtype=np.float64)),), True)
    _, (g,) = _gradient(fun, (t,), False, "hessian_vector_products")

    def product(p) -> np.ndarray:
        if not g.requires_grad:                 # f is linear in x: no curvature
            return np.zeros_like(t._data)
        (hp,) = grad(g, t, Tensor._wrap(np.asarray(p, dtype=np.float64).reshape(t.shape)),
                     retain_graph=True, allow_unused=True, materialize_grads=True)
        return hp._data
    return product
