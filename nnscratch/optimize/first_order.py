"""First-order minimisers: gradient descent, momentum, AdaGrad, RMSprop and Adam.

The update rules are not written here: x is held by leaf Tensors, its gradient is put in
``.grad``, and the matching :mod:`nnscratch.optim` optimizer's ``step()`` moves it, so
``minimize(f, x0, "adam")`` is exactly ``optim.Adam`` applied to f (000 §1.2-1.4):

    method    optimizer                      rule (000 eq.)                             lr
    gd        SGD                            x <- x - η g                      (1.11)   1e-3
    momentum  SGD(momentum=β, dampening=β)   m <- β m + (1-β) g; x <- x - η m  (1.17)   1e-3
    adagrad   Adagrad                        v <- v + g²; x <- x - η g/(√v+ε)  (1.20)   1e-2
    rmsprop   RMSprop(alpha=β)               v <- β v + (1-β) g²; same step    (1.22)   1e-2
    adam      Adam                           bias-corrected m and v       (1.23-1.27)   1e-3

``lr`` may be one number or one rate per variable (an array broadcastable to x0, as in
000 Listing 1.2): then every variable is its own parameter group with its own rate.
``options`` are passed to the optimizer (``momentum``, ``betas``, ``eps``, ``alpha`` ...);
for ``momentum`` the default is β = 0.9 with dampening = β, the textbooks' form (000 eq. 1.17;
001 eq. 6.6 with α = β is the same recursion written on x), except that PyTorch's SGD, reused
here, starts the buffer at g instead of (1-β) g.
"""
from __future__ import annotations

import inspect

import numpy as np

from ..tensor import Tensor
from .result import Trace

# method -> (optimizer class in nnscratch.optim, default keyword arguments, default lr)
RULES = {
    "gd": ("SGD", {}, 1e-3),
    "momentum": ("SGD", {"momentum": 0.9}, 1e-3),
    "adagrad": ("Adagrad", {}, 1e-2),
    "rmsprop": ("RMSprop", {}, 1e-2),
    "adam": ("Adam", {}, 1e-3),
}


def optimizer_class(method: str):
    from .. import optim
    name = RULES[method][0]
    cls = getattr(optim, name, None)
    if cls is None:
        raise NotImplementedError(f"minimize: method {method!r} needs nnscratch.optim.{name}, "
                                  f"which this installation does not have")
    return cls


def optimizer_kwargs(method: str, options: dict) -> dict:
    """The optimizer's keyword arguments: the method's defaults updated by ``options``."""
    cls = optimizer_class(method)
    allowed = [p for p in inspect.signature(cls.__init__).parameters
               if p not in ("self", "params", "lr")]
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ValueError(f"minimize: unknown options {unknown} for method {method!r}; "
                         f"{cls.__name__} accepts {allowed}")
    kwargs = dict(RULES[method][1])
    kwargs.update(options)
    if method == "momentum" and "dampening" not in options:
        kwargs["dampening"] = kwargs["momentum"]     # m <- β m + (1-β) g  (000 eq. 1.17)
    return kwargs


def first_order(obj, method, x, f, g, lr, tol, gtol, maxiter, options):
    """Drive ``nnscratch.optim``'s rule for ``method`` until a stopping test holds.

    Stops when ‖g‖∞ < gtol, when |f_k - f_(k-1)| < tol (Listing 1.2's test, counted after the
    step as the listing does), or after ``maxiter`` steps.
    """
    cls = optimizer_class(method)
    kwargs = optimizer_kwargs(method, options)
    lr = np.asarray(RULES[method][2] if lr is None else lr, dtype=np.float64)
    if lr.ndim == 0:
        leaves = [Tensor(x.copy(), requires_grad=True, dtype=np.float64)]
        groups = [{"params": leaves, "lr": float(lr)}]
        pieces = [slice(None)]
    else:  # one parameter group per variable, each with its own rate
        rates = np.broadcast_to(lr, obj.shape).ravel()
        pieces = [slice(i, i + 1) for i in range(x.size)]
        leaves = [Tensor(x[s].copy(), requires_grad=True, dtype=np.float64) for s in pieces]
        groups = [{"params": [t], "lr": float(r)} for t, r in zip(leaves, rates)]
    opt = cls(groups, lr=float(groups[0]["lr"]), **kwargs)

    trace = Trace(obj, method, x, f, g)
    for _ in range(maxiter):
        if stop := trace.gradient_converged(gtol):
            return stop
        for t, s in zip(leaves, pieces):
            t.grad = g[s].copy()
        opt.step()
        x = np.concatenate([t._data.ravel() for t in leaves])
        f, g = obj.value_and_grad(x)
        if stop := trace.advance(x, f, g, tol):
            return stop
    return trace.finish(gtol, maxiter)
