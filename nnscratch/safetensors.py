"""Weights in the safetensors format: ``ns.save_safetensors`` / ``ns.load_safetensors``.

The format (published by Hugging Face, https://huggingface.co/docs/safetensors) is

* 8 bytes: ``N``, the length of the header, an unsigned little-endian 64-bit integer;
* ``N`` bytes: a UTF-8 JSON object ``{name: {"dtype": "F32", "shape": [..],
  "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}`` (padded with spaces so the
  data starts 8-byte aligned, as the reference writer does);
* the byte buffer: each tensor's elements in C order, little-endian, at
  ``[begin, end)`` relative to the buffer's start; the tensors tile the buffer without gaps or
  overlap.

A file written here loads in ``safetensors.numpy.load_file`` / ``safetensors.torch.load_file``
and so into a ``torch.nn`` module of the same architecture (our state-dict names and layouts
are torch's), and a file torch writes loads into our modules.  Both are written and read by
this file's own code: nnscratch does not depend on the ``safetensors`` package.

Reading never trusts the file: the header length is checked against the file size (and a
100 MB cap) before anything is allocated, every entry's dtype, shape and offsets are checked
against each other and the buffer, and any problem is a ``ValueError`` naming the file.
Writes are atomic (:func:`nnscratch.serialization.atomic_write`).
"""
from __future__ import annotations

import json
import math
import os
import struct

import numpy as np

from ._atomic import atomic_write
from ._bounded_io import open_regular
from .autograd.core import TensorBase

__all__ = ["save_safetensors", "load_safetensors", "safetensors_metadata"]

# safetensors dtype names -> little-endian NumPy dtypes (BF16 and the float8 types have no
# NumPy dtype, so they are refused with a clear message)
_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
           "I8": "i1", "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1", "BOOL": "?"}
_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}
_MAX_HEADER = 100_000_000          # the reference implementation's limit on the JSON header
_METADATA = "__metadata__"
_MAX_ELEMENTS = np.iinfo(np.intp).max


def _storable(value, name: str) -> np.ndarray:
    """A state-dict entry as the array to write: an ndarray or a Tensor's array, of a dtype the
    format stores (a list is refused: a state dict holds arrays)."""
    if isinstance(value, TensorBase):
        value = value._data
    if not isinstance(value, np.ndarray):
        raise TypeError(f"save_safetensors: state_dict[{name!r}] must be an array or Tensor, "
                        f"got {type(value).__name__}")
    key = value.dtype.newbyteorder("<") if value.dtype.byteorder == ">" else value.dtype
    if np.dtype(key) not in _NAMES:
        raise TypeError(f"save_safetensors: state_dict[{name!r}] has dtype {value.dtype}; "
                        f"safetensors stores {sorted(_NAMES.values())}")
    return value


def save_safetensors(state_dict, path: str | os.PathLike, metadata: dict | None = None) -> None:
    """Write a flat ``{name: array or Tensor}`` mapping (e.g. ``model.state_dict()``) to
    ``path`` in the safetensors format, atomically.

    Args:
        state_dict: str keys (not ``"__metadata__"``), NumPy arrays or Tensors of a dtype listed
            in ``_DTYPES``; written in the mapping's order.
        path: destination file; its directory must exist.
        metadata: optional ``{str: str}`` stored under ``"__metadata__"`` (free text, e.g. the
            architecture), readable with :func:`safetensors_metadata`.

    Raises:
        TypeError: a key, value or metadata entry of the wrong type (the message names it).
    """
    if not hasattr(state_dict, "items"):
        raise TypeError(f"save_safetensors: state_dict must be a mapping of names to arrays, "
                        f"got {type(state_dict).__name__}")
    header: dict = {}
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError(f"save_safetensors: metadata must be a dict of str to str, got "
                            f"{metadata!r:.80}")
        header[_METADATA] = dict(metadata)
    arrays, offset = [], 0
    for name, value in state_dict.items():
        if not isinstance(name, str) or name == _METADATA:
            raise TypeError(f"save_safetensors: keys must be str other than {_METADATA!r}, "
                            f"got {name!r}")
        a = _storable(value, name)
        # C order, little-endian (np.ascontiguousarray would turn a 0-d array into 1-d)
        a = np.asarray(a, dtype=a.dtype.newbyteorder("<") if a.dtype.itemsize > 1 else a.dtype,
                       order="C")
        header[name] = {"dtype": _NAMES[a.dtype], "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        arrays.append(a)
        offset += a.nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)              # the buffer starts 8-byte aligned

    def write(f):
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for a in arrays:
            f.write(a.tobytes())

    atomic_write(path, write)


