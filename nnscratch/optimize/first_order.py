"""First-order minimisers: gradient descent, momentum, AdaGrad, RMSprop and Adam.

The update rules are not written here: ``minimize(f, x0, "adam")`` applies the rule of
``optim.Adam`` (its ``rule``/``init_state`` on plain arrays, through the same
:func:`nnscratch.optim.optimizer.apply_rule` the optimizers use) to f (000 §1.2-1.4).  The
names, options and default rates come from :mod:`nnscratch.optim.registry`:

    method    optimizer                      rule (000 eq.)                             lr
    gd        SGD                            x <- x - η g                      (1.11)   1e-3
    momentum  SGD(momentum=β, dampening=β)   m <- β m + (1-β) g; x <- x - η m  (1.17)   1e-3
    adagrad   Adagrad                        v <- v + g²; x <- x - η g/(√v+ε)  (1.20)   1e-2
    rmsprop   RMSprop(alpha=β)               v <- β v + (1-β) g²; same step    (1.22)   1e-2
    adam      Adam                           bias-corrected m and v       (1.23-1.27)   1e-3

``lr`` may be one number or one rate per variable (an array broadcastable to x0, as in
000 Listing 1.2): a rule is elementwise, so an array of rates is applied as it is.
``options`` are passed to the rule as hyper-parameters (``momentum``, ``betas``, ``eps``,
``alpha`` ...); for ``momentum`` the default is β = 0.9 with dampening = β, the textbooks' form
(000 eq. 1.17; 001 eq. 6.6 with α = β is the same recursion written on x), except that
PyTorch's SGD, reused here, starts the buffer at g instead of (1-β) g.
"""
from __future__ import annotations

import numpy as np

from ..optim.optimizer import Workspace, apply_rule
from ..optim.registry import lookup, names
from .result import Trace

FIRST_ORDER = tuple(names(minimize=True))


def hyperparameters(method: str, options: dict) -> dict:
    """The rule's hyper-parameters: its defaults, the method's options, then ``options``."""
    entry = lookup(method)
    cls = entry.optimizer_class()
    allowed = [k for k in cls.hyperparameters() if k != "lr"]
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ValueError(f"minimize: unknown options {unknown} for method {method!r}; "
                         f"{cls.__name__} accepts {allowed}")
    given = dict(entry.options)
    given.update(options)
    if method == "momentum" and "momentum" in options and "dampening" not in options:
        given["dampening"] = options["momentum"]     # m <- β m + (1-β) g  (000 eq. 1.17)
    try:
        return cls.hyperparameters(**given)
    except ValueError as err:                        # a value out of range, named by check
        raise ValueError(f"minimize: {err}") from None


def first_order(obj, method, x, f, g, lr, tol, gtol, maxiter, options):
    """Apply the rule of ``method`` until a stopping test holds.

    Stops when ‖g‖∞ < gtol, when |f_k - f_(k-1)| < tol (Listing 1.2's test, counted after the
    step as the listing does), or after ``maxiter`` steps.
    """
    entry = lookup(method)
    cls = entry.optimizer_class()
    h = hyperparameters(method, options)
    lr = entry.minimize_lr if lr is None else lr
    h["lr"] = (float(lr) if np.ndim(lr) == 0
               else np.broadcast_to(lr, obj.shape).astype(np.float64).reshape(x.shape))
    x = x.copy()
    h = cls.Settings.of(h)
    state, work = cls.init_state(x, h), Workspace()

    trace = Trace(obj, method, x, f, g)
    for _ in range(maxiter):
        if stop := trace.gradient_converged(gtol):
            return stop
        apply_rule(cls.rule, x, g, state, h, work)
        f, g = obj.value_and_grad(x)
        if stop := trace.advance(x, f, g, tol):
            return stop
    return trace.finish(gtol, maxiter)
