"""Momentum, AdaGrad and batch normalisation as 000 ch. 1 and 001 ch. 6 write them: each
update rule in NumPy against nnscratch's optimizer or layer, and the texts' claims measured
on the elongated bowl f = (x1 - 2)² + 10 (x2 + 3)² of 000 §1.2.1."""
from __future__ import annotations

import numpy as np

from ... import nn, optim
from ... import random as nsrandom
from ...autograd import no_grad
from ...tensor import tensor
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment

X_MIN = np.array([2.0, -3.0])


def _bowl(x):
    return (x[0] - 2) ** 2 + 10 * (x[1] + 3) ** 2


def _path(make_opt, steps, x0=(0.0, 0.0)):
    x = tensor(np.array(x0, dtype=np.float64), requires_grad=True)
    opt = make_opt([x])
    path = [x.numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        _bowl(x).backward()
        opt.step()
        path.append(x.numpy().copy())
    return np.array(path)


def _reversals(path):
    """How often the x2 step changes sign: the zigzag across the steep direction."""
    d = np.sign(np.diff(path[:, 1]))
    d = d[d != 0]
    return int((d[1:] != d[:-1]).sum())


def _steps_to(path, tol=1e-3):
    err = np.linalg.norm(path - X_MIN, axis=1)
    hit = np.flatnonzero(err < tol)
    return int(hit[0]) if hit.size else None      # None: never (fails any check)


@experiment("adaptive-steps", source="000 §1.4.1, eqs. 1.19-1.20; 001 §6.5, §6.10, §6.11",
            summary="momentum (001 eq. 6.6), AdaGrad (001 eq. 6.16 and 000 eq. 1.20) and "
                    "batch normalisation as the texts write them, and what they do to the "
                    "zigzag")
def adaptive_steps(cfg: Config) -> Result:
    """* 001 eq. 6.6, momentum: θ_(k+1) = θ_k + α(θ_k − θ_(k−1)) − (1 − α) η g_k is
      ``optim.SGD(momentum=α, lr=(1 − α) η)`` (PyTorch's v = αv + g, θ −= lr·v, unrolled):
      30 steps in NumPy against the optimizer.  "We can speed up steepest descent by
      including a momentum parameter": with α = ½ (the text's usual value) and the step 0.09
      of plain descent (``SGD(lr=0.09, momentum=0.5)``, eq. 6.6 with η = 0.18), the steps to
      |x − x*| < 1e-3 on the bowl against plain descent's.
    * AdaGrad: 000 eq. 1.20 puts ε outside the root, η g/(√v + ε) — ``optim.Adagrad`` (as
      PyTorch) — and 001 eq. 6.16 inside, η g/√(v + ε): the optimizer against both in NumPy
      (ε = 0.1 makes the two differ visibly; with the default 1e-10 they agree to 1e-6).
    * 000 §1.4.1: adaptive methods remove the zigzag: on the bowl from (0, 0) gradient
      descent with η = 0.09 (1 − 0.09·20 = −0.8 per step across x2) reverses its x2 step at
      every step; AdaGrad, RMSprop and Adam (η = 0.5, 0.05, 0.5) are counted the same way.
    * 001 §6.11: ``nn.BatchNorm1d(affine=False)`` in training mode is (z − μ)/√(σ² + ε) with
      the batch's 1/m variance, as the text writes it.
    """
    gen = nsrandom.rng(cfg.seed)
    alpha, eta = 0.5, 0.09
    momentum_gap, gd, mom = _momentum_paths(alpha, eta)

    ada_outside_gap, ada_inside_gap = _adagrad_eps_placement()

    runs = {"gradient descent, η = 0.09": gd,
            "momentum α = ½": mom,
            "AdaGrad, η = 0.5": _path(lambda p: optim.Adagrad(p, lr=0.5), 300),
            "RMSprop, η = 0.05": _path(lambda p: optim.RMSprop(p, lr=0.05), 300),
            "Adam, η = 0.5": _path(lambda p: optim.Adam(p, lr=0.5), 300)}
    reversals = {k: _reversals(p[:30]) for k, p in runs.items()}
    steps = {k: _steps_to(p) for k, p in runs.items()}

    bn_gap = _batch_norm_formula(gen)

    fig_path = _paths_figure(runs, reversals, cfg)
    adaptive = [k for k in runs if k.split(",")[0] in ("AdaGrad", "RMSprop", "Adam")]
    return Result(
        metrics={"momentum_eq_6_6_gap": momentum_gap,
                 "adagrad_eps_outside_gap": ada_outside_gap,
                 "adagrad_eps_inside_gap": ada_inside_gap,
                 "gd_reversals": reversals["gradient descent, η = 0.09"],
                 "adaptive_max_reversals": max(reversals[k] for k in adaptive),
                 "gd_steps_to_1e-3": steps["gradient descent, η = 0.09"],
                 "momentum_steps_to_1e-3": steps["momentum α = ½"],
                 "batchnorm_formula_gap": bn_gap},
        expected={"momentum_eq_6_6_gap": Expect("<=", 1e-12, "SGD(momentum=α, lr=(1−α)η) is "
                                                "eq. 6.6", source="ours: eq. 6.6 in NumPy"),
                  "adagrad_eps_outside_gap": Expect("<=", 1e-12, "Adagrad is 000 eq. 1.20 "
                                                    "(ε outside the root)",
                                                    source="ours: eq. 1.20 in NumPy"),
                  "adagrad_eps_inside_gap": Expect(">", 1e-4, "and not 001 eq. 6.16 (ε inside)",
                                                   source="ours: eq. 6.16 in NumPy"),
                  "gd_reversals": Expect(">=", 25, "gradient descent zigzags across x2",
                                         source="ours: closed form, 1 − 0.09·20 = −0.8"),
                  "adaptive_max_reversals": Expect("<", 25, "adaptive methods zigzag less",
                                                   source="text: 000 §1.4.1"),
                  "momentum_steps_to_1e-3": Expect(
                      "<", steps["gradient descent, η = 0.09"] or 10 ** 9,
                      "momentum speeds steepest descent up (fewer steps than plain descent)",
                      source="text: 001 §6.5"),
                  "batchnorm_formula_gap": Expect("<=", 1e-12, "(z − μ)/√(σ² + ε)",
                                                  source="ours: §6.11's formula in NumPy")},
        figures=[fig_path], headline="adaptive_max_reversals",
        tables={"the elongated bowl": [{"method": k, "x2 reversals in 30 steps": reversals[k],
                                        "steps to |x − x*| < 1e-3": steps[k]} for k in runs]})


def _momentum_paths(alpha, eta):
    """Momentum by eq. 6.6 in NumPy against optim.SGD(momentum=α); the paths of plain and
    momentum gradient descent."""
    # momentum by eq. 6.6 in NumPy
    th_prev = th = np.zeros(2)
    eq66 = [th]
    for _ in range(30):
        g = np.array([2 * (th[0] - 2), 20 * (th[1] + 3)])
        th, th_prev = th + alpha * (th - th_prev) - (1 - alpha) * eta * g, th
        eq66.append(th)
    sgd_m = _path(lambda p: optim.SGD(p, lr=(1 - alpha) * eta, momentum=alpha), 30)
    momentum_gap = float(np.abs(sgd_m - np.array(eq66)).max())
    gd = _path(lambda p: optim.SGD(p, lr=eta), 300)
    mom = _path(lambda p: optim.SGD(p, lr=eta, momentum=alpha), 300)
    return momentum_gap, gd, mom


def _adagrad_eps_placement():
    """AdaGrad with ε outside (000 eq. 1.20) and inside (001 eq. 6.16) the root, in NumPy,
    against optim.Adagrad."""
    # AdaGrad, ε outside (000 eq. 1.20) and inside (001 eq. 6.16) the root
    eps, lr = 0.1, 0.5
    x, v = np.zeros(2), np.zeros(2)
    outside, inside = [x.copy()], [x.copy()]
    xi, vi = np.zeros(2), np.zeros(2)
    for _ in range(50):
        g = np.array([2 * (x[0] - 2), 20 * (x[1] + 3)])
        v = v + g * g
        x = x - lr * g / (np.sqrt(v) + eps)
        outside.append(x.copy())
        gi = np.array([2 * (xi[0] - 2), 20 * (xi[1] + 3)])
        vi = vi + gi * gi
        xi = xi - lr * gi / np.sqrt(vi + eps)
        inside.append(xi.copy())
    ada = _path(lambda p: optim.Adagrad(p, lr=lr, eps=eps), 50)
    ada_outside_gap = float(np.abs(ada - np.array(outside)).max())
    ada_inside_gap = float(np.abs(ada - np.array(inside)).max())
    return ada_outside_gap, ada_inside_gap


def _batch_norm_formula(gen):
    """001 §6.11's batch normalisation formula against nn.BatchNorm1d (training mode, no
    affine)."""
    # batch normalisation, 001 §6.11
    z = gen.standard_normal((32, 5)) * 3 + 1
    bn = nn.BatchNorm1d(5, affine=False).double()
    with no_grad():
        zbar = bn(tensor(z)).numpy()
    formula = (z - z.mean(0)) / np.sqrt(z.var(0) + bn.eps)
    return float(np.abs(zbar - formula).max())


def _paths_figure(runs, reversals, cfg):
    """The first 30 steps of each method on the elongated bowl."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    g1, g2 = np.meshgrid(np.linspace(-0.5, 3, 80), np.linspace(-6.5, 0.5, 80))
    ax.contour(g1, g2, (g1 - 2) ** 2 + 10 * (g2 + 3) ** 2, levels=20, colors="0.8")
    for k, p in runs.items():
        ax.plot(p[:30, 0], p[:30, 1], ".-", lw=1, ms=3, label=f"{k} ({reversals[k]} reversals)")
    ax.set(xlabel="x1", ylabel="x2", title="the first 30 steps on the elongated bowl")
    ax.legend(fontsize=7)
    return savefig(fig, cfg.figure("adaptive_steps"))
