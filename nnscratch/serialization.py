"""Checkpoints without pickle: ``ns.save(state, path)`` and ``ns.load(path)``.

A checkpoint is a zip archive (uncompressed, like NumPy's ``.npz``) holding

* ``header.json`` -- ``{"format": "nnscratch-checkpoint", "version": 1, "tree": ...}``, a
  description of the nested structure (dicts, lists, tuples and plain values), and
* ``arrays/<i>.npy`` -- one ``.npy`` entry per array leaf, written and read with
  ``allow_pickle=False``.

Plain values are stored so that they come back *bit-exact*: floats as ``float.hex()`` (nan and
+-inf included), ints as decimal strings (arbitrarily large, e.g. a PCG64 generator state), NumPy
scalars as 0-d ``.npy`` entries (their dtype survives).  A ``Tensor`` loads as a ``Tensor`` (a
``Parameter`` as a ``Parameter``, ``requires_grad`` kept), an ``np.ndarray`` as an ``np.ndarray``,
as ``torch.load`` gives back what ``torch.save`` got; an ``OrderedDict`` loads as a ``dict`` (same
order).  ``load`` also reads a safetensors file (``{name: Tensor}``), and both take a path or a
binary file object (``io.BytesIO``, an open file), as torch's.

Nothing here ever unpickles, so a file written by ``torch.save`` (a pickle, zipped or not) is
refused with a message saying how to convert it (``safetensors.torch.save_file`` in torch), and
``torch.serialization.add_safe_globals``/``safe_globals`` are accepted no-ops: there is no unpickler
whose allowed classes they could extend.  Saving a whole ``nn.Module`` (torch pickles the object)
is a ``TypeError`` pointing at ``module.state_dict()``.

Nothing here ever unpickles: reading a file made by anybody else can only fail with a
``ValueError`` naming the file and the problem.  Nor does a hostile file get to choose how much
memory ``load`` takes: compressed (or encrypted) entries are refused -- ``save`` never writes
them, and a deflated entry can expand a thousandfold (a "zip bomb") -- and each ``.npy`` header's
claimed shape and dtype must account for exactly the bytes stored in its entry *before* the array
is allocated, so a 400-byte file claiming a (10**12,) array is a ``ValueError``, not a
``MemoryError``.

Writes are atomic: the archive is written to a temporary file in the destination's directory,
flushed and fsync'ed, then moved over ``path`` with ``os.replace``, so an interrupted save leaves
the previous checkpoint intact.  The temporary file of a writer that was killed is removed by the
next save into the same directory (see :func:`atomic_write`).
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import struct
import zipfile
from typing import Any

import numpy as np

from ._atomic import atomic_write, atomic_write_text
from ._bounded_io import check_binary_file, check_stream_kind, open_regular
from .tensor import Tensor

FORMAT = "nnscratch-checkpoint"
VERSION = 2            # 2: Tensor leaves are "tensor" nodes (version 1 files load unchanged)
_HEADER = "header.json"
# header.json's size limit: parsing costs ~20x its size in Python objects (a 26 MB header of
# 2M nodes took +522 MB); a state dict's header is kilobytes, a long history a few MB
MAX_HEADER = 32 * 2 ** 20
_INT_TEXT = re.compile(r"-?[0-9]{1,5000}")

__all__ = ["save", "load", "atomic_write", "atomic_write_text", "FORMAT", "VERSION",
           "add_safe_globals", "safe_globals", "get_safe_globals", "clear_safe_globals"]


# ------------------------------------------------------------------------------------ encode
def _where(trail: str) -> str:
    return "state" + trail


class _Encoder:
    """Builds the JSON tree of a state; array leaves are collected in ``self.arrays``."""

    def __init__(self):
        self.arrays: list = []   # (entry name, array)
        self.active: set = set()  # ids of the containers on the current path (cycle check)

    def encode(self, obj: Any, trail: str = "") -> dict:
        if obj is None:
            return {"t": "none"}
        if isinstance(obj, np.generic):  # before float/int: np.float64 is a float subclass
            return self.array(np.asarray(obj), trail, "scalar")
        if isinstance(obj, bool):
            return {"t": "bool", "v": obj}
        if isinstance(obj, int):
            return {"t": "int", "v": str(int(obj))}
        if isinstance(obj, float):
            return {"t": "float", "v": float(obj).hex()}
        if isinstance(obj, str):
            return {"t": "str", "v": obj}
        if isinstance(obj, Tensor):
            node = self.array(obj._data, trail, "tensor")
            if obj.requires_grad:
                node["rg"] = True
            if type(obj).__name__ == "Parameter" and type(obj).__module__.endswith("nn.module"):
                node["param"] = True
            return node
        if isinstance(obj, np.ndarray):
            return self.array(obj, trail, "array")
        if isinstance(obj, (dict, list, tuple)):
            if id(obj) in self.active:
                raise TypeError(f"save: {_where(trail)} contains itself (a reference cycle)")
            self.active.add(id(obj))
            try:
                return self.container(obj, trail)
            finally:
                self.active.discard(id(obj))
        if hasattr(obj, "state_dict") and callable(obj.state_dict):
            raise TypeError(f"save: cannot save the {type(obj).__name__} object itself at "
                            f"{_where(trail)} (torch pickles it; nnscratch never pickles): save "
                            f"its obj.state_dict() and rebuild it with load_state_dict")
        raise TypeError(f"save: cannot save a {type(obj).__name__} at {_where(trail)}; "
                        f"expected dict, list, tuple, np.ndarray, Tensor, int, float, bool, "
                        f"str or None")

    def container(self, obj, trail: str) -> dict:
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                if isinstance(k, str):
                    key = ["s", k]
                elif isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)):
                    key = ["i", str(int(k))]
                else:
                    raise TypeError(f"save: dict keys must be str or int, got "
                                    f"{type(k).__name__} key {k!r} at {_where(trail)}")
                items.append([key, self.encode(v, f"{trail}[{k!r}]")])
            return {"t": "dict", "items": items}
        kind = "list" if isinstance(obj, list) else "tuple"
        return {"t": kind, "v": [self.encode(v, f"{trail}[{i}]") for i, v in enumerate(obj)]}

    def array(self, a: np.ndarray, trail: str, kind: str) -> dict:
        if a.dtype.hasobject:
            raise TypeError(f"save: object arrays cannot be saved without pickle "
                            f"(dtype {a.dtype} at {_where(trail)})")
        name = f"arrays/{len(self.arrays)}.npy"
        self.arrays.append((name, a))
        return {"t": kind, "k": name}


def save(state: Any, path: Any, pickle_module: Any = None, pickle_protocol: Any = None,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Write ``state`` to ``path`` without pickle (torch's ``torch.save(obj, f)``; the
    contract's names, torch's positions).

    Args:
        state: a state dict or any nesting of dict (str or int keys), list, tuple,
            ``np.ndarray`` (no object dtype), ``Tensor``, NumPy scalars, int (any size), float
            (nan/inf included), bool, str and None.  A Module or optimizer itself is refused:
            save its ``state_dict()``.
        path: a path (its directory must exist; an existing file is replaced only once the new
            one is complete) or a writable binary file object (``io.BytesIO``, ``open(p,
            "wb")``), written from its current position.
        pickle_module, pickle_protocol: torch's; nothing is pickled, so they must be left at
            their defaults (``None``; torch's default protocol 2 is accepted).

    Raises:
        TypeError: something in ``obj`` cannot be saved (the message gives where it is).
        FileNotFoundError: the destination directory does not exist.
    """
    if pickle_module is not None or pickle_protocol not in (None, 2):
        raise TypeError("save: nnscratch never pickles, so pickle_module and pickle_protocol "
                        "cannot be set")
    # encode everything first: an unsavable leaf must fail before any file is touched
    encoder = _Encoder()
    header = {"format": FORMAT, "version": VERSION, "tree": encoder.encode(state)}
    header_bytes = json.dumps(header, allow_nan=False).encode("utf-8")

    def write(out):
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:
            z.writestr(_HEADER, header_bytes)
            for name, a in encoder.arrays:
                with z.open(name, "w", force_zip64=True) as entry:
                    np.lib.format.write_array(entry, np.asanyarray(a), allow_pickle=False)

    if hasattr(path, "write"):
        check_binary_file(path, "save", "write")
        write(path)
        return
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"save: path must be a path or a writable binary file object, got "
                        f"{type(path).__name__}")
    atomic_write(os.fsdecode(path) if isinstance(path, bytes) else path, write)


