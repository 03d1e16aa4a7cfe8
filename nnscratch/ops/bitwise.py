"""Bitwise operations on integer and bool arrays (``& | ^ ~ << >>``), as torch computes them.

None is differentiable (integers carry no gradient).  On bool arrays and/or/xor/not are the
logical ones, as torch; a float operand is an error, torch's ``"bitwise_and_cpu" not
implemented for 'Float'``, raised as NotImplementedError (a RuntimeError, as torch's).
Shifts of bool are refused (after promotion: ``bool << 1`` is int64), as torch.
Shifts follow torch's, not C's: a count outside ``[0, bits)`` gives 0 for ``<<`` and the sign
(0 or -1) for ``>>``, where C leaves it undefined.
"""
import numpy as np

_TORCH_NAMES = {"f": "Float", "d": "Double", "e": "Half", "?": "Bool"}


class BitwiseTypeError(NotImplementedError, RuntimeError):
    """A bitwise op on a floating dtype: torch's NotImplementedError (also a RuntimeError)."""


def _check(name, *arrays, kinds="biu"):
    for a in arrays:
        d = np.result_type(a)
        if d.kind not in kinds:
            raise BitwiseTypeError(f'"{name}_cpu" not implemented for '
                                   f"'{_TORCH_NAMES.get(d.char, d.name)}'")


def bitwise_and(a, b):
    _check("bitwise_and", a, b)
    return np.bitwise_and(a, b)


def bitwise_or(a, b):
    _check("bitwise_or", a, b)
    return np.bitwise_or(a, b)


def bitwise_xor(a, b):
    _check("bitwise_xor", a, b)
    return np.bitwise_xor(a, b)


def bitwise_not(a):
    _check("bitwise_not", a)
    return np.invert(a)


def _shift_counts(a, b):
    bits = np.result_type(a).itemsize * 8
    b = np.asarray(b)
    return (b < 0) | (b >= bits), np.where((b < 0) | (b >= bits), 0, b).astype(np.result_type(a))


def left_shift(a, b):
    """``a << b``; counts outside ``[0, bits)`` give 0 (``torch.bitwise_left_shift``)."""
    _check("lshift", a, b, kinds="iu")
    out_of_range, b = _shift_counts(a, b)
    return np.where(out_of_range, 0, np.left_shift(a, b)).astype(np.result_type(a))


def right_shift(a, b):
    """``a >> b``, arithmetic for signed types; counts outside ``[0, bits)`` give the sign
    fill, 0 or -1 (``torch.bitwise_right_shift``)."""
    _check("rshift", a, b, kinds="iu")
    out_of_range, b = _shift_counts(a, b)
    fill = np.where(np.asarray(a) < 0, -1, 0) if np.result_type(a).kind == "i" else 0
    return np.where(out_of_range, fill, np.right_shift(a, b)).astype(np.result_type(a))
