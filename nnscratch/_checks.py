"""Argument checks shared across the library: each error names the caller, the argument, what
was expected and what came."""
from __future__ import annotations

import numbers

import numpy as np


def check_int(value, name: str, owner: str | None = None, minimum: int = 1) -> int:
    """``value`` as a Python int: an integer (not a bool) ``>= minimum``.

    Raises TypeError for anything but an integer, ValueError below ``minimum``; both messages
    read ``"{owner}: {name} must be …, got …"``.
    """
    where = f"{owner}: " if owner else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{where}{name} must be an int >= {minimum}, got {value}")
    return int(value)


def check_seed(seed, owner: str, name: str = "seed"):
    """None, a Generator, or a non-negative int (``name`` is ``random_state`` for estimators)."""
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{owner}: {name} must be None, an int or an np.random.Generator, "
                        f"got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"{owner}: {name} must be >= 0, got {seed}")
    return int(seed)
