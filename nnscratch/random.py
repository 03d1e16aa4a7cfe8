"""The one random generator the library draws from.

Every random choice in nnscratch (initialisation, dropout masks, shuffling, sampling) goes
through :func:`generator`, so ``ns.manual_seed(s)`` makes a whole run repeat exactly.  Code that
wants its own reproducible stream passes ``seed=`` and gets an independent
``np.random.Generator`` from :func:`rng`.
"""
from __future__ import annotations

import numpy as np

from ._checks import check_seed

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the library's generator (like ``torch.manual_seed``) and return it."""
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"manual_seed: seed must be >= 0, got {seed}")
    if seed >= 2 ** 64:    # torch's seeds are 64-bit too
        raise ValueError(f"manual_seed: seed must be < 2**64, got {seed}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator() -> np.random.Generator:
    """The library-wide generator (reseeded by :func:`manual_seed`)."""
    return _generator


def rng(seed: int | np.random.Generator | None = None) -> np.random.Generator:
    """``seed=None`` -> the library generator; an int -> a fresh generator seeded with it."""
    if seed is None:
        return _generator
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_seed(seed, "rng"))


def get_rng_state() -> dict:
    """The library generator's state, as plain Python values (checkpointable)."""
    return dict(_generator.bit_generator.state)


def set_rng_state(state: dict) -> None:
    """Restore a state returned by :func:`get_rng_state`."""
    _generator.bit_generator.state = state


class Generator:
    """``torch.Generator``: an independent stream for the ``generator=`` arguments of
    ``randn``, ``randperm``, ``DataLoader``, ``random_split`` … (``manual_seed`` reseeds it)."""

    def __init__(self, device="cpu"):
        self._rng = np.random.default_rng()
        self._seed = None

    def manual_seed(self, seed: int) -> "Generator":
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"Generator.manual_seed: seed must be an int, got {seed!r}")
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self):
        return self._seed

    def get_state(self) -> dict:
        return self._rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self._rng.bit_generator.state = state
