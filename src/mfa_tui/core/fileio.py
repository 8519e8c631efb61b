"""Atomic, private file replacement: the only way mfa-tui writes a file.

Every write goes to a temp file in the target's directory, is fsynced, and then
renamed over the target, so a reader (or a crash) sees the old file or the new one,
never a mix. Files that may hold secrets are created 0600 and never widened; an
existing file's mode is kept but narrowed to owner-only. A read-only target is
refused rather than silently replaced: the user made it so on purpose.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from mfa_tui.core.errors import FileError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) if missing; the leaf gets mode 0700."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            os.chmod(path, PRIVATE_DIR)
    except OSError as exc:
        raise FileError(f"{path}: cannot create directory: {exc.strerror or exc}") from None


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


def read_bytes(path: Path, *, limit: int = 16 * 1024 * 1024) -> bytes | None:
    """The file's bytes, ``None`` if it does not exist; ``FileError`` if unreadable or larger than ``limit``."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise FileError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise FileError(describe_os_error(path, exc, "read")) from None
    if len(data) > limit:
        raise FileError(f"{path}: larger than {limit // (1024 * 1024)} MiB; refusing to read it")
    return data


def is_writable_by_owner(path: Path) -> bool:
    """False when the file exists without the owner-write bit (the user made it read-only)."""
    try:
        return bool(os.stat(path).st_mode & stat.S_IWUSR)
    except FileNotFoundError:
        return True


def atomic_write(path: Path, data: bytes, *, mode: int = PRIVATE_FILE, backup: Path | None = None) -> None:
    """Replace ``path`` with ``data`` atomically.

    ``mode`` is used for a new file; an existing file keeps its own mode, narrowed to
    ``mode`` (never widened). With ``backup``, the previous contents are first written
    (atomically, same mode) to that path. Raises :class:`FileError` with one line on any
    failure, leaving the old file untouched.
    """
    path = Path(path)
    directory = path.parent
    try:
        existing = os.stat(path)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise FileError(describe_os_error(path, exc, "read")) from None
    if existing is not None:
        if not stat.S_ISREG(existing.st_mode):
            raise FileError(f"{path}: not a regular file; refusing to replace it")
        if not existing.st_mode & stat.S_IWUSR:
            raise FileError(
                f"{path}: is read-only (mode {stat.S_IMODE(existing.st_mode):04o}); "
                f"make it writable with `chmod u+w {path}` to let mfa-tui update it"
            )
        final_mode = stat.S_IMODE(existing.st_mode) & mode
    else:
        final_mode = mode
    if backup is not None and existing is not None:
        old = read_bytes(path)
        if old is not None:
            atomic_write(backup, old, mode=final_mode)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(describe_os_error(directory, exc, "create directory")) from None
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
        try:
            os.fchmod(fd, final_mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp_name, path)
        tmp_name = None
        _fsync_dir(directory)
    except OSError as exc:
        raise FileError(describe_os_error(path, exc, "write")) from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable; some filesystems refuse fsync on a directory, which is fine."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def mode_of(path: Path) -> int | None:
    """The permission bits of ``path``, or None if it does not exist."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return None