# ------------------------------------------------------------------------------------ decode
class _Reader:
    def __init__(self, z: zipfile.ZipFile, name: str):
        self.z, self.name = z, name              # name: the file's repr, for messages
        self.names = set(z.namelist())

    def bad(self, problem: str) -> ValueError:
        return ValueError(f"load: {self.name} is not a valid nnscratch checkpoint: {problem}")

    def array(self, name: Any) -> np.ndarray:
        if not isinstance(name, str) or name not in self.names:
            raise self.bad(f"array entry {name!r} is missing")
        try:
            self.check_claim(name)
            with self.z.open(name) as f:
                return np.lib.format.read_array(f, allow_pickle=False)
        except ValueError as e:  # object arrays, bad .npy headers
            if str(e).startswith("load:"):
                raise
            raise self.bad(f"array entry {name!r} cannot be read ({e})") from None
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as e:
            raise self.bad(f"array entry {name!r} is corrupt ({e})") from None

    def check_claim(self, name: str) -> None:
        """Refuse an entry whose ``.npy`` header claims more (or fewer) bytes than it stores,
        before anything of that size is allocated."""
        with self.z.open(name) as f:
            version = np.lib.format.read_magic(f)
            read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                           (2, 0): np.lib.format.read_array_header_2_0}.get(version)
            if read_header is None:  # save writes 1.0 (2.0 for huge structured headers)
                raise self.bad(f"array entry {name!r} has .npy format version {version}, "
                               f"expected 1.0 or 2.0")
            shape, _, dtype = read_header(f)
            header_bytes = f.tell()
        if dtype.hasobject:
            raise self.bad(f"array entry {name!r} cannot be read (its dtype {dtype} holds "
                           f"Python objects, which only pickle could rebuild)")
        if dtype.itemsize == 0:  # any shape fits in 0 bytes: (10**12,) of |V0 is 0 bytes
            raise self.bad(f"array entry {name!r} has the zero-size dtype {dtype}")
        claimed = math.prod(shape) * dtype.itemsize
        stored = self.z.getinfo(name).file_size - header_bytes
        if claimed != stored:
            raise self.bad(f"array entry {name!r} claims shape {shape} of {dtype} "
                           f"({claimed} bytes) but stores {stored} bytes")

    def decode(self, node: Any) -> Any:
        if not isinstance(node, dict) or not isinstance(node.get("t"), str):
            raise self.bad(f"malformed header node {str(node)[:80]}")
        t = node["t"]
        try:
            if t == "none":
                return None
            if t == "bool":
                if not isinstance(node["v"], bool):
                    raise TypeError
                return node["v"]
            if t == "int":          # decimal text, as save writes it (1.5 is no int)
                if not isinstance(node["v"], str) or not _INT_TEXT.fullmatch(node["v"]):
                    raise TypeError
                return int(node["v"])
            if t == "float":
                if not isinstance(node["v"], str):
                    raise TypeError
                return float.fromhex(node["v"])
            if t == "str":
                if not isinstance(node["v"], str):
                    raise TypeError
                return node["v"]
            if t == "array":
                return self.array(node["k"])
            if t == "tensor":
                return _tensor(self.array(node["k"]), node.get("rg") is True,
                               node.get("param") is True)
            if t == "scalar":
                a = self.array(node["k"])
                if a.ndim != 0:
                    raise self.bad(f"scalar node {node['k']!r} points at an array of shape "
                                   f"{a.shape}, expected a 0-d entry")
                return a[()]
            if t == "list":
                return [self.decode(v) for v in node["v"]]
            if t == "tuple":
                return tuple(self.decode(v) for v in node["v"])
            if t == "dict":
                out: dict = {}
                for (kind, key), v in node["items"]:
                    if kind == "s" and isinstance(key, str):
                        out[key] = self.decode(v)
                    elif kind == "i":
                        out[int(key)] = self.decode(v)
                    else:
                        raise TypeError
                return out
        except RecursionError:
            raise self.bad("the header nests too deeply") from None
        except (KeyError, TypeError, ValueError) as e:
            if isinstance(e, ValueError) and str(e).startswith("load:"):
                raise
            raise self.bad(f"malformed {t!r} node {str(node)[:80]}") from None
        raise self.bad(f"unknown node type {t!r}")


