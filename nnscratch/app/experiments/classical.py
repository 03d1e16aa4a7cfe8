"""The classical models of 000 ch. 3–6 and 001 ch. 3–5 and 7, as experiments.

Each one uses the estimators of :mod:`nnscratch.linear_model` the way a reader would, on the
books' own data where they print it (000 Table 3.1, 001 Table 3.1) and on the real data sets of
their assignments (Boston housing, UCI digits, breast cancer, Yeast).  Expected values are
either exact facts of the mathematics (the normal equations hold, GD and the closed form agree)
or published/reference numbers, each with its source.
"""
from __future__ import annotations

import time

import numpy as np

from ... import datasets, optim
from ...features import PolynomialFeatures, RBFFeatures
from ...linear_model import (
    Lasso,
    LinearRegression,
    LogisticRegression,
    MultiLabelClassifier,
    Ridge,
    SoftmaxRegression,
)
from ...model_selection import GridSearchCV, KFold, cross_val_score, train_test_split
from ...models import mlp
from ...preprocessing import StandardScaler
from ...training import fit, predict
from .registry import Config, Expect, Result, experiment


def _with_ones(X):
    return np.hstack([np.ones((len(X), 1)), X])


def _normal_residual(X, T, model):
    """max |X̃ᵀ(X̃θ − T)|: zero exactly at the least-squares solution (001 eq. 3.4)."""
    theta = np.vstack([np.atleast_1d(model.intercept_)[None, :] if np.ndim(model.intercept_)
                       else np.array([[model.intercept_]]),
                       np.atleast_2d(model.coef_).T])
    Xt = _with_ones(X)
    return float(np.abs(Xt.T @ (Xt @ theta - T.reshape(len(T), -1))).max())


# ------------------------------------------------------------------ 000 §3.3
@experiment("linreg-table", source="000 §3.3, Listing 3.1",
            summary="linear regression on the 10-row table: normal equations vs gradient descent")
def linreg_table(cfg: Config) -> Result:
    """000 Listing 3.1: three inputs, two outputs, ten rows.  The analytical solution (least
    squares, never an explicit inverse) and full-batch gradient descent from zero — the book's
    loss 2/m X̃ᵀ(X̃θ − T) and η = 0.1 — must give the same parameters and the same MSE.  The
    book runs 100,000 steps; we stop when every gradient entry is below 1e-8, and also run
    the estimator's defaults (lr = 1/L, tol = 1e-6) as a user would."""
    from .plotting import plt, savefig
    X, T = datasets.linreg_table(dtype=np.float64)
    exact = LinearRegression().fit(X, T)
    # the book's objective is the MSE (gradient 2/m X̃ᵀr) with η = 0.1; ours is MSE/2, so the
    # same step is lr = 0.2 on our objective
    book = LinearRegression(solver="gd", lr=0.2, tol=1e-8, max_iter=100_000).fit(X, T)
    default = LinearRegression(solver="gd").fit(X, T)
    mse = lambda m: float(np.mean((m.predict(X) - T) ** 2))  # noqa: E731
    diff = max(np.abs(book.coef_ - exact.coef_).max(),
               np.abs(book.intercept_ - exact.intercept_).max())
    diff_default = max(np.abs(default.coef_ - exact.coef_).max(),
                       np.abs(default.intercept_ - exact.intercept_).max())
    fig, ax = plt.subplots(figsize=(6, 4))
    for m, label in ((book, "η = 0.1 (the book's step)"), (default, "lr='auto' (1/L)")):
        # loss_curve_ holds E = ½ Σ‖r‖²/n; the MSE over all n·k entries is 2E/k
        mse_curve = 2 * np.asarray(m.loss_curve_) / T.shape[1]
        ax.semilogy(np.maximum(mse_curve - mse(exact), 1e-17), label=label)
    ax.set_xlabel("gradient-descent step")
    ax.set_ylabel("MSE − analytical MSE")
    ax.set_title("000 Listing 3.1: GD reaches the analytical MSE")
    ax.legend()
    fig_path = savefig(fig, cfg.figure("linreg-table"))
    rows = [{"parameter": f"{name}{k + 1}", "analytical": float(a), "gradient descent": float(g)}
            for name, A, G in (("b", exact.intercept_[None], book.intercept_[None]),
                               ("w1", exact.coef_[:, :1].T, book.coef_[:, :1].T),
                               ("w2", exact.coef_[:, 1:2].T, book.coef_[:, 1:2].T),
                               ("w3", exact.coef_[:, 2:3].T, book.coef_[:, 2:3].T))
            for k, (a, g) in enumerate(zip(A.ravel(), G.ravel()))]
    return Result(
        metrics={"max_param_diff": float(diff), "mse_analytical": mse(exact),
                 "mse_gd": mse(book), "mse_gap": abs(mse(book) - mse(exact)),
                 "gd_steps": book.n_iter_, "default_steps": default.n_iter_,
                 "default_param_diff": float(diff_default),
                 "default_mse_gap": abs(mse(default) - mse(exact))},
        expected={"max_param_diff": Expect("<=", 1e-4, "same unique minimum",
                                           source="text: 000 §3.3"),
                  "mse_gap": Expect("<=", 1e-10, "same MSE",
                                    source="text: 000 Listing 3.1"),
                  "default_param_diff": Expect("<=", 1e-4, "defaults converge too", source="ours"),
                  "default_mse_gap": Expect("<=", 1e-8, "defaults reach the analytical MSE",
                                            source="ours")},
        figures=[fig_path], headline="max_param_diff", tables={"parameters": rows})


