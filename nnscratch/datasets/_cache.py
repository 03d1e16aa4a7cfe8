"""Where loaders cache converted data, and how they ask for optional packages."""
from __future__ import annotations

import importlib
import os
import zipfile
from typing import Callable

import numpy as np

from .._optional import install_hint
from ..serialization import atomic_write

ENV_VAR = "NNSCRATCH_CACHE"


def cache_dir(path: str | os.PathLike | None = None) -> str:
    """The cache directory: ``path`` if given, else ``$NNSCRATCH_CACHE``, else
    ``~/.cache/nnscratch``.  It is created when first written to, never before."""
    if path is not None:
        return os.fspath(path)
    env = os.environ.get(ENV_VAR)
    if env:
        return env
    return os.path.join(os.path.expanduser("~"), ".cache", "nnscratch")


def require(module: str, pip: str, owner: str):
    """Import an optional package, or say which ``pip install`` brings it (the nnscratch extra,
    for the packages an extra installs)."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        hint = install_hint(module) or f"pip install {pip}"
        raise ModuleNotFoundError(f"{owner} needs the optional package {module!r}, which is "
                                  f"not installed: {hint}", name=module) from e


def cached_arrays(name: str, build: Callable[[], dict], directory: str | None,
                  keys: tuple[str, ...]) -> dict:
    """Arrays from ``<cache>/<name>.npz`` (read with ``allow_pickle=False``), built once.

    ``build()`` returns a dict of arrays; it is called when the cache file is missing or
    unreadable, and its result is written atomically for next time.
    """
    path = os.path.join(cache_dir(directory), name + ".npz")
    if os.path.isfile(path):
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in keys}
            return arrays
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            pass  # a damaged cache is rebuilt below, never trusted
    arrays = build()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    atomic_write(path, lambda f: np.savez(f, **arrays))
    return arrays
