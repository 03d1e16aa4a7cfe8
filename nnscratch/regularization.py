"""Penalty terms to add to any loss, so they work with every optimizer (003 §3.3).

``loss = F.cross_entropy(model(x), y) + l1_penalty(model.parameters(), 1e-4)``.
(L2 is also available as every optimizer's ``weight_decay``, which adds α·w to the gradient,
i.e. the gradient of (α/2)‖w‖².)
"""
from __future__ import annotations

from .tensor import Tensor


def _weights(parameters, include_bias):
    ps = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    if not ps:
        raise ValueError("parameters must not be empty")
    return [p for p in ps if include_bias or p.ndim > 1]


def _check_strength(lam, name):
    if not lam >= 0:
        raise ValueError(f"{name} must be >= 0, got {lam}")


def l2_penalty(parameters, alpha: float, include_bias: bool = False) -> Tensor:
    """(α/2) Σ ‖W‖² over weight matrices (biases too if ``include_bias``) (003 §3.3)."""
    _check_strength(alpha, "alpha")
    return sum((p * p).sum() for p in _weights(parameters, include_bias)) * (alpha / 2)


def l1_penalty(parameters, lam: float, include_bias: bool = False) -> Tensor:
    """λ Σ |W| over weight matrices: drives small weights to exactly zero (lasso)."""
    _check_strength(lam, "lam")
    return sum(p.abs().sum() for p in _weights(parameters, include_bias)) * lam
