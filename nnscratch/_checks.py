"""Argument checks shared across the library: each error names the caller, the argument, what
was expected and what came (``"{owner}: {name} must be …, got …"``).

This is the one home of the checks that more than one module makes; a check that only one
function needs stays next to it.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .autograd.core import ShapeError
from .autograd.core import TensorBase as _Tensor  # every tensor is one


# ------------------------------------------------------------------ scalars
def check_int(value, name: str, owner: str | None = None, minimum: int = 1) -> int:
    """``value`` as a Python int: an integer (not a bool) ``>= minimum``.

    Raises TypeError for anything but an integer, ValueError below ``minimum``; both messages
    read ``"{owner}: {name} must be …, got …"``.
    """
    where = f"{owner}: " if owner else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{where}{name} must be an int >= {minimum}, got {value}")
    return int(value)


def positive_int(value, name: str, owner: str) -> int:
    """``check_int(value, name, owner, 1)``: sizes, counts, epochs."""
    return check_int(value, name, owner, 1)


def check_bool(value, name: str, owner: str) -> bool:
    """``value`` as a Python bool (a bool or np.bool_; ints are refused)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def check_number(value, name: str, owner: str) -> float:
    """``value`` as a float: a real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a number, got {type(value).__name__}")
    return float(value)


def check_range(value, name, owner, lo=0.0, hi=None, lo_open=False, hi_open=True,
                allow_inf=False) -> float:
    """A number with ``lo <= value`` (``<`` when ``lo_open``) and ``value < hi`` (``<=`` unless
    ``hi_open``; no upper bound when ``hi`` is None).  NaN is refused, and so are infinities
    unless ``allow_inf`` (an optimizer's eps or weight_decay = inf makes every step NaN or 0;
    a norm order may be inf)."""
    check_number(value, name, owner)
    ok = (not math.isnan(value)) if allow_inf else math.isfinite(value)
    ok = ok and (value > lo if lo_open else value >= lo)
    if hi is not None:
        ok = ok and (value < hi if hi_open else value <= hi)
    if not ok:
        lo_b = "(" if lo_open else "["
        hi_b = ("inf)" if hi is None else (f"{hi})" if hi_open else f"{hi}]"))
        raise ValueError(f"{owner}: invalid {name}={value}; expected a value in "
                         f"{lo_b}{lo}, {hi_b}")
    return float(value)


def positive_problem(value) -> str | None:
    """Why ``value`` is not a finite real number > 0 (the one spelling of that rule), or None."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return f"must be a number > 0, got {type(value).__name__} {value!r}"
    if not (math.isfinite(value) and float(value) > 0):
        return f"must be > 0 and finite, got {value!r}"
    return None


def check_positive(value, name: str, owner: str | None = None) -> float:
    """``value`` as a float: a finite real number > 0 (a step size, a tolerance, a width).

    Raises TypeError for a non-number, ValueError otherwise: ``"{owner}: {name} must be > 0
    and finite, got {value}"``."""
    problem = positive_problem(value)
    if problem is not None:
        where = f"{owner}: " if owner else ""
        kind = TypeError if problem.startswith("must be a number") else ValueError
        raise kind(f"{where}{name} {problem}")
    return float(value)


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


def check_positive_entries(a: np.ndarray, name: str) -> np.ndarray:
    """``a`` when every entry is > 0 (a variance, a scale given per element); else ValueError
    naming the first entry that is not."""
    if a.size and np.any(a <= 0):
        raise ValueError(f"{name} must be > 0, got {a[a <= 0].ravel()[0]}")
    return a


def check_seed(seed, owner: str, name: str = "seed"):
    """``None``, an ``np.random.Generator``, or an int ``>= 0`` (returned as a Python int);
    ``name`` is the argument's (``random_state`` for estimators)."""
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{owner}: {name} must be None, an int or an np.random.Generator, "
                        f"got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"{owner}: {name} must be >= 0, got {seed}")
    return int(seed)


