"""Parameter initialisers, all drawing from the library generator (``ns.manual_seed``)."""
import numpy as np

from .. import random as _random
from ..tensor import get_default_dtype


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
