"""Division with rounding: ``fmod``, ``remainder`` (``%``), ``floor_divide`` (``//``) and
``div(rounding_mode=)``, with torch's conventions.

* ``fmod(a, b) = a - trunc(a/b) b`` takes the sign of ``a`` (C's fmod);
  ``remainder(a, b) = a - floor(a/b) b`` takes the sign of ``b`` (Python's ``%``).
  ∂/∂a = 1, ∂/∂b = -trunc(a/b) (fmod) or -floor(a/b) (remainder), as torch's derivatives.
* Integer division by zero is torch's ``RuntimeError: ZeroDivisionError``; NumPy would give 0.
* ``floor_divide`` and ``div(..., rounding_mode="trunc"|"floor")`` are piecewise constant:
  their results carry no gradient (see the ``sign``/``floor`` row of docs/torch-compat.md).
"""
import numpy as np

from ..autograd import defvjp, primitive


def _no_integer_zero(b, a):
    if np.result_type(a, b).kind in "iu" and np.any(np.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")


@primitive
def fmod(a, b):
    """C's fmod: the remainder of a / b truncated toward zero, with the sign of a."""
    _no_integer_zero(b, a)
    return np.fmod(a, b)
defvjp(fmod, lambda g, out, a, b: g,
             lambda g, out, a, b: -g * np.trunc(a / b), saves=(0, 1))


@primitive
def remainder(a, b):
    """Python's modulo: a - floor(a / b) b, with the sign of b (``torch.remainder``, ``%``).
    Computed as torch does, fmod corrected by b where the signs differ, so that a zero keeps
    a's sign (``remainder(-0.0, 2)`` is -0.0; NumPy's remainder gives +0.0)."""
    _no_integer_zero(b, a)
    if np.result_type(a, b).kind in "iu":
        return np.remainder(a, b)
    with np.errstate(invalid="ignore"):
        m = np.fmod(a, b)
        return np.where((m != 0) & ((np.asarray(b) < 0) != (m < 0)), m + b, m)
defvjp(remainder, lambda g, out, a, b: g,
                  lambda g, out, a, b: -g * np.floor(a / b), saves=(0, 1))


def floor_divide(a, b):
    """floor(a / b), Python's ``//`` (``torch.floor_divide``); integers stay integers."""
    _no_integer_zero(b, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.floor_divide(a, b)


def trunc_divide(a, b):
    """trunc(a / b) (``torch.div(a, b, rounding_mode="trunc")``); integers stay integers."""
    _no_integer_zero(b, a)
    if np.result_type(a, b).kind in "iu":
        q = np.floor_divide(a, b)
        # floor and trunc differ where the exact quotient is negative and not whole
        return q + ((np.remainder(a, b) != 0) & ((np.asarray(a) < 0) != (np.asarray(b) < 0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.trunc(np.true_divide(a, b))
