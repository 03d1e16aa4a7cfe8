"""Keep freed memory inside the process instead of returning it to the OS after every batch.

A training step allocates and frees the same large temporaries (im2col columns, activations,
gradients) every batch.  glibc's malloc serves blocks above a (dynamic) threshold with fresh
``mmap`` pages and gives freed memory back with ``munmap``/trimming, so each batch pays
thousands of page faults: profiled on the ConvNet of bench/workloads/cnn.py this was ~7,000
minor faults and about half of all CPU time per batch (PyTorch's allocator keeps its memory
and pays ~10).
Raising ``M_MMAP_THRESHOLD`` to its maximum (32 MiB) and ``M_TRIM_THRESHOLD`` to 1 GiB makes
malloc reuse freed blocks instead; the peak memory is unchanged, the memory is simply not
returned between batches.

It is done where it pays: when an optimizer is created (every training loop makes one), at
the first convolution and at the start of ``fit`` — not at import, so a user fitting a ridge
regression keeps the default malloc.  (Measured: without it an MLP epoch and the char-GRU
benchmark ran 20-40 % slower.)  Linux/glibc only;
elsewhere (or with ``NNSCRATCH_RETAIN_MEMORY=0``) it does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_done = None


def retain_freed_memory() -> bool:
    """Tune glibc's malloc once per process; returns True when the settings took effect."""
    global _done
    if _done is not None:
        return _done
    _done = False
    if os.environ.get("NNSCRATCH_RETAIN_MEMORY", "1") == "0" or not sys.platform.startswith(
            "linux"):
        return _done
    try:        # glibc's soname first: find_library runs ldconfig in a subprocess (~5 ms)
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        try:
            mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
        except (OSError, AttributeError):      # no glibc (e.g. musl): leave malloc alone
            return _done
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    _done = bool(mallopt(_M_MMAP_THRESHOLD, 32 * 2**20) and mallopt(_M_TRIM_THRESHOLD, 2**30))
    return _done
