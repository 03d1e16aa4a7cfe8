"""``fit``'s checkpoints: everything an interrupted run needs to resume bit for bit.

A checkpoint is one :func:`nnscratch.save` file (written atomically) holding the epochs done,
the model, optimizer and scheduler state dicts, the library and shuffling generators' states,
the DataLoader's state, the History and every callback's ``state_dict()``.
:func:`save_checkpoint` and :func:`restore_checkpoint` are the two halves of that format.
"""
from __future__ import annotations

import json
import os
import pathlib

import numpy as np

from .. import random as nsrandom
from ..serialization import load, save
from .history import History

__all__ = ["CHECKPOINT_FORMAT", "check_checkpoint_path", "save_checkpoint", "load_checkpoint",
           "restore_checkpoint"]

CHECKPOINT_FORMAT = "nnscratch-fit-checkpoint"


def _rng_state(g: np.random.Generator) -> str:
    # a JSON string: PCG64's 128-bit integers survive any serialisation format unchanged
    return json.dumps(g.bit_generator.state)


def _set_rng_state(g: np.random.Generator, s: str) -> None:
    g.bit_generator.state = json.loads(str(s))


def check_checkpoint_path(path, owner, what="checkpoint"):
    """``path`` must be a str/PathLike; its parent directories are created when missing (as
    Keras's ModelCheckpoint does), before any training."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{owner}: {what} must be a path, got {type(path).__name__}")
    parent = pathlib.Path(path).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:    # a file in the way, no permission, a read-only file system
        raise ValueError(f"{owner}: {what}={str(path)!r}: its directory {str(parent)!r} cannot "
                         f"be created ({e.strerror or e})") from None


def save_checkpoint(path, ctx, scheduler, shuffle_rng, loader, callbacks, epochs_done):
    """Write the run's state after ``epochs_done`` epochs to ``path``."""
    state = {
        "format": CHECKPOINT_FORMAT, "version": 1, "epoch": int(epochs_done),
        "model": ctx.model.state_dict(), "optimizer": ctx.optimizer.state_dict(),
        "scheduler": scheduler.state_dict() if scheduler is not None else {},
        "rng": {"library": _rng_state(nsrandom.generator()),
                "shuffle": _rng_state(shuffle_rng) if shuffle_rng is not None else ""},
        "loader": loader.state_dict() if hasattr(loader, "state_dict") else {},
        "history": ctx.history.to_dict(),
        "callbacks": {str(i): cb.state_dict() for i, cb in enumerate(callbacks)},
    }
    save(state, path)


def load_checkpoint(path, owner) -> dict:
    """The state saved at ``path``; errors name ``resume_from`` when it is missing or foreign."""
    p = pathlib.Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{owner}: resume_from={str(path)!r} does not exist")
    try:
        state = load(p)
    except Exception as e:
        raise ValueError(f"{owner}: resume_from={str(path)!r} is not a readable checkpoint "
                         f"({type(e).__name__}: {e})") from e
    if not hasattr(state, "get") or state.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{owner}: resume_from={str(path)!r} is not a fit() checkpoint "
                         f"(written by fit(..., checkpoint=path))")
    return state


def restore_checkpoint(state, ctx, scheduler, shuffle_rng, loader, callbacks) -> int:
    """Put a loaded ``state`` back into the run; returns the number of epochs already done."""
    ctx.model.load_state_dict(state["model"])
    ctx.optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None and state.get("scheduler"):
        scheduler.load_state_dict(state["scheduler"])
    _set_rng_state(nsrandom.generator(), state["rng"]["library"])
    if shuffle_rng is not None and state["rng"].get("shuffle"):
        _set_rng_state(shuffle_rng, state["rng"]["shuffle"])
    if state.get("loader") and hasattr(loader, "load_state_dict"):
        loader.load_state_dict(state["loader"])
    ctx.history = History.from_dict(state["history"])
    saved_cbs = state.get("callbacks", {})
    for i, cb in enumerate(callbacks):
        if saved_cbs.get(str(i)):
            cb.load_state_dict(saved_cbs[str(i)])
    return int(state["epoch"])
