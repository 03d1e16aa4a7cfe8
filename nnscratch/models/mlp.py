"""``mlp(sizes)``: the multilayer perceptron built from its layer widths.

``mlp((d, h1, …, hk, m))`` is ``Linear(d, h1), act, [Dropout], …, Linear(hk, m)[, out]``: an
activation (and optional dropout) after every hidden layer, none after the last unless
``out_activation`` is given — the fully connected network of the lecture notes' chapter on
deep feed-forward networks.  Weights are drawn layer by layer from the library generator, so
``ns.manual_seed`` fixes them.
"""
from __future__ import annotations

from .. import nn
from .._checks import check_range, positive_int

__all__ = ["mlp"]


def mlp(sizes, activation=nn.ReLU, out_activation: nn.Module | None = None,
        dropout: float = 0.0) -> nn.Sequential:
    """An ``nn.Sequential`` MLP with layer widths ``sizes`` (input first, output last).

    Args:
        sizes: at least two positive ints ``(in_features, *hidden, out_features)``.
        activation: a Module class instantiated after each hidden layer (default ``nn.ReLU``).
        out_activation: a Module appended after the last layer (e.g. ``nn.Sigmoid()``), or None.
        dropout: the ``nn.Dropout`` rate after each hidden activation; 0 adds none.
    """
    sizes = list(sizes) if isinstance(sizes, (list, tuple)) else sizes
    if not isinstance(sizes, list) or len(sizes) < 2:
        raise ValueError(f"mlp: sizes must be a list of at least two layer widths, got {sizes!r}")
    sizes = [positive_int(s, f"sizes[{i}]", "mlp") for i, s in enumerate(sizes)]
    dropout = check_range(dropout, "dropout", "mlp", 0.0, 1.0)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(activation())
            if dropout:
                layers.append(nn.Dropout(dropout))
    if out_activation is not None:
        layers.append(out_activation)
    return nn.Sequential(*layers)
