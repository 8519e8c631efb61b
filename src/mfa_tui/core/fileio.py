"""Atomic, private file replacement: the only way mfa-tui writes a file.

Every write goes to a temp file in the target's directory, is fsynced, and then
renamed over the target, so a reader (or a crash) sees the old file or the new one,
never a mix. Files that may hold secrets are created 0600 and never widened; an
existing file's mode is kept but narrowed to owner-only. A read-only target is
refused rather than silently replaced: the user made it so on purpose.

A writer killed between creating its temp file and the rename (SIGKILL, power loss)
leaves the temp file behind, and it holds whatever the target would have held:
secrets. Temp files are therefore named ``.<target name>.<writer pid>.<random>.tmp``
and every :func:`atomic_write` first sweeps the stale ones of its own target (see
:func:`sweep_stale_temp_files`): only names of exactly that pattern (or the pid-less
``.<target name>.<random>.tmp`` of earlier versions), only regular files of this user,
and only once their writer is surely gone.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import time
from pathlib import Path

from mfa_tui.core.errors import FileError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700

DEAD_WRITER_AGE = 5.0
"""Seconds after which a temp file whose writer pid no longer runs is swept.

A write takes milliseconds; the margin covers a writer whose pid we cannot see (another
pid namespace sharing the directory), for which "no such process" proves nothing."""
ORPHAN_AGE = 600.0
"""Seconds after which a temp file is swept whatever its name says (pids get reused, and
earlier versions put no pid in the name). No write holds its temp file for minutes; at
worst a writer stalled that long finds its temp file gone and fails, target untouched."""

_TEMP_RANDOM = r"[a-z0-9_]{8}"
"""What :func:`tempfile.mkstemp` puts between prefix and suffix (8 of ``[a-z0-9_]``)."""


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
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(describe_os_error(directory, exc, "create directory")) from None
    sweep_stale_temp_files(path)
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=_temp_prefix(path), suffix=".tmp")
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


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.{os.getpid()}."


def _temp_pattern(path: Path) -> re.Pattern[str]:
    """``.<name>.<pid>.<random>.tmp`` (group 1: the pid) or, from earlier versions, ``.<name>.<random>.tmp``."""
    return re.compile(rf"\A\.{re.escape(path.name)}\.(?:([0-9]{{1,10}})\.)?{_TEMP_RANDOM}\.tmp\Z")


def _process_gone(pid: int) -> bool:
    """True only when no process ``pid`` exists (a process of another user still counts as there)."""
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # EPERM: it exists, it is just not ours
        return False
    return False


def sweep_stale_temp_files(path: Path, *, now: float | None = None) -> list[Path]:
    """Delete temp files that killed writers of ``path`` left beside it; returns what was deleted.

    A candidate must be named exactly as :func:`atomic_write` names temp files for
    ``path`` (``.<name>.<pid>.<random>.tmp``, or the pid-less form of earlier versions),
    be a regular file (not a symlink) owned by this user, and be stale:

    - its writer's pid is in the name, that process no longer exists, and the file is
      older than :data:`DEAD_WRITER_AGE`; or
    - it is older than :data:`ORPHAN_AGE` (no pid in the name, or the pid was reused).

    Our own pid counts as alive (another thread may be writing), so a live write is
    never touched. Ages are by modification time against the wall clock ``now``. Best
    effort and silent: a leftover temp file is untidy, never a reason to fail a write.
    """
    path = Path(path)
    pattern = _temp_pattern(path)
    now = time.time() if now is None else now
    uid = os.getuid() if hasattr(os, "getuid") else None
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid):
            continue
        age = now - info.st_mtime
        pid = int(match.group(1)) if match.group(1) else None
        dead = pid is not None and age >= DEAD_WRITER_AGE and _process_gone(pid)
        if not (dead or age >= ORPHAN_AGE):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


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
