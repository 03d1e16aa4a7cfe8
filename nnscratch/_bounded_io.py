"""Reading untrusted files within bounds: the one place that decides what a loader may open and
how much it may believe.

* :func:`open_regular` opens a path only if it names a regular file (a symlink to one is
  fine): a device (``/dev/zero`` reads forever), a FIFO (``open`` blocks until a writer comes)
  or a socket is a ``ValueError`` naming the path and what it is.  The kind is checked with
  ``os.stat`` before opening and again with ``os.fstat`` on the opened descriptor (the path may
  have been swapped in between); the open itself uses ``O_NONBLOCK``, so even a FIFO swapped in
  at that moment cannot block it.
* :func:`check_stream_kind` refuses a file object whose descriptor is not a regular file;
  the loader then checks every size its header declares against the stream's length.
* :func:`check_alloc` refuses an allocation larger than a budget (``NNSCRATCH_MAX_ALLOC_BYTES``,
  else the smaller of 16 GiB and the physical memory), with the owner, what was asked and the
  budget in the message, instead of a ``MemoryError`` traceback after the system gave up.
* :func:`npy_claim` reads a ``.npy`` file's header only and checks that its shape and dtype
  account for exactly the bytes the file stores.
"""
from __future__ import annotations

import io
import math
import os
import stat
from typing import IO

import numpy as np

__all__ = ["open_regular", "check_regular", "check_stream_kind", "check_alloc", "alloc_budget",
           "npy_claim", "DEFAULT_BUDGET"]

DEFAULT_BUDGET = 2 ** 34
_KINDS = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a directory"))


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def check_regular(path: str | os.PathLike, owner: str) -> int:
    """The size of the regular file ``path`` (symlinks followed).

    Raises:
        FileNotFoundError: nothing is at ``path``.
        IsADirectoryError: ``path`` is a directory.
        ValueError: ``path`` is a device, FIFO or socket (named in the message).
    """
    shown = os.fspath(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"{owner}: no such file {shown!r}") from None
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(f"{owner}: {shown!r} is a directory, expected a regular file")
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{owner}: {shown!r} is {_kind(st.st_mode)}, expected a regular file")
    return st.st_size


def open_regular(path: str | os.PathLike, owner: str) -> tuple[IO[bytes], int]:
    """``(binary file, size)`` of the regular file ``path``; see :func:`check_regular`.

    The caller closes the file (``with f:``).
    """
    check_regular(path, owner)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):   # swapped between the stat and the open
            raise ValueError(f"{owner}: {os.fspath(path)!r} is {_kind(st.st_mode)}, expected "
                             f"a regular file")
        return os.fdopen(fd, "rb"), st.st_size
    except BaseException:
        os.close(fd)
        raise


def check_stream_kind(f, owner: str) -> None:
    """A file object with a descriptor must read from a regular file: one over a device,
    FIFO or socket could not be bounded by its size.  (In-memory buffers have none.)"""
    try:
        fd = f.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{owner}: the file object {getattr(f, 'name', '')!r} reads from "
                         f"{_kind(st.st_mode)}, expected a regular file or an in-memory "
                         f"buffer")


def check_binary_file(f, owner: str, mode: str) -> None:
    """``f`` is an open binary file object that can be ``mode`` ("read" or "write"): a text
    file would fail with a UnicodeDecodeError or "write() argument must be str" deep inside
    the zip reader, a read-only one with a bare ``UnsupportedOperation``."""
    name = getattr(f, "name", None) or f"<{type(f).__name__}>"
    if isinstance(f, io.TextIOBase):
        raise TypeError(f"{owner}: the file object {name!r} is in text mode; open it in binary "
                        f"mode ({'rb' if mode == 'read' else 'wb'!r})")
    if getattr(f, "closed", False):
        raise ValueError(f"{owner}: the file object {name!r} is closed")
    able = getattr(f, "readable" if mode == "read" else "writable", None)
    if callable(able) and not able():
        raise ValueError(f"{owner}: the file object {name!r} is not open for "
                         f"{'reading' if mode == 'read' else 'writing'}")


def alloc_budget() -> int:
    """The byte budget :func:`check_alloc` enforces: ``$NNSCRATCH_MAX_ALLOC_BYTES``, else the
    smaller of 16 GiB and the machine's physical memory."""
    try:
        value = int(os.environ.get("NNSCRATCH_MAX_ALLOC_BYTES", ""))
        if value > 0:
            return value
    except ValueError:
        pass
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return DEFAULT_BUDGET
    return min(DEFAULT_BUDGET, physical) if physical > 0 else DEFAULT_BUDGET


def check_alloc(nbytes: int, what: str, owner: str, budget: int | None = None) -> int:
    """``nbytes`` if it is within ``budget`` (default :func:`alloc_budget`), else ValueError
    naming ``what`` and both sizes."""
    budget = alloc_budget() if budget is None else budget
    if nbytes > budget:
        raise ValueError(f"{owner}: {what} needs {_human(nbytes)} ({nbytes} bytes), more than "
                         f"the memory budget of {_human(budget)} (set NNSCRATCH_MAX_ALLOC_BYTES "
                         f"to change it)")
    return nbytes


def _human(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} PiB"


def npy_claim(f, stored: int, owner: str, shown: str) -> tuple[tuple, np.dtype]:
    """Read the ``.npy`` header at ``f``'s position; ``(shape, dtype)`` when it is a plain
    (non-object) array of format 1.0/2.0/3.0 whose ``shape × itemsize`` is exactly the
    ``stored`` bytes that follow the magic minus the header.  Anything else is a ValueError
    naming ``shown``.  A zero-size dtype (``|V0``) is refused: any shape fits in 0 bytes."""
    start = f.tell()
    try:
        version = np.lib.format.read_magic(f)
        reader = {(1, 0): np.lib.format.read_array_header_1_0,
                  (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if reader is None:
            raise ValueError(f"unsupported .npy format version {version}")
        shape, _, dtype = reader(f)
    except (ValueError, EOFError, OSError) as e:
        f.seek(start)
        hint = "; it is a zip archive: an .npz file named .npy?" if f.read(2) == b"PK" else ""
        raise ValueError(f"{owner}: {shown!r} is not a valid .npy file ({e}){hint}") from None
    if dtype.hasobject:
        raise ValueError(f"{owner}: {shown!r} holds Python objects (dtype {dtype}), which only "
                         f"pickle could rebuild")
    if dtype.itemsize == 0:
        raise ValueError(f"{owner}: {shown!r} has the zero-size dtype {dtype}")
    claimed = math.prod(shape) * dtype.itemsize
    data = stored - (f.tell() - start)
    if claimed != data:
        raise ValueError(f"{owner}: {shown!r} claims shape {shape} of {dtype} ({claimed} "
                         f"bytes) but stores {data} bytes")
    return shape, dtype
