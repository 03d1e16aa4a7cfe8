"""Grad mode: whether operations on tensors that require grad are recorded.

``no_grad``, ``enable_grad``, ``inference_mode`` and ``set_grad_enabled`` as torch's: context
managers that also decorate functions.  The op declarations (:mod:`.declare`) read the flag
``_grad_enabled`` of this module on every call.
"""
from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

_grad_enabled = True


def is_grad_enabled() -> bool:
    return _grad_enabled


class _GradMode(contextlib.ContextDecorator):
    """Sets grad recording to ``_enabled`` inside a ``with`` block or a decorated function.

    Usable as ``with no_grad():``, ``@no_grad()`` and ``@no_grad``.  Each decorated call gets a
    fresh context (``_recreate_cm``), so recursive or nested calls restore the right mode.
    """

    _enabled = False

    def __new__(cls, func=None):
        self = super().__new__(cls)
        return self if func is None else self(func)  # bare @no_grad on a function

    def __init__(self, func: Any = None):
        self._prev: list[bool] = []

    def _recreate_cm(self):
        return type(self)()

    def __enter__(self):
        global _grad_enabled
        self._prev.append(_grad_enabled)
        _grad_enabled = self._enabled
        return self

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._prev.pop()
        return False


class no_grad(_GradMode):
    """Context manager / decorator that stops recording operations (``torch.no_grad``)."""

    _enabled = False


class enable_grad(_GradMode):
    """Context manager / decorator that turns recording back on inside ``no_grad``."""

    _enabled = True


class inference_mode(_GradMode):
    """``torch.inference_mode(mode=True)``: here the same as ``no_grad`` (or a no-op when
    ``mode=False``); torch's extra speed-ups have no counterpart in a NumPy engine."""

    def __new__(cls, mode=True):
        if callable(mode):                     # bare @inference_mode on a function
            return super().__new__(cls)(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        super().__init__()
        self._mode = bool(mode) if not callable(mode) else True

    def _recreate_cm(self):
        return type(self)(self._mode)

    def __enter__(self):
        global _grad_enabled
        self._prev.append(_grad_enabled)
        if self._mode:
            _grad_enabled = False
        return self


class set_grad_enabled(_GradMode):
    """``torch.set_grad_enabled(mode)``: a context manager, or a plain call that sets it."""

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        global _grad_enabled
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        super().__init__()
        self._mode = bool(mode)
        self._prev.append(_grad_enabled)   # a plain call takes effect at once, as in torch
        _grad_enabled = self._mode

    def _recreate_cm(self):
        return type(self)(self._mode)

    def __enter__(self):
        return self                         # already set by __init__

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._prev.pop()
        return False