# ------------------------------------------------------------------ 001 §3.2–3.5
@experiment("linreg-energy", source="001 §3.2–3.6, Table 3.1",
            summary="wind and people -> energy: the guess θ = [1, 0, 0.5], the least-squares "
                    "fit, the divide-by-x_i1 fit of Figure 3.1 and a new prediction")
def linreg_energy(cfg: Config) -> Result:
    """001 Table 3.1 (four rows).

    * §3.5: the guess θ = [1, 0, 0.5], put into an ``nn.Linear(2, 1)`` (bias 1, weights
      [0, 0.5]), predicts [2, 22, 16.5, 18.5] on the training rows and 11 for the new input
      x = [50, 20] (the text prints both);
    * eq. 3.5: the least-squares θ (``LinearRegression``, solved by SVD) zeroes the gradient
      −2X̃ᵀ(y − X̃θ) (eq. 3.4) and agrees with scikit-learn's ``LinearRegression``;
    * §3.4, Figure 3.1: dividing each row (x_i, y_i) by x_i1 (the wind) and fitting
      y_i/x_i1 = θ1 + θ2 x_i2/x_i1, as the text describes; checked against scikit-learn.
    The text prints no least-squares θ nor its prediction for [50, 20]: both are ours, beside
    scikit-learn's.
    """
    from sklearn.linear_model import LinearRegression as SkLinearRegression

    from ... import nn
    from ._worked import forward, set_linear
    X, y = datasets.energy_table(dtype=np.float64)
    x_new = np.array([[50.0, 20.0]])
    guess = set_linear(nn.Linear(2, 1), [[0.0, 0.5]], [1.0]).double()
    guess_train = forward(guess, X)[:, 0]
    guess_new = float(forward(guess, x_new)[0, 0])
    model = LinearRegression().fit(X, y)
    sk = SkLinearRegression().fit(X, y[:, 0])
    pred = float(model.predict(x_new)[0, 0])
    sk_pred = float(sk.predict(x_new)[0])
    # Figure 3.1: divide each row by its first attribute, then fit a line in x_i2 / x_i1
    Xd, yd = X[:, 1:] / X[:, :1], y[:, 0] / X[:, 0]
    divided = LinearRegression().fit(Xd, yd)
    sk_div = SkLinearRegression().fit(Xd, yd)
    theta_div = np.r_[np.ravel(divided.intercept_), np.ravel(divided.coef_)]
    fig_path = _energy_figure(model, X, y, guess_train, pred, Xd, yd, theta_div, cfg)
    text_guess = np.array([2.0, 22.0, 16.5, 18.5])
    return Result(
        metrics={"guess_train_max_error": float(np.abs(guess_train - text_guess).max()),
                 "guess_prediction_50_20": guess_new,
                 "bias": float(model.intercept_[0]), "w_wind": float(model.coef_[0, 0]),
                 "w_people": float(model.coef_[0, 1]), "prediction_50_20": pred,
                 "prediction_50_20_sklearn": sk_pred,
                 "prediction_minus_sklearn": abs(pred - sk_pred),
                 "normal_eq_residual": _normal_residual(X, y, model),
                 "divided_theta": theta_div.tolist(),
                 "divided_theta_minus_sklearn": float(np.abs(
                     theta_div - np.r_[sk_div.intercept_, sk_div.coef_]).max())},
        expected={"guess_train_max_error": Expect("<=", 1e-12, "the guess predicts [2, 22, "
                                                  "16.5, 18.5] on the table",
                                                  source="text: 001 §3.5"),
                  "guess_prediction_50_20": Expect("==", 11.0, "the guess predicts 11 for "
                                                   "x = [50, 20]", source="text: 001 §3.5"),
                  "normal_eq_residual": Expect("<=", 1e-8, "X̃ᵀ(y − X̃θ) = 0 at the minimum",
                                               source="text: 001 eq. 3.4"),
                  "prediction_minus_sklearn": Expect("<=", 1e-8, "the least-squares "
                                                     "prediction = scikit-learn's",
                                                     source="ours: scikit-learn"),
                  "divided_theta_minus_sklearn": Expect("<=", 1e-8, "Figure 3.1's fit = "
                                                        "scikit-learn's", source="ours: "
                                                        "scikit-learn")},
        figures=[fig_path], headline="guess_train_max_error")


def _energy_figure(model, X, y, guess_train, pred, Xd, yd, theta_div, cfg):
    """001 Table 3.1's predictions against the table, and Figure 3.1's springs on the divided
    rows."""
    from .plotting import plt, savefig
    fitted = model.predict(X)[:, 0]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    ax = axes[0]
    ax.scatter(y[:, 0], fitted, label="least squares")
    ax.scatter(y[:, 0], guess_train, marker="x", label="the guess θ = [1, 0, 0.5]")
    ax.scatter([pred], [pred], marker="*", s=150, label="x = [50, 20], least squares")
    lim = [0, 30]
    ax.plot(lim, lim, "k--", lw=0.8)
    ax.set_xlabel("energy (table)")
    ax.set_ylabel("prediction")
    ax.set_title("001 Table 3.1, §3.5")
    ax.legend(fontsize=8)
    ax = axes[1]
    ax.scatter(Xd[:, 0], yd, label="rows divided by the wind x_i1")
    line = np.linspace(0, Xd.max() * 1.1, 20)
    ax.plot(line, theta_div[0] + theta_div[1] * line, "k", label="θ1 + θ2 x_i2/x_i1")
    for xi, yi in zip(Xd[:, 0], yd):     # the springs of Figure 3.1
        ax.plot([xi, xi], [yi, theta_div[0] + theta_div[1] * xi], "C3:", lw=1)
    ax.set_xlabel("people / wind")
    ax.set_ylabel("energy / wind")
    ax.set_title("001 Figure 3.1: the springs")
    ax.legend(fontsize=8)
    return savefig(fig, cfg.figure("linreg-energy"))


