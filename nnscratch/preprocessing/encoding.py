"""``one_hot``: class labels as one-hot rows."""
from __future__ import annotations

import numpy as np

from .._checks import as_array


def one_hot(labels, num_classes: int | None = None, dtype=np.float32) -> np.ndarray:
    """One-hot rows ``T[i, labels[i]] = 1`` (like ``torch.nn.functional.one_hot``, float).

    Args:
        labels: integer class indices in ``[0, num_classes)``, any shape ``(*)``.
        num_classes: ``K``; None uses ``labels.max() + 1``.
        dtype: dtype of the result (default float32, ready to be a cross-entropy target).

    Shape:
        labels ``(*)`` -> ``(*, K)``.
    """
    owner = "one_hot"
    y = as_array(labels, "labels", owner)
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
            raise TypeError(f"{owner}: labels must be integers, got non-integral dtype "
                            f"{y.dtype} values")
        y = y.astype(np.int64)
    elif y.dtype.kind == "b" or y.dtype.kind not in "iu":
        raise TypeError(f"{owner}: labels must be integers, got dtype {y.dtype}")
    if num_classes is None:
        if y.size == 0:
            raise ValueError(f"{owner}: cannot infer num_classes from empty labels; pass it")
        num_classes = int(y.max()) + 1
    elif isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"{owner}: num_classes must be an int, got "
                        f"{type(num_classes).__name__}")
    num_classes = int(num_classes)
    if num_classes < 1:
        raise ValueError(f"{owner}: num_classes must be >= 1, got {num_classes}")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        bad = y[(y < 0) | (y >= num_classes)].flat[0]
        raise ValueError(f"{owner}: labels must be in [0, {num_classes}), got {bad}")
    out = np.zeros(y.shape + (num_classes,), dtype=dtype)
    np.put_along_axis(out, y[..., None].astype(np.intp), 1, axis=-1)
    return out
