"""More pointwise maps, forward and VJP side by side: reciprocal, hypot, xlogy, sinc, logit,
nan_to_num, fmax/fmin.

reciprocal: d(1/x) = -1/x²; hypot(a, b) = √(a² + b²) without overflow, ∂/∂a = a/out;
xlogy(x, y) = x log y with 0 where x = 0 (unless y is NaN), ∂/∂x = log y (0 where x = 0 and
y ≤ 0, as torch), ∂/∂y = x/y; sinc x = sin(πx)/(πx), 1 at 0, d = (cos(πx) - sinc x)/x, 0 at 0;
logit p = log(p/(1-p)) (p clamped to [eps, 1-eps] when eps is given; the gradient is 0 outside
that band, as torch), d = 1/(p(1-p)); nan_to_num passes the gradient where x is finite;
fmax/fmin ignore a NaN operand and route the gradient as torch's masks do.
"""
import numpy as np

from ..autograd import defvjp, primitive

_IEEE = dict(invalid="ignore", divide="ignore", over="ignore")


@primitive
def reciprocal(x):
    """1/x (``torch.reciprocal``)."""
    with np.errstate(**_IEEE):
        return np.reciprocal(x)
defvjp(reciprocal, lambda g, out, x: -g * out * out, saves=("out",))


@primitive
def hypot(a, b):
    """√(a² + b²) (``torch.hypot``)."""
    return np.hypot(a, b)
defvjp(hypot, lambda g, out, a, b: g * a / out, lambda g, out, a, b: g * b / out)


@primitive
def xlogy(x, y):
    """x log y, 0 where x = 0 and y is not NaN (``torch.xlogy``)."""
    with np.errstate(**_IEEE):
        return np.where((x == 0) & ~np.isnan(y), 0, x * np.log(y))


def _xlogy_vjp_x(g, out, x, y):
    with np.errstate(**_IEEE):       # torch: g log y, 0 only where x = 0 and y <= 0
        return g * np.where((x == 0) & (y <= 0), 0, np.log(y))
defvjp(xlogy, _xlogy_vjp_x, lambda g, out, x, y: g * x / y, saves=(0, 1))


@primitive
def sinc(x):
    """sin(πx)/(πx), 1 at x = 0 (``torch.sinc``)."""
    return np.sinc(x)


def _sinc_vjp(g, out, x):
    # at 0 the series -(π²/3)x + (π⁴/30)x³ of the derivative: value 0, and under
    # create_graph its slope -π²/3 is sinc''(0) (torch's masked formula gives NaN there)
    safe = np.where(x == 0, 1, x)
    at_zero = x * (np.pi ** 4 / 30 * x * x - np.pi ** 2 / 3)
    return g * np.where(x == 0, at_zero, (np.cos(np.pi * x) - out) / safe)
defvjp(sinc, _sinc_vjp, saves=(0, "out"))


@primitive
def logit(p, eps=None):
    """log(p / (1 - p)) (``torch.logit``); ``eps`` clamps p to [eps, 1 - eps] first."""
    q = p if eps is None else np.clip(p, eps, 1 - eps)
    with np.errstate(**_IEEE):
        return np.log(q / (1 - q))


def _logit_vjp(g, out, p, eps=None):
    with np.errstate(**_IEEE):
        d = g / (p * (1 - p))
    if eps is None:
        return np.where((p < 0) | (p > 1), np.nan, d)
    return np.where((p < eps) | (p > 1 - eps), 0, d)
defvjp(logit, _logit_vjp, saves=(0,))


@primitive
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """NaN, +inf and -inf replaced (by 0 and the dtype's largest/smallest by default)
    (``torch.nan_to_num``)."""
    return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)
defvjp(nan_to_num, lambda g, out, x, nan=0.0, posinf=None, neginf=None: g * np.isfinite(x),
       saves=(0,))


@primitive
def fmax(a, b):
    """The larger of a and b, the other one where one is NaN (``torch.fmax``)."""
    return np.fmax(a, b)
defvjp(fmax, lambda g, out, a, b: g * ((a >= b) | np.isnan(b)),
             lambda g, out, a, b: g * ~((a >= b) | np.isnan(b)), saves=(0, 1))


@primitive
def fmin(a, b):
    """The smaller of a and b, the other one where one is NaN (``torch.fmin``)."""
    return np.fmin(a, b)
defvjp(fmin, lambda g, out, a, b: g * ((a <= b) | np.isnan(b)),
             lambda g, out, a, b: g * ~((a <= b) | np.isnan(b)), saves=(0, 1))
