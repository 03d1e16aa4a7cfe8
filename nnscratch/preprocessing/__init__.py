"""Preprocessing, scikit-learn's names: feature scalers (``StandardScaler``, ``MinMaxScaler``),
``one_hot`` encoding and data augmentation (``augment``: ``add_noise``, ``mixup``,
``random_shift``).  Splits are in :mod:`nnscratch.model_selection`, loaders in
:mod:`nnscratch.utils.data`, the data sets in :mod:`nnscratch.datasets`.
"""
from . import augment
from .augment import add_noise, mixup, random_shift
from .encoding import one_hot
from .scalers import MinMaxScaler, StandardScaler

__all__ = ["augment", "add_noise", "mixup", "random_shift", "one_hot", "StandardScaler",
           "MinMaxScaler"]
