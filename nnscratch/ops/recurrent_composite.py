"""The recurrent sequence ops as time loops of recorded ops: what ``create_graph=True``
differentiates (see ``fused(composite=...)``); the fused kernels in :mod:`.recurrent` stay the
first-order path.

Each composite is the textbook step (000 eq. 9.3, 9.33-9.38, 9.39-9.42) in torch's gate order,
batch-major: ``h_t = φ(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)`` and the LSTM/GRU gates; time
runs in processing order (the reversed sequence for ``reverse=True``), and with ``batch_sizes``
the examples whose sequence has ended keep their previous state, as the fused kernels do.
"""
from __future__ import annotations

import numpy as np

from .arithmetic import matmul
from .elementwise import relu, sigmoid, tanh
from .indexing import getitem
from .shape import flip, stack, transpose, where


def _affine(x, w, b=None):
    y = matmul(x, transpose(w))
    return y if b is None else y + b


def _steps(x, batch_first, reverse):
    """The inputs x_t of each step ``(N, I)``, in processing order."""
    xs = transpose(x, (1, 0, 2)) if batch_first else x
    order = range(xs.shape[0] - 1, -1, -1) if reverse else range(xs.shape[0])
    return [getitem(xs, t) for t in order]


def _sequence(outs, batch_first, reverse):
    y = stack(outs, axis=0)                                   # (T, N, H), processing order
    if reverse:
        y = flip(y, (0,))
    return transpose(y, (1, 0, 2)) if batch_first else y


def _carry(new, old, batch_sizes, t, n):
    """The new state, except for examples whose sequence has ended (they keep ``old``)."""
    if batch_sizes is None or int(batch_sizes[t]) >= n:
        return new
    return where((np.arange(n) < int(batch_sizes[t]))[:, None], new, old)


def _zeros(n, h, like):
    return np.zeros((n, h), dtype=like.dtype)


def _gates(a, k):
    size = a.shape[-1] // k
    return [getitem(a, (slice(None), slice(i * size, (i + 1) * size))) for i in range(k)]


def rnn_composite(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, *, nonlinearity="tanh",
                  batch_first=True, reverse=False, batch_sizes=None):
    steps = _steps(x, batch_first, reverse)
    n = steps[0].shape[0]
    h = _zeros(n, w_hh.shape[0], w_ih) if h0 is None else h0
    phi = tanh if nonlinearity == "tanh" else relu
    outs = []
    for t, xt in enumerate(steps):
        h = _carry(phi(_affine(xt, w_ih, b_ih) + _affine(h, w_hh, b_hh)), h, batch_sizes, t, n)
        outs.append(h)
    return _sequence(outs, batch_first, reverse), h


def lstm_composite(x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None, *,
                   batch_first=True, reverse=False, batch_sizes=None):
    steps = _steps(x, batch_first, reverse)
    n = steps[0].shape[0]
    hidden = w_hh.shape[0] // 4
    h = _zeros(n, w_hh.shape[1], w_ih) if h0 is None else h0
    c = _zeros(n, hidden, w_ih) if c0 is None else c0
    outs = []
    for t, xt in enumerate(steps):
        i, f, g, o = _gates(_affine(xt, w_ih, b_ih) + _affine(h, w_hh, b_hh), 4)
        c_new = sigmoid(f) * c + sigmoid(i) * tanh(g)
        m = sigmoid(o) * tanh(c_new)
        h_new = m if w_hr is None else _affine(m, w_hr)
        h, c = _carry(h_new, h, batch_sizes, t, n), _carry(c_new, c, batch_sizes, t, n)
        outs.append(h)
    return _sequence(outs, batch_first, reverse), h, c


def gru_composite(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, *, reset_after=True,
                  batch_first=True, reverse=False, batch_sizes=None):
    steps = _steps(x, batch_first, reverse)
    n = steps[0].shape[0]
    hidden = w_hh.shape[1]
    h = _zeros(n, hidden, w_ih) if h0 is None else h0
    w_hrz = getitem(w_hh, slice(0, 2 * hidden))
    w_hn = getitem(w_hh, slice(2 * hidden, 3 * hidden))
    b_hrz = None if b_hh is None else getitem(b_hh, slice(0, 2 * hidden))
    b_hn = None if b_hh is None else getitem(b_hh, slice(2 * hidden, 3 * hidden))
    outs = []
    for t, xt in enumerate(steps):
        i_r, i_z, i_n = _gates(_affine(xt, w_ih, b_ih), 3)
        h_r, h_z = _gates(_affine(h, w_hrz, b_hrz), 2)
        r, z = sigmoid(i_r + h_r), sigmoid(i_z + h_z)
        if reset_after:          # torch.nn.GRU: r gates W_hn h + b_hn
            nt = tanh(i_n + r * _affine(h, w_hn, b_hn))
        else:                    # Cho et al.: W_hn (r ⊙ h) + b_hn
            nt = tanh(i_n + _affine(r * h, w_hn, b_hn))
        h = _carry((1 - z) * nt + z * h, h, batch_sizes, t, n)
        outs.append(h)
    return _sequence(outs, batch_first, reverse), h
