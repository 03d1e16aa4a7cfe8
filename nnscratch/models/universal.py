"""Networks that approximate functions by construction, not training (003 chapter 4).

A sigmoid neuron with a large weight w and bias b = -s·w is a step at s.  Two steps wired to
an output neuron with weights +h and -h and bias -h/2 make a *bump*: ≈1 on (s1, s2), ≈0
elsewhere.  Bumps scaled by the mean of f on their interval and summed by a linear output
neuron approximate any continuous f on an interval; in 2-D, four steps (two per axis) and an
output bias of -3h/2 make a *tower* over a rectangle.  Every weight below is set explicitly.
"""
from __future__ import annotations

import numpy as np

from .. import nn
from .._checks import check_int, check_positive


def _linear(weight, bias) -> nn.Linear:
    weight = np.atleast_2d(np.asarray(weight, dtype=np.float64))
    layer = nn.Linear(weight.shape[1], weight.shape[0])
    layer.weight = nn.Parameter(weight)
    layer.bias = nn.Parameter(np.asarray(bias, dtype=np.float64).reshape(-1))
    return layer


def _check_interval(lo, hi, name="interval"):
    if not (np.isfinite(lo) and np.isfinite(hi)) or not lo < hi:
        raise ValueError(f"{name} must be finite with lower < upper, got ({lo}, {hi})")


def step_network(s: float, w: float = 1000.0) -> nn.Sequential:
    """σ(w x - w s): steps from 0 to 1 at x = s, sharper as w grows (003 Figure 4.1).

    Shape: ``(N, 1) -> (N, 1)``.  Parameters are float64.
    """
    check_positive(w, "w")
    return nn.Sequential(_linear([[w]], [-s * w]), nn.Sigmoid())


def bump_network(s1: float, s2: float, w: float = 1e4, h: float = 1e4) -> nn.Sequential:
    """σ(h σ(w(x - s1)) - h σ(w(x - s2)) - h/2): ≈1 for x in (s1, s2), ≈0 outside
    (003 §4.1, Figure 4.2).  Shape: ``(N, 1) -> (N, 1)``."""
    _check_interval(s1, s2, "(s1, s2)")
    check_positive(w, "w")
    check_positive(h, "h")
    return nn.Sequential(_linear([[w], [w]], [-s1 * w, -s2 * w]), nn.Sigmoid(),
                         _linear([[h, -h]], [-h / 2]), nn.Sigmoid())


def tower_network(x_interval, y_interval, w: float = 1e4, h: float = 1e4) -> nn.Sequential:
    """≈1 on the rectangle x_interval × y_interval, ≈0 elsewhere (003 §4.3, Figure 4.6).

    Four step neurons (two on x, two on y) feed an output neuron with weights (h, -h, h, -h)
    and bias -3h/2: inside the rectangle its input is ≈2h, outside it is at most ≈h.
    Shape: ``(N, 2) -> (N, 1)``.
    """
    (x1, x2), (y1, y2) = x_interval, y_interval
    _check_interval(x1, x2, "x_interval")
    _check_interval(y1, y2, "y_interval")
    check_positive(w, "w")
    check_positive(h, "h")
    hidden = _linear([[w, 0], [w, 0], [0, w], [0, w]], [-x1 * w, -x2 * w, -y1 * w, -y2 * w])
    return nn.Sequential(hidden, nn.Sigmoid(), _linear([[h, -h, h, -h]], [-1.5 * h]),
                         nn.Sigmoid())


def approximate_1d(f, n_bumps: int, interval=(0.0, 1.0), w: float = 1e4, h: float = 1e4,
                   resolution: int = 64) -> nn.Sequential:
    """A network that approximates ``f`` on ``interval`` with ``n_bumps`` bumps (003 §4.2).

    Layer 1: 2·n_bumps sigmoid steps at the interval edges s_0 < s_1 < … < s_n;
    layer 2: n_bumps sigmoid indicators I[s_i, s_{i+1}] (the bump construction);
    output: a linear neuron whose weight for bump i is the mean of f on [s_i, s_{i+1}]
    (estimated from ``resolution`` points).  The error is at most the largest variation of
    f within one sub-interval, so it shrinks as n_bumps grows.  Shape: ``(N, 1) -> (N, 1)``.
    """
    check_int(n_bumps, "n_bumps", "approximate_1d")
    lo, hi = interval
    _check_interval(lo, hi)
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    edges = np.linspace(lo, hi, n_bumps + 1)
    left, right = edges[:-1], edges[1:]
    steps = np.empty(2 * n_bumps)
    steps[0::2], steps[1::2] = left, right
    # move the two outer steps a few step-widths (1/w) outside, so the interval's own end
    # points are fully inside the first and last bump instead of half-way up a step
    steps[0] -= 10 / w
    steps[-1] += 10 / w
    layer1 = _linear(np.full((2 * n_bumps, 1), w), -steps * w)
    pair = np.zeros((n_bumps, 2 * n_bumps))
    pair[np.arange(n_bumps), 2 * np.arange(n_bumps)] = h
    pair[np.arange(n_bumps), 2 * np.arange(n_bumps) + 1] = -h
    layer2 = _linear(pair, np.full(n_bumps, -h / 2))
    t = (np.arange(resolution) + 0.5) / resolution
    heights = np.array([np.mean(f(a + (b - a) * t)) for a, b in zip(left, right)])
    out = _linear(heights[None, :], [0.0])
    return nn.Sequential(layer1, nn.Sigmoid(), layer2, nn.Sigmoid(), out)


def nielsen_function(x):
    """The function approximated in 003 Figure 4.5 (from Nielsen's book):
    f(x) = 0.2 + 0.4 x² + 0.3 x sin(15 x) + 0.05 cos(50 x)."""
    x = np.asarray(x, dtype=np.float64)
    return 0.2 + 0.4 * x ** 2 + 0.3 * x * np.sin(15 * x) + 0.05 * np.cos(50 * x)
