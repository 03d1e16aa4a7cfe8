"""One learner's network: built from :class:`Settings`, trained in bounded steps, drawn as JSON.

A session trains exactly as the script of :func:`code.script` does (same seed, same data, same
mini-batch order), so the page and the shown code agree to the last bit.  Sessions live in a
:class:`SessionStore`: at most ``max_sessions`` at once, dropped after ``idle_seconds``
without a request.
"""
from __future__ import annotations

import secrets
import threading
import time

import numpy as np

from ... import nn, optim, regularization
from ... import random as nsrandom
from ...autograd import no_grad
from ...nn import functional as F
from ...tensor import tensor
from .data import FEATURES, feature_matrix, grid, make_dataset
from .settings import BadField, Settings

# Grad recording is one process-wide switch (autograd.no_grad), so two threads must not run
# the library at once: one drawing under no_grad would stop the other's graph.  Each request
# holds this lock for a bounded time (settings.MAX_STEPS_PER_REQUEST).
COMPUTE_LOCK = threading.Lock()

BOUNDARY_RESOLUTION = 50     # the output heat map, pixels per side
NEURON_RESOLUTION = 20       # each neuron's small heat map
MAX_HISTORY = 1000           # loss / gradient-norm points kept; beyond, every other is dropped
ACTIVATION_LAYERS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
                     "linear": nn.Identity}


def build_model(n_in: int, hidden, activation: str) -> nn.Sequential:
    """``Linear(n_in, h1), act, ..., Linear(h_last, 1)``: one output (a logit or a value)."""
    sizes = [n_in, *hidden, 1]
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(hidden):
            layers.append(ACTIVATION_LAYERS[activation]())
    return nn.Sequential(*layers)


def make_optimizer(s: Settings, params):
    if s.optimizer == "adam":
        return optim.Adam(params, lr=s.learning_rate)
    return optim.SGD(params, lr=s.learning_rate, momentum=0.9 if s.optimizer == "momentum"
                     else 0.0)


def data_loss(s: Settings, out, target):
    """Mean squared error for the regression plane, else logistic loss on the logit."""
    if s.regression:
        return F.mse_loss(out, target)
    return F.binary_cross_entropy_with_logits(out, target)


def penalty(s: Settings, model):
    """The L1 or L2 term added to the mini-batch loss (weight matrices only; the caller adds
    none for ``regularization="none"``)."""
    if s.regularization == "l1":
        return regularization.l1_penalty(model.parameters(), s.reg_rate)
    return regularization.l2_penalty(model.parameters(), s.reg_rate)


def _scaled(a: np.ndarray) -> np.ndarray:
    """Columns divided by their largest magnitude (a column of zeros stays zero)."""
    m = np.abs(a).max(0, keepdims=True)
    return a / np.where(m > 0, m, 1.0)


def _rounded(a) -> list:
    return np.round(np.asarray(a, dtype=np.float64), 4).tolist()


def feature_previews() -> dict:
    """Each input feature over the plane, scaled to [-1, 1] exactly as an active feature's
    picture is (``state()["neurons"][0]``): what the page shows, faded, on a feature that is
    switched off, so that one sees what switching it on would add."""
    g = grid(NEURON_RESOLUTION)
    return {f: _rounded(_scaled(feature_matrix(g, [f]))[:, 0]) for f in FEATURES}