def _read_header(bad: str, f, size: int) -> tuple[dict, int]:
    """The parsed JSON header and the buffer's start (relative to ``f``'s position); checks
    the lengths before reading."""
    if size < 8:
        raise ValueError(f"{bad}: it has {size} bytes, fewer than the 8-byte header length")
    (n,) = struct.unpack("<Q", f.read(8))
    if n > _MAX_HEADER or 8 + n > size:
        raise ValueError(f"{bad}: header length {n} exceeds the file size {size} or the "
                         f"{_MAX_HEADER}-byte limit")
    try:
        header = json.loads(f.read(n).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ValueError(f"{bad}: unreadable JSON header ({e})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{bad}: the header is a {type(header).__name__}, not a JSON object")
    return header, 8 + n


def _naturals(v, lengths) -> bool:
    """``v`` is a JSON list of non-negative ints whose length is in ``lengths``."""
    return isinstance(v, list) and len(v) in lengths and all(
        isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in v)


def _check_entry(bad: str, name: str, info) -> tuple[np.dtype, tuple, int, int]:
    if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
        raise ValueError(f"{bad}: entry {name!r} must have exactly dtype, shape and "
                         f"data_offsets, got {str(info)[:80]}")
    if not isinstance(info["dtype"], str) or info["dtype"] not in _DTYPES:
        raise ValueError(f"{bad}: entry {name!r} has dtype {info['dtype']!r}; nnscratch reads "
                         f"{sorted(_DTYPES)}")
    shape, offsets = info["shape"], info["data_offsets"]
    if (not _naturals(shape, range(0, 65)) or not _naturals(offsets, (2,))
            or offsets[0] > offsets[1]):
        raise ValueError(f"{bad}: entry {name!r} has a malformed shape {shape!r} or "
                         f"data_offsets {offsets!r}")
    if math.prod(max(n, 1) for n in shape) > _MAX_ELEMENTS:   # NumPy's limit, empty or not
        raise ValueError(f"{bad}: entry {name!r} has shape {shape}, whose dimensions multiply "
                         f"past NumPy's limit of {_MAX_ELEMENTS} elements")
    dtype = np.dtype(_DTYPES[info["dtype"]])
    if math.prod(shape) * dtype.itemsize != offsets[1] - offsets[0]:
        raise ValueError(f"{bad}: entry {name!r} of shape {shape} and dtype {info['dtype']} "
                         f"needs {math.prod(shape) * dtype.itemsize} bytes, its data_offsets "
                         f"{offsets} span {offsets[1] - offsets[0]}")
    return dtype, tuple(shape), offsets[0], offsets[1]


def _parse(f, name: str, size: int, owner: str) -> tuple[dict, dict, int]:
    """``(metadata, entries, buffer start)`` of the ``size``-byte file at ``f``'s position;
    every entry is checked against the others and the size before anything is read."""
    bad = f"{owner}: {name} is not a valid safetensors file"
    base = f.tell()
    header, start = _read_header(bad, f, size)
    f.seek(base)
    metadata = header.pop(_METADATA, None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError(f"{bad}: __metadata__ must map str to str, got {str(metadata)[:80]}")
    entries = {k: _check_entry(bad, k, v) for k, v in header.items()}
    # the entries must tile the buffer exactly: no gaps, no overlaps, nothing left over
    end = 0
    for key, (_, _, lo, hi) in sorted(entries.items(), key=lambda kv: kv[1][2:]):
        if lo != end:
            raise ValueError(f"{bad}: entry {key!r} starts at byte {lo}, expected {end} "
                             f"(tensors must tile the buffer without gaps or overlap)")
        end = hi
    if start + end != size:
        raise ValueError(f"{bad}: the header describes {end} bytes of data, the file holds "
                         f"{size - start} (truncated or padded?)")
    return metadata, entries, start


def read_safetensors(f, name: str, size: int, owner: str = "load_safetensors") -> dict:
    """``{name: np.ndarray}`` of the ``size``-byte safetensors file at ``f``'s position (a
    seekable binary file); ``name`` (the file's repr) and ``owner`` go into messages.  Reads
    exactly the bytes the checked header declares."""
    _, entries, start = _parse(f, name, size, owner)
    base, out = f.tell(), {}
    for key, (dtype, shape, lo, hi) in sorted(entries.items(), key=lambda kv: kv[1][2]):
        f.seek(base + start + lo)
        raw = np.frombuffer(f.read(hi - lo), dtype=dtype)
        out[key] = raw.astype(dtype.newbyteorder("="), copy=True).reshape(shape)
    return out


def _open(path, owner: str):
    path = os.fspath(path)
    f, size = open_regular(path, owner)          # no devices, FIFOs or sockets
    return f, repr(path), size


def load_safetensors(path: str | os.PathLike) -> dict:
    """Read a safetensors file into ``{name: np.ndarray}`` (native byte order, file order),
    ready for ``module.load_state_dict``.  Nothing is allocated before the header and every
    entry have been checked against the file size.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is truncated, inconsistent or uses a dtype NumPy lacks (BF16,
            float8); the message names the file and the entry.
    """
    f, name, size = _open(path, "load_safetensors")
    with f:
        return read_safetensors(f, name, size)


def safetensors_metadata(path: str | os.PathLike) -> dict:
    """The ``__metadata__`` ``{str: str}`` of a safetensors file (``{}`` when it has none)."""
    f, name, size = _open(path, "safetensors_metadata")
    with f:
        return dict(_parse(f, name, size, "safetensors_metadata")[0])
