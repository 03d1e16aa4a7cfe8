"""What every classical estimator and transformer shares — the linear models, ``features``,
``model_selection`` and the scalers of ``preprocessing`` — the scikit-learn protocol and input
checks.

The protocol (scikit-learn's "developer API", reimplemented here so that nnscratch never needs
scikit-learn):

* the constructor only stores its keyword arguments, unchanged, under the same names;
* ``get_params()`` reads those names from the ``__init__`` signature, ``set_params(**p)`` sets
  them back — so ``sklearn.base.clone``, ``GridSearchCV``, ``cross_val_score`` and ``Pipeline``
  can copy and tune our estimators;
* ``fit`` returns ``self`` and sets the learned attributes, whose names end in ``_``;
* regressors score with R², classifiers with accuracy (as scikit-learn's mixins do);
* fitting records ``n_features_in_`` and, for a DataFrame with string column names,
  ``feature_names_in_``; later calls check both (:func:`check_n_features`);
* estimators pickle as plain objects (users pickle fitted models, as with scikit-learn's;
  nnscratch's own files never unpickle).
"""
from __future__ import annotations

import importlib
import inspect
import warnings
from typing import Any, Callable

import numpy as np

from .metrics import r2_score


class NotFittedError(ValueError, AttributeError):
    """Raised when ``predict``/``transform`` is called before ``fit`` (as sklearn's error)."""


class DataConversionWarning(UserWarning):
    """A column-vector ``y`` was given where a 1-D one was expected (it is raveled)."""


_BRIDGE: dict = {}


def _bridged(ours: type, name: str) -> type:
    """``ours``, also a subclass of scikit-learn's ``sklearn.exceptions.<name>`` when
    scikit-learn is installed (so its meta-estimators and checks recognise it).  scikit-learn
    is imported only here, when the error or warning is about to be raised."""
    if name not in _BRIDGE:
        try:
            sk = importlib.import_module("sklearn.exceptions")
        except ImportError:
            _BRIDGE[name] = ours
        else:
            _BRIDGE[name] = type(ours.__name__, (ours, getattr(sk, name)),
                                 {"__module__": __name__, "__doc__": ours.__doc__})
    return _BRIDGE[name]


def _not_fitted_class():
    return _bridged(NotFittedError, "NotFittedError")


class BaseEstimator:
    """``get_params``/``set_params``/``repr`` from the ``__init__`` signature.

    Subclasses set ``_estimator_type`` to ``"regressor"``, ``"classifier"`` or ``None``
    (transformers) and list the attribute that proves a fit in ``_fitted_attr``.
    """

    _estimator_type: str | None = None
    _fitted_attr = "coef_"
    fit: Callable[..., Any]            # every estimator's own (declared for type checkers)

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        names = []
        for p in sig.parameters.values():
            if p.name == "self":
                continue
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(f"{cls.__name__}: estimators may not take *args or **kwargs")
            names.append(p.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict:
        """The constructor arguments as a dict (nested estimators expanded as ``name__p``)."""
        out = {}
        for name in self._param_names():
            value = getattr(self, name)
            out[name] = value
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update({f"{name}__{k}": v for k, v in value.get_params().items()})
        return out

    def set_params(self, **params) -> "BaseEstimator":
        """Set constructor arguments by name (``name__p`` reaches a nested estimator)."""
        valid = self._param_names()
        nested: dict = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise ValueError(f"{type(self).__name__}.set_params: invalid parameter "
                                 f"{name!r}; valid parameters are {valid}")
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub in nested.items():
            getattr(self, name).set_params(**sub)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default
                    for p in inspect.signature(type(self).__init__).parameters.values()}
        changed = [f"{k}={v!r}" for k, v in self.get_params(deep=False).items()
                   if not _same(v, defaults.get(k, inspect.Parameter.empty))]
        return f"{type(self).__name__}({', '.join(changed)})"

    # scikit-learn asks these two questions of any estimator it is handed.  The tags object
    # only exists inside scikit-learn, so it is imported only when scikit-learn calls us.
    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, self._fitted_attr)

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags, TransformerTags
        kind = self._estimator_type
        return Tags(estimator_type=kind,
                    target_tags=TargetTags(required=kind is not None,
                                           multi_output=getattr(self, "_multi_output", False)),
                    transformer_tags=TransformerTags() if hasattr(self, "transform") else None,
                    classifier_tags=ClassifierTags(
                        multi_class=getattr(self, "_multi_class", True),
                        multi_label=getattr(self, "_multi_label", False))
                    if kind == "classifier" else None,
                    regressor_tags=RegressorTags() if kind == "regressor" else None)

    def _check_fitted(self, method: str = "predict") -> None:
        if not hasattr(self, self._fitted_attr):
            raise _not_fitted_class()(f"This {type(self).__name__} instance is not fitted yet; "
                                 f"call fit(X, y) before {method}()")


