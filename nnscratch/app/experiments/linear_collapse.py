"""Why hidden layers need a non-linearity: stacked linear layers collapse to one linear map
(000 §7.1; 004 §1.2)."""
from __future__ import annotations

import numpy as np

from ... import nn
from ... import random as _random
from ...autograd import no_grad
from ...nn import functional as F
from ...tensor import tensor
from ._worked import train_steps
from .plotting import plt, savefig
from .registry import Expect, Result, experiment


@experiment("linear-collapse", source="000 §7.1; 004 §1.2",
            summary="5 linear layers equal one linear map and cannot learn XOR; tanh can")
def linear_collapse(cfg):
    _random.manual_seed(cfg.seed)
    widths = [2, 8, 8, 8, 8, 1]
    layers = [nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:])]
    deep_linear = nn.Sequential(*layers).double()
    # multiply the weights out: W = W5 W4 W3 W2 W1, b = W5(...(W2 b1 + b2)...) + b5
    W, b = np.eye(2), np.zeros(2)
    for layer in layers:
        W, b = layer.weight.numpy() @ W, layer.weight.numpy() @ b + layer.bias.numpy()
    Xr = _random.rng(cfg.seed).standard_normal((100, 2))
    with no_grad():
        collapse_err = float(np.abs(deep_linear(tensor(Xr)).numpy() - (Xr @ W.T + b)).max())

    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    t = np.array([[0], [1], [1], [0]], dtype=np.float64)
    steps = 1500 if cfg.quick else 3000
    lin_loss = train_steps(deep_linear, X, t, F.mse_loss, steps, lr=1e-2)
    _random.manual_seed(cfg.seed)
    deep_tanh = nn.Sequential(*[m for a, b in zip(widths[:-2], widths[1:-1])
                                for m in (nn.Linear(a, b), nn.Tanh())],
                              nn.Linear(widths[-2], 1)).double()
    tanh_loss = train_steps(deep_tanh, X, t, F.mse_loss, steps, lr=1e-2)
    with no_grad():
        acc_lin = float(((deep_linear(tensor(X)).numpy() > 0.5) == t).mean())
        acc_tanh = float(((deep_tanh(tensor(X)).numpy() > 0.5) == t).mean())

    fig, ax = plt.subplots(1, 3, figsize=(13, 4))
    ax[0].semilogy(lin_loss, label="identity activations")
    ax[0].semilogy(tanh_loss, label="tanh activations")
    ax[0].axhline(0.25, ls=":", c="gray", label="best linear fit (MSE 0.25)")
    ax[0].set_xlabel("step")
    ax[0].set_ylabel("MSE on XOR")
    ax[0].legend()
    gx, gy = np.meshgrid(np.linspace(-0.5, 1.5, 101), np.linspace(-0.5, 1.5, 101))
    grid = np.stack([gx.ravel(), gy.ravel()], 1)
    for a, model, name in ((ax[1], deep_linear, "5 linear layers"), (ax[2], deep_tanh, "tanh")):
        with no_grad():
            z = model(tensor(grid)).numpy().reshape(gx.shape)
        a.contourf(gx, gy, z, levels=20, cmap="RdBu_r")
        a.contour(gx, gy, z, levels=[0.5], colors="k")
        a.scatter(X[:, 0], X[:, 1], c=t.ravel(), cmap="RdBu_r", edgecolors="k", s=80)
        a.set_title(name)
    fig_path = savefig(fig, cfg.figure("linear_collapse"))
    # the best any affine map does on XOR, by least squares in NumPy: MSE 0.25 (w = 0, b = ½)
    Xa = np.hstack([X, np.ones((4, 1))])
    best_linear = float(np.mean((Xa @ np.linalg.lstsq(Xa, t, rcond=None)[0] - t) ** 2))
    metrics = {"collapse_max_error": collapse_err, "linear_final_mse": lin_loss[-1],
               "linear_mse_minus_least_squares": abs(lin_loss[-1] - best_linear),
               "linear_accuracy": acc_lin, "tanh_final_mse": tanh_loss[-1],
               "tanh_accuracy": acc_tanh}
    expected = {"collapse_max_error": Expect("<", 1e-10, "the product of the weights",
                                             source="ours"),
                "linear_mse_minus_least_squares": Expect(
                    "<=", 1e-3, "the 5 linear layers train to the best affine fit (least "
                    "squares: MSE 0.25) and no further", source="ours: closed form"),
                "linear_accuracy": Expect("<=", 0.75, "a line separates at most 3 of 4",
                                          source="ours"),
                "tanh_accuracy": Expect("==", 1.0, "non-linearity solves XOR",
                                        source="text: 000 §7.4")}
    return Result(metrics, expected, [fig_path], headline="tanh_accuracy")
