"""Gradient clipping (``nn.utils``)."""
import numpy as np


def _grads(parameters):
    if hasattr(parameters, "grad"):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0) -> float:
    """Scale all gradients together so their joint norm is at most ``max_norm``, in place.

    Returns the total norm before clipping (torch.nn.utils.clip_grad_norm_).
    """
    if not max_norm > 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be > 0, got {max_norm}")
    grads = _grads(parameters)
    if not grads:
        return 0.0
    if norm_type == np.inf:
        total = max(float(np.abs(g).max()) for g in grads)
    else:
        total = float(sum(float((np.abs(g) ** norm_type).sum()) for g in grads)
                      ** (1.0 / norm_type))
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            g *= g.dtype.type(coef)
    return total


def clip_grad_value_(parameters, clip_value: float) -> None:
    """Clamp every gradient element to ``[-clip_value, clip_value]``, in place."""
    if not clip_value > 0:
        raise ValueError(f"clip_grad_value_: clip_value must be > 0, got {clip_value}")
    for g in _grads(parameters):
        np.clip(g, -clip_value, clip_value, out=g)
