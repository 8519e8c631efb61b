"""Owners and locks: what root creates in another user's directory becomes that user's, and the one way a lock is taken.

Owns :func:`owner_of` and the owner a new file or directory must get, :func:`make_dirs` and
:func:`ensure_private_dir`, and the locks: :func:`take_lock` and :func:`held_lock`, the only
place that turns ``filelock.Timeout`` or an ``OSError`` of locking into a one-line error.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from mfa_tui.core.errors import FileError
from mfa_tui.core.fileio.reading import PRIVATE_FILE, describe_os_error

if TYPE_CHECKING:
    from collections.abc import Iterator

    from filelock import FileLock

PRIVATE_DIR = 0o700


def owner_for_new(directory: Path) -> tuple[int, int] | None:
    """The ``(uid, gid)`` a file or directory created in ``directory`` must get; None: its creator's, as usual.

    Only root gets an answer: ``sudo mfa-tui`` keeping HOME creates in a home another user owns,
    and that user's own runs must be able to read, replace and lock what it created.
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    info = os.stat(directory)
    return None if info.st_uid == 0 else (info.st_uid, info.st_gid)


def owner_of(path: Path) -> tuple[int, int] | None:
    """Who the file at ``path`` belongs to, or (when missing) who a new one there must belong to."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return owner_for_new(path.parent)
    return info.st_uid, info.st_gid


def give_owner(fd: int, path: Path, owner: tuple[int, int] | None) -> None:
    """Give the file open at ``fd`` (to become ``path``) ``owner``; FileError (one line) when this user may not."""
    if owner is None:
        return
    info = os.fstat(fd)
    if (info.st_uid, info.st_gid) == owner:
        return
    try:
        os.fchown(fd, *owner)
    except OSError as exc:
        raise FileError(
            f"{path}: must belong to uid {owner[0]} (gid {owner[1]}), and mfa-tui running as uid {os.geteuid()} "
            f"cannot give it that owner ({exc.strerror or exc})"
        ) from None


def make_dirs(path: Path, mode: int = 0o777) -> None:
    """Create ``path`` (with ``mode``) and its missing parents, each owned as a new file in its parent would be.

    Root creating ~/.aws or ~/.local/state/mfa-tui in another user's home makes them that user's
    (see :func:`owner_for_new`), or the user's own runs could not create files in them. Raises
    ``OSError``; a directory it could not give its owner is removed again.
    """
    path = Path(path)
    missing = []
    for level in (path, *path.parents):
        if os.path.isdir(level):
            break
        missing.append(level)
    for level in reversed(missing):
        try:
            os.mkdir(level, mode if level == path else 0o777)
        except FileExistsError:
            continue
        owner = owner_for_new(level.parent)
        if owner is not None:
            try:
                os.chown(level, *owner)
            except OSError:
                os.rmdir(level)
                raise


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents, see :func:`make_dirs`) if missing; the leaf gets mode 0700."""
    try:
        make_dirs(path, PRIVATE_DIR)
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            os.chmod(path, PRIVATE_DIR)
    except OSError as exc:
        raise FileError(f"{path}: cannot create directory: {exc.strerror or exc}") from None


def take_lock(lock_file: Path, *, guarding: Path, timeout: float) -> FileLock:
    """The :class:`filelock.FileLock` at ``lock_file``, acquired, its file owned as the file it guards is.

    A lock file root leaves in another user's directory would be one that user's runs cannot
    open: they could never lock, so never write, again. Raises what ``FileLock.acquire`` raises
    (``filelock.Timeout``, ``OSError``), and ``OSError`` when the lock file cannot be given its
    owner (the lock is then released).
    """
    from filelock import FileLock  # local: the read paths never need it

    lock = FileLock(lock_file, timeout=timeout, mode=PRIVATE_FILE)
    lock.acquire()
    try:
        owner = owner_of(Path(guarding))
        if owner is not None:
            info = os.lstat(lock_file)
            if (info.st_uid, info.st_gid) != owner:
                os.chown(lock_file, *owner, follow_symlinks=False)
    except BaseException:
        lock.release()
        raise
    return lock


@contextlib.contextmanager
def held_lock(
    lock_file: Path, *, guarding: Path, timeout: float, error: type[Exception] = FileError, then: str = ""
) -> Iterator[None]:
    """Hold :func:`take_lock`'s lock for the ``with`` block; failing to get it raises ``error``.

    The one wording for every lock mfa-tui takes (credentials file, state, registry): a lock held
    too long names the file, the lock and the wait; one that cannot be taken names the lock and
    the reason. ``then`` says what that means for the caller ("nothing was written").
    """
    from filelock import Timeout  # local: the read paths never need it

    tail = f"; {then}" if then else ""
    try:
        lock = take_lock(lock_file, guarding=guarding, timeout=timeout)
    except Timeout:
        raise error(
            f"{guarding}: another process held the lock {lock_file} for over {timeout:.0f} s{tail}"
        ) from None
    except OSError as exc:
        raise error(f"{describe_os_error(Path(lock_file), exc, 'lock')}{tail}") from None
    try:
        yield
    finally:
        lock.release()
