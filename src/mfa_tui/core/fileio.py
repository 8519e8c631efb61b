"""How mfa-tui opens, creates and replaces files: safely, privately, and keeping their owner.

Reading: every reader opens a file through :func:`open_regular`. ``open()`` on a named pipe
waits for a writer forever, so the file is opened non-blocking and refused, with one line
naming it (:class:`NotAFileError`), unless it is a regular file.

Writing: every write goes to a temp file in the target's directory, is fsynced, and then
renamed over the target, so a reader (or a crash) sees the old file or the new one, never a
mix. Files that may hold secrets are created 0600 and never widened; an existing file's mode
is kept but narrowed to owner-only. A read-only target is refused rather than silently
replaced: the user made it so on purpose.

Owners: the new file keeps the old one's owner and group (the temp file is given them before
the rename, as ``aws configure set`` does), and what root creates in a directory another user
owns (a file, a directory of :func:`make_dirs`, a lock file of :func:`take_lock`) becomes
that user's. So ``sudo mfa-tui refresh`` keeping HOME leaves the user's files theirs, and
their own next run can read, replace and lock them. A writer that cannot give a file its
owner refuses with one line, the file untouched.

In place: a file a rename cannot replace is overwritten instead, under the caller's lock: a
bind mount (Docker's ``-v ~/.aws/credentials:…``) refuses the rename with EBUSY, and a file
with other hard links would be split from them. Its previous content is first copied to
``.<name>.mfa-tui.bak`` beside it, deleted once the write is done; a copy found there means
an in-place write was cut short, and the file is refused until the user has looked. Each
such file is said once per process (:func:`take_warnings`).

Temp files: a writer killed between creating its temp file and the rename (SIGKILL, power
loss) leaves the temp file behind, and it holds whatever the target would have held:
secrets. Temp files are therefore named ``.<target name>.<writer pid>.<namespace tag>.<random>.tmp``
and every :func:`atomic_write` first sweeps the stale ones of its own target (see
:func:`sweep_stale_temp_files`): only names of exactly that pattern (or the forms of earlier
versions), only regular files of this user or the target's owner, and only once their writer
is surely gone.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import stat
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from mfa_tui.core.errors import FileError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from filelock import FileLock

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700

DEAD_WRITER_AGE = 5.0
"""Seconds after which a temp file is swept whose writer pid does not run here, when that pid may be
another pid namespace's.

A temp name without this namespace's tag (:func:`_namespace_tag`) comes from another container
sharing the directory, another host, or an earlier version: "no such process" proves nothing
for its pid. A write takes milliseconds."""
ORPHAN_AGE = 600.0
"""Seconds after which a temp file is swept whatever its name says (pids get reused, and
earlier versions put no pid in the name). No write holds its temp file for minutes; at
worst a writer stalled that long finds its temp file gone and fails, target untouched."""

_TEMP_RANDOM = r"[a-z0-9_]{8}"
"""What :func:`tempfile.mkstemp` puts between prefix and suffix (8 of ``[a-z0-9_]``)."""
_OPEN_FLAGS = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
"""Added to every open of :func:`open_regular`: a named pipe opens at once instead of waiting for
a writer, and a terminal never becomes this process's controlling one."""

_warnings_lock = threading.Lock()
_warned: set[str] = set()
_unreported: list[str] = []


class NotAFileError(FileError):
    """The path is a directory, named pipe, device or socket: nothing mfa-tui reads or replaces."""


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


# ── opening and reading ─────────────────────────────────────────────────────
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
        fd = os.open(path, flags | _OPEN_FLAGS, mode)
    except OSError as exc:
        # A socket (ENXIO), a pipe opened for writing with no reader (ENXIO), a directory opened for writing.
        if exc.errno in (errno.ENXIO, errno.EISDIR):
            try:
                kind = os.stat(path).st_mode
            except OSError:
                kind = stat.S_IFREG
            if not stat.S_ISREG(kind):
                raise NotAFileError(_not_a_file(path, kind)) from None
        raise
    try:
        kind = os.fstat(fd).st_mode
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(kind):
        os.close(fd)
        raise NotAFileError(_not_a_file(path, kind))
    return fd


def _not_a_file(path: Path, mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
    )
    what = next((name for test, name in kinds if test(mode)), "a special file")
    return f"{path}: is {what}, not a file"


