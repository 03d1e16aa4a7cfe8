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

It is one explicit call, made once: ``Optimizer.__init__`` calls :func:`retain_freed_memory`
(every training loop creates an optimizer, ``fit`` and the CLI included); nothing else does,
and importing nnscratch does not, so a user fitting a ridge regression keeps the default
malloc.  A loop without an optimizer (inference over many batches) may call it itself.
Measured (CPU time of one bench workload per fresh process, tuned and untuned interleaved,
5 rounds on the shared machine, 2026-12-07): untuned/tuned per-round median 1.6x for the
CNN, 1.2x for the char GRU, ~1.0x for the MLP: it pays.  Linux/glibc only;
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