def _same(a, b) -> bool:
    try:
        return bool(a is b or a == b)
    except (TypeError, ValueError):
        return False


class RegressorMixin:
    """``score`` = coefficient of determination R² (averaged over outputs, like sklearn)."""

    _estimator_type: str | None = "regressor"
    _multi_output = True
    predict: Callable[..., np.ndarray]      # the estimator's own (declared for type checkers)

    def score(self, X, y) -> float:
        """R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)², the mean over outputs for multi-output y."""
        # float64 first, as scikit-learn: an object y fails with NumPy's conversion error
        return r2_score(np.asarray(y, dtype=np.float64), self.predict(X))


class ClassifierMixin:
    """``score`` = the fraction of samples whose predicted label is exactly right."""

    _estimator_type: str | None = "classifier"
    predict: Callable[..., np.ndarray]      # the estimator's own (declared for type checkers)

    def score(self, X, y) -> float:
        """Accuracy; for a multi-hot ``y`` every label of a sample must match."""
        y = np.asarray(y)
        pred = self.predict(X)
        if y.ndim == 2 and y.shape[1] == 1 and pred.ndim == 1:     # a column-vector y
            y = y.ravel()
        if y.shape != pred.shape:
            raise ValueError(f"{type(self).__name__}.score: y has shape {y.shape}, the "
                             f"predictions have shape {pred.shape}")
        hit = pred == y
        return float(np.mean(hit.all(axis=1) if hit.ndim == 2 else hit))


# ----------------------------------------------------------------------------- input checks
def check_array(X, name: str = "X", owner: str = "", ndim: int = 2,
                keep_float: bool = False) -> np.ndarray:
    """``X`` as a finite float64 array of ``ndim`` dimensions with at least one row
    (``keep_float``: float32 stays float32, as the scalers keep it).

    NaN/inf are reported with the row (and column) where the first one sits.
    """
    where = f"{owner}: " if owner else ""
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(f"{where}{name} is a sparse matrix; sparse input is not supported, "
                        f"pass {name}.toarray()")
    if hasattr(X, "numpy") and hasattr(X, "requires_grad"):    # an nnscratch Tensor
        X = X.numpy()
    try:
        arr = np.asarray(X)
        # NumPy would parse strings ("1.5") as numbers; object arrays of numbers are fine
        if arr.dtype.kind in "USV" or (arr.dtype.kind == "O" and any(
                isinstance(v, (str, bytes)) for v in arr.flat)):
            raise TypeError(f"dtype {arr.dtype} holds text, not numbers")
        complex_dtype = arr.dtype.kind == "c"
        if not complex_dtype and not (keep_float and arr.dtype in (np.float32, np.float64)):
            arr = arr.astype(np.float64, copy=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{where}{name} must be a numeric array, got {type(X).__name__} "
                        f"({exc})") from None
    if complex_dtype:
        raise ValueError(f"{where}{name} has a complex dtype: Complex data not supported")
    if arr.ndim != ndim:
        hint = ("; Reshape your data with X.reshape(-1, 1) for a single feature"
                if ndim == 2 and arr.ndim == 1 else "")
        raise ValueError(f"{where}{name} must be {ndim}-D, got shape {arr.shape}{hint}")
    if arr.shape[0] == 0:
        raise ValueError(f"{where}{name} is empty: found 0 sample(s) (shape={arr.shape}) while "
                         f"a minimum of 1 is required.")
    if ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"{where}{name} has 0 feature(s) (shape={arr.shape}) while a minimum "
                         f"of 1 is required.")
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = np.argwhere(bad)[0]
        what = "NaN" if np.isnan(arr[tuple(idx)]) else "inf"
        pos = f"row {idx[0]}" + (f", column {idx[1]}" if arr.ndim == 2 else "")
        raise ValueError(f"{where}{name} contains {what} at {pos}; {name} must be finite")
    return arr


