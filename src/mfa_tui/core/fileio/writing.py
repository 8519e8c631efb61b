"""Replacing a file atomically (temp file, fsync, rename), or in place when a rename cannot, keeping its owner and mode.

Owns :func:`atomic_write`, the in-place write with its backup copy, and the warnings such
writes leave for the user (:func:`take_warnings`).
"""

from __future__ import annotations

import errno
import os
import stat
import threading
from pathlib import Path

from mfa_tui.core.errors import FileError
from mfa_tui.core.fileio.owners import give_owner, make_dirs, owner_for_new
from mfa_tui.core.fileio.reading import (
    OPEN_FLAGS,
    PRIVATE_FILE,
    NotAFileError,
    describe_os_error,
    not_a_file,
    open_regular,
    read_bytes,
    read_only_reason,
)
from mfa_tui.core.fileio.tempfiles import sweep_stale_temp_files, temp_prefix

_warnings_lock = threading.Lock()
_warned: set[str] = set()
_unreported: list[str] = []



def take_warnings() -> list[str]:
    """What writes of this process had to do differently (a file written in place), one line each.

    Each file is said once per process, by the first call after its first such write: what a
    command prints before it exits and the dashboard notifies.
    """
    with _warnings_lock:
        taken = list(_unreported)
        _unreported.clear()
    return taken


def _warn_once(path: Path, line: str) -> None:
    with _warnings_lock:
        if str(path) not in _warned:
            _warned.add(str(path))
            _unreported.append(line)


def atomic_write(path: Path, data: bytes, *, mode: int = PRIVATE_FILE, backup: Path | None = None) -> None:
    """Replace ``path`` with ``data`` atomically, keeping its owner and group.

    ``mode`` is used for a new file, which gets the owner :func:`make_dirs` would give it; an
    existing file keeps its own mode, narrowed to ``mode`` (never widened). With ``backup``, the
    previous contents are first written (atomically, same mode) to that path. A file with other
    hard links, or one a rename cannot replace (a bind mount), is written in place instead (see
    the module docstring). Raises :class:`FileError` with one line on any failure, leaving the
    old file untouched.
    """
    import tempfile  # local: 5 ms of imports the read paths never need

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
            raise NotAFileError(f"{not_a_file(path, existing.st_mode)}; refusing to replace it")
        read_only = read_only_reason(path, existing)
        if read_only:
            raise FileError(read_only)
        final_mode = stat.S_IMODE(existing.st_mode) & mode
    else:
        final_mode = mode
    if backup is not None and existing is not None:
        old = read_bytes(path)
        if old is not None:
            atomic_write(backup, old, mode=final_mode)
    try:
        make_dirs(directory)
        owner = (existing.st_uid, existing.st_gid) if existing is not None else owner_for_new(directory)
    except OSError as exc:
        raise FileError(describe_os_error(directory, exc, "create directory")) from None
    sweep_stale_temp_files(path)
    if existing is not None and existing.st_nlink > 1:
        _write_in_place(path, data, final_mode, f"has {existing.st_nlink} hard links, which a rename would split")
        return
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=temp_prefix(path), suffix=".tmp")
        try:
            os.fchmod(fd, final_mode)
            give_owner(fd, path, owner)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.replace(tmp_name, path)
        except OSError as exc:
            if existing is None or exc.errno not in (errno.EBUSY, errno.EXDEV):
                raise
            _write_in_place(path, data, final_mode, "cannot be replaced by a rename (a mount point, such as a bind mount)")
            return
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


def _write_in_place(path: Path, data: bytes, mode: int, why: str) -> None:
    """Overwrite ``path`` itself (the caller holds its lock), keeping its previous content beside it until done.

    ``why`` says what the file is, in the warning given once for it. A failed write puts the
    previous content back; only when even that fails does the copy stay, named in the error.
    """
    backup = path.with_name(f".{path.name}.mfa-tui.bak")
    if os.path.lexists(backup):
        raise FileError(
            f"{path}: an earlier in-place write of it was cut short, and {backup} holds what it held before; "
            f"check {path}, then delete {backup}"
        )
    try:
        fd = open_regular(path, os.O_RDWR)
    except OSError as exc:
        raise FileError(describe_os_error(path, exc, "write")) from None
    try:
        info = os.fstat(fd)
        old = _read_all(fd)
        _create(backup, old, (info.st_uid, info.st_gid))
        if stat.S_IMODE(info.st_mode) != mode:
            os.fchmod(fd, mode)
        try:
            _overwrite(fd, data)
        except OSError:
            _overwrite(fd, old)
            os.unlink(backup)
            raise
        os.unlink(backup)
        _fsync_dir(path.parent)
    except OSError as exc:
        kept = f"; what it held before is in {backup}" if os.path.lexists(backup) else ""
        raise FileError(describe_os_error(path, exc, "write") + kept) from None
    finally:
        os.close(fd)
    _warn_once(path, f"{path}: {why}, so mfa-tui writes it in place, keeping what it held in {backup} until each write is done")


def _create(path: Path, data: bytes, owner: tuple[int, int]) -> None:
    """A new file at ``path`` (0600, ``owner``) holding ``data``, durably; nothing is left of it when that fails."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | OPEN_FLAGS, PRIVATE_FILE)
    try:
        give_owner(fd, path, owner)
        _write_all(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(path)
        raise
    os.close(fd)
    _fsync_dir(path.parent)


def _overwrite(fd: int, data: bytes) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    _write_all(fd, data)
    os.fsync(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


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