# ------------------------------------------------------------------ arrays and tensors
def as_array(x, name: str, owner: str) -> np.ndarray:
    """The array of numbers behind ``x``: a Tensor's array (not copied), an ndarray, or any
    array-like (list, tuple, a pandas frame …) converted by ``np.asarray``.

    Raises TypeError for anything else, for ragged nesting, and for an array that does not
    hold numbers (bool, int or float: objects, text and complex are nothing a model takes).
    """
    if isinstance(x, _Tensor):
        return x._data
    if x is None or isinstance(x, (str, bytes, dict, set)):
        raise TypeError(f"{owner}: {name} must be an np.ndarray, Tensor or list of numbers, "
                        f"got {type(x).__name__}")
    try:
        a = np.asarray(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{owner}: {name} must be rectangular numeric data, got a ragged or "
                        f"unconvertible {type(x).__name__} ({e})") from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: {name} must hold numbers (bool, int or float), got dtype "
                        f"{a.dtype}")
    return a


def check_2d_finite(X: np.ndarray, name: str, owner: str) -> np.ndarray:
    """A 2-D numeric array without NaN/inf (the first bad row/column is named)."""
    if X.ndim != 2:
        raise ValueError(f"{owner}: {name} must be 2-D (n_samples, n_features), "
                         f"got shape {X.shape}")
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: {name} must be numeric, got dtype {X.dtype}")
    if X.shape[0] == 0:
        raise ValueError(f"{owner}: {name} is empty (shape {X.shape}); need at least one sample")
    if X.dtype.kind == "f":
        bad = ~np.isfinite(X)
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise ValueError(f"{owner}: {name} must be finite, got {X[r, c]} at row {r}, "
                             f"column {c}")
    return X


def as_tensor(x, owner):
    """A layer's input: a Tensor as is, an ndarray wrapped without copying.  Real numbers
    only (a complex or object input would silently give complex output or a raw NumPy error
    deep inside an op)."""
    if isinstance(x, _Tensor) and x._data.dtype.kind in "biuf":   # the per-call fast path
        return x
    if not isinstance(x, (_Tensor, np.ndarray)):
        raise TypeError(f"{owner}: input must be a Tensor or ndarray, got {type(x).__name__}")
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: input must hold real numbers (bool, int or float), got "
                        f"dtype {x.dtype}")
    return x if isinstance(x, _Tensor) else _Tensor._wrap(x)   # an ndarray: no copy


def tensor_arg(x, name: str, owner: str):
    """An argument that must be a tensor (a Tensor, or a numeric ndarray wrapped without a
    copy): anything else is torch's TypeError naming it, where it would otherwise fail deep
    inside with "'NoneType' object has no attribute 'ndim'"."""
    if isinstance(x, _Tensor):
        return x
    if isinstance(x, np.ndarray) and x.dtype.kind in "biuf":
        return _Tensor._wrap(x)
    raise TypeError(f"{owner}(): argument '{name}' must be Tensor, not {type(x).__name__}")


def check_last_dim(x, expected, owner):
    """``x.shape[-1] == expected`` (a layer's feature axis); else a ShapeError, a ValueError
    that is also the RuntimeError torch raises (``except RuntimeError`` catches it)."""
    if x.ndim == 0 or x.shape[-1] != expected:
        raise ShapeError(f"{owner}: expected input with last dimension {expected}, "
                         f"got shape {tuple(x.shape)}")


def check_ndim(x, allowed, owner, layout=""):
    """``x.ndim in allowed``; ``layout`` (e.g. "(N, C, L)") is added to the message."""
    if x.ndim not in allowed:
        raise ValueError(f"{owner}: expected a {' or '.join(f'{n}-D' for n in allowed)} input"
                         f"{' ' + layout if layout else ''}, got shape {tuple(x.shape)}")


class DtypeError(TypeError, RuntimeError):
    """A wrong dtype: a TypeError, and the RuntimeError torch raises for it (``except
    RuntimeError`` written for torch catches it too)."""


def check_floating(x, owner: str, name: str = "input"):
    """``x`` (a Tensor or ndarray) must hold floating point numbers: a layer's weights are
    float, and torch refuses int or bool input ("expected scalar type Float")."""
    dtype = x._data.dtype if hasattr(x, "_data") else x.dtype
    if dtype.kind != "f":
        raise DtypeError(f"{owner}: {name} must be floating point, got dtype {dtype}; "
                         f"convert it with .float()")
    return x


def check_choice(value, name: str, owner: str, choices) -> object:
    """``value`` must be one of ``choices`` (compared with ==, type-checked for str choices)."""
    if not any(value == c and type(value) is type(c) for c in choices):
        raise ValueError(f"{owner}: {name} must be one of {', '.join(map(repr, choices))}, "
                         f"got {value!r}")
    return value
