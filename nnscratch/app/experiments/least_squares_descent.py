"""Gradient descent on least squares (001 ch. 6): the gradient field of Figure 6.1, and
stochastic gradient descent against the closed form (§6.9, §6.12, eqs. 6.12-6.14)."""
from __future__ import annotations

import numpy as np

from ... import nn, optim
from ... import random as nsrandom
from ...linear_model import LinearRegression
from ...optimize import minimize
from ...tensor import tensor
from ...training import Callback, fit
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment


@experiment("gradient-field", source="001 §6.2, Figure 6.1",
            summary="the gradient vector field of f(x, y) = -((cos x)² + (cos y)²)² by "
                    "autograd, against its closed form")
def gradient_field(cfg: Config) -> Result:
    """001 Figure 6.1: the gradient field ∇f of f(x, y) = -((cos x)² + (cos y)²)² (eq. 6.1),
    computed by ``backward()`` on a 25 × 25 grid over [-π, π]² and drawn as arrows over f's
    contours.  Checked against the closed form ∂f/∂x = 4 (cos²x + cos²y) cos x sin x (and the
    same in y), and by following -∇f (gradient descent, ``minimize(method="gd")``) from
    (0.5, -0.4) to the minimum f = -4 at the origin.
    """
    t = np.linspace(-np.pi, np.pi, 25)
    gx, gy = np.meshgrid(t, t)
    P = tensor(np.c_[gx.ravel(), gy.ravel()], requires_grad=True)

    def f(p):
        c = p.reshape(-1, 2).cos()
        return -(((c * c).sum(-1)) ** 2)

    f(P).sum().backward()
    grad = P.grad.numpy()
    s = np.cos(gx.ravel()) ** 2 + np.cos(gy.ravel()) ** 2
    closed = np.c_[4 * s * np.cos(gx.ravel()) * np.sin(gx.ravel()),
                   4 * s * np.cos(gy.ravel()) * np.sin(gy.ravel())]
    res = minimize(lambda p: f(p).sum(), np.array([0.5, -0.4]), method="gd", lr=0.05,
                   gtol=1e-8)
    fig, ax = plt.subplots(figsize=(6, 5.5))
    fine = np.linspace(-np.pi, np.pi, 201)
    fx, fy = np.meshgrid(fine, fine)
    cs = ax.contourf(fx, fy, -((np.cos(fx) ** 2 + np.cos(fy) ** 2) ** 2), levels=20,
                     cmap="viridis")
    fig.colorbar(cs, ax=ax, label="f(x, y)")
    ax.quiver(gx, gy, grad[:, 0].reshape(gx.shape), grad[:, 1].reshape(gx.shape), color="w")
    ax.set(xlabel="x", ylabel="y", title="Figure 6.1: ∇f for f = -((cos x)² + (cos y)²)²")
    fig_path = savefig(fig, cfg.figure("gradient_field"))
    return Result(
        metrics={"autograd_minus_closed_form": float(np.abs(grad - closed).max()),
                 "descent_end_f": float(res.fun), "descent_end_norm": float(np.abs(res.x).max())},
        expected={"autograd_minus_closed_form": Expect("<=", 1e-12, "∇f of eq. 6.1 for the "
                                                       "printed f",
                                                       source="text: 001 Figure 6.1"),
                  "descent_end_f": Expect("<=", -4 + 1e-10, "-∇f leads to the minimum -4",
                                          source="ours")},
        figures=[fig_path], headline="autograd_minus_closed_form")

@experiment("sgd-least-squares", source="001 §6.9, §6.12, eqs. 6.12-6.14",
            summary="SGD on least squares: the mini-batch gradient averages to the full one; "
                    "online (n = 1) and mini-batch (n = 20) SGD reach the normal equations")
