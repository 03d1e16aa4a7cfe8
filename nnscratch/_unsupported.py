"""One clear error for a torch feature nnscratch does not provide.

``Tensor``, ``nn.Module`` and the modules ``nnscratch``, ``nnscratch.nn`` and
``nnscratch.nn.functional`` send a failed attribute lookup here: a name that torch has (the
tables in :mod:`._torch_names`) raises :class:`TorchFeatureError` naming the torch feature, any
other name the usual AttributeError.  The error is both a ``NotImplementedError`` (what it
means) and an ``AttributeError`` (what a missing attribute must be, so that ``hasattr`` and
``getattr(obj, name, default)`` keep working and no caller has to catch something new).
"""
from __future__ import annotations


class TorchFeatureError(NotImplementedError, AttributeError):
    """A torch name nnscratch does not implement (see docs/torch-compat.md)."""


def missing(table: str, torch_name: str, name: str, plain: str) -> AttributeError:
    """The error for ``name`` not found: a :class:`TorchFeatureError` naming
    ``torch_name.name`` if torch's ``table`` (``"TENSOR"``, ``"MODULE"``, ``"TORCH"``, ``"NN"``,
    ``"FUNCTIONAL"``) has it, else ``AttributeError(plain)``."""
    if not name.startswith("_"):
        # `from . import _torch_names` would ask nnscratch.__getattr__ first, which is us
        from ._torch_names import TABLES
        if name in TABLES[table]:
            return TorchFeatureError(
                f"{torch_name}.{name} is a torch feature that nnscratch does not implement "
                f"(docs/torch-compat.md lists what it provides)")
    return AttributeError(plain)


def module_getattr(module_name: str, table: str, torch_name: str):
    """A module-level ``__getattr__`` (PEP 562) raising :func:`missing`'s error."""
    def __getattr__(name):
        raise missing(table, torch_name, name,
                      f"module {module_name!r} has no attribute {name!r}")
    return __getattr__
