"""RMSprop: AdaGrad with a decaying average of squared gradients instead of a sum
(000 §1.4.1 eqs. 1.21-1.22, 001 §6.10)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._types import Params
from .optimizer import Optimizer, Settings, check_range, ema_, ema_square_


@dataclass(kw_only=True, slots=True)
class RMSpropSettings(Settings):
    """What :meth:`RMSprop.rule` reads from a parameter group."""

    alpha: float
    eps: float
    momentum: float
    centered: bool


class RMSprop(Optimizer):
    """RMSprop (Tieleman & Hinton, 2012), optionally centered and with momentum; matches
    torch.optim.RMSprop.

        g <- g + wd p
        v <- alpha v + (1 - alpha) g * g
        centered:  gbar <- alpha gbar + (1 - alpha) g;   den = sqrt(v - gbar * gbar) + eps
        otherwise: den = sqrt(v) + eps
        momentum > 0:  b <- momentum b + g / den;   p <- p - lr b
        otherwise:     p <- p - lr g / den

    With ``momentum=0, centered=False`` this is 000 eqs. 1.21-1.22 (alpha is the textbook's
    beta).  The centered form divides by an estimate of the gradient's standard deviation.

    Defaults: lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False.
    State per parameter: ``step``, ``square_avg``, ``momentum_buffer`` (momentum > 0),
    ``grad_avg`` (centered).
    """

    Settings = RMSpropSettings
    state_keys = ("step", "square_avg", "momentum_buffer", "grad_avg")

    def __init__(self, params: Params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered,
                                      capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    @classmethod
    def check(cls, h):
        for k in ("eps", "weight_decay"):
            check_range(getattr(h, k), k, "RMSprop")
        # decay rates: alpha > 1 makes the squared average negative, momentum > 1 explodes
        check_range(h.alpha, "alpha", "RMSprop", 0.0, 1.0, hi_open=False)
        check_range(h.momentum, "momentum", "RMSprop", 0.0, 1.0, hi_open=False)

    @staticmethod
    def init_state(x, h):
        return {"step": 0, "square_avg": np.zeros_like(x)}

    @staticmethod
    def rule(g, s, h, work):
        s["step"] += 1
        alpha, d = h.alpha, work("step", g)
        v = s["square_avg"]
        ema_square_(v, g, alpha, d)
        if h.centered:
            gbar = s.get("grad_avg")
            if gbar is None:
                gbar = s["grad_avg"] = np.zeros_like(g)
            ema_(gbar, g, alpha, d)            # gbar moves a fraction 1 - alpha towards g
            np.multiply(gbar, gbar, out=d)
            np.subtract(v, d, out=d)
            np.sqrt(d, out=d)
        else:
            np.sqrt(v, out=d)
        d += h.eps
        np.divide(g, d, out=d)
        if h.momentum > 0:
            b = s.get("momentum_buffer")
            if b is None:
                b = s["momentum_buffer"] = np.zeros_like(g)
            b *= h.momentum
            b += d
            np.multiply(b, h.lr, out=d)
        else:
            d *= h.lr
        return d

    @staticmethod
    def recorded_rule(g, s, h):
        """:meth:`rule` on Tensors, out of place (``differentiable=True``, see
        :func:`~nnscratch.optim.optimizer.record_rule`)."""
        s["step"] += 1
        alpha = h.alpha
        v = s["square_avg"] = s["square_avg"] * alpha + g * g * (1 - alpha)
        if h.centered:      # torch's grad_avg starts at zeros
            gbar = s.get("grad_avg")
            gbar = s["grad_avg"] = (g * 0 if gbar is None else gbar).lerp(g, 1 - alpha)
            v = v - gbar * gbar
        d = g / (v.sqrt() + h.eps)
        if h.momentum > 0:  # torch's buffer starts at zeros: b = mu 0 + d
            b = s.get("momentum_buffer")
            d = s["momentum_buffer"] = d if b is None else b * h.momentum + d
        return d * h.lr
