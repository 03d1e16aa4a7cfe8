"""AdaGrad: per-coordinate learning rates from the running sum of squared gradients
(000 §1.4.1 eqs. 1.19-1.20, 001 §6.10 eq. 6.16)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._types import Params
from .optimizer import Optimizer, Settings, check_range


@dataclass(kw_only=True, slots=True)
class AdagradSettings(Settings):
    """What :meth:`Adagrad.rule` reads from a parameter group."""

    lr_decay: float
    initial_accumulator_value: float
    eps: float


class Adagrad(Optimizer):
    """AdaGrad (Duchi, Hazan & Singer, 2011); matches torch.optim.Adagrad.

        t <- t + 1;   g <- g + wd p
        clr = lr / (1 + (t - 1) lr_decay)
        G <- G + g * g                          (G starts at initial_accumulator_value)
        p <- p - clr g / (sqrt(G) + eps)

    This is 000 eqs. 1.19-1.20; 001 eq. 6.16 puts eps inside the square root, PyTorch (and we)
    add it outside.  Coordinates that have seen large gradients take small steps, rarely
    updated ones keep large steps; the sum only grows, so the steps shrink for good.

    Defaults: lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10.
    State per parameter: ``step``, ``sum``.
    """

    Settings = AdagradSettings
    state_keys = ("step", "sum")

    def __init__(self, params: Params, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps, foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, fused=fused))

    @classmethod
    def check(cls, h):
        for k in ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_range(getattr(h, k), k, "Adagrad")

    @staticmethod
    def init_state(x, h):
        # the optimizer shell passes the defaults: torch fills the accumulator from them,
        # not from the parameter's group
        return {"step": 0, "sum": np.full_like(x, h.initial_accumulator_value)}

    @staticmethod
    def rule(g, s, h, work):
        s["step"] += 1
        clr = h.lr / (1 + (s["step"] - 1) * h.lr_decay)
        d = work("step", g)
        np.multiply(g, g, out=d)
        s["sum"] += d
        np.sqrt(s["sum"], out=d)
        d += h.eps
        np.divide(g, d, out=d)
        d *= clr
        return d

    @staticmethod
    def recorded_rule(g, s, h):
        """:meth:`rule` on Tensors, out of place (``differentiable=True``, see
        :func:`~nnscratch.optim.optimizer.record_rule`)."""
        s["step"] += 1
        clr = h.lr / (1 + (s["step"] - 1) * h.lr_decay)
        total = s["sum"] = s["sum"] + g * g
        return g / (total.sqrt() + h.eps) * clr
