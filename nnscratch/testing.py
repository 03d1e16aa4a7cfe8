"""``torch.testing.assert_close``: the check the PyTorch tutorials end with ("PyTorch and ONNX
Runtime output matched!").

``|actual - expected| <= atol + rtol · |expected|`` elementwise, with torch 2.13's default
tolerances by dtype when neither is given (both or neither, as torch): float16 (1e-3, 1e-5),
float32 (1.3e-6, 1e-5), float64 (1e-7, 1e-7), integers and booleans exact.  Tensors, arrays,
numbers and (nested) sequences and mappings of them are compared; ``check_dtype`` asks for the
same dtype.  A mismatch is an ``AssertionError`` saying how many elements differ and the
largest absolute and relative differences, as torch's.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = ["assert_close"]

_DEFAULT = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
            np.dtype(np.float64): (1e-7, 1e-7)}


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None, equal_nan: bool = False,
                 check_device: bool = True, check_dtype: bool = True,
                 check_layout: bool = True, check_stride: bool = False, msg: Any = None) -> None:
    """torch.testing.assert_close (same arguments; device, layout and stride have one value
    here).  Raises AssertionError on a mismatch, ValueError if only one tolerance is given."""
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    _compare(actual, expected, rtol, atol, equal_nan, check_dtype, msg, "")


def _compare(actual, expected, rtol, atol, equal_nan, check_dtype, msg, where):
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            raise AssertionError(f"The keys of the mappings do not match{_at(where)}: "
                                 f"{sorted(map(str, actual))} != {sorted(map(str, expected))}")
        for k in actual:
            _compare(actual[k], expected[k], rtol, atol, equal_nan, check_dtype, msg,
                     f"{where}[{k!r}]")
        return
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise AssertionError(f"The length of the sequences mismatch{_at(where)}: "
                                 f"{len(actual)} != {len(expected)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, rtol, atol, equal_nan, check_dtype, msg, f"{where}[{i}]")
        return
    a, e = _array(actual), _array(expected)
    if a.shape != e.shape:
        raise AssertionError(f"The values for attribute 'shape' do not match{_at(where)}: "
                             f"{a.shape} != {e.shape}.")
    if check_dtype and a.dtype != e.dtype and (isinstance(actual, (Tensor, np.ndarray)) or
                                               isinstance(expected, (Tensor, np.ndarray))):
        raise AssertionError(f"The values for attribute 'dtype' do not match{_at(where)}: "
                             f"{a.dtype} != {e.dtype}.")
    if rtol is None:
        rtol, atol = _DEFAULT.get(np.result_type(a, e), (0.0, 0.0))
    _values(a, e, float(rtol), float(atol), equal_nan, msg, where)


def _values(a, e, rtol, atol, equal_nan, msg, where):
    close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if close.all():
        return
    bad = int((~close).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = np.abs(a.astype(np.float64) - e.astype(np.float64))
        rel = diff / np.abs(e.astype(np.float64))
    kind = "equal" if rtol == atol == 0 else "close"
    text = (f"{'Tensor-likes' if a.ndim else 'Scalars'} are not {kind}!\n\n"
            f"Mismatched elements: {bad} / {a.size} ({100 * bad / max(a.size, 1):.1f}%)\n"
            f"Greatest absolute difference: {np.nanmax(diff)} (up to {atol} allowed)\n"
            f"Greatest relative difference: {np.nanmax(rel)} (up to {rtol} allowed)"
            + (f"\n\nThe failure occurred for item {where}" if where else ""))
    raise AssertionError(msg(text) if callable(msg) else (msg or text))


def _at(where: str) -> str:
    return f" at item {where}" if where else ""


def _is_sequence(x) -> bool:
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def _array(x) -> np.ndarray:
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, (np.ndarray, np.generic, bool, int, float, complex)):
        return np.asarray(x)
    raise TypeError(f"assert_close: no comparison for inputs of type {type(x).__name__} "
                    f"(Tensors, arrays, numbers, and sequences or mappings of them)")
