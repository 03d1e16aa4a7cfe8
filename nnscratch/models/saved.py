"""Saved classifiers: one file holding the weights, the architecture that rebuilds them and the
preprocessing (the fitted feature scaler) that the weights expect.

``save_model(path, net, architecture, scaler=None, **extra)`` writes it with ``ns.save`` (no
pickle); ``load_model(path)`` returns an ``nn.Module`` that applies the scaler, then the network,
to raw features, so ``ns.predict(ns.load_model(path), X)`` needs nothing else.  ``nnscratch
train --save`` writes this format; ``nnscratch predict`` and ``nnscratch evaluate`` read it.

File layout (a dict)::

    architecture   {"builder": "mlp", "sizes": [n_in, *hidden, n_out], "activation": "relu"}
    model          the network's state_dict (without the scaler)
    preprocessing  {"scaler": "standard", "mean": (F,), "scale": (F,)} or {"scaler": None}
    config, history, ...   whatever else the writer adds (``nnscratch train``: its arguments)
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from .. import nn
from .._bounded_io import check_regular
from ..serialization import load, save
from ..tensor import Tensor
from .mlp import mlp

__all__ = ["Standardize", "SavedModel", "build_mlp", "save_model", "load_model", "ACTIVATIONS"]

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def build_mlp(sizes: list[int], activation: str = "relu") -> nn.Sequential:
    """The network an ``{"builder": "mlp"}`` architecture names: Linear layers of widths
    ``sizes`` (input first) with ``activation`` between them (one layer: softmax regression)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"build_mlp: activation must be one of {sorted(ACTIVATIONS)}, "
                         f"got {activation!r}")
    return mlp(list(sizes), activation=ACTIVATIONS[activation])


class Standardize(nn.Module):
    """``(x - mean) / scale`` per feature: a fitted ``StandardScaler`` as a layer.

    Shape:
        x: ``(N, F)`` -> ``(N, F)``; buffers ``mean`` and ``scale``: ``(F,)``.
    """

    mean: Tensor
    scale: Tensor

    def __init__(self, mean: np.ndarray, scale: np.ndarray):
        super().__init__()
        mean, scale = np.asarray(mean, np.float64), np.asarray(scale, np.float64)
        if mean.ndim != 1 or mean.shape != scale.shape:
            raise ValueError(f"Standardize: mean and scale must be (F,) vectors of one length, "
                             f"got {mean.shape} and {scale.shape}")
        self.register_buffer("mean", mean)
        self.register_buffer("scale", scale)

    def forward(self, x: Tensor) -> Tensor:
        dtype = x.numpy().dtype if isinstance(x, Tensor) else np.asarray(x).dtype
        return (x - self.mean._data.astype(dtype)) / self.scale._data.astype(dtype)


class SavedModel(nn.Sequential):
    """A loaded classifier: ``Sequential(preprocess, net)`` taking raw features.

    ``config`` is the file's ``config`` entry (for ``nnscratch train``: the data set, optimizer,
    epochs … it was trained with), ``architecture`` its architecture entry.
    """

    config: dict
    architecture: dict


def _architecture(state: dict, owner: str) -> dict:
    arch = state.get("architecture")
    if arch is None and "config" in state:   # files written before the architecture entry
        c = state["config"]
        hidden = list(c.get("hidden", [])) if c.get("model") == "mlp" else []
        arch = {"builder": "mlp", "sizes": [int(c["n_in"]), *hidden, int(c["n_out"])],
                "activation": c.get("activation", "relu")}
    if not isinstance(arch, dict) or arch.get("builder") != "mlp":
        raise ValueError(f"{owner}: the file has no architecture nnscratch can rebuild "
                         f"(expected {{'builder': 'mlp', ...}}, got {arch!r}); was it written "
                         f"by ns.save_model or 'nnscratch train --save'?")
    sizes = arch.get("sizes")
    if (not isinstance(sizes, (list, tuple)) or len(sizes) < 2
            or not all(isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_))
                       and n >= 1 for n in sizes)):
        raise ValueError(f"{owner}: the architecture's sizes must be a list of at least two "
                         f"positive ints, got {str(sizes)[:80]}")
    return {"builder": "mlp", "sizes": [int(s) for s in sizes],
            "activation": str(arch.get("activation", "relu"))}


