"""Adam and AdamW: momentum plus RMSprop scaling, with bias correction
(000 §1.4.1 eqs. 1.23-1.27 and §1.5, 001 §6.10)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._types import Params
from .optimizer import Optimizer, Settings, check_betas, check_range, ema_, ema_square_


@dataclass(kw_only=True, slots=True)
class AdamSettings(Settings):
    """What :meth:`Adam.rule` reads from a parameter group."""

    betas: tuple
    eps: float
    amsgrad: bool


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with optional AMSGrad; matches torch.optim.Adam.

        t <- t + 1
        g <- g + wd p                      (or, decoupled:  p <- p (1 - lr wd))
        m <- b1 m + (1 - b1) g             (000 eq. 1.23)
        v <- b2 v + (1 - b2) g * g         (000 eq. 1.24)
        vmax <- max(vmax, v)  and use vmax for v   if amsgrad
        p <- p - lr/(1 - b1^t) * m / (sqrt(v)/sqrt(1 - b2^t) + eps)    (000 eqs. 1.25-1.27)

    The bias corrections undo the pull of the zero initial moments towards 0 in early steps.
    Note eps is added to sqrt(v_hat), as in the textbook and PyTorch.

    Defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
    decoupled_weight_decay=False (True is AdamW).
    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq`` (amsgrad).
    ``differentiable=True`` records the step for autograd (torch's; see :class:`SGD`): the
    moments are then Tensors with their graph; ``lr``, ``weight_decay`` and ``betas`` may be
    1-element Tensors that require grad.
    """

    Settings = AdamSettings
    state_keys = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas) if isinstance(betas, list)
                                      else betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, foreach=foreach, maximize=maximize,
                                      capturable=capturable, differentiable=differentiable,
                                      fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    @classmethod
    def check(cls, h):
        name = cls.__name__
        check_range(h.eps, "eps", name)
        check_betas(h.betas, name)
        check_range(h.weight_decay, "weight_decay", name)

    @staticmethod
    def init_state(x, h):
        return {"step": 0, "exp_avg": np.zeros_like(x), "exp_avg_sq": np.zeros_like(x)}

    @staticmethod
    def rule(g, s, h, work):
        s["step"] += 1
        t, lr = s["step"], h.lr
        b1, b2 = h.betas
        m, v, d = s["exp_avg"], s["exp_avg_sq"], work("step", g)
        ema_(m, g, b1, d)                      # m moves a fraction 1 - b1 towards g
        ema_square_(v, g, b2, d)
        if h.amsgrad:
            vmax = s.get("max_exp_avg_sq")
            if vmax is None:
                vmax = s["max_exp_avg_sq"] = np.zeros_like(g)
            np.maximum(vmax, v, out=vmax)
            v = vmax
        np.sqrt(v, out=d)
        d /= (1 - b2 ** t) ** 0.5
        d += h.eps
        np.divide(m, d, out=d)
        d *= lr / (1 - b1 ** t)
        return d

    @staticmethod
    def recorded_rule(g, s, h):
        """:meth:`rule` on Tensors, out of place (``differentiable=True``, see
        :func:`~nnscratch.optim.optimizer.record_rule`)."""
        s["step"] += 1
        t = s["step"]
        b1, b2 = h.betas
        m = s["exp_avg"] = s["exp_avg"].lerp(g, 1 - b1)
        v = s["exp_avg_sq"] = s["exp_avg_sq"] * b2 + g * g * (1 - b2)
        if h.amsgrad:     # torch's max_exp_avg_sq starts at zeros
            vmax = s.get("max_exp_avg_sq")
            v = s["max_exp_avg_sq"] = v.maximum(v * 0 if vmax is None else vmax)
        return m / (v.sqrt() / (1 - b2 ** t) ** 0.5 + h.eps) * (h.lr / (1 - b1 ** t))


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019); matches torch.optim.AdamW.

    Same as :class:`Adam` except that the decay shrinks the weights directly,
    ``p <- p (1 - lr wd)``, before the Adam step, instead of entering the gradient (where the
    adaptive scaling would weaken it for coordinates with large gradients).

    Defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False.
    """

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    @classmethod
    def hyperparameters(cls, **given):
        return {**super().hyperparameters(**given), "decoupled_weight_decay": True}