def feature_names(X) -> np.ndarray | None:
    """The column names of a DataFrame-like ``X`` when they are all strings, as an object
    array (scikit-learn's rule); ``None`` for arrays and for integer column labels."""
    columns = getattr(X, "columns", None)
    if columns is None or isinstance(X, np.ndarray):
        return None
    names = np.asarray(list(columns), dtype=object)
    return names if len(names) and all(isinstance(n, str) for n in names) else None


def record_features(est, X_raw, X: np.ndarray) -> None:
    """At fit: set ``est.n_features_in_`` and ``feature_names_in_`` (removed when ``X_raw``
    has no string column names)."""
    est.n_features_in_ = X.shape[1]
    names = feature_names(X_raw)
    if names is not None:
        est.feature_names_in_ = names
    elif "feature_names_in_" in vars(est):
        del est.feature_names_in_


def _check_feature_names(est, X_raw, owner: str) -> None:
    """After fit: the columns of ``X_raw`` must be the fitted ones, in order (a ValueError
    listing the differences); a warning when only one of fit and now had names."""
    fitted, names = getattr(est, "feature_names_in_", None), feature_names(X_raw)
    kind = type(est).__name__
    if fitted is None and names is not None:
        warnings.warn(f"X has feature names, but {kind} was fitted without feature names",
                      UserWarning, stacklevel=3)
    elif fitted is not None and names is None:
        warnings.warn(f"X does not have valid feature names, but {kind} was fitted with "
                      f"feature names", UserWarning, stacklevel=3)
    elif fitted is not None and names is not None and (len(fitted) != len(names)
                                                       or np.any(fitted != names)):
        unseen = sorted(set(names) - set(fitted))
        missing = sorted(set(fitted) - set(names))
        msg = "The feature names should match those that were passed during fit.\n"
        if unseen:
            msg += "Feature names unseen at fit time:\n" + "".join(f"- {n}\n" for n in unseen)
        if missing:
            msg += ("Feature names seen at fit time, yet now missing:\n"
                    + "".join(f"- {n}\n" for n in missing))
        if not unseen and not missing:
            msg += "Feature names must be in the same order as they were in fit.\n"
        raise ValueError(f"{owner}: {msg}")


def column_or_1d(y: np.ndarray, owner: str) -> np.ndarray:
    """A ``(n, 1)`` target becomes ``(n,)`` with a :class:`DataConversionWarning` (as in
    scikit-learn); other shapes are returned unchanged."""
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(f"A column-vector y was passed when a 1d array was expected ({owner} "
                      f"ravels it to shape ({len(y)},))",
                      _bridged(DataConversionWarning, "DataConversionWarning"), stacklevel=3)
        return y.ravel()
    return y


def check_X_y(X, y, owner: str, y_ndim=(1, 2), est=None) -> tuple[np.ndarray, np.ndarray]:
    """Finite float64 ``X`` (n, d) and ``y`` with ``n`` rows (``y_ndim`` allowed ranks).
    With ``est`` (at fit) its ``n_features_in_``/``feature_names_in_`` are recorded."""
    X_raw, X = X, check_array(X, "X", owner)
    if est is not None:
        record_features(est, X_raw, X)
    if y is None:
        raise ValueError(f"{owner}: requires y to be passed, but the target y is None")
    y_arr = np.asarray(y.numpy() if hasattr(y, "requires_grad") else y)
    if y_ndim == (1,):
        y_arr = column_or_1d(y_arr, owner)
    if y_arr.ndim not in y_ndim:
        raise ValueError(f"{owner}: y must be {' or '.join(f'{k}-D' for k in y_ndim)}, got "
                         f"shape {y_arr.shape}")
    y_arr = check_array(y_arr, "y", owner, ndim=y_arr.ndim)
    if len(y_arr) != len(X):
        raise ValueError(f"{owner}: X and y have mismatched lengths: X has {len(X)} rows, "
                         f"y has {len(y_arr)}")
    return X, y_arr


def check_n_features(est, X, owner: str, keep_float: bool = False) -> np.ndarray:
    """Check ``X`` for a fitted estimator: finite, 2-D, ``n_features_in_`` columns, and the
    fitted column names if it was fitted on a DataFrame."""
    _check_feature_names(est, X, owner)
    X = check_array(X, "X", owner, keep_float=keep_float)
    if X.shape[1] != est.n_features_in_:
        raise ValueError(f"{owner}: X has {X.shape[1]} features, but {type(est).__name__} is "
                         f"expecting {est.n_features_in_} features as input (as in fit)")
    return X
