"""Two-operand pointwise maps: copysign, lerp, cross, maximum and minimum.

copysign(a, b) = |a| with b's sign bit; ∂/∂a = out / a (±1; 0 where a = 0, as torch),
∂/∂b = 0.  lerp(a, b, w) = a + w (b - a); ∂/∂a = 1 - w, ∂/∂b = w, ∂/∂w = b - a.
"""
import numpy as np

from ..autograd import defvjp, primitive
from ..autograd.lifted import lifted


@primitive
def copysign(a, b):
    """|a| with the sign of b, -0.0 and NaN sign bits included (``torch.copysign``)."""
    return np.copysign(a, b)


def _copysign_vjp_a(g, out, a, b):
    nonzero = a != 0
    return g * np.where(nonzero, out / np.where(nonzero, a, 1), 0)
defvjp(copysign, _copysign_vjp_a, lambda g, out, a, b: g * 0, saves=(0, "out"))


@primitive
def lerp(a, b, w):
    """a + w (b - a) (``torch.lerp``); w a number or an array broadcast with a and b."""
    return a + w * (b - a)
defvjp(lerp, lambda g, out, a, b, w: g * (1 - w),
             lambda g, out, a, b, w: g * w,
             lambda g, out, a, b, w: g * (b - a), saves=(0, 1, 2))


@primitive
def cross(a, b, axis):
    """a × b of 3-vectors along ``axis`` (``torch.cross``/``linalg.cross``);
    ∂/∂a = b × g, ∂/∂b = g × a."""
    if not (-np.ndim(a) <= axis < np.ndim(a) and -np.ndim(b) <= axis < np.ndim(b)) or \
            np.shape(a)[axis] != 3 or np.shape(b)[axis] != 3:
        raise RuntimeError(f"cross: inputs dimension {axis} must have length 3, got "
                           f"{np.shape(a)} and {np.shape(b)}")
    return np.cross(a, b, axis=axis)
# (cross itself, lifted: recorded under create_graph, so differentiable again)
defvjp(cross, lambda g, out, a, b, axis: lifted(cross)(b, g, axis),
              lambda g, out, a, b, axis: lifted(cross)(g, a, axis), saves=(0, 1))


@primitive
def maximum(a, b):
    """The larger of a and b, NaN if either is (``torch.maximum``); a tie sends half the
    gradient to each, and a NaN sends all of it to both, as torch's derivative formula."""
    return np.maximum(a, b)
defvjp(maximum, lambda g, out, a, b: np.where(a == b, g / 2, g * (1 - (a < b))),
                lambda g, out, a, b: np.where(a == b, g / 2, g * (1 - (a > b))), saves=(0, 1))


@primitive
def minimum(a, b):
    """The smaller of a and b, NaN if either is (``torch.minimum``); gradients as maximum."""
    return np.minimum(a, b)
defvjp(minimum, lambda g, out, a, b: np.where(a == b, g / 2, g * (1 - (a > b))),
                lambda g, out, a, b: np.where(a == b, g / 2, g * (1 - (a < b))), saves=(0, 1))
