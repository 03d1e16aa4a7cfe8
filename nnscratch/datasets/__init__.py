"""Data sets, all offline: the textbooks' toy tables and real data shipped in packages.

Every loader returns NumPy arrays (features float32 unless ``dtype=`` says otherwise; class
labels int64 ``(N,)``; regression, truth-table and multi-label targets float ``(N, K)``) and
documents its source and licence.  A loader whose package is missing raises
``ModuleNotFoundError`` with the ``pip install`` command to run; nothing is ever downloaded.
Converted data is cached only under :func:`cache_dir` (``$NNSCRATCH_CACHE`` or
``~/.cache/nnscratch``, or the ``cache_dir=`` argument).
"""
from ._cache import cache_dir
from .mnist import ArrayUnpickler, RefusedPickle, load_mnist, load_mnist1d, restricted_load
from .tabular import (load_boston, load_breast_cancer, load_diabetes, load_digits, load_iris,
                      load_spambase, load_wine, load_yeast)
from .text import load_text, text_names
from .toys import (and_gate, energy_table, gaussian_blobs, linreg_table, multilabel_toy,
                   sine_wave, windows, xor)

__all__ = [
    "and_gate", "xor", "gaussian_blobs", "multilabel_toy", "sine_wave", "windows",
    "linreg_table", "energy_table",
    "load_digits", "load_breast_cancer", "load_iris", "load_wine", "load_diabetes",
    "load_boston", "load_yeast",
    "load_spambase", "load_mnist", "load_mnist1d", "load_text", "text_names",
    "cache_dir", "ArrayUnpickler", "RefusedPickle", "restricted_load",
]