def _check_entries(reader: _Reader, archive_bytes: int) -> None:
    """Every entry stored uncompressed and unencrypted, as ``save`` writes them, and together
    no larger than the archive: what ``load`` reads is bounded by the file's size."""
    total = 0
    for info in reader.z.infolist():
        if info.compress_type != zipfile.ZIP_STORED:
            raise reader.bad(f"entry {info.filename!r} is compressed (zip method "
                             f"{info.compress_type}); save never compresses, and a compressed "
                             f"entry could expand without bound")
        if info.flag_bits & 0x1:
            raise reader.bad(f"entry {info.filename!r} is encrypted")
        total += info.file_size
    if total > archive_bytes:
        raise reader.bad(f"its entries claim {total} bytes, more than the file's "
                         f"{archive_bytes}")


def _tensor(array: np.ndarray, requires_grad: bool = False, parameter: bool = False):
    if parameter:
        from .nn.module import Parameter  # nn imports this module
        return Parameter(array, requires_grad=requires_grad)
    t = Tensor._wrap(array)
    t.requires_grad = requires_grad
    return t


_TORCH_PICKLE = ("it is a torch.save pickle ({what}); nnscratch never unpickles. Convert it once, "
                 "in torch: `from safetensors.torch import save_file; save_file(torch.load(p, "
                 "weights_only=True), 'model.safetensors')` (a state dict of tensors), then "
                 "load that file here")


