"""The one table of optimizer names: ``nnscratch train --optimizer NAME`` and
``nnscratch.optimize.minimize(f, x0, NAME)`` both look names up here.

Each name is a rule of :mod:`nnscratch.optim` with fixed options and two default step sizes:
``lr`` for training a network (the CLI) and ``minimize_lr`` for minimising a smooth function
of a few variables (``None``: ``minimize`` does not offer it).  The first five are the rules
the texts teach (000 §1.2-1.4, eqs. 1.11-1.27).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    name: str
    optimizer: str                          # class name in nnscratch.optim
    options: dict = field(default_factory=dict)
    lr: float = 1e-3                        # default for training a network
    minimize_lr: float | None = None        # default for minimize; None: not offered there
    formula: str = ""

    def optimizer_class(self):
        from .. import optim
        return getattr(optim, self.optimizer)


ENTRIES = (
    Entry("gd", "SGD", {}, lr=0.1, minimize_lr=1e-3,
          formula="x <- x - lr g  (000 eq. 1.11)"),
    # the textbooks' momentum, m <- b m + (1 - b) g (000 eq. 1.17): dampening = momentum
    Entry("momentum", "SGD", {"momentum": 0.9, "dampening": 0.9}, lr=0.5, minimize_lr=1e-3,
          formula="m <- b m + (1-b) g; x <- x - lr m  (000 eq. 1.17)"),
    Entry("adagrad", "Adagrad", {}, lr=1e-2, minimize_lr=1e-2,
          formula="v <- v + g^2; x <- x - lr g / (sqrt(v) + eps)  (000 eq. 1.20)"),
    Entry("rmsprop", "RMSprop", {}, lr=1e-3, minimize_lr=1e-2,
          formula="v <- b v + (1-b) g^2; x <- x - lr g / (sqrt(v) + eps)  (000 eq. 1.22)"),
    Entry("adam", "Adam", {}, lr=1e-3, minimize_lr=1e-3,
          formula="bias-corrected m and v  (000 eqs. 1.23-1.27)"),
    Entry("adamw", "AdamW", {}, lr=1e-3, formula="Adam with decoupled weight decay"),
    Entry("adadelta", "Adadelta", {}, lr=1.0, formula="RMS of steps / RMS of gradients"),
    Entry("adamax", "Adamax", {}, lr=2e-3, formula="Adam with an infinity-norm second moment"),
    Entry("nadam", "NAdam", {}, lr=2e-3, formula="Adam with Nesterov momentum"),
)
ALIASES = {"sgd": "gd"}        # torch's name for plain gradient descent
BY_NAME = {e.name: e for e in ENTRIES}


def lookup(name: str) -> Entry:
    """The entry for ``name`` (or an alias); a ValueError listing the names otherwise."""
    entry = BY_NAME.get(ALIASES.get(name, name))
    if entry is None:
        raise ValueError(f"unknown optimizer {name!r}; choose from {names()}")
    return entry


def names(minimize: bool = False) -> list[str]:
    """Every name in table order (only those ``minimize`` offers, if asked)."""
    return [e.name for e in ENTRIES if not minimize or e.minimize_lr is not None]