# ------------------------------------------------------------------ 001 §4.7
@experiment("linreg-mle", source="001 §4.7, eq. 4.15, Figure 4.7",
            summary="maximum-likelihood noise variance and predictive samples with their band")
def linreg_mle(cfg: Config) -> Result:
    """y = 1 + 2x + ε, ε ~ N(0, 0.5²).  The MLE of θ is least squares (001 eq. 4.14), that of
    σ² the mean squared residual (eq. 4.15); new outputs are drawn from N(x*ᵀθ, σ²) (Figure
    4.7).  On fresh data about 95 % of the targets fall inside the ±1.96σ band."""
    from .plotting import plt, savefig
    gen = np.random.default_rng(cfg.seed)
    n = 100 if cfg.quick else 400
    sigma = 0.5
    x = gen.uniform(-3, 3, (n, 1))
    y = 1 + 2 * x[:, 0] + sigma * gen.standard_normal(n)
    model = LinearRegression().fit(x, y)
    x_new = gen.uniform(-3, 3, (2000, 1))
    y_new = 1 + 2 * x_new[:, 0] + sigma * gen.standard_normal(2000)
    half = 1.96 * np.sqrt(model.noise_variance_)
    coverage = float(np.mean(np.abs(y_new - model.predict(x_new)) <= half))
    grid = np.linspace(-3, 3, 7)[:, None]
    draws = model.sample(grid, n=200, random_state=cfg.seed)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(x[:, 0], y, s=8, alpha=0.5, label="training data")
    line = np.linspace(-3, 3, 50)[:, None]
    mean = model.predict(line)
    ax.plot(line[:, 0], mean, "k", label="x*ᵀθ")
    ax.fill_between(line[:, 0], mean - half, mean + half, alpha=0.2, label="±1.96σ")
    ax.scatter(np.repeat(grid[:, 0], 200), draws.T.ravel(), s=2, c="C3", alpha=0.3,
               label="samples ŷ ~ N(x*ᵀθ, σ²)")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("001 Figure 4.7: predicting from the trained model")
    ax.legend(fontsize=7)
    fig_path = savefig(fig, cfg.figure("linreg-mle"))
    from sklearn.linear_model import LinearRegression as SkLinearRegression
    sk = SkLinearRegression().fit(x, y)
    resid_var = float(np.mean((y - sk.predict(x)) ** 2))    # eq. 4.15 on scikit-learn's fit
    return Result(
        metrics={"sigma2_mle": float(model.noise_variance_), "sigma2_true": sigma ** 2,
                 "sigma2_rel_error": abs(model.noise_variance_ - sigma ** 2) / sigma ** 2,
                 "eq_4_15_gap": abs(model.noise_variance_ - resid_var),
                 "band_coverage": coverage, "sample_std": float(draws.std(0).mean()),
                 "theta_minus_sklearn": float(max(
                     np.abs(np.ravel(model.coef_) - sk.coef_).max(),
                     np.abs(np.ravel(model.intercept_) - sk.intercept_).max()))},
        expected={"eq_4_15_gap": Expect("<=", 1e-10, "σ² = the mean squared residual of "
                                        "scikit-learn's least-squares fit",
                                        source="ours: eq. 4.15 with scikit-learn"),
                  "theta_minus_sklearn": Expect("<=", 1e-10, "θ: least squares (eq. 4.14) = "
                                                "scikit-learn's", source="ours: scikit-learn"),
                  "sigma2_rel_error": Expect("<=", 0.35, "sd of σ̂² is √(2/n)σ² (n >= 100)",
                                             source="ours"),
                  "band_coverage": Expect(">=", 0.92, "≈ 95 % for a Gaussian", source="ours")},
        figures=[fig_path], headline="eq_4_15_gap")


# ------------------------------------------------------------------ 000 §3.4
def _mlp_rmse(Xtr, ytr, Xte, yte, cfg):
    """A 13-64-1 ReLU network trained by Adam on the standardised features (mini-batch 32)."""
    from ... import manual_seed
    manual_seed(cfg.seed)
    net = mlp([Xtr.shape[1], 64, 1])
    epochs = cfg.epochs or (40 if cfg.quick else 300)
    fit(net, Xtr.astype(np.float32), ytr.astype(np.float32), loss="mse",
        optimizer=optim.Adam(net.parameters(), lr=3e-3), epochs=epochs, batch_size=32,
        progress=False, seed=cfg.seed)
    pred = predict(net, Xte.astype(np.float32)).astype(np.float64)
    return float(np.sqrt(np.mean((pred - yte) ** 2))), pred


@experiment("house-prices", source="000 §3.4 (assignment), 001 §5.2, §5.6",
            summary="Boston housing: least squares vs ridge tuned by 5-fold CV vs an MLP")
