"""NAdam: Adam with Nesterov momentum (001 §6.10 lists it among AdaGrad's repairs)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._types import Params
from .optimizer import Optimizer, Settings, check_betas, check_range, ema_, ema_square_


@dataclass(kw_only=True, slots=True)
class NAdamSettings(Settings):
    """What :meth:`NAdam.rule` reads from a parameter group."""

    betas: tuple
    eps: float
    momentum_decay: float


class NAdam(Optimizer):
    """NAdam (Dozat, 2016) with the momentum-decay schedule; matches torch.optim.NAdam.

        t <- t + 1;   g <- g + wd p        (or, decoupled:  p <- p (1 - lr wd))
        mu_t = b1 (1 - 0.5 * 0.96^(t psi))           (psi = momentum_decay)
        P_t = mu_1 ... mu_t
        m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g * g
        den = sqrt(v / (1 - b2^t)) + eps
        p <- p - lr (1 - mu_t) / (1 - P_t) * g / den - lr mu_{t+1} / (1 - P_t mu_{t+1}) * m / den

    The second term looks one step ahead along the momentum (Nesterov), the first is the
    bias-corrected share of the current gradient.

    Defaults: lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
    decoupled_weight_decay=False.
    State per parameter: ``step``, ``mu_product`` (P_t), ``exp_avg``, ``exp_avg_sq``.
    """

    Settings = NAdamSettings
    state_keys = ("step", "mu_product", "exp_avg", "exp_avg_sq")
    scalar_state = ("step", "mu_product")

    def __init__(self, params: Params, lr: float = 2e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas) if isinstance(betas, list)
                                      else betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      foreach=foreach, maximize=maximize,
                                      capturable=capturable, differentiable=differentiable))

    @classmethod
    def check(cls, h):
        check_range(h.eps, "eps", "NAdam")
        check_betas(h.betas, "NAdam")
        check_range(h.weight_decay, "weight_decay", "NAdam")
        check_range(h.momentum_decay, "momentum_decay", "NAdam")

    @staticmethod
    def init_state(x, h):
        return {"step": 0, "mu_product": 1.0, "exp_avg": np.zeros_like(x),
                "exp_avg_sq": np.zeros_like(x)}

    @staticmethod
    def rule(g, s, h, work):
        s["step"] += 1
        t, lr, psi = s["step"], h.lr, h.momentum_decay
        b1, b2 = h.betas
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        s["mu_product"] *= mu
        prod = s["mu_product"]
        m, v = s["exp_avg"], s["exp_avg_sq"]
        den, d, step = work("den", g), work("d", g), work("step", g)
        ema_(m, g, b1, d)
        ema_square_(v, g, b2, d)
        np.divide(v, 1 - b2 ** t, out=den)
        np.sqrt(den, out=den)
        den += h.eps
        np.divide(g, den, out=step)                # the current gradient's share ...
        step *= lr * (1.0 - mu) / (1.0 - prod)
        np.divide(m, den, out=d)                   # ... plus the look-ahead along m
        d *= lr * mu_next / (1.0 - prod * mu_next)
        step += d
        return step

    @staticmethod
    def recorded_rule(g, s, h):
        """:meth:`rule` on Tensors, out of place (``differentiable=True``, see
        :func:`~nnscratch.optim.optimizer.record_rule`)."""
        s["step"] += 1
        t, lr, psi = s["step"], h.lr, h.momentum_decay
        b1, b2 = h.betas
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        prod = s["mu_product"] = s["mu_product"] * mu
        m = s["exp_avg"] = s["exp_avg"].lerp(g, 1 - b1)
        v = s["exp_avg_sq"] = s["exp_avg_sq"] * b2 + g * g * (1 - b2)
        den = (v / (1 - b2 ** t)).sqrt() + h.eps
        return (g / den * (lr * (1.0 - mu) / (1.0 - prod))
                + m / den * (lr * mu_next / (1.0 - prod * mu_next)))
