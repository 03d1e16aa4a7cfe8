"""Helpers shared by experiments that reproduce a text's worked numbers or train a small net
by hand: printed weights into a layer, a graph-free forward pass, a short loop, L-BFGS fits."""
from __future__ import annotations

import numpy as np

from ... import nn, optim
from ... import random as _random
from ...autograd import no_grad
from ...tensor import tensor


def set_linear(layer: nn.Linear, weight, bias) -> nn.Linear:
    """Copy a text's printed ``weight`` (out, in) and ``bias`` (out,) into ``layer``."""
    layer.weight.data[...] = np.asarray(weight, dtype=np.float64).reshape(layer.weight.shape)
    layer.bias.data[...] = np.asarray(bias, dtype=np.float64).reshape(layer.bias.shape)
    return layer


def forward(model, X) -> np.ndarray:
    """``model(X)`` as an array, without recording a graph."""
    with no_grad():
        return model(tensor(np.asarray(X, dtype=np.float64))).numpy()


def lbfgs_fit(model, X, y, loss_fn, max_iter: int) -> float:
    """Full-batch L-BFGS (strong-Wolfe line search) on ``loss_fn(model(X), y)``, for the small
    curve fits the texts draw, where a second-order method reaches the minimum in a few hundred
    evaluations that plain gradient descent needs tens of thousands for.  Returns the loss."""
    X, y = tensor(np.asarray(X, dtype=np.float64)), tensor(np.asarray(y, dtype=np.float64))
    opt = optim.LBFGS(model.parameters(), lr=1, max_iter=max_iter, history_size=20,
                      line_search_fn="strong_wolfe", tolerance_grad=1e-10,
                      tolerance_change=1e-14)

    def closure():
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        return loss

    opt.step(closure)
    with no_grad():
        return float(loss_fn(model(X), y).item())


def train_steps(model, X, y, loss_fn, steps, lr=1e-2, batch=None, seed=0, optimizer=None):
    """A small full-batch (or mini-batch) Adam loop; returns the loss curve."""
    opt = optimizer or optim.Adam(model.parameters(), lr=lr)
    g = _random.rng(seed)
    losses = []
    for _ in range(steps):
        idx = g.choice(len(X), batch, replace=False) if batch else slice(None)
        loss = loss_fn(model(tensor(X[idx])), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