def house_prices(cfg: Config) -> Result:
    """The regression assignment: predict the median house value (in $1000s) of Boston tracts.
    An 80/20 split (seeded), features standardised on the training part; ridge's δ² chosen by
    5-fold cross-validation (001 §5.6) on the training part only; the MLP is a one-hidden-layer
    ReLU network.  Reference: linear regression on Boston typically gives a test RMSE of
    4.5–5.5 and small MLPs about 3–4 (the spread is mostly the split)."""
    from .plotting import plt, savefig
    X, y = datasets.load_boston(dtype=np.float64)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=cfg.seed)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
    rmse = lambda m: float(np.sqrt(np.mean((m.predict(Xte) - yte) ** 2)))  # noqa: E731
    ols = LinearRegression().fit(Xtr, ytr)
    deltas = np.logspace(-3, 3, 13)
    search = GridSearchCV(Ridge(), {"alpha": list(deltas)}, cv=KFold(5, shuffle=True,
                          random_state=cfg.seed), scoring="neg_mean_squared_error").fit(Xtr, ytr)
    ridge = search.best_estimator_
    mlp_rmse, mlp_pred = _mlp_rmse(Xtr, ytr, Xte, yte, cfg)
    table = [{"model": "linear regression (normal equations)", "test RMSE": rmse(ols)},
             {"model": f"ridge, δ² = {search.best_params_['alpha']:.3g} (5-fold CV)",
              "test RMSE": rmse(ridge)},
             {"model": "MLP 13-64-1 ReLU (Adam)", "test RMSE": mlp_rmse}]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    axes[0].semilogx(deltas, -search.cv_results_["mean_test_score"], "o-")
    axes[0].axvline(search.best_params_["alpha"], color="k", ls="--")
    axes[0].set_xlabel("δ²")
    axes[0].set_ylabel("5-fold CV MSE")
    axes[0].set_title("ridge: choosing δ²")
    for pred, label in ((ols.predict(Xte), "linear"), (mlp_pred, "MLP")):
        axes[1].scatter(yte[:, 0], pred[:, 0], s=10, label=label)
    axes[1].plot([0, 50], [0, 50], "k--", lw=0.8)
    axes[1].set_xlabel("true MEDV")
    axes[1].set_ylabel("predicted")
    axes[1].legend()
    fig_path = savefig(fig, cfg.figure("house-prices"))
    return Result(
        metrics={"linreg_rmse": rmse(ols), "ridge_rmse": rmse(ridge), "mlp_rmse": mlp_rmse,
                 "ridge_alpha": float(search.best_params_["alpha"])},
        expected={"linreg_rmse": Expect("<=", 6.0, "OLS on Boston: 4.5–5.5 typical", source="ours"),
                  "ridge_rmse": Expect("<=", 6.0, "about OLS's error", source="ours"),
                  "mlp_rmse": Expect("<", rmse(ols), "the MLP captures the non-linearity",
                                     source="ours")},
        figures=[fig_path], headline="mlp_rmse", tables={"test RMSE": table})


# ------------------------------------------------------------------ 001 §5.4–5.5
def _curve_data(seed, n_train, n_test=400):
    gen = np.random.default_rng(seed)
    f = lambda x: np.sin(1.5 * x) + 0.3 * x  # noqa: E731
    x = np.sort(gen.uniform(-3, 3, n_train))[:, None]
    xt = gen.uniform(-3, 3, n_test)[:, None]
    return x, f(x[:, 0]) + 0.2 * gen.standard_normal(n_train), xt, f(xt[:, 0]), f


@experiment("poly-basis", source="001 §5.4, Figures 5.3–5.4",
            summary="polynomial basis functions: too few, enough and too many degrees")
def poly_basis(cfg: Config) -> Result:
    """φ(x) = [1, x, x², …] turns least squares into a curve fitter (001 eq. after Figure 5.3):
    the parabola y = 1 − x + 0.8x² + noise, fitted with degree 1 (underfits), 2 (the truth)
    and 15 (chases the noise of 20 points)."""
    from .plotting import plt, savefig
    gen = np.random.default_rng(cfg.seed)
    f = lambda x: 1 - x + 0.8 * x ** 2  # noqa: E731
    x = np.sort(gen.uniform(-1.5, 1.5, 20))[:, None]
    y = f(x[:, 0]) + 0.3 * gen.standard_normal(20)
    xt = gen.uniform(-1.5, 1.5, 500)[:, None]
    yt = f(xt[:, 0]) + 0.3 * gen.standard_normal(500)
    degrees = (1, 2, 15)
    line = np.linspace(-1.5, 1.5, 300)[:, None]
    out, rows = {}, []
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(x[:, 0], y, c="k", s=15, label="training data")
    for d in degrees:
        phi = PolynomialFeatures(d, include_bias=False).fit(x)
        model = Ridge(alpha=1e-9).fit(phi.transform(x), y)   # δ² tiny: least squares, stably
        tr = float(np.mean((model.predict(phi.transform(x)) - y) ** 2))
        te = float(np.mean((model.predict(phi.transform(xt)) - yt) ** 2))
        out[d] = (tr, te)
        if d == 2:      # the same fit by NumPy's polyfit, no nnscratch in it
            deg2_gap = float(np.abs(model.predict(phi.transform(line)).ravel()
                                    - np.polyval(np.polyfit(x[:, 0], y, 2), line[:, 0])).max())
        rows.append({"degree": d, "train MSE": tr, "test MSE": te})
        ax.plot(line[:, 0], model.predict(phi.transform(line)), label=f"degree {d}")
    ax.set_ylim(-1, 6)
    ax.legend()
    ax.set_title("001 §5.4: polynomial basis functions")
    fig_path = savefig(fig, cfg.figure("poly-basis"))
    return Result(
        metrics={"test_mse_deg1": out[1][1], "test_mse_deg2": out[2][1],
                 "test_mse_deg15": out[15][1], "train_mse_deg15": out[15][0],
                 "train_mse_deg2": out[2][0], "deg2_minus_numpy_polyfit": deg2_gap},
        expected={"test_mse_deg2": Expect("<", min(out[1][1], out[15][1]),
                                          "the right basis generalises best",
                                                  source="text: 001 Figure 5.3"),
                  "deg2_minus_numpy_polyfit": Expect("<=", 1e-6, "the degree-2 basis fit = "
                                                     "numpy.polyfit's", source="ours: NumPy")},
        figures=[fig_path], headline="test_mse_deg2", tables={"fits": rows})


