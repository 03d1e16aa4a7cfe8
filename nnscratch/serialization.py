"""Checkpoints without pickle: ``ns.save(state, path)`` and ``ns.load(path)``.

A checkpoint is a zip archive (uncompressed, like NumPy's ``.npz``) holding

* ``header.json`` -- ``{"format": "nnscratch-checkpoint", "version": 1, "tree": ...}``, a
  description of the nested structure (dicts, lists, tuples and plain values), and
* ``arrays/<i>.npy`` -- one ``.npy`` entry per array leaf, written and read with
  ``allow_pickle=False``.

Plain values are stored so that they come back *bit-exact*: floats as ``float.hex()`` (nan and
+-inf included), ints as decimal strings (arbitrarily large, e.g. a PCG64 generator state), NumPy
scalars as 0-d ``.npy`` entries (their dtype survives).  A ``Tensor`` is saved as its array and
loads as an ``np.ndarray``; an ``OrderedDict`` loads as a ``dict`` (same order).

Nothing here ever unpickles: reading a file made by anybody else can only fail with a
``ValueError`` naming the file and the problem.  Writes are atomic: the archive is written to a
temporary file in the destination's directory, flushed and fsync'ed, then moved over ``path``
with ``os.replace``, so an interrupted save leaves the previous checkpoint intact.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from typing import Any, Callable

import numpy as np

from .tensor import Tensor

FORMAT = "nnscratch-checkpoint"
VERSION = 1
_HEADER = "header.json"

__all__ = ["save", "load", "atomic_write", "FORMAT", "VERSION"]


# ------------------------------------------------------------------------------- atomic write
def _target_mode(path: str) -> int:
    """The existing file's permissions, else 0666 minus the process umask."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: str | os.PathLike, write: Callable[[io.BufferedWriter], None]) -> None:
    """Call ``write(f)`` on a temporary file next to ``path``, then rename it onto ``path``.

    The temporary file lives in the same directory (so ``os.replace`` is an atomic rename on
    the same file system), is flushed and fsync'ed before the rename, and is removed if
    ``write`` raises: ``path`` holds either its old content or the complete new one.

    Raises:
        FileNotFoundError: the directory of ``path`` does not exist.
        IsADirectoryError: ``path`` is a directory.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot write {path!r}: directory {directory!r} does not exist")
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot write {path!r}: it is a directory")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        os.chmod(tmp, _target_mode(path))
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable; not every platform lets us open a directory
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


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
            return self.array(obj._data, trail, "array")
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


def save(state: Any, path: str | os.PathLike) -> None:
    """Write ``state`` to ``path`` atomically, without pickle.

    Args:
        state: a state dict or any nesting of dict (str or int keys), list, tuple,
            ``np.ndarray`` (no object dtype), ``Tensor`` (saved as its array), NumPy scalars,
            int (any size), float (nan/inf included), bool, str and None.
        path: destination file; its directory must exist.  An existing file is replaced only
            once the new one is complete.

    Raises:
        TypeError: something in ``state`` cannot be saved (the message gives where it is).
        FileNotFoundError: the destination directory does not exist.
    """
    # encode everything first: an unsavable leaf must fail before any file is touched
    encoder = _Encoder()
    header = {"format": FORMAT, "version": VERSION, "tree": encoder.encode(state)}
    header_bytes = json.dumps(header, allow_nan=False).encode("utf-8")

    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as z:
            z.writestr(_HEADER, header_bytes)
            for name, a in encoder.arrays:
                with z.open(name, "w", force_zip64=True) as entry:
                    np.lib.format.write_array(entry, np.asanyarray(a), allow_pickle=False)

    atomic_write(path, write)


# ------------------------------------------------------------------------------------ decode
class _Reader:
    def __init__(self, z: zipfile.ZipFile, path: str):
        self.z, self.path = z, path
        self.names = set(z.namelist())

    def bad(self, problem: str) -> ValueError:
        return ValueError(f"load: {self.path!r} is not a valid nnscratch checkpoint: {problem}")

    def array(self, name: Any) -> np.ndarray:
        if not isinstance(name, str) or name not in self.names:
            raise self.bad(f"array entry {name!r} is missing")
        try:
            with self.z.open(name) as f:
                return np.lib.format.read_array(f, allow_pickle=False)
        except ValueError as e:  # object arrays, bad .npy headers
            raise self.bad(f"array entry {name!r} cannot be read ({e})") from None
        except (zipfile.BadZipFile, EOFError, OSError) as e:
            raise self.bad(f"array entry {name!r} is corrupt ({e})") from None

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
            if t == "int":
                return int(node["v"])
            if t == "float":
                return float.fromhex(node["v"])
            if t == "str":
                if not isinstance(node["v"], str):
                    raise TypeError
                return node["v"]
            if t == "array":
                return self.array(node["k"])
            if t == "scalar":
                return self.array(node["k"])[()]
            if t == "list":
                return [self.decode(v) for v in node["v"]]
            if t == "tuple":
                return tuple(self.decode(v) for v in node["v"])
            if t == "dict":
                out = {}
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


def load(path: str | os.PathLike) -> Any:
    """Read a checkpoint written by :func:`save`; never unpickles anything.

    Returns:
        the saved structure, with arrays (and Tensors) as ``np.ndarray``, tuples as tuples,
        dicts as plain dicts in their saved order, and every number bit-exact.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: ``path`` is truncated, corrupt, or not an nnscratch checkpoint (a pickle, a
            foreign zip, a text file...); the message names the file and the problem.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such file {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"load: {path!r} is a directory, not a checkpoint file")
    prefix = f"load: {path!r} is not a valid nnscratch checkpoint"
    try:
        z = zipfile.ZipFile(path, "r")
    except (zipfile.BadZipFile, EOFError, ValueError):
        with open(path, "rb") as f:
            head = f.read(4)
        what = ("it looks like a pickle, which nnscratch never loads" if head[:1] == b"\x80"
                else "it looks truncated (a zip without its end)" if head == b"PK\x03\x04"
                else "it is not a zip archive")
        raise ValueError(f"{prefix}: {what}") from None
    with z:
        reader = _Reader(z, path)
        if _HEADER not in reader.names:
            raise reader.bad(f"no {_HEADER} entry (a foreign zip/npz file?)")
        try:
            header = json.loads(z.read(_HEADER).decode("utf-8"))
        except (zipfile.BadZipFile, UnicodeDecodeError, ValueError, RecursionError,
                OSError) as e:
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
