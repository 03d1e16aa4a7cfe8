"""003 §3.3.2's two early-stopping criteria, measured on a net that overfits: the error change
criterion (as the library's EarlyStopping callback implements it, against the rule written in
NumPy) and the weight change criterion max_i |w_i^(t-10) - w_i^(t)| <= ρ."""
from __future__ import annotations

import numpy as np

from ... import nn, optim
from ... import random as nsrandom
from ...autograd import no_grad
from ...tensor import tensor
from ...training import Callback, EarlyStopping, fit
from .registry import Config, Expect, Result, experiment

WINDOW = 10      # 003 §3.3.2: "a window of, say, 10 epochs"; "epochs, say, t - 10 and t"
EXTRA = 10       # "continue training for a fixed number of epochs": ours
RHO = 0.01       # "some predefined threshold": ours


class _Recorder(Callback):
    """After every epoch: the validation loss, every weight and bias (one flat vector) and the
    test MSE against the noise-free curve."""

    def __init__(self, grid):
        self.grid, self.val, self.weights, self.test = grid, [], [], []

    def on_epoch_end(self, epoch, logs=None):
        self.val.append(float(logs["val_loss"]))
        self.weights.append(np.concatenate([p.detach().numpy().ravel()
                                            for p in self.model.parameters()]))
        with no_grad():
            pred = self.model(tensor(self.grid)).numpy()
        self.test.append(float(np.mean((pred - np.sin(self.grid)) ** 2)))


def error_change_pause(val: np.ndarray, window: int) -> int | None:
    """The first epoch (0-based) after which the validation error has not dropped below its
    best for ``window`` epochs in a row; None if that never happens."""
    best, wait = np.inf, 0
    for epoch, v in enumerate(val):
        if v < best:
            best, wait = v, 0
            continue
        wait += 1
        if wait >= window:
            return epoch
    return None


def weight_change_stop(weights: np.ndarray, window: int, rho: float) -> int | None:
    """The first epoch t with max_i |w_i^(t - window) - w_i^(t)| <= rho; None if none."""
    change = np.abs(weights[window:] - weights[:-window]).max(axis=1)
    hits = np.nonzero(change <= rho)[0]
    return int(hits[0]) + window if len(hits) else None


def _net_and_data(seed):
    """20 noisy training and 20 noisy validation points of sin x on [-3, 3] (noise 0.3), a
    200-point test grid, and a fresh 1-50-50-1 tanh net (2,701 parameters)."""
    g = nsrandom.rng(seed)
    x = np.sort(g.uniform(-3, 3, 20)).astype(np.float32)[:, None]
    y = (np.sin(x) + 0.3 * g.standard_normal(x.shape)).astype(np.float32)
    xv = g.uniform(-3, 3, (20, 1)).astype(np.float32)
    yv = (np.sin(xv) + 0.3 * g.standard_normal(xv.shape)).astype(np.float32)
    grid = np.linspace(-3, 3, 200, dtype=np.float32)[:, None]
    nsrandom.manual_seed(seed)
    net = nn.Sequential(nn.Linear(1, 50), nn.Tanh(), nn.Linear(50, 50), nn.Tanh(),
                        nn.Linear(50, 1))
    return net, (x, y), (xv, yv), grid


def _fit(net, train, val, epochs, callbacks):
    opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    fit(net, *train, loss="mse", optimizer=opt, epochs=epochs, batch_size=len(train[0]),
        validation_data=val, callbacks=callbacks, progress=False, shuffle=False)


@experiment("early-stopping-criteria", source="003 §3.3.2",
            summary="early stopping by the error change criterion (10-epoch window) and by "
                    "the weight change criterion max_i |w_i^(t-10) - w_i^(t)| <= ρ")