@experiment("rbf-kernel", source="001 §5.5, Figures 5.5–5.6",
            summary="RBF kernel regression with too small, good and too large widths")
def rbf_kernel(cfg: Config) -> Result:
    """Kernel regression with φ(x) = [k(x, μ_i, λ)], k = exp(−‖x − μ‖²/λ), one centre per
    training input, fitted by ridge with a tiny δ².  λ = 0.001 makes spikes that pass
    through every training point and miss between them (overfitting, Figure 5.6 left);
    λ = 0.5 follows the curve; λ = 100 is nearly a straight line (underfitting, right)."""
    from .plotting import plt, savefig
    x, y, xt, yt, f = _curve_data(cfg.seed, 30)
    widths = {"small": 1e-3, "good": 0.5, "large": 100.0}
    line = np.linspace(-3, 3, 400)[:, None]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True)
    out, rows = {}, []
    for ax, (name, lam) in zip(axes, widths.items()):
        model = Ridge(alpha=1e-6)
        phi = RBFFeatures(centers=x, width=lam).fit(x)
        model.fit(phi.transform(x), y)
        tr = float(np.mean((model.predict(phi.transform(x)) - y) ** 2))
        te = float(np.mean((model.predict(phi.transform(xt)) - yt) ** 2))
        out[name] = (tr, te)
        rows.append({"width λ": lam, "train MSE": tr, "test MSE (vs f)": te})
        ax.plot(line[:, 0], f(line[:, 0]), "k:", label="f(x)")
        ax.plot(line[:, 0], model.predict(phi.transform(line)), label="fit")
        ax.scatter(x[:, 0], y, s=10, c="k")
        ax.set_title(f"λ = {lam:g} ({name})")
    axes[0].legend()
    fig_path = savefig(fig, cfg.figure("rbf-kernel"))
    # Figure 5.5's example: φ(x) = [1, k(x, 1, λ), k(x, 2, λ), k(x, 4, λ)], an n × 4 matrix,
    # against the formula k = exp(−‖x − μ‖²/λ) written out in NumPy; then θ by least squares
    lam5 = 0.5
    phi5 = np.hstack([np.ones((len(x), 1)), RBFFeatures(centers=np.array([[1.0], [2.0], [4.0]]),
                                                         width=lam5).fit(x).transform(x)])
    formula = np.hstack([np.ones((len(x), 1)),
                         np.exp(-(x - np.array([[1.0, 2.0, 4.0]])) ** 2 / lam5)])
    fig55_theta = LinearRegression(fit_intercept=False).fit(phi5, y).coef_.ravel()
    fig55_gap = float(np.abs(fig55_theta - np.linalg.lstsq(formula, y, rcond=None)[0]).max())
    return Result(
        metrics={"test_mse_small": out["small"][1], "test_mse_good": out["good"][1],
                 "test_mse_large": out["large"][1], "train_mse_small": out["small"][0],
                 "train_mse_good": out["good"][0],
                 "fig_5_5_features_minus_formula": float(np.abs(phi5 - formula).max()),
                 "fig_5_5_phi_columns": phi5.shape[1], "fig_5_5_theta_minus_lstsq": fig55_gap},
        expected={"test_mse_good": Expect("<", min(out["small"][1], out["large"][1]),
                                          "the middle width generalises",
                                                  source="text: 001 Figure 5.6"),
                  "fig_5_5_features_minus_formula": Expect(
                      "<=", 1e-12, "Figure 5.5: k(x, μ, λ) = exp(−‖x − μ‖²/λ), centres 1, 2, 4",
                      source="ours: the formula of 001 §5.5 in NumPy"),
                  "fig_5_5_phi_columns": Expect("==", 4, "Φ is n by 4", source="text: 001 §5.5"),
                  "fig_5_5_theta_minus_lstsq": Expect("<=", 1e-8, "θ_ls = (ΦᵀΦ)⁻¹Φᵀy",
                                                      source="ours: numpy.linalg.lstsq")},
        figures=[fig_path], headline="test_mse_good", tables={"widths": rows})


# ------------------------------------------------------------------ 001 §5.6
@experiment("ridge-cv", source="001 §5.6, Figures 5.7–5.8",
            summary="5-fold cross-validation error of RBF ridge regression against log δ²")