def _array(v: Any) -> Any:
    """A loaded entry's array (ns.load gives Tensors for saved Tensors)."""
    return v._data if isinstance(v, Tensor) else v


def _check_weights(arch: dict, weights: Any, owner: str, shown: str) -> None:
    """The stored weights must be the architecture's, shape for shape, and finite -- checked
    before anything is built, so a small file declaring sizes [60000, 60000, 2] costs nothing
    (building it first would allocate 27 GiB)."""
    if not isinstance(weights, dict):
        raise ValueError(f"{owner}: {shown!r}: 'model' must be a state dict, got "
                         f"{type(weights).__name__}")
    sizes = arch["sizes"]
    expected: dict[str, tuple[int, ...]] = {}
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        expected[f"{2 * i}.weight"], expected[f"{2 * i}.bias"] = (b, a), (b,)
    if set(weights) != set(expected):
        raise ValueError(f"{owner}: {shown!r}: the architecture {sizes} has the weights "
                         f"{sorted(expected)}, the file stores {sorted(map(str, weights))[:8]}")
    for key, shape in expected.items():
        w = _array(weights[key])
        if not isinstance(w, np.ndarray) or w.shape != shape or w.dtype.kind != "f":
            raise ValueError(f"{owner}: {shown!r}: weight {key!r} must be a float array of "
                             f"shape {shape} (architecture {sizes}), got "
                             f"{getattr(w, 'dtype', type(w).__name__)} "
                             f"{getattr(w, 'shape', '')}")
        if not np.isfinite(w).all():
            raise ValueError(f"{owner}: {shown!r}: weight {key!r} holds NaN or infinite values "
                             f"(was the model saved after training diverged?)")


def save_model(path: str | os.PathLike, net: nn.Module, architecture: dict,
               scaler: Any = None, **extra: Any) -> None:
    """Write ``net``'s weights, the ``architecture`` that rebuilds it and the fitted ``scaler``
    (a ``StandardScaler`` or None) to ``path``; ``extra`` entries are stored beside them."""
    if scaler is None:
        pre: dict = {"scaler": None}
    else:
        if getattr(scaler, "mean_", None) is None or getattr(scaler, "scale_", None) is None:
            raise ValueError(f"save_model: scaler must be a fitted StandardScaler with mean and "
                             f"std, got {scaler!r}")
        pre = {"scaler": "standard", "mean": np.asarray(scaler.mean_),
               "scale": np.asarray(scaler.scale_)}
    save({"architecture": dict(architecture), "model": net.state_dict(),
          "preprocessing": pre, **extra}, path)


def load_model(path: str | os.PathLike) -> SavedModel:
    """Rebuild the classifier ``save_model`` (or ``nnscratch train --save``) wrote at ``path``:
    its network with the saved weights, behind the saved scaler, in eval mode.

    ``ns.predict(model, X_raw).argmax(1)`` gives the classes of raw (unscaled) features.
    """
    owner = "load_model"
    try:
        check_regular(path, owner)
    except OSError as e:
        raise ValueError(str(e)) from None
    state = load(path)
    if not isinstance(state, dict) or "model" not in state:
        raise ValueError(f"{owner}: {os.fspath(path)!r} holds no saved model (a dict with "
                         f"'architecture' and 'model'), got {type(state).__name__}")
    arch = _architecture(state, owner)
    _check_weights(arch, state["model"], owner, os.fspath(path))
    net = build_mlp(arch["sizes"], arch["activation"])
    net.load_state_dict(state["model"])
    pre = state.get("preprocessing") or {"scaler": None}
    if not isinstance(pre, dict) or (pre.get("scaler") == "standard" and not all(
            isinstance(_array(pre.get(k)), np.ndarray)
            and _array(pre[k]).shape == (arch["sizes"][0],) for k in ("mean", "scale"))):
        raise ValueError(f"{owner}: {os.fspath(path)!r}: the preprocessing entry must hold a "
                         f"mean and a scale of shape ({arch['sizes'][0]},), got "
                         f"{str(pre)[:80]}")
    first = (Standardize(pre["mean"], pre["scale"]) if pre.get("scaler") == "standard"
             else nn.Identity())
    model = SavedModel(first, net)
    model.config = dict(state.get("config") or {})
    model.architecture = arch
    model.eval()
    return model
