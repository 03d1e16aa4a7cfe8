"""001's matrix calculus, checked by autograd: the derivatives of eqs. 3.2-3.4 and the bowl of
Figure 3.2, the gradient and Hessian of the logistic loss (eqs. 7.4-7.5) and of the softmax
loss (eqs. 7.9-7.12)."""
from __future__ import annotations

import numpy as np

from ... import random as nsrandom
from ...autograd.functional import hessian, jacobian
from ...tensor import tensor
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment


def _grad(f, x):
    t = tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    f(t).backward()
    return t.grad.numpy()


@experiment("gradients-and-hessians", source="001 §3.6, §7.6, §7.9, eqs. 3.2-3.4, 7.4-7.12",
            summary="the texts' gradients and Hessians (least squares, logistic, softmax) "
                    "against autograd, with the printed slips said beside them")
def gradients_and_hessians(cfg: Config) -> Result:
    """* eq. 3.2: ∂(Aθ)/∂θ = Aᵀ (the Jacobian of Aθ is A; 001 writes its transpose, the
      denominator layout); eq. 3.3: ∂(θᵀAθ)/∂θ = 2Aθ for symmetric A; eq. 3.4:
      ∂/∂θ (y − Xθ)ᵀ(y − Xθ) = −2Xᵀy + 2XᵀXθ; Figure 3.2's bowl: the Hessian 2XᵀX is positive
      definite (d = 2), so the loss has one minimum.
    * eqs. 7.4-7.5: for L(θ) = −Σ y log π + (1 − y) log(1 − π), π = σ(Xθ): g = Xᵀ(π − y) and
      H = XᵀSX with S = diag(π(1 − π)).  The text writes a stray y_i inside the sum of 7.4 (its
      right-hand side Xᵀ(π − y) is right) and calls S d × d where it is n × n.
    * eqs. 7.9-7.12, the softmax formulation: ∂L/∂θ_j = −Σ X_i(Π_j(y_i) − π_ij).  Eq. 7.10
      (θ2, the class y = 1) is right as printed; eq. 7.11 for θ1 (the class y = 0) and 7.12
      print y_i where Π_j(y_i) is meant: for θ1 the printed form differs from autograd.
    """
    gen = nsrandom.rng(cfg.seed)
    A = gen.standard_normal((4, 3))
    theta = gen.standard_normal(3)
    jac = jacobian(lambda t: tensor(A) @ t, tensor(theta)).numpy()
    eq_3_2 = float(np.abs(jac.T - A.T).max())
    S = gen.standard_normal((3, 3))
    S = S + S.T
    eq_3_3 = float(np.abs(_grad(lambda t: t @ (tensor(S) @ t), theta) - 2 * S @ theta).max())
    X = np.hstack([np.ones((20, 1)), gen.standard_normal((20, 2))])
    y = gen.standard_normal(20)

    def ls(t):
        r = tensor(y) - tensor(X) @ t
        return r @ r
    eq_3_4 = float(np.abs(_grad(ls, theta) - (-2 * X.T @ y + 2 * X.T @ X @ theta)).max())
    X2 = X[:, 1:]
    H_ls = hessian(lambda t: (tensor(y) - tensor(X2) @ t) @ (tensor(y) - tensor(X2) @ t),
                   tensor(np.zeros(2))).numpy()
    bowl_min_eig = float(np.linalg.eigvalsh(H_ls).min())
    bowl_gap = float(np.abs(H_ls - 2 * X2.T @ X2).max())

    yb = (gen.uniform(size=20) < 0.5).astype(float)

    def nll(t):
        p = (tensor(X) @ t).sigmoid()
        return -(tensor(yb) * p.log() + (1 - tensor(yb)) * (1 - p).log()).sum()
    pi = 1 / (1 + np.exp(-X @ theta))
    eq_7_4 = float(np.abs(_grad(nll, theta) - X.T @ (pi - yb)).max())
    H = hessian(nll, tensor(theta)).numpy()
    eq_7_5 = float(np.abs(H - X.T @ np.diag(pi * (1 - pi)) @ X).max())

    eq_7_10, eq_7_11_corrected, eq_7_11_printed = _softmax_gradient(gen, X, yb)

    fig_path = _bowl_figure(y, X2, cfg)
    hand = "ours: the text's formula in NumPy"
    return Result(
        metrics={"eq_3_2_gap": eq_3_2, "eq_3_3_gap": eq_3_3, "eq_3_4_gap": eq_3_4,
                 "bowl_hessian_gap": bowl_gap, "bowl_min_eigenvalue": bowl_min_eig,
                 "eq_7_4_gap": eq_7_4, "eq_7_5_gap": eq_7_5, "eq_7_10_gap": eq_7_10,
                 "eq_7_11_corrected_gap": eq_7_11_corrected,
                 "eq_7_11_printed_gap": eq_7_11_printed},
        expected={"eq_3_2_gap": Expect("<=", 1e-12, "∂(Aθ)/∂θ = Aᵀ", source=hand),
                  "eq_3_3_gap": Expect("<=", 1e-12, "∂(θᵀAθ)/∂θ = 2Aθ", source=hand),
                  "eq_3_4_gap": Expect("<=", 1e-12, "−2Xᵀy + 2XᵀXθ", source=hand),
                  "bowl_hessian_gap": Expect("<=", 1e-6, "the Hessian is 2XᵀX (1e-6: the "
                                             "Hessian may be a difference of gradients)",
                                             source=hand),
                  "bowl_min_eigenvalue": Expect(">", 0, "a bowl: one minimum",
                                                source="text: 001 §3.6, Figure 3.2"),
                  "eq_7_4_gap": Expect("<=", 1e-12, "g = Xᵀ(π − y)", source=hand),
                  "eq_7_5_gap": Expect("<=", 1e-6, "H = XᵀSX", source=hand),
                  "eq_7_10_gap": Expect("<=", 1e-12, "∂L/∂θ2 = −Σ X_i(y_i − π_i2)",
                                        source=hand),
                  "eq_7_11_corrected_gap": Expect("<=", 1e-12, "∂L/∂θ1 = −Σ X_i(Π_0(y_i) − "
                                                  "π_i1)", source=hand),
                  "eq_7_11_printed_gap": Expect(">", 1e-3, "eq. 7.11 as printed (y_i for "
                                                "Π_0(y_i)) is not the gradient",
                                                source="ours: eq. 7.11 as printed")},
        figures=[fig_path], headline="eq_7_5_gap")


