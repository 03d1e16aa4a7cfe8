"""Stochastic gradient descent with momentum (000 §1.2 eq. 1.4 and §1.4.1 eqs. 1.17-1.18;
001 §6.5 eq. 6.6 and §6.9 eq. 6.13)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._types import Params
from .optimizer import Optimizer, Settings, check_range


@dataclass(kw_only=True, slots=True)
class SGDSettings(Settings):
    """What :meth:`SGD.rule` reads from a parameter group."""

    momentum: float
    dampening: float
    nesterov: bool


class SGD(Optimizer):
    """SGD with optional momentum, dampening, Nesterov and L2 weight decay; matches
    torch.optim.SGD (same update, defaults and validation).

        g <- g + wd p
        b <- g on the first step, then  b <- mu b + (1 - tau) g
        d = g + mu b  if nesterov  else  b          (d = g when mu = 0)
        p <- p - lr d

    ``momentum=beta, dampening=beta`` is the textbooks' momentum m <- beta m + (1 - beta) g,
    x <- x - eta m (000 eqs. 1.17-1.18), except that PyTorch starts the buffer at g rather than
    at (1 - beta) g.  It is also 001 eq. 6.6, theta <- theta + alpha (theta - theta_prev)
    - (1 - alpha) eta g, with momentum = dampening = alpha.

    Defaults: lr=1e-3 (torch's), momentum=0, dampening=0, nesterov=False, weight_decay=0.
    Pass the hyper-parameters by keyword: after ``momentum`` and ``dampening`` the positional
    order (nesterov, weight_decay) is nnscratch's (tests/torch_api/test_api_contract.py), torch's is
    (weight_decay, nesterov).
    State per parameter: ``momentum_buffer`` (only when momentum > 0).
    """

    Settings = SGDSettings
    state_keys = ("momentum_buffer",)
    scalar_state = ()

    def __init__(self, params: Params, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    @classmethod
    def check(cls, h):
        # torch takes any momentum >= 0 and any dampening; outside [0, 1] the buffer grows
        # without bound (momentum > 1) or the gradient is amplified (dampening < 0)
        check_range(h.momentum, "momentum", "SGD", 0.0, 1.0, hi_open=False)
        check_range(h.dampening, "dampening", "SGD", 0.0, 1.0, hi_open=False)
        check_range(h.weight_decay, "weight_decay", "SGD")
        if h.nesterov and (h.momentum <= 0 or h.dampening != 0):
            raise ValueError(f"SGD: nesterov momentum requires momentum > 0 and dampening = 0, "
                             f"got momentum={h.momentum}, dampening={h.dampening}")

    @staticmethod
    def rule(g, s, h, work):
        mu, lr, d = h.momentum, h.lr, work("step", g)
        if not mu:
            np.multiply(g, lr, out=d)
        else:
            b = s.get("momentum_buffer")
            if b is None:
                b = s["momentum_buffer"] = g.copy()
            else:
                b *= mu
                if h.dampening:
                    np.multiply(g, 1 - h.dampening, out=d)
                    b += d
                else:
                    b += g
            if h.nesterov:
                np.multiply(b, mu, out=d)
                d += g
                d *= lr
            else:
                np.multiply(b, lr, out=d)
        return d
