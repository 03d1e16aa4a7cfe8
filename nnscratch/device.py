"""Devices, as torch names them: ``ns.device``, ``ns.cuda``, ``ns.accelerator``, ``ns.backends``.

nnscratch computes with NumPy on the CPU, so the CPU is the only device: ``device("cpu")``
works, ``cuda.is_available()`` is False, and ``tensor.to(device)`` / ``module.to(device)`` accept
the CPU and refuse anything else with an error naming it.  Every array is created by NumPy in
:mod:`nnscratch.tensor`'s factories and the ops, so a GPU array module with NumPy's interface
could be put in one place later.
"""
from __future__ import annotations

import types

__all__ = ["device", "cuda", "accelerator", "backends", "mps"]


class device:
    """``torch.device``: nnscratch computes on the CPU only, so ``"cpu"`` (``"cpu:0"``) is the
    one device; asking for another is an error naming it (see :mod:`nnscratch.device`)."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {type!r}")
        name, _, idx = type.partition(":")
        if name != "cpu":
            # NotImplementedError is a RuntimeError, which torch raises for a missing device
            raise NotImplementedError(f"device: nnscratch runs on the CPU only; {type!r} is "
                                      f"not available (torch.cuda.is_available() is False)")
        if idx not in ("", "0") or index not in (None, 0):
            raise RuntimeError(f"device: the CPU has index 0 only, got {type!r}, index={index}")
        self.type, self.index = "cpu", None

    def __repr__(self):
        return f"device(type='{self.type}')"

    def __str__(self):
        return self.type

    def __eq__(self, other):
        if isinstance(other, str):
            return other in ("cpu", "cpu:0")
        return isinstance(other, device) and other.type == self.type

    def __hash__(self):
        return hash(self.type)


cpu: device = device("cpu")   # the one device; every tensor's .device


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
