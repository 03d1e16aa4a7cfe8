"""Adamax: Adam with the second moment replaced by an exponentially weighted infinity norm
(001 §6.10 lists it among AdaGrad's repairs)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._types import Params
from .optimizer import Optimizer, Settings, check_betas, check_range, ema_


@dataclass(kw_only=True, slots=True)
class AdamaxSettings(Settings):
    """What :meth:`Adamax.rule` reads from a parameter group."""

    betas: tuple
    eps: float


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2015, section 7.1); matches torch.optim.Adamax.

        t <- t + 1;   g <- g + wd p
        m <- b1 m + (1 - b1) g
        u <- max(b2 u, |g| + eps)
        p <- p - lr / (1 - b1^t) * m / u

    The max needs no bias correction: it is not pulled towards its zero start.

    Defaults: lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.
    State per parameter: ``step``, ``exp_avg`` (m), ``exp_inf`` (u).
    """

    Settings = AdamaxSettings
    state_keys = ("step", "exp_avg", "exp_inf")

    def __init__(self, params: Params, lr: float = 2e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas) if isinstance(betas, list)
                                      else betas, eps=eps, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    @classmethod
    def check(cls, h):
        check_range(h.eps, "eps", "Adamax")
        check_betas(h.betas, "Adamax")
        check_range(h.weight_decay, "weight_decay", "Adamax")

    @staticmethod
    def init_state(x, h):
        return {"step": 0, "exp_avg": np.zeros_like(x), "exp_inf": np.zeros_like(x)}

    @staticmethod
    def rule(g, s, h, work):
        s["step"] += 1
        b1, b2 = h.betas
        m, u, d = s["exp_avg"], s["exp_inf"], work("step", g)
        ema_(m, g, b1, d)
        u *= b2
        np.abs(g, out=d)
        d += h.eps
        np.maximum(u, d, out=u)
        np.divide(m, u, out=d)
        d *= h.lr / (1 - b1 ** s["step"])
        return d

    @staticmethod
    def recorded_rule(g, s, h):
        """:meth:`rule` on Tensors, out of place (``differentiable=True``, see
        :func:`~nnscratch.optim.optimizer.record_rule`)."""
        s["step"] += 1
        b1, b2 = h.betas
        m = s["exp_avg"] = s["exp_avg"].lerp(g, 1 - b1)
        u = s["exp_inf"] = (s["exp_inf"] * b2).maximum(g.abs() + h.eps)
        return m / u * (h.lr / (1 - b1 ** s["step"]))