def sgd_least_squares(cfg: Config) -> Result:
    """001 §6.9 and its notebook (§6.12): SGD estimates ∇J by the mean gradient of n random
    rows (eq. 6.12) and steps θ_{k+1} = θ_k - η_k (that estimate) (eq. 6.13); for least
    squares the per-row gradient is -2 X_iᵀ (y_i - X_i θ).  (Eq. 6.14 as printed reads
    "θ_k - η_k (1/n) Σ X_iᵀ (y_i - X_i θ_k)", which would climb: the minus sign belongs to the
    gradient, with its factor 2.)  Our data: 1,000 rows, y = 2 - 3 x1 + 0.5 x2 + N(0, 0.5²).

    * Eq. 6.12: the mean over a partition of the rows into batches of n = 20 of the batch
      gradients (``loss.backward()`` on ``nn.Linear``) equals the full gradient.
    * Online learning (n = 1, η_0 = 0.01) and mini-batch learning (n = 20, η_0 = 0.1) with
      ``optim.SGD`` through ``fit``, η_k halved every epoch (``ExponentialLR(gamma=0.5)``),
      end close to the least-squares solution ``LinearRegression`` computes from the normal
      equations.
    Quick mode trains 5 epochs, the full run 20.
    """
    gen = nsrandom.rng(cfg.seed)
    N = 1000
    X = gen.standard_normal((N, 2))
    y = 2 - 3 * X[:, 0] + 0.5 * X[:, 1] + 0.5 * gen.standard_normal(N)
    ls = LinearRegression().fit(X, y)
    theta_ls = np.r_[ls.intercept_, ls.coef_]

    def linear_at(theta):
        layer = nn.Linear(2, 1).double()
        layer.weight.data[...] = theta[1:][None]
        layer.bias.data[...] = theta[:1]
        return layer

    def grad(layer, rows):
        layer.zero_grad()
        r = tensor(y[rows, None]) - layer(tensor(X[rows]))
        (r * r).mean().backward()
        return np.r_[layer.bias.grad.numpy(), layer.weight.grad.numpy().ravel()]

    start = np.zeros(3)
    layer = linear_at(start)
    full = grad(layer, np.arange(N))
    batches = np.split(gen.permutation(N), N // 20)
    mean_of_batches = np.mean([grad(layer, b) for b in batches], axis=0)
    closed = -2 * np.r_[np.mean(y - 0.0), X.T @ y / N]           # at θ = 0

    epochs = cfg.epochs or (5 if cfg.quick else 20)
    finals, paths = {}, {}
    for n, lr in ((1, 0.01), (20, 0.1)):
        layer = linear_at(start)
        opt = optim.SGD(layer.parameters(), lr=lr)
        path: list = []

        class Record(Callback):                         # θ after each epoch, for the figure
            def on_epoch_end(self, epoch, logs, path=path, layer=layer):
                path.append(np.r_[layer.bias.numpy(), layer.weight.numpy().ravel()])

        fit(layer, X, y[:, None], loss="mse", optimizer=opt, epochs=epochs, batch_size=n,
            progress=False, seed=cfg.seed, callbacks=[Record()],
            scheduler=optim.lr_scheduler.ExponentialLR(opt, gamma=0.5))
        finals[n] = np.r_[layer.bias.numpy(), layer.weight.numpy().ravel()]
        paths[n] = np.array([start] + path)

    fig_path = _sgd_figure(paths, theta_ls, cfg)
    src = "text: 001 §6.9, eqs. 6.12-6.13"
    return Result(
        metrics={"mean_of_batch_gradients_minus_full": float(np.abs(mean_of_batches
                                                                     - full).max()),
                 "autograd_minus_closed_form_gradient": float(np.abs(full - closed).max()),
                 "online_minus_least_squares": float(np.abs(finals[1] - theta_ls).max()),
                 "minibatch_minus_least_squares": float(np.abs(finals[20] - theta_ls).max()),
                 "epochs": epochs},
        expected={"mean_of_batch_gradients_minus_full": Expect("<=", 1e-12, "eq. 6.12: the "
                                                               "batch means average to ∇J",
                                                               source=src),
                  "autograd_minus_closed_form_gradient": Expect("<=", 1e-12, "∇J = -2Xᵀ(y - "
                                                                "Xθ) (per row, averaged)",
                                                                source="text: 001 §6.9"),
                  "online_minus_least_squares": Expect("<=", 0.02, "online SGD ends near "
                                                       "θ_LS", source="ours"),
                  "minibatch_minus_least_squares": Expect("<=", 0.02, "mini-batch SGD too",
                                                          source="ours")},
        figures=[fig_path], headline="minibatch_minus_least_squares")


def _sgd_figure(paths, theta_ls, cfg):
    """θ after each epoch for each batch size, and its distance to the least-squares solution."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for n, p in paths.items():
        kind = "online" if n == 1 else "mini-batch"
        axes[0].plot(p[:, 1], p[:, 2], "o-", label=f"n = {n} ({kind})")
    axes[0].plot(*theta_ls[1:], "k*", ms=14, label="normal equations")
    axes[0].set(xlabel="θ1", ylabel="θ2", title="θ after each epoch")
    axes[0].legend()
    for n, p in paths.items():
        axes[1].semilogy(np.arange(len(p)), np.abs(p - theta_ls).max(1), "o-", label=f"n = {n}")
    axes[1].set(xlabel="epoch", ylabel="max |θ - θ_LS|", title="distance to least squares")
    axes[1].legend()
    return savefig(fig, cfg.figure("sgd_least_squares"))