class Session:
    """Data, model, optimizer and history for one browser tab."""

    def __init__(self, settings: Settings):
        s = self.settings = settings
        self.lock = threading.Lock()          # one request at a time per session
        self.touched = time.monotonic()
        self.xy_train, self.y_train, self.xy_test, self.y_test = make_dataset(
            s.dataset, s.noise, s.train_ratio, s.seed)
        self.X_train = feature_matrix(self.xy_train, s.features)
        self.X_test = feature_matrix(self.xy_test, s.features)
        self.grid_big = feature_matrix(grid(BOUNDARY_RESOLUTION), s.features)
        self.grid_small = feature_matrix(grid(NEURON_RESOLUTION), s.features)
        with COMPUTE_LOCK:
            nsrandom.manual_seed(s.seed)
            self.model = build_model(len(s.features), s.hidden, s.activation)
            self.losses = self._losses()
        self.optimizer = make_optimizer(s, self.model.parameters())
        self.order = nsrandom.rng(s.seed)     # the mini-batch order, its own stream
        self.linears = [m for m in self.model if isinstance(m, nn.Linear)]
        self.epoch = 0
        self.edits: list[tuple[int, int, int, int, float]] = []   # (epoch, layer, row, col, value)
        self.history: dict[str, list] = {"epoch": [0], "train_loss": [self.losses[0]],
                        "test_loss": [self.losses[1]], "grad_norm": [[0.0] * len(self.linears)]}

    @property
    def steps_per_epoch(self) -> int:
        return -(-len(self.X_train) // self.settings.batch_size)

    def _losses(self) -> tuple[float, ...]:     # (training loss, test loss)
        with no_grad():
            return tuple(float(data_loss(self.settings, self.model(tensor(X)), tensor(y)).item())
                         for X, y in ((self.X_train, self.y_train), (self.X_test, self.y_test)))

    def _epoch(self) -> list[float]:
        """One pass over the training points in shuffled mini-batches; returns each Linear
        layer's gradient norm ‖(∂L/∂W, ∂L/∂b)‖₂ averaged over the pass."""
        s, model = self.settings, self.model
        norms = np.zeros(len(self.linears))
        perm = self.order.permutation(len(self.X_train))
        for i in range(0, len(perm), s.batch_size):
            idx = perm[i:i + s.batch_size]
            loss = data_loss(s, model(tensor(self.X_train[idx])), tensor(self.y_train[idx]))
            if s.regularization != "none":
                loss = loss + penalty(s, model)
            self.optimizer.zero_grad()
            loss.backward()
            for k, layer in enumerate(self.linears):
                norms[k] += np.sqrt(sum(float((np.asarray(p.grad) ** 2).sum())  # type: ignore[misc,union-attr]
                                        for p in (layer.weight, layer.bias)))
            self.optimizer.step()
        return (norms / self.steps_per_epoch).tolist()

    @property
    def diverged(self) -> bool:
        """The loss went NaN or infinite: training stops here (the page says so and offers a
        reset; more steps would only compute with NaN)."""
        return not all(np.isfinite(self.losses))

    def train(self, epochs: int) -> None:
        with COMPUTE_LOCK:
            for _ in range(epochs):
                if self.diverged:
                    break
                norms = self._epoch()
                self.epoch += 1
                self.losses = self._losses()
                h = self.history
                for key, v in (("epoch", self.epoch), ("train_loss", self.losses[0]),
                               ("test_loss", self.losses[1]), ("grad_norm", norms)):
                    h[key].append(v)
                if len(h["epoch"]) > MAX_HISTORY:
                    for key in h:
                        h[key] = h[key][::2]

    def set_weight(self, layer: int, row: int, column: int, value: float) -> None:
        """Set ``weight[row, column]`` of Linear layer ``layer`` by hand (the page's weight
        editor), as TensorFlow Playground allows; training goes on from there.  The edit is
        recorded with the epoch it was made after, so "show the code" repeats it."""
        with COMPUTE_LOCK, no_grad():
            self.linears[layer].weight[row, column] = value
            self.losses = self._losses()
        self.edits.append((self.epoch, layer, row, column, value))

    def _pictures(self) -> tuple[list, list]:
        """The output over the plane in [-1, 1] (2p - 1 for a class probability p, the value
        itself, clipped, for regression), and each neuron's output over the plane scaled to
        [-1, 1], inputs first, layer by layer."""
        with COMPUTE_LOCK, no_grad():
            out = self.model(tensor(self.grid_big)).numpy()[:, 0]
            h = tensor(self.grid_small)
            layers = [_scaled(self.grid_small)]
            for module in self.model:
                h = module(h)
                if not isinstance(module, nn.Linear):
                    layers.append(_scaled(h.numpy()))
        boundary = np.clip(out, -1, 1) if self.settings.regression else np.tanh(out / 2)
        return _rounded(boundary), [_rounded(a.T) for a in layers]

    def state(self, points: bool = False) -> dict:
        """Everything the page draws.  ``points`` adds the data points (they change only when
        the settings do, so training steps leave them out)."""
        boundary, neurons = self._pictures()
        d = {"settings": self.settings.to_json(), "epoch": self.epoch,
             "train_loss": self.losses[0], "test_loss": self.losses[1],
             "history": self.history, "resolution": BOUNDARY_RESOLUTION,
             "neuron_resolution": NEURON_RESOLUTION, "boundary": boundary, "neurons": neurons,
             "weights": [_rounded(layer.weight.numpy()) for layer in self.linears],
             "biases": [_rounded(layer.bias.numpy())  # type: ignore[union-attr]  # all have one
                        for layer in self.linears],
             "steps_per_epoch": self.steps_per_epoch, "diverged": self.diverged}
        if points:
            d["points"] = {"train": _rounded(np.hstack([self.xy_train, self.y_train])),
                           "test": _rounded(np.hstack([self.xy_test, self.y_test]))}
        return d


class SessionStore:
    """The live sessions by id: at most ``max_sessions``, each dropped ``idle_seconds`` after
    its last request."""

    def __init__(self, max_sessions: int = 16, idle_seconds: float = 600.0,
                 clock=time.monotonic):
        self.max_sessions, self.idle_seconds, self.clock = max_sessions, idle_seconds, clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._sessions)

    def sweep(self) -> None:
        """Forget the sessions idle for longer than ``idle_seconds``."""
        now = self.clock()
        with self._lock:
            for sid in [k for k, s in self._sessions.items()
                        if s is not None and now - s.touched > self.idle_seconds]:
                del self._sessions[sid]

    def create(self, settings: Settings) -> tuple[str, Session]:
        self.sweep()
        with self._lock:
            if len(self._sessions) >= self.max_sessions:
                raise BadField("session", f"the server already has {self.max_sessions} live "
                                          f"sessions (the limit); close a tab or wait "
                                          f"{self.idle_seconds:.0f} s for idle ones to expire")
            sid = secrets.token_hex(8)
            self._sessions[sid] = None  # type: ignore[assignment]  # reserve the place while building
        try:
            session = Session(settings)
        except BaseException:
            with self._lock:
                del self._sessions[sid]
            raise
        session.touched = self.clock()
        with self._lock:
            self._sessions[sid] = session
        return sid, session

    def get(self, sid: str) -> Session:
        """The session ``sid`` (marked as used now); KeyError when unknown or expired."""
        self.sweep()
        with self._lock:
            session = self._sessions.get(sid)
            if session is None:
                raise KeyError(sid)
            session.touched = self.clock()
            return session

    def replace(self, sid: str, settings: Settings) -> Session:
        """New settings for a live session: a fresh network in the same place."""
        self.get(sid)
        session = Session(settings)
        session.touched = self.clock()
        with self._lock:
            if sid not in self._sessions:
                raise KeyError(sid)
            self._sessions[sid] = session
        return session

    def remove(self, sid: str) -> bool:
        with self._lock:
            return self._sessions.pop(sid, None) is not None
