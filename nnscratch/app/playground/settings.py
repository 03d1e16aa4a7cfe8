"""What the page may ask for, checked field by field before anything is built.

Every request body is untrusted JSON.  :func:`parse_settings` turns it into a
:class:`Settings` or raises :class:`BadField` naming the field, the allowed values and what it
got; the server answers that with HTTP 400.  The bounds also bound the work: at most 6 hidden
layers of 8 neurons, and :func:`parse_epochs` at most ``MAX_STEPS_PER_REQUEST`` mini-batch
updates per request.
"""
from __future__ import annotations

import dataclasses
import math

from .data import DATASETS, FEATURES, REGRESSION

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
OPTIMIZERS = ("sgd", "momentum", "adam")
REGULARIZATIONS = ("none", "l1", "l2")
MAX_LAYERS, MAX_NEURONS = 6, 8
MAX_EPOCHS_PER_REQUEST = 100
MAX_STEPS_PER_REQUEST = 5000       # mini-batch updates, about 2 s of the largest network


class BadField(ValueError):
    """A request field that is missing, of the wrong type or out of range (HTTP 400)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclasses.dataclass(frozen=True)
class Settings:
    """One network and data set; the defaults are TensorFlow Playground's."""
    dataset: str = "circle"
    noise: float = 0.0                      # percent, 0-50
    train_ratio: float = 50.0               # percent of the points used for training, 10-90
    features: tuple = ("x1", "x2")
    hidden: tuple = (4, 2)                  # neurons per hidden layer
    activation: str = "tanh"
    learning_rate: float = 0.03
    optimizer: str = "sgd"
    regularization: str = "none"
    reg_rate: float = 0.0
    batch_size: int = 10
    seed: int = 0

    @property
    def regression(self) -> bool:
        return self.dataset in REGRESSION

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        d["features"], d["hidden"] = list(self.features), list(self.hidden)
        return d


def _number(v, field, lo, hi, lo_open=False):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise BadField(field, f"must be a finite number, got {v!r}")
    if (v <= lo if lo_open else v < lo) or v > hi:
        raise BadField(field, f"must be in {'(' if lo_open else '['}{lo}, {hi}], got {v!r}")
    return float(v)


def _integer(v, field, lo, hi):
    if isinstance(v, float) and v.is_integer():
        v = int(v)                          # JavaScript numbers arrive as 10 or 10.0
    if isinstance(v, bool) or not isinstance(v, int):
        raise BadField(field, f"must be an integer, got {v!r}")
    if not lo <= v <= hi:
        raise BadField(field, f"must be in [{lo}, {hi}], got {v}")
    return v


def _choice(v, field, choices):
    if v not in choices or not isinstance(v, str):
        raise BadField(field, f"must be one of {', '.join(choices)}; got {v!r}")
    return v


def _object(body, field="body"):
    if not isinstance(body, dict):
        raise BadField(field, f"must be a JSON object, got {type(body).__name__}")
    return body


def _features(v, k):
    if not isinstance(v, list) or not v:
        raise BadField(k, f"must be a non-empty list of feature names, got {v!r}")
    for f in v:
        _choice(f, k, tuple(FEATURES))
    if len(set(v)) != len(v):
        raise BadField(k, f"lists a feature twice: {v!r}")
    return tuple(f for f in FEATURES if f in v)             # the page's fixed order


def _hidden(v, k):
    if not isinstance(v, list) or len(v) > MAX_LAYERS:
        raise BadField(k, f"must be a list of 0 to {MAX_LAYERS} layer sizes, got {v!r}")
    return tuple(_integer(n, k, 1, MAX_NEURONS) for n in v)


# each setting's check: (value, field name) -> the checked value
_CHECKS = {
    "dataset": lambda v, k: _choice(v, k, DATASETS),
    "noise": lambda v, k: _number(v, k, 0, 50),
    "train_ratio": lambda v, k: _number(v, k, 10, 90),
    "features": _features,
    "hidden": _hidden,
    "activation": lambda v, k: _choice(v, k, ACTIVATIONS),
    "learning_rate": lambda v, k: _number(v, k, 0, 10, lo_open=True),
    "optimizer": lambda v, k: _choice(v, k, OPTIMIZERS),
    "regularization": lambda v, k: _choice(v, k, REGULARIZATIONS),
    "reg_rate": lambda v, k: _number(v, k, 0, 10),
    "batch_size": lambda v, k: _integer(v, k, 1, 100),
    "seed": lambda v, k: _integer(v, k, 0, 2**31 - 1),
}


def parse_settings(body) -> Settings:
    """Check a JSON object of settings; missing fields take the defaults, unknown ones fail."""
    body = _object(body)
    unknown = sorted(set(body) - set(_CHECKS))
    if unknown:
        raise BadField(unknown[0],
                       f"is not a setting; the settings are {', '.join(sorted(_CHECKS))}")
    return dataclasses.replace(Settings(), **{k: _CHECKS[k](v, k) for k, v in body.items()})


def parse_epochs(body, steps_per_epoch: int) -> int:
    """The ``epochs`` of a step request: 1-100, and at most ``MAX_STEPS_PER_REQUEST``
    mini-batch updates in all (``epochs × steps_per_epoch``)."""
    body = _object(body)
    unknown = sorted(set(body) - {"epochs"})
    if unknown:
        raise BadField(unknown[0], "is not a field of a step request (only epochs)")
    epochs = _integer(body.get("epochs", 1), "epochs", 1, MAX_EPOCHS_PER_REQUEST)
    if epochs * steps_per_epoch > MAX_STEPS_PER_REQUEST:
        raise BadField("epochs", f"{epochs} epochs of {steps_per_epoch} mini-batches exceed "
                                 f"{MAX_STEPS_PER_REQUEST} updates per request; ask for at most "
                                 f"{max(1, MAX_STEPS_PER_REQUEST // steps_per_epoch)}")
    return epochs


MAX_WEIGHT = 100.0           # a weight typed on the page: |value| <= this


def parse_weight(body, shapes) -> tuple[int, int, int, float]:
    """A weight set by hand: ``{"layer": l, "row": j, "column": i, "value": v}`` names entry
    ``(j, i)`` of Linear layer ``l``'s weight (``shapes[l]`` is its ``(out, in)`` shape, so
    ``j`` is the neuron it feeds and ``i`` the input it reads); ``v`` is a finite number of at
    most ``MAX_WEIGHT`` in magnitude.  Returns ``(l, j, i, v)``."""
    body = _object(body)
    fields = ("layer", "row", "column", "value")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise BadField(unknown[0], f"is not a field of a weight; the fields are "
                                   f"{', '.join(fields)}")
    missing = [f for f in fields if f not in body]
    if missing:
        raise BadField(missing[0], "is missing: a weight needs layer, row, column and value")
    layer = _integer(body["layer"], "layer", 0, len(shapes) - 1)
    out, inp = shapes[layer]
    row = _integer(body["row"], "row", 0, out - 1)
    column = _integer(body["column"], "column", 0, inp - 1)
    return layer, row, column, _number(body["value"], "value", -MAX_WEIGHT, MAX_WEIGHT)
