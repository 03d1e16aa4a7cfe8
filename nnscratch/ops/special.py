"""The error function family and GELU: erf, erfc, erfinv, gelu (exact and tanh).

NumPy has no error function.  ``erf`` and ``erfc`` evaluate the C library's (``math.erf``,
``math.erfc``: correctly rounded to within an ULP on every platform CPython supports) element
by element in float64, so they agree with ``math`` exactly, the tail of ``erfc`` included, and
with torch to its float64 accuracy.  ``erfinv`` is ours: Winitzki's closed-form estimate
(relative error < 2e-3) refined by Halley steps on ``erf(x) = y``; for |y| > 1/2 the residual
is taken as ``(1 - |y|) - erfc(|x|)``, exact in float64, so the tail keeps its accuracy.
Float32 inputs are evaluated in float64 and rounded once.
"""
import math

import numpy as np

from ..autograd import defvjp, primitive

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_SQRT_HALF = math.sqrt(0.5)
_ERF = np.frompyfunc(math.erf, 1, 1)
_ERFC = np.frompyfunc(math.erfc, 1, 1)


def _float_out(x):
    """The dtype of a special function's result: the input's float dtype (float32 stays)."""
    d = np.result_type(x)
    return d if d.kind == "f" else np.dtype(np.float64)


def _lifted(fn, x):
    """``fn`` (a Python float -> float function) over an array, in float64, cast back."""
    a = np.asarray(x, dtype=np.float64)
    return np.asarray(fn(a), dtype=np.float64).astype(_float_out(x), copy=False)


def _erf_array(x):
    return _lifted(_ERF, x)


def _erfc_array(x):
    return _lifted(_ERFC, x)


def _erfinv_array(y):
    y64 = np.asarray(y, dtype=np.float64)
    a = np.abs(y64)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Winitzki (2008): erfinv(a) ≈ √(√(t² - ln(1-a²)/k) - t), t = 2/(πk) + ln(1-a²)/2
        k = 0.147
        ln = np.log1p(-a * a)
        t = 2 / (math.pi * k) + ln / 2
        x = np.sqrt(np.sqrt(t * t - ln / k) - t)
        tail = a > 0.5
        for _ in range(3):          # Halley: cubic convergence, 2e-3 -> 1e-8 -> 1e-16
            r = np.where(tail, (1 - a) - np.asarray(_ERFC(x), np.float64),   # = erf(x) - a
                         np.asarray(_ERF(x), np.float64) - a)
            dfdx = _TWO_OVER_SQRT_PI * np.exp(-x * x)
            step = r / (dfdx + x * r)                # Halley: f / (f' - f f''/(2f')), f'' = -2x f'
            x = np.where(np.isfinite(step) & (dfdx > 0), x - step, x)
        x = np.where(a == 1, np.inf, x)
        x = np.where(a > 1, np.nan, x)
    return (np.copysign(x, y64)).astype(_float_out(y), copy=False)


@primitive
def erf(x):
    """erf x = 2/√π ∫₀ˣ e^{-t²} dt; d/dx = 2/√π e^{-x²} (``torch.erf``)."""
    return _erf_array(x)
defvjp(erf, lambda g, out, x: g * (_TWO_OVER_SQRT_PI * np.exp(-x * x)), saves=(0,))


@primitive
def erfc(x):
    """erfc x = 1 - erf x, accurate where erf x is near 1; d/dx = -2/√π e^{-x²}
    (``torch.erfc``)."""
    return _erfc_array(x)
defvjp(erfc, lambda g, out, x: g * (-_TWO_OVER_SQRT_PI * np.exp(-x * x)), saves=(0,))


@primitive
def erfinv(y):
    """The inverse of erf on (-1, 1); ±1 give ±inf and |y| > 1 NaN (``torch.erfinv``);
    d/dy = √π/2 e^{x²} with x = erfinv y."""
    return _erfinv_array(y)
defvjp(erfinv, lambda g, out, y: g * (np.exp(out * out) / _TWO_OVER_SQRT_PI), saves=("out",))


@primitive
def gelu(x, approximate="none"):
    """GELU (Hendrycks & Gimpel 2016), ``torch.nn.functional.gelu``.

    ``approximate="none"``: x Φ(x) = x/2 erfc(-x/√2) (erfc keeps the far negative side
    accurate where 1 + erf cancels); d/dx = Φ(x) + x φ(x).
    ``approximate="tanh"``: x/2 (1 + tanh u), u = √(2/π) (x + 0.044715 x³);
    d/dx = (1 + tanh u)/2 + x/2 (1 - tanh² u) √(2/π) (1 + 3·0.044715 x²).
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(_K * (x + 0.044715 * x * x * x)))
    return 0.5 * x * _erfc_array(-x * _SQRT_HALF)


_K = math.sqrt(2 / math.pi)


def _gelu_vjp(g, out, x, approximate="none"):
    if approximate == "tanh":
        th = np.tanh(_K * (x + 0.044715 * x * x * x))
        return g * (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * _K * (1 + 3 * 0.044715 * x * x))
    # Φ(x): the array function on arrays, the recorded op on Tensors (higher-order autodiff)
    cdf = 0.5 * (_erfc_array if isinstance(x, (np.ndarray, np.generic)) else erfc)(-x * _SQRT_HALF)
    pdf = np.exp(-0.5 * x * x) * (_TWO_OVER_SQRT_PI * _SQRT_HALF / 2)
    return g * (cdf + x * pdf)
defvjp(gelu, _gelu_vjp, saves=(0,))
