"""Optional compiled kernels (numba) for the loops NumPy cannot fuse.

NumPy runs every elementwise expression as separate passes over memory, one thread each; a
few hot spots (the convolution's column copies, the LSTM and GRU cells) are cheaper as
one compiled loop.  Those loops live here, one module per op family, each with ``@jit``
functions that compute the numbers of the NumPy code at their dispatch point in
``nnscratch/ops/`` — that NumPy code is the reference (the code to read for the maths) — bit
for bit, except where a module says otherwise and why (the float32 cells' own ``tanh``);
``tests/kernels/test_kernels.py`` checks both paths agree within the stated bound on random
and edge-case inputs.

Which path runs:

* numba not installed (it is the optional ``kernels`` extra): the NumPy path, silently;
* ``NNSCRATCH_KERNELS=numpy`` in the environment, or ``set_backend("numpy")``, or inside
  ``with using("numpy"):``: the NumPy path;
* otherwise (``NNSCRATCH_KERNELS`` unset, ``auto`` or ``numba``): the compiled kernels.

A dispatch point asks ``compiled("lstm")``: the kernel module, or None for the NumPy path.
The kernel modules import numba, so nothing here imports numba before a kernel is first
needed (``import nnscratch`` stays NumPy-only and fast).  Kernels are compiled on their first
call and cached on disk (``cache=True``: in ``__pycache__`` beside this package, or, in a
read-only install, numba's per-user cache directory; ``NUMBA_CACHE_DIR`` overrides both);
``bench/kernels_coldstart.py`` measures that first-call cost.
"""
from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from types import ModuleType

BACKENDS = ("auto", "numba", "numpy")
_choice: str = "auto"
_loaded: dict[str, ModuleType | None] = {}
_numba_ok: bool | None = None       # None: not tried yet


def _check(name: str, owner: str) -> str:
    name = str(name).strip().lower() or "auto"
    if name not in BACKENDS:
        raise ValueError(f"{owner}: backend must be one of {BACKENDS}, got {name!r}")
    return name


def set_backend(name: str) -> None:
    """Choose the kernels: ``"numpy"`` (the reference path), ``"numba"`` or ``"auto"`` (numba
    if it is installed, else NumPy).  ``"numba"`` without numba installed falls back to NumPy
    like ``"auto"``: the library never needs it."""
    global _choice
    _choice = _check(name, "set_backend")


def backend() -> str:
    """The path in use now: ``"numba"`` or ``"numpy"``."""
    return "numba" if _choice != "numpy" and _numba_available() else "numpy"


@contextlib.contextmanager
def using(name: str) -> Iterator[None]:
    """``with using("numpy"): ...`` runs the block on that backend, then restores the choice."""
    global _choice
    before, _choice = _choice, _check(name, "using")
    try:
        yield
    finally:
        _choice = before


def _numba_available() -> bool:
    global _numba_ok
    if _numba_ok is None:
        try:
            import numba  # noqa: F401
            _numba_ok = True
        except ImportError:
            _numba_ok = False
    return _numba_ok


def compiled(family: str) -> ModuleType | None:
    """The compiled-kernel module ``nnscratch.kernels.<family>`` if the numba path is active,
    else None (the caller runs its NumPy reference)."""
    if _choice == "numpy":
        return None
    if family not in _loaded:
        _loaded[family] = (importlib.import_module(f"{__name__}.{family}")
                           if _numba_available() else None)
    return _loaded[family]


_choice = _check(os.environ.get("NNSCRATCH_KERNELS", "auto"), "NNSCRATCH_KERNELS")
