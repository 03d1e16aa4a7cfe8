"""What every classical estimator shares: the scikit-learn protocol and input checks.

The protocol (scikit-learn's "developer API", reimplemented here so that nnscratch never needs
scikit-learn):

* the constructor only stores its keyword arguments, unchanged, under the same names;
* ``get_params()`` reads those names from the ``__init__`` signature, ``set_params(**p)`` sets
  them back — so ``sklearn.base.clone``, ``GridSearchCV``, ``cross_val_score`` and ``Pipeline``
  can copy and tune our estimators;
* ``fit`` returns ``self`` and sets the learned attributes, whose names end in ``_``;
* regressors score with R², classifiers with accuracy (as scikit-learn's mixins do).
"""
from __future__ import annotations

import inspect
import math
import numbers
import sys

import numpy as np

from ..metrics import r2_score


class NotFittedError(ValueError, AttributeError):
    """Raised when ``predict``/``transform`` is called before ``fit`` (as sklearn's error)."""


_BRIDGE = {}


def _not_fitted_class():
    """Our error, also an instance of scikit-learn's NotFittedError when scikit-learn is
    already imported (so its meta-estimators and checks recognise it); never imports it."""
    sk = sys.modules.get("sklearn.exceptions")
    if sk is None:
        return NotFittedError
    if "cls" not in _BRIDGE:
        _BRIDGE["cls"] = type("NotFittedError", (NotFittedError, sk.NotFittedError), {})
    return _BRIDGE["cls"]


class BaseEstimator:
    """``get_params``/``set_params``/``repr`` from the ``__init__`` signature.

    Subclasses set ``_estimator_type`` to ``"regressor"``, ``"classifier"`` or ``None``
    (transformers) and list the attribute that proves a fit in ``_fitted_attr``.
    """

    _estimator_type: str | None = None
    _fitted_attr = "coef_"

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
        nested = {}
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
                    classifier_tags=ClassifierTags() if kind == "classifier" else None,
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

    _estimator_type = "regressor"
    _multi_output = True

    def score(self, X, y) -> float:
        """R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)², the mean over outputs for multi-output y."""
        return r2_score(y, self.predict(X))


class ClassifierMixin:
    """``score`` = the fraction of samples whose predicted label is exactly right."""

    _estimator_type = "classifier"

    def score(self, X, y) -> float:
        """Accuracy; for a multi-hot ``y`` every label of a sample must match."""
        y = np.asarray(y)
        pred = self.predict(X)
        if y.shape != pred.shape:
            raise ValueError(f"{type(self).__name__}.score: y has shape {y.shape}, the "
                             f"predictions have shape {pred.shape}")
        hit = pred == y
        return float(np.mean(hit.all(axis=1) if hit.ndim == 2 else hit))


# ----------------------------------------------------------------------------- input checks
def check_array(X, name: str = "X", owner: str = "", ndim: int = 2) -> np.ndarray:
    """``X`` as a finite float64 array of ``ndim`` dimensions with at least one row.

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
        if not complex_dtype:
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


def check_X_y(X, y, owner: str, y_ndim=(1, 2)) -> tuple[np.ndarray, np.ndarray]:
    """Finite float64 ``X`` (n, d) and ``y`` with ``n`` rows (``y_ndim`` allowed ranks)."""
    X = check_array(X, "X", owner)
    if y is None:
        raise ValueError(f"{owner}: requires y to be passed, but the target y is None")
    y_arr = np.asarray(y.numpy() if hasattr(y, "requires_grad") else y)
    if y_arr.ndim not in y_ndim:
        raise ValueError(f"{owner}: y must be {' or '.join(f'{k}-D' for k in y_ndim)}, got "
                         f"shape {y_arr.shape}")
    y_arr = check_array(y_arr, "y", owner, ndim=y_arr.ndim)
    if len(y_arr) != len(X):
        raise ValueError(f"{owner}: X and y have mismatched lengths: X has {len(X)} rows, "
                         f"y has {len(y_arr)}")
    return X, y_arr


def check_n_features(est, X, owner: str) -> np.ndarray:
    """Check ``X`` for a fitted estimator: finite, 2-D, ``n_features_in_`` columns."""
    X = check_array(X, "X", owner)
    if X.shape[1] != est.n_features_in_:
        raise ValueError(f"{owner}: X has {X.shape[1]} features, but {type(est).__name__} is "
                         f"expecting {est.n_features_in_} features as input (as in fit)")
    return X


def check_param(value, name: str, owner: str, *, low=None, low_open=False, integer=False,
                allow_none=False, choices=None):
    """Validate one hyper-parameter at fit time (so ``__init__`` stores it unchanged)."""
    if value is None and allow_none:
        return None
    if choices is not None:
        if value not in choices:
            raise ValueError(f"{owner}: {name} must be one of {list(choices)}, got {value!r}")
        return value
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        want = "an int" if integer else "a number"
        raise TypeError(f"{owner}: {name} must be {want}, got {type(value).__name__} "
                        f"({value!r})")
    if not integer and not math.isfinite(value):
        raise ValueError(f"{owner}: {name} must be finite, got {value}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{owner}: {name} must be {'>' if low_open else '>='} {low:g}, "
                         f"got {value}")
    return value