def ridge_cv(cfg: Config) -> Result:
    """001 Figure 5.8: RBF features (λ = 0.1, 25 centres) and ridge regression; the 5-fold CV
    mean-square error against log δ² falls, bottoms out and rises again: tiny δ² overfits,
    huge δ² shrinks every weight to 0.  The minimum is marked and checked against
    :class:`GridSearchCV`, which must pick the same δ²."""
    from .plotting import plt, savefig
    x, y, xt, yt, f = _curve_data(cfg.seed, 60)
    deltas = np.logspace(-8, 4, 13 if cfg.quick else 25)
    phi = RBFFeatures(centers=25, width=0.1).fit(x)
    P = phi.transform(x)
    folds = KFold(5, shuffle=True, random_state=cfg.seed)
    cv_mse = np.array([-cross_val_score(Ridge(alpha=a), P, y, cv=folds,
                                        scoring="neg_mean_squared_error").mean()
                       for a in deltas])
    best = int(np.argmin(cv_mse))
    # the same curve by scikit-learn (its Ridge and cross_val_score on our folds' indices)
    from sklearn.linear_model import Ridge as SkRidge
    from sklearn.model_selection import cross_val_score as sk_cross_val_score
    splits = [(np.asarray(a), np.asarray(b)) for a, b in folds.split(P)]
    sk_mse = np.array([-sk_cross_val_score(SkRidge(alpha=a), P, y, cv=splits,
                                           scoring="neg_mean_squared_error").mean()
                       for a in deltas])
    cv_gap = float(np.abs(cv_mse / sk_mse - 1).max())
    grid = GridSearchCV(Ridge(), {"alpha": list(deltas)}, cv=folds,
                        scoring="neg_mean_squared_error").fit(P, y)
    test = float(np.mean((grid.predict(phi.transform(xt)) - yt) ** 2))
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(np.log10(deltas), np.log10(cv_mse), "o-")
    ax.plot(np.log10(deltas[best]), np.log10(cv_mse[best]), "r*", ms=15, label="minimum")
    ax.set_xlabel("log10 δ²")
    ax.set_ylabel("log10 CV mean-square error")
    ax.set_title("001 Figure 5.8: 5-fold cross-validation")
    ax.legend()
    fig_path = savefig(fig, cfg.figure("ridge-cv"))
    return Result(
        metrics={"best_log10_delta2": float(np.log10(deltas[best])),
                 "cv_mse_min": float(cv_mse[best]), "cv_mse_smallest_delta": float(cv_mse[0]),
                 "cv_curve_minus_sklearn": cv_gap,
                 "cv_mse_largest_delta": float(cv_mse[-1]),
                 "grid_search_agrees": float(grid.best_params_["alpha"] == deltas[best]),
                 "test_mse_best": test},
        expected={"cv_mse_min": Expect("<", float(min(cv_mse[0], cv_mse[-1])),
                                       "an interior minimum", source="text: 001 Figure 5.8"),
                  "grid_search_agrees": Expect("==", 1.0, "GridSearchCV picks the same δ²",
                                               source="ours"),
                  "cv_curve_minus_sklearn": Expect("<=", 1e-6, "the CV curve = scikit-learn's "
                                                   "on the same folds (relative)",
                                                   source="ours: scikit-learn")},
        figures=[fig_path], headline="cv_mse_min")


# ------------------------------------------------------------------ 001 §5.2
@experiment("lasso-path", source="001 §5.2, Figures 5.1-5.2",
            summary="lasso coefficients against the regularisation strength: exact zeros")
def lasso_path(cfg: Config) -> Result:
    """Lasso (L1) on the standardised diabetes data (10 features): as α grows, weights hit
    exactly zero one after another (001 Figure 5.2's square corners), until all are zero at
    α >= max|Xᵀ(y − ȳ)|/n.  Ridge (L2) over the same range only shrinks: no exact zeros."""
    from .plotting import plt, savefig
    X, y = datasets.load_diabetes(dtype=np.float64)
    X = StandardScaler().fit_transform(X)
    y = y.ravel()
    alpha_max = float(np.abs(X.T @ (y - y.mean())).max() / len(y))
    alphas = alpha_max * np.logspace(-4, 0.2, 20 if cfg.quick else 60)
    lasso = Lasso(tol=1e-6, warm_start=True)
    coefs: list[np.ndarray] = []
    for a in alphas[::-1]:              # from all-zero down: each fit starts from the last
        coefs.append(lasso.set_params(alpha=a).fit(X, y).coef_.copy())
    path = np.array(coefs[::-1])
    ridge_path = np.array([Ridge(alpha=a * len(y)).fit(X, y).coef_ for a in alphas])
    zeros = (path == 0).sum(1)
    from sklearn.linear_model import Lasso as SkLasso
    from sklearn.linear_model import Ridge as SkRidge
    picks = range(0, len(alphas), 4)
    sk_lasso = np.array([SkLasso(alpha=alphas[i], tol=1e-10, max_iter=100_000).fit(X, y).coef_
                         for i in picks])
    sk_ridge = np.array([SkRidge(alpha=alphas[i] * len(y)).fit(X, y).coef_ for i in picks])
    scale = np.abs(path).max()
    # 001 §5.2.1, Figure 5.1: at δ = 0 ridge is least squares; as δ → ∞, θ → 0; in between
    # the constrained optimum sits where the cost's level curve touches θᵀθ = const, i.e. the
    # gradient of the cost is parallel to θ (eq. 5.1's gradient: Xᵀ(Xθ − y) = −δ² θ)
    from sklearn.linear_model import LinearRegression as SkLinearRegression
    ols = SkLinearRegression().fit(X, y).coef_
    ridge0 = Ridge(alpha=0.0).fit(X, y).coef_.ravel()
    ridge_big = Ridge(alpha=1e12).fit(X, y).coef_.ravel()
    d2 = 50.0
    th = Ridge(alpha=d2).fit(X, y).coef_.ravel()
    Xc, yc = X - X.mean(0), y - y.mean()
    tangency = float(np.abs(Xc.T @ (Xc @ th - yc) + d2 * th).max() / np.abs(Xc.T @ yc).max())
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    axes[0].semilogx(alphas, path)
    axes[0].set_title("lasso (L1): weights reach exactly 0")
    axes[1].semilogx(alphas, ridge_path)
    axes[1].set_title("ridge (L2, δ² = nα): weights only shrink")
    for ax in axes:
        ax.set_xlabel("α")
        ax.axhline(0, color="k", lw=0.5)
    axes[0].set_ylabel("coefficient")
    fig_path = savefig(fig, cfg.figure("lasso-path"))
    return Result(
        metrics={"zeros_at_smallest_alpha": int(zeros[0]), "zeros_at_largest_alpha":
                 int(zeros[-1]), "alphas_with_some_zeros": int(((zeros > 0) &
                                                               (zeros < X.shape[1])).sum()),
                 "ridge_exact_zeros": int((ridge_path == 0).sum()), "alpha_max": alpha_max,
                 "ridge_delta0_minus_least_squares": float(np.abs(ridge0 - ols).max()),
                 "ridge_delta_huge_max_weight": float(np.abs(ridge_big).max() / scale),
                 "ridge_tangency_residual": tangency,
                 "lasso_minus_sklearn": float(np.abs(path[list(picks)] - sk_lasso).max() / scale),
                 "ridge_minus_sklearn": float(np.abs(ridge_path[list(picks)] - sk_ridge).max()
                                              / scale)},
        expected={"zeros_at_largest_alpha": Expect("==", X.shape[1], "α >= α_max: all zero",
                                                   source="ours"),
                  "zeros_at_smallest_alpha": Expect("==", 0, "tiny α: least squares",
                                                    source="ours"),
                  "alphas_with_some_zeros": Expect(">=", 3, "features leave one by one",
                                                   source="text: 001 Figure 5.2"),
                  "ridge_delta0_minus_least_squares": Expect(
                      "<=", 1e-8, "δ = 0: the least-squares optimum (scikit-learn's)",
                      source="text: 001 §5.2.1"),
                  "ridge_delta_huge_max_weight": Expect("<=", 1e-6, "δ → ∞: θ → 0",
                                                        source="text: 001 §5.2.1"),
                  "ridge_tangency_residual": Expect("<=", 1e-10, "Figure 5.1: the cost's "
                                                    "gradient is −δ²θ, normal to the circle",
                                                    source="ours: eq. 5.1's gradient"),
                  "lasso_minus_sklearn": Expect("<=", 1e-3, "every 4th α: scikit-learn's Lasso "
                                                "(relative to the largest weight)",
                                                source="ours: scikit-learn"),
                  "ridge_minus_sklearn": Expect("<=", 1e-8, "every 4th α: scikit-learn's Ridge",
                                                source="ours: scikit-learn")},
        figures=[fig_path], headline="alphas_with_some_zeros")