def _stream_size(f: Any, name: str) -> int:
    """Bytes from ``f``'s current position to its end (``f`` must be seekable, and over a
    regular file if it has a descriptor: an open /dev/zero seeks to a size of 0)."""
    check_binary_file(f, "load", "read")
    check_stream_kind(f, "load")
    seekable = getattr(f, "seekable", None)
    if not (callable(seekable) and seekable()):
        raise TypeError(f"load: {name} is not seekable; read it into io.BytesIO first "
                        f"(load checks every size the file declares against its length)")
    start = f.tell()
    end = f.seek(0, io.SEEK_END)
    f.seek(start)
    return end - start


def load(path: Any, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None, **kwargs: Any) -> Any:
    """Read a checkpoint written by :func:`save`, or a safetensors file; never unpickles.

    Args:
        path: a path, or a seekable binary file object (``io.BytesIO``, ``open(p, "rb")``) read
            from its current position.
        map_location: torch's: the CPU is the only device (``None``, ``"cpu"``,
            ``device("cpu")``, a dict or a callable; another device is an error naming it).
        pickle_module, weights_only, mmap: torch's; nothing is ever unpickled, so every load
            is "weights only" whatever ``weights_only`` says (``pickle_module`` must be None).

    Returns:
        the saved structure: Tensors as Tensors (Parameters as Parameters), arrays as
        ``np.ndarray``, tuples as tuples, dicts as plain dicts in their saved order, every
        number bit-exact; for a safetensors file, ``{name: Tensor}`` in file order.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is truncated, corrupt, not a checkpoint, or a torch pickle (the
            message says how to convert it); the message names the file and the problem.
    """
    if map_location is not None and not callable(map_location) \
            and not isinstance(map_location, dict):
        from .device import device
        device(map_location)                  # validates: the CPU only
    if pickle_module is not None:
        raise TypeError("load: nnscratch never unpickles, so pickle_module cannot be set")
    if kwargs:
        raise TypeError(f"load: unexpected keyword arguments {sorted(kwargs)}")
    if hasattr(path, "read"):
        name = repr(getattr(path, "name", None) or f"<{type(path).__name__}>")
        return _load_stream(path, name, _stream_size(path, name))
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"load: path must be a path or a readable binary file object, got "
                        f"{type(path).__name__}")
    path = os.fspath(path)
    fh, size = open_regular(path, "load")     # no devices, FIFOs or sockets
    with fh:
        return _load_stream(fh, repr(path), size)


