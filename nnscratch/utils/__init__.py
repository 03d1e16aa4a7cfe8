"""``torch.utils``: today only :mod:`nnscratch.utils.data` (datasets, samplers, DataLoader)."""
from . import data

__all__ = ["data"]