def _softmax_gradient(gen, X, yb):
    """001 eqs. 7.10-7.11: the two-class softmax's gradient per class column, with eq. 7.11 as
    printed and corrected."""
    Th = gen.standard_normal((3, 2))           # columns θ1 (class 0), θ2 (class 1)

    def softmax_nll(t):
        z = tensor(X) @ t.reshape(3, 2)
        logp = z - z.exp().sum(axis=1, keepdims=True).log()
        onehot = np.stack([1 - yb, yb], 1)
        return -(tensor(onehot) * logp).sum()
    g = _grad(softmax_nll, Th.ravel()).reshape(3, 2)
    z = X @ Th
    P = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    eq_7_10 = float(np.abs(g[:, 1] - (-X.T @ (yb - P[:, 1]))).max())
    eq_7_11_corrected = float(np.abs(g[:, 0] - (-X.T @ ((1 - yb) - P[:, 0]))).max())
    eq_7_11_printed = float(np.abs(g[:, 0] - (-X.T @ (yb - P[:, 0]))).max())
    return eq_7_10, eq_7_11_corrected, eq_7_11_printed


def _bowl_figure(y, X2, cfg):
    """001 Figure 3.2: the least-squares bowl in two parameters."""
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    t1, t2 = np.meshgrid(np.linspace(-3, 3, 61), np.linspace(-3, 3, 61))
    T = np.stack([t1.ravel(), t2.ravel()], 1)
    L = ((y[:, None] - X2 @ T.T) ** 2).sum(0).reshape(t1.shape)
    ax.contour(t1, t2, L, levels=20)
    ax.set(xlabel="θ1", ylabel="θ2", title="001 Figure 3.2: the least-squares bowl (d = 2)")
    return savefig(fig, cfg.figure("gradients_and_hessians"))
