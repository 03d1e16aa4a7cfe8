"""torch.set_num_threads and friends: here they set the BLAS's threads (threadpoolctl)."""
import pytest
import torch

import nnscratch as ns


def test_num_threads_set_the_blas_threads_as_torch_sets_its_own():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = ns.get_num_threads()
    try:
        for n in (1, 2):
            ns.set_num_threads(n)
            torch.set_num_threads(n)
            assert ns.get_num_threads() == torch.get_num_threads() == n
            blas = threadpoolctl.threadpool_info()
            assert all(lib["num_threads"] == n for lib in blas if lib["user_api"] == "blas")
    finally:
        ns.set_num_threads(before)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(RuntimeError, match="positive"):
            ns.set_num_threads(bad)
        with pytest.raises((RuntimeError, TypeError)):
            torch.set_num_threads(bad)
    ns.set_num_interop_threads(2)
    assert ns.get_num_interop_threads() == 2
