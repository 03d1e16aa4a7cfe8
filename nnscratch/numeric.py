"""Numerically stable array functions shared by the autodiff ops and the NumPy estimators.

Plain NumPy in, NumPy out (no Tensors, no gradients): :mod:`nnscratch.ops` wraps them as
differentiable primitives, :mod:`nnscratch.linear_model` calls them on arrays directly.
"""
from __future__ import annotations

import numpy as np

__all__ = ["stable_sigmoid", "softmax_array", "log_softmax_array"]


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow: uses e^-|x| <= 1 on both sides of 0.

    -|x| is written as a ``where`` of the two branches, not ``-abs(x)``: each branch is then a
    whole formula for σ, so a VJP recorded under ``create_graph`` differentiates it exactly at
    0 too (abs's derivative there is 0, which made σ'(0) come out 0, not 1/4).
    """
    e = np.exp(np.where(x >= 0, -x, x))
    return np.where(x >= 0, 1, e) / (1 + e)


def softmax_array(x, axis=-1):
    """``e^{x_i} / Σ_j e^{x_j}`` along ``axis``, shifted by the max so every exp() is <= 1."""
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax_array(x, axis=-1):
    """``x - logsumexp(x)``: subtracting the max first keeps every exp() in (0, 1]."""
    # np.maximum.reduce / np.add.reduce are what x.max / .sum run, minus a Python wrapper each
    shifted = x - np.maximum.reduce(x, axis=axis, keepdims=True)
    return shifted - np.log(np.add.reduce(np.exp(shifted), axis=axis, keepdims=True))
