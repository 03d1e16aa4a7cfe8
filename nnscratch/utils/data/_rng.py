"""The NumPy generator behind a ``generator=`` argument (torch's name for the seed)."""
import numpy as np

from ... import random as _random


def numpy_rng(generator, owner: str) -> np.random.Generator:
    """``None`` -> the library generator (read now, so ``ns.manual_seed`` applies);
    :class:`nnscratch.Generator` -> its own stream; an ``np.random.Generator`` as given."""
    if generator is None:
        return _random.generator()
    if isinstance(generator, _random.Generator):
        return generator._rng
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"{owner}: generator must be None or an nnscratch.Generator, got "
                    f"{type(generator).__name__}")