# ------------------------------------------------------------------ 001 §7.6–7.7
@experiment("logreg-newton", source="001 §7.5–7.7, eq. 7.4–7.6",
            summary="IRLS (Newton) vs gradient descent for logistic regression on breast cancer")
def logreg_newton(cfg: Config) -> Result:
    """Breast-cancer diagnosis (30 standardised features), L2-penalised logistic regression
    (C = 1, so the optimum is finite).  Newton's method with the Hessian Xᵀ S X (IRLS, 001
    eq. 7.6) converges quadratically in a handful of iterations; full-batch gradient descent
    with the safe step 1/L needs thousands for the same weights."""
    from .plotting import plt, savefig
    X, y = datasets.load_breast_cancer(dtype=np.float64)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=cfg.seed, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
    t0 = time.perf_counter()
    newton = LogisticRegression(solver="newton", C=1.0).fit(Xtr, ytr)
    t_newton = time.perf_counter() - t0
    t0 = time.perf_counter()
    gd = LogisticRegression(solver="gd", C=1.0, tol=1e-5 if cfg.quick else 1e-6,
                            max_iter=200_000).fit(Xtr, ytr)
    t_gd = time.perf_counter() - t0
    diff = max(np.abs(gd.coef_ - newton.coef_).max(),
               np.abs(gd.intercept_ - newton.intercept_).max())
    # the same penalised problem by scikit-learn (C = 1, lbfgs to a tight tolerance)
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression
    sk = SkLogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(Xtr, ytr)
    sk_diff = float(max(np.abs(np.ravel(newton.coef_) - sk.coef_.ravel()).max(),
                        np.abs(np.ravel(newton.intercept_) - sk.intercept_).max()))
    best = newton.loss_curve_[-1]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(np.arange(1, len(gd.loss_curve_) + 1),
              np.maximum(np.asarray(gd.loss_curve_) - best, 1e-16), label="gradient descent")
    ax.loglog(np.arange(1, len(newton.loss_curve_) + 1),
              np.maximum(np.asarray(newton.loss_curve_) - best, 1e-16), "o-",
              label="Newton / IRLS")
    ax.set_xlabel("iteration")
    ax.set_ylabel("E(θ) − E(θ*)")
    ax.set_title("001 §7.7: Newton's method for logistic regression")
    ax.legend()
    fig_path = savefig(fig, cfg.figure("logreg-newton"))
    return Result(
        metrics={"newton_iterations": newton.n_iter_, "gd_iterations": gd.n_iter_,
                 "max_weight_diff": float(diff), "newton_test_accuracy": newton.score(Xte, yte),
                 "newton_minus_sklearn": sk_diff,
                 "gd_test_accuracy": gd.score(Xte, yte), "newton_seconds": t_newton,
                 "gd_seconds": t_gd},
        expected={"newton_iterations": Expect("<=", 12, "quadratic convergence (001 §7.5–7.7 "
                                              "prints no count)", source="ours"),
                  "gd_iterations": Expect(">=", 1000, "linear convergence, κ large", source="ours"),
                  "max_weight_diff": Expect("<=", 0.01, "the same minimiser", source="ours"),
                  "newton_minus_sklearn": Expect("<=", 1e-4, "the minimiser scikit-learn finds",
                                                 source="ours: scikit-learn"),
                  "newton_test_accuracy": Expect(">=", 0.95, "sklearn's LR: ~0.97 here",
                                                 source="ours")},
        figures=[fig_path], headline="newton_iterations")


# ------------------------------------------------------------------ 000 §5.5
@experiment("softmax-digits", source="000 §5.5 (assignment), 001 §7.8–7.9",
            summary="softmax regression on the UCI 8x8 digits")