def _load_stream(f: Any, name: str, size: int) -> Any:
    """Read the checkpoint or safetensors file of ``size`` bytes at ``f``'s position."""
    start = f.tell()
    head = f.read(9)
    f.seek(start)
    prefix = f"load: {name} is not a valid nnscratch checkpoint"
    if head[:1] == b"\x80":
        raise ValueError(f"{prefix}: " + _TORCH_PICKLE.format(what="legacy format"))
    if len(head) == 9 and head[8:9] == b"{" and 8 + struct.unpack("<Q", head[:8])[0] <= size:
        from .safetensors import read_safetensors
        arrays = read_safetensors(f, name, size, "load")
        return {k: _tensor(v) for k, v in arrays.items()}
    try:
        z = zipfile.ZipFile(f, "r")
    except (zipfile.BadZipFile, EOFError, ValueError):
        what = ("it looks truncated (a zip without its end)" if head[:4] == b"PK\x03\x04"
                else "it is not a zip archive nor a safetensors file")
        raise ValueError(f"{prefix}: {what}") from None
    with z:
        reader = _Reader(z, name)
        _check_entries(reader, size)
        if _HEADER not in reader.names:
            if any(n.endswith("/data.pkl") or n == "data.pkl" for n in reader.names):
                raise reader.bad(_TORCH_PICKLE.format(what="zip of data.pkl"))
            raise reader.bad(f"no {_HEADER} entry (a foreign zip/npz file?)")
        if z.getinfo(_HEADER).file_size > MAX_HEADER:
            raise reader.bad(f"its {_HEADER} has {z.getinfo(_HEADER).file_size} bytes, more "
                             f"than the {MAX_HEADER}-byte limit")
        try:
            header = json.loads(z.read(_HEADER).decode("utf-8"))
        except (zipfile.BadZipFile, UnicodeDecodeError, ValueError, RecursionError,
                OSError, NotImplementedError) as e:
            raise reader.bad(f"unreadable {_HEADER} ({e})") from None
        tag = header.get("format") if isinstance(header, dict) else None
        if tag != FORMAT:
            raise reader.bad(f"format tag is {tag!r}, expected {FORMAT!r}")
        version = header.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise reader.bad(f"bad version {version!r}")
        if version > VERSION:
            raise reader.bad(f"written by a newer nnscratch (format version {version}, this "
                             f"version reads up to {VERSION})")
        if "tree" not in header:
            raise reader.bad("the header has no 'tree'")
        return reader.decode(header["tree"])


# ------------------------------------------------------------------- torch's pickle allow-list
def add_safe_globals(safe_globals: list) -> None:
    """Accepted and ignored (torch's ``torch.serialization.add_safe_globals``).

    torch keeps a list of classes its restricted unpickler may rebuild under
    ``weights_only=True``.  nnscratch has no unpickler at all -- a checkpoint holds only JSON and
    ``.npy`` entries -- so there is nothing to allow: programs that register classes run
    unchanged, and loading is as safe with or without them."""
    if not isinstance(safe_globals, (list, tuple)):
        raise TypeError(f"add_safe_globals: expected a list, got {type(safe_globals).__name__}")


def get_safe_globals() -> list:
    """Always ``[]``: see :func:`add_safe_globals` (nothing is ever unpickled)."""
    return []


def clear_safe_globals() -> None:
    """A no-op: see :func:`add_safe_globals`."""


class safe_globals(contextlib.ContextDecorator):
    """``with torch.serialization.safe_globals([...]):`` -- accepted and ignored, because
    nnscratch never unpickles (see :func:`add_safe_globals`)."""

    def __init__(self, safe_globals: list):
        add_safe_globals(safe_globals)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
