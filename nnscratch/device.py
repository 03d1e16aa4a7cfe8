"""Devices, as torch names them: ``ns.device``, ``ns.cuda``, ``ns.accelerator``, ``ns.backends``.

nnscratch computes with NumPy on the CPU, so the CPU is the only device: ``device("cpu")``
works, ``cuda.is_available()`` is False, and ``tensor.to(device)`` / ``module.to(device)`` accept
the CPU and refuse anything else with an error naming it.  Every array is created by NumPy in
:mod:`nnscratch.tensor`'s factories and the ops, so a GPU array module with NumPy's interface
could be put in one place later.
"""
from __future__ import annotations

import types

from .autograd.engine import _Device as device

__all__ = ["device", "cuda", "accelerator", "backends", "mps"]


def _false(*args, **kwargs):
    return False


def _no_cuda(*args, **kwargs):
    raise RuntimeError("cuda: nnscratch runs on the CPU only (cuda.is_available() is False)")


cuda = types.SimpleNamespace(
    is_available=_false, device_count=lambda: 0, is_initialized=_false,
    manual_seed=lambda seed: None, manual_seed_all=lambda seed: None,   # no CUDA generator
    synchronize=lambda device=None: None, empty_cache=lambda: None,
    current_device=_no_cuda, get_device_name=_no_cuda, set_device=_no_cuda)

accelerator = types.SimpleNamespace(
    is_available=_false, current_accelerator=lambda check_available=False: None,
    device_count=lambda: 0, synchronize=lambda device=None: None)

mps = types.SimpleNamespace(is_available=_false, is_built=_false)
backends = types.SimpleNamespace(mps=mps, cudnn=types.SimpleNamespace(
    is_available=_false, enabled=False, deterministic=False, benchmark=False))
