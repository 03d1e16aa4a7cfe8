"""``nn.utils``: gradient clipping, matching torch.nn.utils.clip_grad_norm_/clip_grad_value_,
and (in :mod:`.rnn`) packed batches of variable-length sequences."""
from __future__ import annotations

import math

from typing import TYPE_CHECKING

import numpy as np

from ..._checks import check_range
from . import rnn  # noqa: F401  (nn.utils.rnn, as in torch)

if TYPE_CHECKING:   # annotations only
    from ..._types import Params


def _grads(parameters, owner):
    if hasattr(parameters, "grad") and hasattr(parameters, "data"):
        parameters = [parameters]
    elif hasattr(parameters, "parameters") and callable(parameters.parameters):
        raise TypeError(f"{owner}: parameters must be a Tensor or an iterable of Tensors, got "
                        f"a {type(parameters).__name__}; pass model.parameters()")
    return [p.grad._data for p in parameters if p.grad is not None]


def _norm(g: np.ndarray, p: float) -> float:
    if p == math.inf:
        return float(np.abs(g).max()) if g.size else 0.0
    flat = g.ravel()
    if p == 2:
        return math.sqrt(float(np.dot(flat, flat)))   # BLAS dot: no squared temporary
    if p == 1:
        return float(np.abs(flat).sum())
    return float(np.linalg.norm(flat, p))


def clip_grad_norm_(parameters: Params, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    """Scale all gradients together so their joint ``norm_type``-norm is at most ``max_norm``.

        total = || (||g_1||, ..., ||g_k||) ||        (the norm of all gradients as one vector)

        g_i <- g_i * min(1, max_norm / (total + 1e-6))

    Gradients are modified in place; returns ``total`` (before clipping) as a float.  Matches
    torch.nn.utils.clip_grad_norm_ (including its 1e-6).  ``norm_type`` may be ``math.inf``.
    ``error_if_nonfinite=True`` raises RuntimeError when ``total`` is nan or inf.
    """
    owner = "clip_grad_norm_"
    check_range(max_norm, "max_norm", owner, allow_inf=True)
    check_range(norm_type, "norm_type", owner, allow_inf=True)
    norm_type = float(norm_type)
    if norm_type == 0:
        raise ValueError(f"{owner}: invalid norm_type=0; expected a p-norm with p > 0 or inf")
    grads = _grads(parameters, owner)
    if not grads:
        return 0.0
    norms = [_norm(g, norm_type) for g in grads]
    total = max(norms) if norm_type == math.inf else _norm(np.array(norms), norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"{owner}: the total norm of order {norm_type} of the gradients is "
                           f"{total}, so it cannot be clipped (error_if_nonfinite=True)")
    coef = min(max_norm / (total + 1e-6), 1.0)      # a nan total gives nan grads, as in torch
    if coef != 1.0:
        for g in grads:
            g *= g.dtype.type(coef)
    return total


def clip_grad_value_(parameters: Params, clip_value: float) -> None:
    """Clamp every gradient element to ``[-clip_value, clip_value]``, in place; matches
    torch.nn.utils.clip_grad_value_."""
    owner = "clip_grad_value_"
    check_range(clip_value, "clip_value", owner, allow_inf=True)
    for g in _grads(parameters, owner):
        np.clip(g, -clip_value, clip_value, out=g)
