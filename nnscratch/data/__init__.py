"""Data utilities: mini-batch loading, splitting, one-hot encoding and feature scaling.

``ArrayLoader`` (old name ``DataLoader``, kept as an alias; torch's ``DataLoader`` is
:mod:`nnscratch.utils.data`'s) yields batches of the type it is given (arrays -> arrays,
Tensors -> Tensors); ``train_test_split``, ``one_hot``, ``StandardScaler`` and ``MinMaxScaler``
follow scikit-learn's semantics (the split's seed is ``random_state``, scikit-learn's name; the
loader's and the augmentations' is ``seed``).  Randomness comes from :mod:`nnscratch.random`
(``None`` is the library generator that ``ns.manual_seed`` reseeds).
"""
from . import augment
from .augment import add_noise, mixup, random_shift
from .loader import ArrayLoader
from .preprocessing import MinMaxScaler, StandardScaler
from .split import one_hot, train_test_split

DataLoader = ArrayLoader  # the old name

__all__ = ["augment", "add_noise", "mixup", "random_shift", "ArrayLoader", "DataLoader",
           "train_test_split", "one_hot", "StandardScaler", "MinMaxScaler"]
