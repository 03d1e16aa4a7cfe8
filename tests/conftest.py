"""Shared test set-up: every test starts from the same seed and the float32 default dtype."""
import numpy as np
import pytest

import nnscratch as ns


@pytest.fixture(autouse=True)
def _fresh_state():
    """Seed the library generator and restore the default dtype, so tests never leak state."""
    ns.manual_seed(0)
    dtype = ns.get_default_dtype()
    yield
    ns.set_default_dtype(dtype)
    assert ns.is_grad_enabled(), "a test left grad recording switched off"


@pytest.fixture
def rng():
    """An independent NumPy generator for test data (never the library's own)."""
    return np.random.default_rng(1234)