def read_bytes(path: Path, *, limit: int = 16 * 1024 * 1024) -> bytes | None:
    """The file's bytes, ``None`` if it does not exist; ``FileError`` if it is no regular file, unreadable or larger than ``limit``."""
    try:
        with os.fdopen(open_regular(path), "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FileError(describe_os_error(path, exc, "read")) from None
    if len(data) > limit:
        raise FileError(f"{path}: larger than {limit // (1024 * 1024)} MiB; refusing to read it")
    return data


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


# ── owners ──────────────────────────────────────────────────────────────────
def _owner_for_new(directory: Path) -> tuple[int, int] | None:
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
        return _owner_for_new(path.parent)
    return info.st_uid, info.st_gid


def _give_owner(fd: int, path: Path, owner: tuple[int, int] | None) -> None:
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
    (see :func:`_owner_for_new`), or the user's own runs could not create files in them. Raises
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
        owner = _owner_for_new(level.parent)
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


# ── writing ─────────────────────────────────────────────────────────────────
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
            raise NotAFileError(f"{_not_a_file(path, existing.st_mode)}; refusing to replace it")
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
        owner = (existing.st_uid, existing.st_gid) if existing is not None else _owner_for_new(directory)
    except OSError as exc:
        raise FileError(describe_os_error(directory, exc, "create directory")) from None
    sweep_stale_temp_files(path)
    if existing is not None and existing.st_nlink > 1:
        _write_in_place(path, data, final_mode, f"has {existing.st_nlink} hard links, which a rename would split")
        return
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=_temp_prefix(path), suffix=".tmp")
        try:
            os.fchmod(fd, final_mode)
            _give_owner(fd, path, owner)
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
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | _OPEN_FLAGS, PRIVATE_FILE)
    try:
        _give_owner(fd, path, owner)
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


# ── temp files of killed writers ────────────────────────────────────────────
@functools.lru_cache(maxsize=1)
def _namespace_tag() -> str | None:
    """``ns`` and 8 hex digits naming this boot's pid namespace, for temp names; None where /proc cannot tell.

    A sweeper trusts "no such process" for the pid in a temp name only when the name carries
    its own tag: a writer in another container sharing the directory (its own pid namespace),
    or on another host sharing it (another boot), has another tag, and its pids mean nothing here.
    """
    import zlib

    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
        with open("/proc/sys/kernel/random/boot_id", "rb") as fh:
            boot = fh.read().strip()
    except OSError:
        return None
    return f"ns{zlib.crc32(boot + b'/%d' % namespace):08x}"


def _temp_prefix(path: Path) -> str:
    tag = _namespace_tag()
    return f".{path.name}.{os.getpid()}." + (f"{tag}." if tag else "")


def _temp_pattern(path: Path) -> re.Pattern[str]:
    """``.<name>.<pid>.<tag>.<random>.tmp`` (group 1: the pid; ``ns``: the tag) or, from earlier versions,
    ``.<name>.<pid>.<random>.tmp`` and ``.<name>.<random>.tmp``."""
    return re.compile(
        rf"\A\.{re.escape(path.name)}\.(?:([0-9]{{1,10}})\.(?:(?P<ns>ns[0-9a-f]{{8}})\.)?)?{_TEMP_RANDOM}\.tmp\Z"
    )


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

    A candidate must be named exactly as :func:`atomic_write` names temp files for ``path`` (or
    as earlier versions did), be a regular file (not a symlink) owned by this user or by the
    target's owner (a killed root write left it the user's), and be stale:

    - its writer's pid and this pid namespace's tag are in the name, and no such process exists:
      at once, however young (the writer is provably gone); or
    - the pid is in the name without this namespace's tag, no such process exists here, and the
      file is older than :data:`DEAD_WRITER_AGE`; or
    - it is older than :data:`ORPHAN_AGE` (no pid in the name, or the pid was reused).

    Our own pid counts as alive (another thread may be writing), so a live write is never
    touched. Ages are by modification time against the wall clock ``now``. Best effort and
    silent: a leftover temp file is untidy, never a reason to fail a write.
    """
    path = Path(path)
    pattern = _temp_pattern(path)
    now = time.time() if now is None else now
    here = _namespace_tag()
    owners = {os.getuid()} if hasattr(os, "getuid") else None
    if owners is not None:
        try:
            owners.add(os.stat(path).st_uid)
        except OSError:
            pass
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
        if not stat.S_ISREG(info.st_mode) or (owners is not None and info.st_uid not in owners):
            continue
        age = now - info.st_mtime
        gone = match.group(1) is not None and _process_gone(int(match.group(1)))
        provably = gone and here is not None and match["ns"] == here
        if not (provably or (gone and age >= DEAD_WRITER_AGE) or age >= ORPHAN_AGE):
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
