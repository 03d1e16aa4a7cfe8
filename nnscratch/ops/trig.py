"""Trigonometric and hyperbolic functions and their inverses, each VJP beside its forward.

Every derivative is written with operators and NumPy ufuncs only, so the VJPs run on arrays
and on Tensors alike.  Domains and the values outside them are IEEE's (NumPy's), as torch:
``asin(2)`` is NaN, ``atanh(1)`` is inf, ``acosh(0.5)`` is NaN.
"""
import numpy as np

from ..autograd import defvjp, primitive

_IEEE = dict(invalid="ignore", divide="ignore", over="ignore")  # NaN/inf, silently (torch)


@primitive
def tan(x):
    """tan x; d/dx = 1 + tan² x (``torch.tan``)."""
    with np.errstate(**_IEEE):
        return np.tan(x)
defvjp(tan, lambda g, out, x: g * (1 + out * out), saves=("out",))


@primitive
def asin(x):
    """arcsin x on [-1, 1]; d/dx = 1 / √(1 - x²) (``torch.asin``)."""
    with np.errstate(**_IEEE):
        return np.arcsin(x)
defvjp(asin, lambda g, out, x: g / np.sqrt(1 - x * x), saves=(0,))


@primitive
def acos(x):
    """arccos x on [-1, 1]; d/dx = -1 / √(1 - x²) (``torch.acos``)."""
    with np.errstate(**_IEEE):
        return np.arccos(x)
defvjp(acos, lambda g, out, x: -g / np.sqrt(1 - x * x), saves=(0,))


@primitive
def atan(x):
    """arctan x; d/dx = 1 / (1 + x²) (``torch.atan``)."""
    return np.arctan(x)
defvjp(atan, lambda g, out, x: g / (1 + x * x), saves=(0,))


@primitive
def sinh(x):
    """sinh x; d/dx = cosh x (``torch.sinh``)."""
    with np.errstate(**_IEEE):
        return np.sinh(x)
# cosh/sinh written with np.exp, which records under create_graph (np.cosh does not)
defvjp(sinh, lambda g, out, x: g * (np.exp(x) + np.exp(-x)) / 2, saves=(0,))


@primitive
def cosh(x):
    """cosh x; d/dx = sinh x (``torch.cosh``)."""
    with np.errstate(**_IEEE):
        return np.cosh(x)
defvjp(cosh, lambda g, out, x: g * (np.exp(x) - np.exp(-x)) / 2, saves=(0,))


@primitive
def asinh(x):
    """arsinh x; d/dx = 1 / √(x² + 1) (``torch.asinh``)."""
    return np.arcsinh(x)
defvjp(asinh, lambda g, out, x: g / np.sqrt(x * x + 1), saves=(0,))


@primitive
def acosh(x):
    """arcosh x for x ≥ 1; d/dx = 1 / √(x² - 1), written √(x-1)√(x+1) as torch does, which
    keeps it accurate near 1 (``torch.acosh``)."""
    with np.errstate(**_IEEE):
        return np.arccosh(x)
defvjp(acosh, lambda g, out, x: g / (np.sqrt(x - 1) * np.sqrt(x + 1)), saves=(0,))


@primitive
def atanh(x):
    """artanh x on (-1, 1); d/dx = 1 / (1 - x²) (``torch.atanh``)."""
    with np.errstate(**_IEEE):
        return np.arctanh(x)
defvjp(atanh, lambda g, out, x: g / (1 - x * x), saves=(0,))


@primitive
def atan2(y, x):
    """The angle of the point (x, y), in (-π, π] (``torch.atan2(input=y, other=x)``);
    ∂/∂y = x / (x² + y²), ∂/∂x = -y / (x² + y²), both 0 at the origin (as torch)."""
    return np.arctan2(y, x)


def _inverse_radius2(y, x):
    r2 = x * x + y * y
    return np.where(r2 == 0, 0, 1 / np.where(r2 == 0, 1, r2))
defvjp(atan2, lambda g, out, y, x: g * x * _inverse_radius2(y, x),
              lambda g, out, y, x: -g * y * _inverse_radius2(y, x), saves=(0, 1))