def softmax_digits(cfg: Config) -> Result:
    """The multiclass assignment: 1,797 digits of 8×8 pixels scaled to [0, 1], a stratified
    75/25 split.  Softmax regression with the estimator's defaults (unpenalised, L-BFGS) and
    with scikit-learn's default penalty C = 1.  Reference: multinomial logistic regression
    reaches about 0.96–0.97 on this split size."""
    from .plotting import plt, savefig
    X, y = datasets.load_digits(dtype=np.float64)
    X = X / 16.0
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=cfg.seed, stratify=y)
    plain = SoftmaxRegression().fit(Xtr, ytr)
    model = SoftmaxRegression(C=1.0).fit(Xtr, ytr)
    pred = model.predict(Xte)
    conf = np.zeros((10, 10), dtype=int)
    np.add.at(conf, (yte, pred), 1)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    axes[0].imshow(conf, cmap="Blues")
    for i in range(10):
        for j in range(10):
            if conf[i, j]:
                axes[0].text(j, i, conf[i, j], ha="center", va="center", fontsize=7)
    axes[0].set_xlabel("predicted")
    axes[0].set_ylabel("true")
    axes[0].set_title("confusion matrix (C = 1)")
    axes[1].imshow(np.vstack([np.hstack(list(model.coef_[r * 5:(r + 1) * 5].reshape(5, 8, 8)))
                              for r in range(2)]), cmap="RdBu")
    axes[1].set_title("weights W_k as 8×8 images")
    axes[1].axis("off")
    fig_path = savefig(fig, cfg.figure("softmax-digits"))
    return Result(
        metrics={"accuracy": model.score(Xte, yte), "accuracy_unpenalised":
                 plain.score(Xte, yte), "lbfgs_iterations": model.n_iter_},
        expected={"accuracy": Expect(">=", 0.95, "our bar: 000 §5.5's assignment sets none",
                                     source="ours"),
                  "accuracy_unpenalised": Expect(">=", 0.94, "our bar, default settings",
                                                 source="ours")},
        figures=[fig_path], headline="accuracy")


# ------------------------------------------------------------------ 000 ch. 6
def _hamming_f1(Y, P):
    tp = float((Y * P).sum())
    fp = float(((1 - Y) * P).sum())
    fn = float((Y * (1 - P)).sum())
    return float(np.mean(Y != P)), 2 * tp / max(2 * tp + fp + fn, 1.0)


@experiment("multilabel-yeast", source="000 ch. 6 (eq. 6.1–6.3), §6.4 (assignment)",
            summary="Yeast multilabel: independent sigmoids vs sklearn MultiOutputClassifier "
                    "(Yeast stands in for the assignment's Kaggle data set)")
def multilabel_yeast(cfg: Config) -> Result:
    """000 §6.4's assignment points to a Kaggle multilabel data set that needs an account to
    download; the UCI Yeast set (shipped offline with the project's data) stands in: a
    standard multilabel benchmark of the same kind (several labels per sample).
    Yeast gene functions (103 features, 14 labels), standardised, 70/30 split.  One sigmoid
    per label trained on the summed BCE (000 eq. 6.3) with scikit-learn's default penalty
    C = 1, beside scikit-learn's ``MultiOutputClassifier(LogisticRegression())`` — the same
    model, so the Hamming loss and micro-F1 should agree.  Published binary-relevance logistic
    regression on Yeast: Hamming loss about 0.20."""
    from .plotting import plt, savefig
    X, Y = datasets.load_yeast(dtype=np.float64)
    Xtr, Xte, Ytr, Yte = train_test_split(X, Y, test_size=0.3, random_state=cfg.seed)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
    t0 = time.perf_counter()
    ours = MultiLabelClassifier(C=1.0).fit(Xtr, Ytr)
    t_ours = time.perf_counter() - t0
    ham, f1 = _hamming_f1(Yte, ours.predict(Xte))
    metrics = {"hamming_loss": ham, "micro_f1": f1, "fit_seconds": t_ours}
    expected = {"hamming_loss": Expect("<=", 0.22, "binary relevance LR on Yeast ≈ 0.20",
                                       source="ours")}
    rows = [{"model": "nnscratch MultiLabelClassifier(C=1)", "Hamming loss": ham,
             "micro-F1": f1}]
    try:        # scikit-learn is only the comparison baseline here, imported lazily
        from sklearn.linear_model import LogisticRegression as SkLR
        from sklearn.multioutput import MultiOutputClassifier
    except ImportError:
        SkLR = None
    if SkLR is not None:
        ref = MultiOutputClassifier(SkLR(max_iter=1000)).fit(Xtr, Ytr)
        sk_ham, sk_f1 = _hamming_f1(Yte, ref.predict(Xte))
        metrics.update(sklearn_hamming_loss=sk_ham, sklearn_micro_f1=sk_f1,
                       hamming_gap=abs(ham - sk_ham), f1_gap=abs(f1 - sk_f1))
        expected.update(hamming_gap=Expect("<=", 0.005, "same model as sklearn's", source="ours"),
                        f1_gap=Expect("<=", 0.01, "same model as sklearn's", source="ours"))
        rows.append({"model": "sklearn MultiOutputClassifier(LogisticRegression())",
                     "Hamming loss": sk_ham, "micro-F1": sk_f1})
    per_label = (ours.predict(Xte) == Yte).mean(0)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(np.arange(1, 15), per_label)
    ax.bar(np.arange(1, 15), Yte.mean(0), alpha=0.4, label="label frequency")
    ax.set_xlabel("label")
    ax.set_ylabel("per-label accuracy")
    ax.set_title("Yeast: one sigmoid per label")
    ax.legend()
    fig_path = savefig(fig, cfg.figure("multilabel-yeast"))
    return Result(metrics=metrics, expected=expected, figures=[fig_path],
                  headline="hamming_loss", tables={"Yeast test set": rows})
