"""Adadelta: RMSprop whose step is rescaled by a running RMS of past steps, so it carries
the units of the parameter (001 §6.10 lists it among AdaGrad's repairs)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._types import Params
from .optimizer import Optimizer, Settings, check_range, ema_square_


@dataclass(kw_only=True, slots=True)
class AdadeltaSettings(Settings):
    """What :meth:`Adadelta.rule` reads from a parameter group."""

    rho: float
    eps: float


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012); matches torch.optim.Adadelta.

        g <- g + wd p
        v <- rho v + (1 - rho) g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u <- rho u + (1 - rho) delta * delta
        p <- p - lr delta

    Defaults: lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.
    State per parameter: ``step``, ``square_avg`` (v), ``acc_delta`` (u).
    """

    Settings = AdadeltaSettings
    state_keys = ("step", "square_avg", "acc_delta")

    def __init__(self, params: Params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      foreach=foreach, capturable=capturable,
                                      maximize=maximize, differentiable=differentiable))

    @classmethod
    def check(cls, h):
        check_range(h.rho, "rho", "Adadelta", 0.0, 1.0, hi_open=False)
        check_range(h.eps, "eps", "Adadelta")
        check_range(h.weight_decay, "weight_decay", "Adadelta")

    @staticmethod
    def init_state(x, h):
        return {"step": 0, "square_avg": np.zeros_like(x), "acc_delta": np.zeros_like(x)}

    @staticmethod
    def rule(g, s, h, work):
        s["step"] += 1
        rho, eps = h.rho, h.eps
        v, u = s["square_avg"], s["acc_delta"]
        std, delta = work("std", g), work("step", g)
        ema_square_(v, g, rho, std)
        np.add(v, eps, out=std)
        np.sqrt(std, out=std)
        np.add(u, eps, out=delta)
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        ema_square_(u, delta, rho, std)
        delta *= h.lr
        return delta

    @staticmethod
    def recorded_rule(g, s, h):
        """:meth:`rule` on Tensors, out of place (``differentiable=True``, see
        :func:`~nnscratch.optim.optimizer.record_rule`)."""
        s["step"] += 1
        rho, eps = h.rho, h.eps
        v = s["square_avg"] = s["square_avg"] * rho + g * g * (1 - rho)
        delta = (s["acc_delta"] + eps).sqrt() / (v + eps).sqrt() * g
        s["acc_delta"] = s["acc_delta"] * rho + delta * delta * (1 - rho)
        return delta * h.lr
