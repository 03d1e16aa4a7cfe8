"""Softmax and log-softmax along an axis, shifted by the max so ±1000 logits stay finite."""
import numpy as np

from ..autograd import defvjp, primitive
from ..numeric import log_softmax_array, softmax_array

# ValueError and IndexError (torch raises IndexError for a dim out of range); NumPy < 1.25 has
# it at the top level
_AxisError = getattr(np, "exceptions", np).AxisError


def check_axis(axis, ndim, owner):
    """``axis`` must be an int in ``[-ndim, ndim)`` (TypeError / ValueError naming it)."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{owner}: axis (dim) must be an int, got {type(axis).__name__} "
                        f"{axis!r}")
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise _AxisError(f"{owner}: axis (dim) {axis} is out of range for a {ndim}-D input; "
                         f"expected -{max(ndim, 1)} <= axis < {max(ndim, 1)}")


@primitive
def softmax(x, axis=-1):
    """s_i = e^{x_i} / Σ_j e^{x_j};  VJP: s ⊙ (g - Σ_j g_j s_j)."""
    check_axis(axis, x.ndim, "softmax")
    return softmax_array(x, axis)
defvjp(softmax, lambda g, out, x, axis=-1: out * (g - (g * out).sum(axis=axis, keepdims=True)),
       saves=("out",))


@primitive
def log_softmax(x, axis=-1):
    """log s_i = x_i - log Σ_j e^{x_j};  VJP: g - s Σ_j g_j."""
    check_axis(axis, x.ndim, "log_softmax")
    return log_softmax_array(x, axis)
defvjp(log_softmax, lambda g, out, x, axis=-1: g - np.exp(out) * g.sum(axis=axis, keepdims=True),
       saves=("out",))
