"""Moved to :mod:`nnscratch.preprocessing.augment` (re-exported until ``data`` is removed)."""
from ..preprocessing.augment import add_noise, mixup, random_shift

__all__ = ["add_noise", "mixup", "random_shift"]
