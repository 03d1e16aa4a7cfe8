"""``repr(tensor)`` laid out as torch prints it (``torch._tensor_str`` with the default print
options: 4 digits, 80 columns, tensors over 1000 elements summarised with 3 edge items).

One number format for the whole tensor, chosen from its finite non-zero magnitudes:
whole numbers print as ``3.``; otherwise ``{:.4f}``; scientific ``{:.4e}`` when the largest is
over 1e8 or over 1000 times the smallest, or (non-integers) the smallest is under 1e-4.  Every
entry is right-aligned to the widest one; rows wrap at 80 columns.
"""
from __future__ import annotations

import math

import numpy as np

LINEWIDTH, PRECISION, THRESHOLD, EDGEITEMS = 80, 4, 1000, 3
SCI_MODE: bool | None = None          # None: chosen from the values, as described above

_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80),
             "full": (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """``torch.set_printoptions``: digits after the point, the element count above which a
    tensor is summarised, the edge items a summary keeps, the line width, a ``profile``
    (``"default"``, ``"short"``, ``"full"``) setting all four first, and ``sci_mode`` (True or
    False forces scientific notation on or off; None, the default, chooses per tensor).  An
    argument left None keeps its current value, except ``sci_mode``, which is always set."""
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, SCI_MODE
    # every argument is checked before any is set; threshold alone may be inf ("never
    # summarise", torch's idiom): an infinite precision or width cannot be an int
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None and not (isinstance(value, (int, float)) and value >= 0 and (
                name == "threshold" or value != float("inf"))):
            finite = "" if name == "threshold" else "finite "
            raise ValueError(f"set_printoptions: {name} must be a {finite}number >= 0, got "
                             f"{value!r}")
    if sci_mode is not None and not isinstance(sci_mode, bool):
        raise TypeError(f"set_printoptions: sci_mode must be True, False or None, got "
                        f"{sci_mode!r}")
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, "
                             f"got {profile!r}")
        PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = _PROFILES[profile]
    PRECISION = PRECISION if precision is None else int(precision)
    THRESHOLD = THRESHOLD if threshold is None else threshold
    EDGEITEMS = EDGEITEMS if edgeitems is None else int(edgeitems)
    LINEWIDTH = LINEWIDTH if linewidth is None else int(linewidth)
    SCI_MODE = sci_mode


def _summarized(a: np.ndarray, summarize: bool) -> np.ndarray:
    """The entries that get printed: the first and last EDGEITEMS along every long axis."""
    if not summarize or a.ndim == 0:
        return a
    for axis in range(a.ndim):
        if a.shape[axis] > 2 * EDGEITEMS:
            idx = list(range(EDGEITEMS)) + list(range(a.shape[axis] - EDGEITEMS, a.shape[axis]))
            a = np.take(a, idx, axis=axis)
    return a


class _Formatter:
    def __init__(self, values: np.ndarray):
        self.kind = values.dtype.kind
        self.sci = self.whole = False
        if self.kind == "f":
            v = values.astype(np.float64).ravel()
            finite = v[np.isfinite(v) & (v != 0)]
            mag = np.abs(finite)
            self.whole = bool(np.all(mag == np.ceil(mag)))
            if finite.size:
                lo, hi = mag.min(), mag.max()
                self.sci = hi / lo > 1000.0 or hi > 1.0e8 or (not self.whole and lo < 1.0e-4)
            if SCI_MODE is not None:
                self.sci = SCI_MODE
            shown = [self._plain(x) for x in finite] or [""]     # signed: '-' takes a column
        else:
            shown = [self._plain(x) for x in values.ravel()] or [""]
        self.width = max(len(s) for s in shown)

    def _plain(self, x) -> str:
        if self.kind == "b":
            return str(bool(x))
        if self.kind != "f":
            return str(int(x))
        if self.sci:
            return f"{x:.{PRECISION}e}"
        if self.whole:
            return f"{x:.0f}." if math.isfinite(x) else f"{x:.0f}"
        return f"{x:.{PRECISION}f}"

    def __call__(self, x) -> str:
        return self._plain(x.item() if hasattr(x, "item") else x).rjust(self.width)


def _body(a: np.ndarray, fmt: _Formatter, indent: int, summarize: bool) -> str:
    if a.ndim == 0:
        return fmt(a)
    n = a.shape[0]
    cut = summarize and n > 2 * EDGEITEMS
    if a.ndim == 1:
        items = ([fmt(x) for x in a[:EDGEITEMS]] + [" ..."] + [fmt(x) for x in a[-EDGEITEMS:]]
                 if cut else [fmt(x) for x in a])
        per_line = max(1, (LINEWIDTH - indent) // (fmt.width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(n) if not cut else list(range(EDGEITEMS)) + [None] + \
        list(range(n - EDGEITEMS, n))
    parts = ["..." if i is None else _body(a[i], fmt, indent + 1, summarize) for i in rows]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def tensor_repr(a: np.ndarray, suffixes: list) -> str:
    """``tensor(<values>, <suffixes>)`` as torch prints it; ``suffixes`` such as
    ``"dtype=nnscratch.float64"`` or ``"requires_grad=True"``."""
    prefix = "tensor("
    if a.size == 0:
        body = "[]"
        if a.shape != (0,):
            suffixes = [f"size={tuple(a.shape)}"] + suffixes
    else:
        summarize = a.size > THRESHOLD
        fmt = _Formatter(_summarized(a, summarize))
        body = _body(a, fmt, len(prefix), summarize)
    out = prefix + body
    last = len(out) - out.rfind("\n") if "\n" in out else len(out)
    for s in suffixes:      # a suffix that would pass the 80th column goes on its own line
        if last + len(s) + 2 > LINEWIDTH:
            out += ",\n" + " " * len(prefix) + s
            last = len(prefix) + len(s)
        else:
            out += ", " + s
            last += len(s) + 2
    return out + ")"
