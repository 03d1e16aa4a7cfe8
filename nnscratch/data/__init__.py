"""The old ``nnscratch.data`` package: its names now live where scikit-learn and torch keep
them, and are re-exported here until the package is removed (CHANGELOG lists each):

    ArrayLoader, DataLoader (alias)   -> nnscratch.utils.data.ArrayLoader
    train_test_split                  -> nnscratch.model_selection.train_test_split
    StandardScaler, MinMaxScaler      -> nnscratch.preprocessing
    one_hot                           -> nnscratch.preprocessing.one_hot
    augment, add_noise, mixup, random_shift -> nnscratch.preprocessing(.augment)
"""
from ..model_selection import train_test_split
from ..preprocessing import (MinMaxScaler, StandardScaler, add_noise, augment, mixup, one_hot,
                             random_shift)
from ..utils.data import ArrayLoader

DataLoader = ArrayLoader  # the old name

__all__ = ["augment", "add_noise", "mixup", "random_shift", "ArrayLoader", "DataLoader",
           "train_test_split", "one_hot", "StandardScaler", "MinMaxScaler"]
