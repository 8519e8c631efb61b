"""Opening and reading files: only regular files, never blocking on a named pipe; and describing why a file operation failed.

Owns :func:`open_regular` (how every reader opens a file), :func:`read_bytes`, the one-line
wording of an ``OSError`` (:func:`describe_os_error`), and what a file's mode says (read-only,
open to others).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from mfa_tui.core.errors import FileError

PRIVATE_FILE = 0o600

OPEN_FLAGS = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
"""Added to every open of :func:`open_regular`: a named pipe opens at once instead of waiting for
a writer, and a terminal never becomes this process's controlling one."""


class NotAFileError(FileError):
    """The path is a directory, named pipe, device or socket: nothing mfa-tui reads or replaces."""



def open_regular(path: Path, flags: int = os.O_RDONLY, mode: int = PRIVATE_FILE) -> int:
    """A descriptor on ``path`` opened with ``flags`` (``mode`` for a file they create), if it is a regular file.

    How every reader opens a file, the user's or mfa-tui's: a named pipe where the credentials
    file, ~/.aws/config, the registry or the state should be would block ``open()`` until some
    writer comes, and a directory, device or socket is nobody's file. The file is opened
    non-blocking and checked with ``fstat`` before a byte moves. Raises :class:`NotAFileError`
    naming what it is; any other failure is the ``OSError`` (``FileNotFoundError`` for a missing
    file) for the caller to word.
    """
    try:
        fd = os.open(path, flags | OPEN_FLAGS, mode)
    except OSError as exc:
        # A socket (ENXIO), a pipe opened for writing with no reader (ENXIO), a directory opened for writing.
        if exc.errno in (errno.ENXIO, errno.EISDIR):
            try:
                kind = os.stat(path).st_mode
            except OSError:
                kind = stat.S_IFREG
            if not stat.S_ISREG(kind):
                raise NotAFileError(not_a_file(path, kind)) from None
        raise
    try:
        kind = os.fstat(fd).st_mode
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(kind):
        os.close(fd)
        raise NotAFileError(not_a_file(path, kind))
    return fd


def not_a_file(path: Path, mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
    )
    what = next((name for test, name in kinds if test(mode)), "a special file")
    return f"{path}: is {what}, not a file"


def read_bytes(path: Path, *, limit: int = 16 * 1024 * 1024) -> bytes | None:
    """The file's bytes, ``None`` if it does not exist; ``FileError`` if it is no regular file, unreadable or larger than ``limit``.

    Sized by ``fstat``: ``read(limit + 1)`` would allocate the whole limit for every file (1.3 ms
    against 0.2 ms for a 2.5 MiB credentials file). A file larger than its size said (grown since,
    or a /proc file) is read on in chunks, still never past the limit.
    """
    try:
        with os.fdopen(open_regular(path), "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = b"" if size > limit else fh.read(size + 1)
            if size <= limit and len(data) > size:
                data = _read_on(fh, data, limit)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FileError(describe_os_error(path, exc, "read")) from None
    if size > limit or len(data) > limit:
        raise FileError(f"{path}: larger than {limit // (1024 * 1024)} MiB; refusing to read it")
    return data


def _read_on(fh, data: bytes, limit: int) -> bytes:
    """``data`` and what follows it up to the end of the file, stopping once past ``limit``."""
    chunks = [data]
    total = len(data)
    while total <= limit:
        chunk = fh.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def describe_os_error(path: Path, exc: OSError, doing: str) -> str:
    """One line naming the file, what we were doing and why it failed."""
    if exc.errno == errno.ENOSPC:
        why = "the disk is full"
    elif exc.errno == errno.EDQUOT:
        why = "the disk quota is exceeded"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        why = "permission denied"
    elif exc.errno == errno.EROFS:
        why = "the filesystem is read-only"
    elif exc.errno == errno.ELOOP:
        why = "too many levels of symbolic links"
    else:
        why = exc.strerror or str(exc)
    return f"{path}: cannot {doing}: {why}"


def read_only_reason(path: Path, st: os.stat_result | None = None) -> str | None:
    """The one-line refusal for a file the user made read-only (no owner-write bit); None when it is not."""
    if st is None:
        try:
            st = os.stat(path)
        except OSError:
            return None
    if st.st_mode & stat.S_IWUSR:
        return None
    return (
        f"{path}: is read-only (mode {stat.S_IMODE(st.st_mode):04o}); "
        f"make it writable with `chmod u+w {path}` to let mfa-tui update it"
    )


def open_to_others(mode: int) -> str | None:
    """``"readable"`` or ``"writable"`` when group or others may read (or only write) a file of
    ``mode``; None when it is private."""
    if not mode & 0o077:
        return None
    return "readable" if mode & 0o044 else "writable"


def mode_of(path: Path) -> int | None:
    """The permission bits of ``path``, or None if it does not exist."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return None
