"""``ArrayLoader``: torch's DataLoader over in-memory arrays, reshuffled every epoch.

It is a :class:`nnscratch.utils.data.DataLoader` over an
:class:`~nnscratch.utils.data.ArrayDataset` (whole batches per fetch), with this module's
defaults (shuffling, batch size 32) and seed.
"""
from __future__ import annotations

import numpy as np

from ... import random as _random
from ..._checks import as_array, check_bool, check_seed, positive_int
from ...tensor import Tensor
from ...tensor import as_tensor as _as_tensor
from .dataloader import DataLoader
from .dataset import ArrayDataset


class ArrayLoader(DataLoader):
    """Iterate over ``(xb, yb)`` mini-batches of ``(X, y)`` (or ``xb`` alone when ``y`` is None).

    Like ``torch.utils.data.DataLoader(TensorDataset(X, y), batch_size, shuffle, drop_last)``
    (:class:`nnscratch.utils.data.DataLoader`), but over arrays directly and shuffling by
    default: each pass over the loader is one epoch; with ``shuffle=True`` every epoch draws a fresh
    permutation, and the last batch is smaller unless ``drop_last=True``.

    Batches have the type of what they come from: an ``np.ndarray`` gives ``np.ndarray``
    batches, a ``Tensor`` gives ``Tensor`` batches (plain data, ``requires_grad=False``, as
    PyTorch's loader yields).  Every model and loss in nnscratch accepts both.  Without
    shuffling a batch is a view of the data (no copy); with shuffling it is a gathered copy.

    Randomness: ``seed=None`` draws each epoch's permutation from the library generator
    (``nnscratch.random.generator()``), so ``ns.manual_seed(s)`` makes a whole training run
    repeat; an int seed gives the loader its own stream (``nnscratch.random.rng(seed)``):
    the sequence of epochs repeats for the same seed whatever else draws random numbers.
    The permutation is drawn when an epoch starts (``iter(loader)``).

    Args:
        X: samples along axis 0 -- ``np.ndarray``, ``Tensor`` or a (nested) list.
        y: targets along axis 0 (same length as ``X``), or None.
        batch_size: samples per batch, ``>= 1`` (default 32).
        shuffle: reshuffle every epoch (default True).
        drop_last: drop the last incomplete batch (default False).
        seed: None (library generator), an int, or an ``np.random.Generator``.

    Shape:
        X: ``(N, *)``, y: ``(N, *)`` -> xb: ``(B, *)``, yb: ``(B, *)`` with ``B <= batch_size``.

    ``len(loader)`` is the number of batches per epoch: ``ceil(N / B)``, or ``floor(N / B)``
    with ``drop_last``.
    """

    def __init__(self, X, y=None, batch_size: int = 32, shuffle: bool = True,
                 drop_last: bool = False, seed: int | np.random.Generator | None = None):
        owner = "ArrayLoader"
        self.batch_size = positive_int(batch_size, "batch_size", owner)
        self.shuffle = check_bool(shuffle, "shuffle", owner)
        self.drop_last = check_bool(drop_last, "drop_last", owner)
        seed = check_seed(seed, owner, "seed")
        xa = as_array(X, "X", owner)
        if xa.ndim == 0:
            raise ValueError(f"{owner}: X must have a sample axis, got a 0-d array")
        if len(xa) == 0:
            raise ValueError(f"{owner}: X is empty (shape {xa.shape}); need at least one sample")
        self._x_tensor = isinstance(X, Tensor)
        self.X = xa
        if y is not None:
            ya = as_array(y, "y", owner)
            if ya.ndim == 0 or len(ya) != len(xa):
                raise ValueError(f"{owner}: X and y must have the same number of samples, got "
                                 f"X with {len(xa)} and y with shape {ya.shape}")
            self._y_tensor = isinstance(y, Tensor)
            self.y = ya
        else:
            self._y_tensor = False
            self.y = None  # type: ignore[assignment]  # no targets: batches are X alone
        if self.drop_last and len(xa) < self.batch_size:
            raise ValueError(f"{owner}: drop_last=True with batch_size={self.batch_size} > "
                             f"{len(xa)} samples would give no batch at all")
        # an int seed owns its stream; None defers to the library generator at every epoch
        self._rng = _random.rng(seed) if seed is not None else None
        self._tensors = (self._x_tensor, self._y_tensor)
        super().__init__(ArrayDataset(*((xa,) if y is None else (xa, self.y))),
                         batch_size=self.batch_size, shuffle=self.shuffle,
                         drop_last=self.drop_last, generator=self._rng,
                         collate_fn=self._collate)

    @property
    def num_samples(self) -> int:
        """Number of samples ``N`` (all of them, including a dropped last batch)."""
        return len(self.X)

    def _collate(self, batch: tuple):
        """The fetched arrays, as Tensors where the loader was given Tensors."""
        out = tuple(_as_tensor(a) if t else a for a, t in zip(batch, self._tensors))
        return out[0] if self.y is None else out

    def state_dict(self) -> dict:
        """The loader's own generator state (empty with ``seed=None``), for checkpoints."""
        if self._rng is None:
            return {}
        return {"rng": self._rng.bit_generator.state}

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` returned, so the next epochs repeat exactly."""
        if not state:
            return
        if self._rng is None or "rng" not in state:
            raise ValueError("ArrayLoader.load_state_dict: state has an 'rng' entry only for a "
                             "loader built with a seed; got keys "
                             f"{sorted(state)} for seed={'set' if self._rng else None}")
        self._rng.bit_generator.state = state["rng"]

    def __repr__(self) -> str:
        return (f"ArrayLoader(num_samples={len(self.X)}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, "
                f"targets={'yes' if self.y is not None else 'no'})")
