"""Atomic file writes: a file is written to a temporary name in its directory, flushed to
disk and renamed over the target, so a reader sees the old file or the new one, never half of
either; a crash leaves at most a temporary file of our pid-tagged naming, which the next save
into that directory removes once its writer is gone (the checkpoints, safetensors, ONNX and the
report all write through here)."""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from typing import Callable

try:  # POSIX advisory locks tell a live writer's temporary file from a dead one's
    import fcntl
except ImportError:  # pragma: no cover - Windows: stale temporary files are left alone
    fcntl = None  # type: ignore[assignment]


def _target_mode(path: str) -> int:
    """The existing file's permissions, else 0666 minus the process umask."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# A temporary name must fit the file system's 255-byte limit on a name even when ``path``'s own
# name is close to it: keep a readable stem of at most 40 characters (<= 160 bytes in UTF-8) and
# a digest of the full name, so that two targets sharing a stem never share temporary files.
_STEM_CHARS = 40
_TMP_SUFFIX = ".tmp"


def _temp_prefix(path: str) -> str:
    """``.<stem>.<digest>.`` -- the prefix of every temporary file that writes ``path``."""
    name = os.path.basename(path)
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:12]
    return f".{name[:_STEM_CHARS]}.{digest}."


# every temporary file's full name: prefix, then the writer's pid, then mkstemp's random part
_TEMP_NAME = re.compile(r"\..{0,40}\.[0-9a-f]{12}\.p([0-9]{1,10})\.[A-Za-z0-9_]{1,32}\.tmp",
                        re.S)


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one we may not signal exists too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _lock(fd: int, block: bool) -> bool:
    """Take the exclusive advisory lock on ``fd``; False if another process holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if block else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _same_file(fd: int, name: str) -> bool:
    """Whether ``name`` still names the file open as ``fd``."""
    try:
        st = os.stat(name)
    except FileNotFoundError:
        return False
    own = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (own.st_dev, own.st_ino)


def _remove_stale_temps(directory: str, prefix: str) -> None:
    """Remove the temporary files of writers that died mid-write: those of the same target,
    and, for any other target in ``directory``, those of our pid-tagged naming pattern whose
    writing process is gone.

    A writer holds an exclusive ``flock`` on its temporary file from creation to rename; the
    kernel drops it when the process dies (even by ``kill -9``).  So a temporary file whose lock
    we can take has no live writer, and is removed while we hold that lock.  Another target's
    file must also match our pattern and name a process that no longer exists: a file that
    merely looks like ours, or one a live process is writing, is never touched.
    """
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if not name.endswith(_TMP_SUFFIX):
            continue
        if not name.startswith(prefix):
            m = _TEMP_NAME.fullmatch(name)
            if m is None or _alive(int(m.group(1))):
                continue
        full = os.path.join(directory, name)
        try:
            fd = os.open(full, os.O_RDONLY)
        except OSError:
            continue
        try:
            if _lock(fd, block=False) and _same_file(fd, full):
                os.unlink(full)
        except OSError:
            pass
        finally:
            os.close(fd)  # releases the lock


def _new_temp(directory: str, prefix: str) -> tuple[int, str]:
    """Create and lock a fresh temporary file; retry if a cleaner removed it first."""
    while True:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f"{prefix}p{os.getpid()}.",
                                   suffix=_TMP_SUFFIX)
        if fcntl is None:
            return fd, tmp
        # between mkstemp and the lock a cleaner may have taken the unlocked file for stale and
        # unlinked it (it holds the lock while doing so, hence the blocking wait)
        _lock(fd, block=True)
        if _same_file(fd, tmp):
            return fd, tmp
        os.close(fd)


def atomic_write(path: str | os.PathLike, write: Callable[[io.BufferedWriter], None]) -> None:
    """Call ``write(f)`` on a temporary file next to ``path``, then rename it onto ``path``.

    The temporary file lives in the same directory (so ``os.replace`` is an atomic rename on
    the same file system), is flushed and fsync'ed before the rename, and is removed if
    ``write`` raises: ``path`` holds either its old content or the complete new one.  Its name,
    ``.<first 40 characters of the name>.<12 hex digits of its SHA-256>.p<pid>.<random>.tmp``,
    stays short whatever the length of ``path``'s name.  The writer holds an advisory lock on it
    until the rename, and every write first removes the unlocked temporary files of the same
    target, and those of other targets in the directory whose writer pid is gone: those of
    writers that were killed (on POSIX; elsewhere they are left alone).

    This is the library's one atomic writer: checkpoints, dataset caches, the CLI's and the
    report's files all go through it.

    Raises:
        FileNotFoundError: the directory of ``path`` does not exist.
        IsADirectoryError: ``path`` is a directory.
    """
    path = os.fspath(path)
    if not path:
        raise ValueError("cannot write '': the path is empty")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot write {path!r}: directory {directory!r} does not exist")
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot write {path!r}: it is a directory")
    prefix = _temp_prefix(path)
    if fcntl is not None:
        _remove_stale_temps(directory, prefix)
    fd, tmp = _new_temp(directory, prefix)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        os.chmod(tmp, _target_mode(path))
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
            if fcntl is not None:  # rename while still locked: a cleaner must not take it
                os.replace(tmp, path)
        if fcntl is None:  # Windows cannot rename an open file
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


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """:func:`atomic_write` of ``text`` encoded as UTF-8."""
    data = text.encode("utf-8")
    def write(f: io.BufferedWriter) -> None:
        f.write(data)
    atomic_write(path, write)