def early_stopping_criteria(cfg: Config) -> Result:
    """003 §3.3.2 describes two ways to stop training early.  The *error change criterion*:
    pause when the validation error has not dropped over a window of 10 epochs, then train a
    fixed number of epochs more (10 here) and stop.  The *weight change criterion*: stop when
    max_i |w_i^(t-10) - w_i^(t)| <= ρ (ρ = 0.01 here).  The text gives the rules, not a
    setting or a number; ours: a 1-50-50-1 tanh net fitted by full-batch SGD (lr 0.1,
    momentum 0.9) to 20 noisy points of sin x (noise 0.3) with 20 more as the validation
    set, for 3,000 epochs (1,500 in quick mode): it overfits, and the test MSE against the
    noise-free sin x on a 200-point grid is measured after every epoch.

    Checks: the library's ``EarlyStopping(patience=10)`` pauses at the epoch the rule written
    in NumPy finds on the recorded validation curve; the error change criterion stops with a
    test MSE below 0.9 of the one after all the epochs (what early stopping is for), the
    weight change criterion below it.  Measured (test MSE at the stop / after all epochs):
    seed 0, 3,000 epochs: 0.76 and 0.76; 1,500 epochs, seeds 0 / 1 / 2: error change
    0.80 / 0.09 / 0.26, weight change 0.80 / 0.88 / 0.74 — the weight change criterion is a
    convergence test: on seed 1 it fires only at epoch 1,159, long after the best
    validation epoch (126).  The relative
    variant the text mentions (a threshold as a percentage of w_i^(t)) is reported as
    max_i |Δw_i| / max_i |w_i^(t)| at the stop, not checked.
    """
    epochs = cfg.epochs or (1500 if cfg.quick else 3000)
    net, train, val, grid = _net_and_data(cfg.seed)
    rec = _Recorder(grid)
    _fit(net, train, val, epochs, [rec])
    val_curve, W, test = np.array(rec.val), np.array(rec.weights), np.array(rec.test)

    pause = error_change_pause(val_curve, WINDOW)
    net2, *_ = _net_and_data(cfg.seed)
    stopper = EarlyStopping(monitor="val_loss", patience=WINDOW)
    _fit(net2, train, val, epochs, [stopper])
    library_pause = stopper.stopped_epoch
    error_stop = min(pause + EXTRA, epochs - 1) if pause is not None else epochs - 1
    weight_stop = weight_change_stop(W, WINDOW, RHO)
    w_stop = weight_stop if weight_stop is not None else epochs - 1
    final = test[-1]
    relative = float(np.abs(W[w_stop] - W[w_stop - WINDOW]).max() / np.abs(W[w_stop]).max())

    path = _stopping_figure(epochs, val_curve, test, error_stop, w_stop, cfg)
    ours = "ours: 003 §3.3.2's rule written in NumPy"
    return Result(
        metrics={"pause_epoch_numpy": -1 if pause is None else pause,
                 "pause_epoch_library": -1 if library_pause is None else library_pause,
                 "pause_library_minus_numpy": (-1 if library_pause is None else library_pause)
                 - (-1 if pause is None else pause),
                 "error_change_stop_epoch": error_stop, "weight_change_stop_epoch": w_stop,
                 "test_mse_final": float(final),
                 "test_mse_error_change_stop": float(test[error_stop]),
                 "test_mse_weight_change_stop": float(test[w_stop]),
                 "error_change_over_final": float(test[error_stop] / final),
                 "weight_change_over_final": float(test[w_stop] / final),
                 "relative_weight_change_at_stop": relative,
                 "best_val_epoch": int(val_curve.argmin())},   # epochs 0-based, as fit's
        expected={"pause_library_minus_numpy": Expect("==", 0, "EarlyStopping(patience=10) "
                                                      "pauses where the rule does", source=ours),
                  "pause_epoch_numpy": Expect(">=", 0, "the error change criterion fires",
                                              source=ours),
                  "error_change_over_final": Expect("<", 0.9, "stopping by the error change "
                                                    "criterion overfits less", source="ours"),
                  "weight_change_over_final": Expect("<", 1.0, "stopping by the weight change "
                                                     "criterion overfits less", source="ours")},
        figures=[path], headline="error_change_over_final",
        tables={"stops": [{"criterion": "error change (window 10, then 10 more)",
                           "epoch": error_stop, "test MSE": round(float(test[error_stop]), 4)},
                          {"criterion": f"weight change (ρ = {RHO})", "epoch": w_stop,
                           "test MSE": round(float(test[w_stop]), 4)},
                          {"criterion": "none (all epochs)", "epoch": epochs - 1,
                           "test MSE": round(float(final), 4)}]})


def _stopping_figure(epochs, val_curve, test, error_stop, w_stop, cfg):
    """The validation and test curves with the two stopping epochs."""
    from .plotting import plt, savefig
    fig, ax = plt.subplots(figsize=(7, 4))
    e = np.arange(1, epochs + 1)     # epochs counted from 1 on the log axis
    ax.plot(e, val_curve, label="validation MSE (20 noisy points)")
    ax.plot(e, test, label="test MSE (noise-free sin x)")
    ax.axvline(error_stop + 1, color="C2", ls="--",
               label=f"error change: stop after epoch {error_stop + 1}")
    ax.axvline(w_stop + 1, color="C3", ls=":",
               label=f"weight change (ρ = {RHO}): stop after epoch {w_stop + 1}")
    ax.set(xscale="log", yscale="log", xlabel="epoch (log scale)", ylabel="MSE",
           title="003 §3.3.2: two early-stopping criteria")
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.legend(fontsize=8)
    return savefig(fig, cfg.figure("early_stopping_criteria"))
