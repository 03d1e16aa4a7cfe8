"""Parameter initialisers, all drawing from the library generator (``ns.manual_seed``).

Two layers: array helpers the layers use at construction (``uniform``, ``fan_in_uniform`` …,
returning ndarrays), and torch's in-place ``nn.init`` functions on tensors (``uniform_``,
``xavier_uniform_``, ``kaiming_normal_``, ``orthogonal_`` …), which fill a tensor without
recording a graph and return it.  Their formulas and fan computation are torch's
(``torch.nn.init``); the draws come from the library generator or ``generator=``
(:class:`nnscratch.Generator`), so they are reproducible but not torch's numbers.
"""
import math

import numpy as np

from .. import random as _random
from .._checks import check_range
from ..autograd import no_grad
from ..tensor import as_tensor, get_default_dtype


def uniform(low, high, shape, dtype=None) -> np.ndarray:
    """U(low, high) samples of ``shape`` in the default dtype."""
    a = _random.generator().uniform(low, high, shape)
    return a.astype(dtype or get_default_dtype())


def normal(mean, std, shape, dtype=None) -> np.ndarray:
    a = _random.generator().normal(mean, std, shape)
    return a.astype(dtype or get_default_dtype())


def fan_in_uniform(shape, fan_in, dtype=None) -> np.ndarray:
    """U(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's default for Linear, Conv and RNN weights
    (kaiming_uniform with a = sqrt(5) reduces to exactly this bound)."""
    bound = 1.0 / np.sqrt(fan_in) if fan_in > 0 else 0.0
    return uniform(-bound, bound, shape, dtype)


def xavier_uniform(shape, gain=1.0, dtype=None) -> np.ndarray:
    """Glorot & Bengio (2010): U(±gain·sqrt(6 / (fan_in + fan_out)))."""
    fan_out, fan_in = shape[0], int(np.prod(shape[1:]))
    receptive = 1
    if len(shape) > 2:
        receptive = int(np.prod(shape[2:]))
        fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return uniform(-bound, bound, shape, dtype)


def kaiming_normal(shape, dtype=None) -> np.ndarray:
    """He et al. (2015) for ReLU: N(0, 2 / fan_in)."""
    fan_in = int(np.prod(shape[1:]))
    return normal(0.0, np.sqrt(2.0 / fan_in), shape, dtype)


# ------------------------------------------------------------------ torch's nn.init
def calculate_gain(nonlinearity: str, param=None) -> float:
    """The gain torch recommends for ``nonlinearity``: 1 for linear/conv/sigmoid, 5/3 for
    tanh, sqrt(2) for relu, sqrt(2 / (1 + slope²)) for leaky_relu (slope ``param``, default
    0.01), 3/4 for selu."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor):
    """``(fan_in, fan_out)`` of a weight ``(out, in, *kernel)``: ``in·k`` and ``out·k`` with
    ``k = prod(kernel)`` (torch's rule; needs at least 2 dims)."""
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         f"dimensions, got shape {shape}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a: float = 0.0, b: float = 1.0, generator=None):
    """Fill ``tensor`` with U(a, b) draws, in place, no graph."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean: float = 0.0, std: float = 1.0, generator=None):
    """Fill ``tensor`` with N(mean, std²) draws, in place, no graph."""
    check_range(std, "std", "normal_")                 # torch: "normal expects std >= 0.0"
    check_range(mean, "mean", "normal_", lo=-math.inf)
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def constant_(tensor, val: float):
    """Fill ``tensor`` with ``val``, in place, no graph."""
    with no_grad():
        return tensor.fill_(val)


def zeros_(tensor):
    return constant_(tensor, 0.0)


def ones_(tensor):
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor, gain: float = 1.0, generator=None):
    """Glorot & Bengio (2010): U(-a, a), ``a = gain·sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain: float = 1.0, generator=None):
    """Glorot & Bengio (2010): N(0, std²), ``std = gain·sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    return calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))


def kaiming_uniform_(tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None):
    """He et al. (2015): U(-b, b), ``b = sqrt(3)·gain / sqrt(fan)`` with
    ``gain = calculate_gain(nonlinearity, a)`` and ``fan`` chosen by ``mode``.  A tensor
    with a zero-size dim is returned unchanged (torch warns)."""
    if 0 in tuple(tensor.shape):
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None):
    """He et al. (2015): N(0, std²), ``std = gain / sqrt(fan)`` (see :func:`kaiming_uniform_`)."""
    if 0 in tuple(tensor.shape):
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def orthogonal_(tensor, gain: float = 1.0, generator=None):
    """Saxe et al. (2013): ``gain·Q`` with ``Q`` from the QR decomposition of an
    ``(rows, numel / rows)`` standard normal matrix (transposed when wide), its columns'
    signs fixed by ``sign(diag(R))`` so the result is uniformly distributed (torch's
    algorithm); the result is reshaped to ``tensor``'s shape (at least 2 dims)."""
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported, "
                         f"got shape {shape}")
    if math.prod(shape) == 0:
        return tensor
    rows = shape[0]
    cols = math.prod(shape) // rows
    g = _random.generator() if generator is None else generator._rng
    flat = g.standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    with no_grad():
        return tensor.copy_(as_tensor(gain * q.reshape(shape)))
